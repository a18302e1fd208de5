"""Anti-gaming signals on hand-built frames: each discounts the gamed part and nothing else."""
import datetime as dt

from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from jobs.transforms.engagement import engagement_edges, engager_quality
from jobs.transforms.gaming import automation, burst_factors, ring_factors, swap_ring_members
from jobs.transforms.activity import daily_activity
from jobs.transforms.scoring import profile_features
from pipelines.core.config import load_model
from tests.conftest import event_frame

DAY = dt.date(2026, 9, 30)
MODEL = load_model("v1")
AG = MODEL.anti_gaming
START = dt.datetime(2026, 9, 1)
RING, MEMBER = AG.rings.factor, AG.rings.member_factor   # ring discounts: mutual edges, the rest


def posts(spark, actor, times, link=False):
    rows = [(actor, f"net:{actor}", "post", None, t, t.date(), link) for t in times]
    return spark.createDataFrame(
        rows, "actor_id STRING, actor_account STRING, event_type STRING, target_id STRING, "
              "event_time TIMESTAMP, event_date DATE, has_link BOOLEAN").withColumn("events", F.lit(1).cast("long"))


def test_a_posting_timer_is_automation_and_a_person_is_not(spark):
    timer = [START + dt.timedelta(hours=3 * i, seconds=(7 * i) % 20) for i in range(40)]
    person_gaps = [1, 9, 2, 30, 5, 14, 3, 22, 1, 7, 40, 2, 11, 6, 19, 3]   # hours, as irregular as people
    person = [START + dt.timedelta(hours=sum(person_gaps[:i])) for i in range(len(person_gaps))]
    feed = [START + dt.timedelta(hours=sum(person_gaps[:i])) for i in range(len(person_gaps))]
    few = [START, START + dt.timedelta(hours=3)]
    frame = (posts(spark, "timer", timer).union(posts(spark, "person", person))
             .union(posts(spark, "feed", feed, link=True)).union(posts(spark, "few", few)))
    out = automation(frame, AG)
    rows = out.collect()    # computed once; compared as a frame of the same schema
    # timer: too regular; feed: every post a link; few: too few posts to judge
    bot = AG.automation.factor
    got_frame = spark.createDataFrame(rows, out.schema).select("profile_id", "link_share", "automation_factor")
    assertDataFrameEqual(got_frame, spark.createDataFrame(
        [("timer", 0.0, bot), ("feed", 1.0, bot), ("person", 0.0, 1.0), ("few", 0.0, 1.0)],
        "profile_id STRING, link_share DOUBLE, automation_factor DOUBLE"))
    got = {r.profile_id: r for r in rows}
    assert got["timer"].posting_cv < 0.01
    assert got["person"].posting_cv > 0.6


def test_mutual_engagement_inside_a_ring_is_discounted_and_a_friend_is_not(spark):
    ring = ["r1", "r2", "r3", "r4"]
    rows = [(a, b, 1.0) for a in ring for b in ring if a != b]
    rows += [("fan1", "r1", 1.0), ("fan1", "star", 1.0), ("fan2", "star", 1.0), ("fan3", "star", 1.0),
             ("friend", "star", 1.0), ("star", "friend", 1.0)]
    edges = spark.createDataFrame(rows, "engager_id STRING, author_id STRING, weight DOUBLE")
    # every ring member gets ≥ 3/4 of its weight from 3 partners it engages back: a ring; star
    # (one mutual friend of four engagers) and friend (one partner) are not; a member's other
    # engagement (fan1 → r1) counts less too
    expected = ([(a, b, True, RING) for a in ring for b in ring if a != b]
                + [("fan1", "r1", False, MEMBER), ("fan1", "star", False, 1.0), ("fan2", "star", False, 1.0),
                   ("fan3", "star", False, 1.0), ("friend", "star", True, 1.0), ("star", "friend", True, 1.0)])
    assertDataFrameEqual(ring_factors(edges, AG).select("engager_id", "author_id", "mutual", "ring_factor"),
                         spark.createDataFrame(expected, "engager_id STRING, author_id STRING, mutual BOOLEAN, "
                                                         "ring_factor DOUBLE"))


