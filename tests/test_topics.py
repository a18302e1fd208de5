"""Topics with evidence, +K with caps and swap discounts, and styles from behaviour."""
import datetime as dt

import pytest
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual, assertSchemaEqual

from jobs.transforms.engagement import engager_quality, weighted_interactions
from jobs.transforms.gaming import swap_ring_members
from jobs.transforms.styles import AXES, STYLES, describe, style
from jobs.transforms.topics import topic_entropy, topic_scores, topics_of
from pipelines.core.config import load_model, load_topics
from pipelines.serving.explain import explanation, render
from pipelines.core.io import read_table
from schemas.gold_scores import SCORES
from schemas.gold_topic_scores import TOPIC_SCORES
from schemas.silver_events import EVENTS
from tests.conftest import truth_profiles

DAY = dt.date(2026, 9, 30)
MODEL = load_model("v1")
ONTOLOGY = load_topics()
COLUMNS = ("actor_id STRING, target_id STRING, event_type STRING, event_date DATE, content_id STRING, "
           "target_content_id STRING, topics ARRAY<STRING>")
# the gold.topic_scores columns these tests are about (topic_score itself is only bounded)
EVIDENCE = ("profile_id STRING, topic STRING, parent_topic STRING, engagements BIGINT, engagement_weight DOUBLE, "
            "endorsements BIGINT, endorsers BIGINT, endorsement_weight DOUBLE, top_content ARRAY<STRING>")


def event(actor, kind, *, target=None, content=None, on=None, tags=(), day=DAY):
    return (actor, target, kind, day, content, on, list(tags))


def window(spark, rows):
    """The rows as window events, each one event (`events` = 1)."""
    return spark.createDataFrame(rows, COLUMNS).withColumn("events", F.lit(1).cast("long"))


def topic_frame(spark, rows):
    events = window(spark, rows)
    quality = engager_quality(events, human_daily_actions=MODEL.engager_quality.human_daily_actions)
    interactions = weighted_interactions(events, quality, MODEL, snapshot_date=DAY)
    swaps = swap_ring_members(interactions.where(F.col("event_type") == "endorse"), MODEL.anti_gaming)
    no_edges = spark.createDataFrame([], "engager_id STRING, author_id STRING, weight DOUBLE, raw_weight DOUBLE")
    return topic_scores(interactions, events.where(F.col("event_type") == "post"), no_edges, swaps, MODEL,
                        ONTOLOGY, snapshot_date=DAY)


def evidence(out):
    return out.select(*[c.split()[0] for c in EVIDENCE.split(", ")])


def test_tags_name_their_topic_and_its_parent_once(spark):
    df = spark.createDataFrame([(["seo", "BACKLINKS".lower(), "nosuchtag", "llm"],)], "tags ARRAY<STRING>")
    got = df.select(F.sort_array(topics_of(F.col("tags"), ONTOLOGY)).alias("t"))
    # seo and backlinks: seo (marketing), once; llm: ai (technology); nosuchtag: nothing
    assertDataFrameEqual(got, spark.createDataFrame([(["ai", "marketing", "seo", "technology"],)], "t ARRAY<STRING>"))


def test_a_topic_needs_evidence_and_carries_it(spark):
    posts = [event("author", "post", content="c1", tags=["seo"]), event("author", "post", content="c2", tags=["serp"])]
    three = [event(f"fan{i}", "share", target="author", on="c1") for i in range(2)]
    three += [event("fan9", "reply", target="author", on="c2")]
    # `quiet` writes about seo too, but two engagements are not enough evidence: no topic
    quiet = [event("quiet", "post", content="q1", tags=["seo"])]
    quiet += [event(f"reader{i}", "share", target="quiet", on="q1") for i in range(2)]
    computed = topic_frame(spark, posts + three + quiet)
    assertSchemaEqual(computed.schema, TOPIC_SCORES.schema)
    out = spark.createDataFrame(computed.collect(), computed.schema)    # the transform runs once
    # serp is a keyword of seo; seo rolls up to marketing. Weight: two shares of c1 (3 each) and a
    # reply to c2 (2), all today by fans acting once: c1 (6) is the most engaged content, first
    assertDataFrameEqual(evidence(out), spark.createDataFrame(
        [("author", "seo", "marketing", 3, 8.0, 0, 0, 0.0, ["c1", "c2"]),
         ("author", "marketing", None, 3, 8.0, 0, 0, 0.0, ["c1", "c2"])], EVIDENCE))
    assert all(1.0 <= r.topic_score <= 100.0 for r in out.collect())


def test_content_posted_before_the_window_is_about_what_each_engagement_carried(spark):
    # c0's post is older than the window: each engagement's own tags name its topics, so the six
    # shares of one content (summed per content first) split into two topics, three each
    shares = [event(f"fan{i}", "share", target="author", on="c0", tags=["seo"]) for i in range(3)]
    shares += [event(f"reader{i}", "share", target="author", on="c0", tags=["llm"]) for i in range(3)]
    out = topic_frame(spark, shares)
    topics = (("seo", "marketing"), ("marketing", None), ("ai", "technology"), ("technology", None))
    assertDataFrameEqual(evidence(out), spark.createDataFrame(
        [("author", topic, parent, 3, 9.0, 0, 0, 0.0, ["c0"]) for topic, parent in topics], EVIDENCE))


def test_endorsements_are_capped_per_day_and_per_window(spark):
    one_day = [event("e1", "endorse", target="expert", tags=["seo"])] * 4
    many_days = [event("e2", "endorse", target="expert", tags=["seo"], day=DAY - dt.timedelta(days=d))
                 for d in range(8)]
    third = [event("e3", "endorse", target="expert", tags=["seo"])]
    out = topic_frame(spark, one_day + many_days + third)
    # e1: 4 on one day, capped at 1 a day; e2: 8 days, capped at 5 in the window; e3: 1.
    # Weight: each counted +K at its endorser's heaviest (today's) weight, 1.0: 1 + 5 + 1
    assertDataFrameEqual(evidence(out), spark.createDataFrame(
        [("expert", "seo", "marketing", 0, 0.0, 7, 3, 7.0, []),
         ("expert", "marketing", None, 0, 0.0, 7, 3, 7.0, [])], EVIDENCE))


def test_a_swap_group_earns_no_topic_through_plus_k(spark):
    def swap_group(group):
        return [event(a, "endorse", target=b, tags=["seo"], day=DAY - dt.timedelta(days=d))
                for a in group for b in group if a != b for d in range(5)]

    honest = [event(f"e{i}", "endorse", target="k1", tags=["seo"]) for i in range(3)]
    # endorsements traded inside a swap group are no evidence: j1..j4 swap and nobody else
    # endorses them, so none of them gets a topic. k1: 3 independent endorsers; +K: 3 swap
    # partners × 5 days (5 each after the caps) + 3 = 18; weight: the 3 independent +K at full
    # weight (3.0), the 15 swapped at the swap factor (15 × 0.15 = 2.25: five times as many
    # endorsements weigh less than the three independent ones)
    rows = swap_group(["j1", "j2", "j3", "j4"]) + swap_group(["k1", "k2", "k3", "k4"]) + honest
    assertDataFrameEqual(evidence(topic_frame(spark, rows)), spark.createDataFrame(
        [("k1", "seo", "marketing", 0, 0.0, 18, 3, 5.25, []),
         ("k1", "marketing", None, 0, 0.0, 18, 3, 5.25, [])], EVIDENCE))


def test_entropy_counts_fields_written_about(spark):
    rows = ([event("one", "post", content=f"a{i}", tags=["seo", "branding"]) for i in range(4)]
            + [event("two", "post", content="b1", tags=["seo"]), event("two", "post", content="b2", tags=["space"])]
            + [event("sharer", "share", target="one", on="a1", tags=["ai"]),
               event("sharer", "share", target="one", on="a2", tags=["football"])])
    got = topic_entropy(window(spark, rows), ONTOLOGY)
    # one: seo and branding are both marketing; two: marketing and science, a post each;
    # sharer wrote nothing tagged, so what it shared counts: technology and sports
    assertDataFrameEqual(got, spark.createDataFrame([("one", 0.0), ("two", 1.0), ("sharer", 1.0)],
                                                    "profile_id STRING, topic_entropy DOUBLE"))


def test_each_side_of_the_four_axes_names_one_style(spark):
    s = MODEL.styles
    lo, hi = 0.0, 1.0
    rows = [(name, hi if c else lo, hi if p else lo, s.broad_bits + 1 if b else 0.0, hi if k else lo, 10)
            for (c, p, b, k), (name, _) in STYLES.items()]
    rows.append(("too_few", hi, hi, 3.0, hi, s.min_actions - 1))
    df = spark.createDataFrame(rows, f"expected STRING, {', '.join(a + ' DOUBLE' for a in AXES)}, actions LONG")
    got = df.select("expected", style(s).alias("style"))
    assert len(set(STYLES.values())) == 16
    assertDataFrameEqual(got, spark.createDataFrame([(name, name) for name, _ in STYLES.values()]
                                                    + [("too_few", None)], "expected STRING, style STRING"))


# ---- acceptance on the generated sample (the e2e fixture's nightly) ----------------------------

@pytest.fixture(scope="module")
def topics_e2e(spark, e2e):
    cfg, _, _ = e2e
    truth = {p["profile_id"]: p for p in truth_profiles(cfg)}
    return cfg, truth, read_table(spark, cfg, TOPIC_SCORES).collect()