def test_a_candidate_model_needs_partners_engaged_both_ways_often_and_still_finds_a_ring(spark):
    candidate = load_model("v3").anti_gaming
    floor = candidate.rings.min_partner_interactions
    ring, circle = ["r1", "r2", "r3", "r4"], ["p1", "p2", "p3"]
    rows = [(a, b, floor, float(floor)) for a in ring for b in ring if a != b]        # a ring: often, both ways
    rows += [(p, "host", 1, 1.0) for p in circle] + [("host", p, 1, 1.0) for p in circle]   # a circle answering once
    rows += [("fan", "host", 2, 2.0)]
    edges = spark.createDataFrame(rows, "engager_id STRING, author_id STRING, interactions LONG, weight DOUBLE")
    # v1 counts any engagement back: host (3 of its 5 weight from 3 partners it answers) is a ring
    # member; a partner (one engager) is not; the candidate counts only partners engaged at least
    # `floor` times each way: the ring stays, the circle does not
    v1 = ([(a, b, True, RING) for a in ring for b in ring if a != b]
          + [(p, "host", True, RING) for p in circle] + [("host", p, True, 1.0) for p in circle]
          + [("fan", "host", False, MEMBER)])
    v3 = ([(a, b, True, RING) for a in ring for b in ring if a != b]
          + [(p, "host", False, 1.0) for p in circle] + [("host", p, False, 1.0) for p in circle]
          + [("fan", "host", False, 1.0)])
    schema = "engager_id STRING, author_id STRING, mutual BOOLEAN, ring_factor DOUBLE"
    for settings, expected in ((AG, v1), (candidate, v3)):
        assertDataFrameEqual(ring_factors(edges, settings).select("engager_id", "author_id", "mutual", "ring_factor"),
                             spark.createDataFrame(expected, schema))


def test_a_dense_ring_is_found_behind_a_large_honest_audience_and_a_celebrity_clique_is_not(spark):
    heavy = AG.rings.min_mutual_weight + 2.0
    ring, stars = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    rows = [(a, b, heavy) for group in (ring, stars) for a in group for b in group if a != b]
    rows += [(f"fan{i}", "r1", 1.0) for i in range(30)]                 # reciprocity 15/45 < 0.5
    rows += [(f"fan{i}", c, 1.0) for i in range(1000) for c in stars]   # the clique: 1.5% of it
    rows += [("f1", "f2", heavy), ("f2", "f1", heavy), ("fan0", "f1", 1.0)]   # two close friends
    edges = spark.createDataFrame(rows, "engager_id STRING, author_id STRING, weight DOUBLE")
    # the ring (a triangle-closed cluster bringing r1 15 of 45) is discounted, fans of r1 as members'
    # other engagement; the clique brings each star 15 of 1,015 and two friends close no triangle
    expected = ([(a, b, RING) for a in ring for b in ring if a != b]
                + [(f"fan{i}", "r1", MEMBER) for i in range(30)]
                + [(a, b, 1.0) for a in stars for b in stars if a != b]
                + [(f"fan{i}", c, 1.0) for i in range(1000) for c in stars]
                + [("f1", "f2", 1.0), ("f2", "f1", 1.0), ("fan0", "f1", 1.0)])
    assertDataFrameEqual(ring_factors(edges, AG).select("engager_id", "author_id", "ring_factor"),
                         spark.createDataFrame(expected, "engager_id STRING, author_id STRING, ring_factor DOUBLE"))


def test_a_burst_week_counts_at_most_the_ratio_of_the_other_weeks(spark):
    weekly = {week: 2.0 for week in range(1, 13)} | {0: 60.0}          # 30× in the last week
    # a week's weight as 2 events of half of it, or as 1: the factor counts every folded event
    rows = ([("bursty", week, w / 2, 2) for week, w in weekly.items()]
            + [("steady", week, 2.0, 1) for week in range(13)])
    interactions = spark.createDataFrame(rows, "target_id STRING, week INT, w DOUBLE, events BIGINT")
    # bursty's other 12 weeks average 2.0: week 0 counts at most 3 × 2.0 = 6 of its 60 (0.1);
    # no other week is above the cap, nor any of steady's
    expected = ([("bursty", 0, 0.1)] + [("bursty", week, 1.0) for week in range(1, 13)]
                + [("steady", week, 1.0) for week in range(13)])
    assertDataFrameEqual(burst_factors(interactions, AG, window_days=91),
                         spark.createDataFrame(expected, "target_id STRING, week INT, burst_factor DOUBLE"))
    # spread over the author: bursty keeps 12 × 2.0 + 6 = 30 of its 84 in all, and every week of
    # it counts 30/84 = 5/14 (the same discounted total); steady keeps everything
    spread = AG.model_copy(update={"bursts": AG.bursts.model_copy(update={"spread": "author"})})
    assertDataFrameEqual(burst_factors(interactions, spread, window_days=91), spark.createDataFrame(
        [("bursty", week, 5 / 14) for week in range(13)] + [("steady", week, 1.0) for week in range(13)],
        "target_id STRING, week INT, burst_factor DOUBLE"))