def top_topics(rows):
    best = {}
    for r in rows:
        if r.parent_topic is not None and (r.profile_id not in best or r.topic_score > best[r.profile_id].topic_score):
            best[r.profile_id] = r
    return best


def test_a_focused_profiles_top_topic_is_its_planted_topic(topics_e2e):
    _, truth, rows = topics_e2e
    focused = [r for pid, r in top_topics(rows).items() if truth.get(pid, {}).get("persona") == "focused"]
    assert len(focused) >= 3
    precision = sum(r.topic == truth[r.profile_id]["topics"][0] for r in focused) / len(focused)
    assert precision >= 0.9
    planted = [r.topic in truth[r.profile_id]["topics"] for pid, r in top_topics(rows).items() if pid in truth]
    assert sum(planted) / len(planted) >= 0.9


def test_no_topic_without_evidence_in_silver(spark, topics_e2e):
    cfg, _, rows = topics_e2e
    t = MODEL.topics
    assert rows and all(r.engagements >= t.min_engagements or r.endorsers >= t.min_endorsers for r in rows)
    named = {(r.profile_id, c) for r in rows for c in r.top_content}
    engaged = {r.target_content_id for r in read_table(spark, cfg, EVENTS)
               .where(F.col("target_content_id").isNotNull()).select("target_content_id").distinct().collect()}
    assert named and {c for _, c in named} <= engaged, "evidence names content nobody engaged with"


def test_broad_and_focused_personas_land_on_their_side(spark, topics_e2e):
    cfg, truth, _ = topics_e2e
    bits = {r.profile_id: r.axis_topic_bits for r in read_table(spark, cfg, SCORES).collect()}
    side = MODEL.styles.broad_bits
    # a style needs evidence: profiles that posted fewer than min_actions times in the window
    # (a broad person's one post has one topic) are left out
    owner = {f"{a['network']}:{a['account_id']}": p for p, t in truth.items() for a in t["accounts"]}
    posts = {}
    for r in read_table(spark, cfg, EVENTS).where(F.col("event_type") == "post").groupBy("actor_account").count().collect():
        posts[owner.get(r.actor_account)] = posts.get(owner.get(r.actor_account), 0) + r["count"]
    judged = {p for p, n in posts.items() if n >= MODEL.styles.min_actions}
    broad = [bits[p] for p, t in truth.items() if t["persona"] == "broad" and p in bits and p in judged]
    focused = [bits[p] for p, t in truth.items() if t["persona"] == "focused" and p in bits and p in judged]
    assert len(broad) >= 5 and len(focused) >= 5
    assert min(broad) >= side > max(focused)


def test_swap_group_bots_earn_no_topic_through_plus_k(spark, topics_e2e):
    """+K swap members' topics stand on engagement; their swap mates' endorsements count no
    endorser (an organic +K from outside the group still does)."""
    cfg, truth, rows = topics_e2e
    kswap = [r for r in rows if truth.get(r.profile_id, {}).get("persona") == "kswap"]
    assert any(r.endorsements > 0 for r in kswap), "the sample plants +K swaps on topics that show"
    owner = {f"{a['network']}:{a['account_id']}": p for p, t in truth.items() for a in t["accounts"]}
    outside = {}   # per swap member: the profiles outside its group that endorsed it
    for e in read_table(spark, cfg, EVENTS).where(F.col("event_type") == "endorse").collect():
        member, endorser = owner.get(e.target_account), owner.get(e.actor_account, e.actor_account)
        if truth.get(member, {}).get("persona") == "kswap" and truth.get(endorser, {}).get("group") != truth[member]["group"]:
            outside.setdefault(member, set()).add(endorser)
    assert all(r.endorsers <= len(outside.get(r.profile_id, ())) and r.engagements >= MODEL.topics.min_engagements
               for r in kswap)


def test_explain_shows_topics_with_evidence_and_the_style(spark, topics_e2e):
    cfg, truth, rows = topics_e2e
    top = next(r for pid, r in sorted(top_topics(rows).items()) if truth.get(pid, {}).get("persona") == "focused")
    facts = explanation(cfg, top.profile_id, DAY)
    shown = facts["topics"][0]
    assert (shown["topic"], shown["engagements"], shown["top_content"]) == (top.topic, top.engagements,
                                                                            list(top.top_content))
    words = "\n".join(render(facts))
    assert f"{top.topic} ({top.parent_topic}) {top.topic_score:.1f}: {top.engagements} engagements" in words
    score = read_table(spark, cfg, SCORES).where(F.col("profile_id") == top.profile_id).first()
    assert (f"Style: {score.style} — it {describe(score.style)}" in words if score.style
            else "Style: none" in words)
    assert f"focused↔broad {score.axis_topic_bits:.2f} bits" in words