def test_a_burst_weighed_before_engager_quality_is_a_burst_of_low_quality_engagers_too(spark):
    # week 0: 30 interactions of 1.0 from an engager of quality 0.1 (w 0.1 each); weeks 1–12: 2.0
    # from people of quality 1. With quality the burst week weighs 3.0, under the cap (3 × 2.0 = 6);
    # before it, 30.0: it keeps 6 of 30 (0.2)
    rows = [("target", 0, 0.1, 1.0, 30)] + [("target", week, 2.0, 2.0, 1) for week in range(1, 13)]
    interactions = spark.createDataFrame(rows, "target_id STRING, week INT, w DOUBLE, w_event DOUBLE, events BIGINT")
    schema = "target_id STRING, week INT, burst_factor DOUBLE"
    assertDataFrameEqual(burst_factors(interactions, AG, window_days=91),
                         spark.createDataFrame([("target", week, 1.0) for week in range(13)], schema))
    before = AG.model_copy(update={"bursts": AG.bursts.model_copy(update={"engager_quality": False})})
    assertDataFrameEqual(burst_factors(interactions, before, window_days=91), spark.createDataFrame(
        [("target", 0, 0.2)] + [("target", week, 1.0) for week in range(1, 13)], schema))


def test_features_name_the_discounts_and_keep_the_undiscounted_total(spark):
    ring = ["r1", "r2", "r3", "r4"]
    weeks = [DAY - dt.timedelta(days=7 * k) for k in range(13)]       # steady: no burst anywhere
    rows = ([(a, b, "share", d) for a in ring for b in ring if a != b for d in weeks]
            + [("x", "honest", "share", d) for d in weeks])
    ev = event_frame(spark, rows)
    quality = engager_quality(ev, human_daily_actions=MODEL.engager_quality.human_daily_actions)
    edges = engagement_edges(ev, quality, MODEL, snapshot_date=DAY, window_days=91)
    features = profile_features(daily_activity(ev), edges, MODEL, snapshot_date=DAY)
    # kept: reactions / raw_reactions. All a ring member receives is mutual (RING); honest's
    # engagement is undiscounted; x receives nothing. Own actions: only shares (honest none)
    got = features.select("profile_id", "discounts", F.try_divide("reactions", "raw_reactions").alias("kept"),
                          "share_ratio", "create_ratio")
    expected = ([(r, ["reciprocal_ring"], RING, 1.0, 0.0) for r in ring]
                + [("honest", [], 1.0, 0.0, 0.0), ("x", [], None, 1.0, 0.0)])
    assertDataFrameEqual(got, spark.createDataFrame(
        expected, "profile_id STRING, discounts ARRAY<STRING>, kept DOUBLE, share_ratio DOUBLE, create_ratio DOUBLE"))


def test_swapped_endorsements_make_a_swap_ring_and_one_way_ones_do_not(spark):
    swap = ["k1", "k2", "k3", "k4"]
    rows = [(a, b, 1) for a in swap for b in swap if a != b] + [(f"fan{i}", "expert", 1) for i in range(6)]
    rows += [("expert", "fan0", 1)]
    got = swap_ring_members(spark.createDataFrame(rows, "actor_id STRING, target_id STRING, events LONG"), AG)
    assertDataFrameEqual(got, spark.createDataFrame([(k,) for k in swap], "author_id STRING"))


def test_a_candidate_model_finds_a_swapper_whose_plus_k_comes_mostly_from_the_swap(spark):
    candidate = load_model("v3").anti_gaming
    swap = ["k1", "k2", "k3", "k4"]
    rows = [(a, b, 20) for a in swap for b in swap if a != b]               # daily +K inside the group
    rows += [(f"fan{i}", "k1", 2) for i in range(10)]                       # k1's real following: 10 of 13 endorsers
    rows += [(f"fan{i}", "expert", 2) for i in range(10)] + [("expert", f"fan{i}", 1) for i in range(3)]
    endorsements = spark.createDataFrame(rows, "actor_id STRING, target_id STRING, events LONG")
    # v1 counts endorsers: 3 of k1's 13 are partners, so k1 passes; v3 counts endorsements: 60 of
    # k1's 80 are swapped. expert endorses 3 of its fans back, 6 of its 20 endorsements: no swap
    for settings, members in ((AG, ["k2", "k3", "k4"]), (candidate, swap)):
        assertDataFrameEqual(swap_ring_members(endorsements, settings),
                             spark.createDataFrame([(k,) for k in members], "author_id STRING"))
