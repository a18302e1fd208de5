"""Features and the score (model v1's settings; v3 where a test says) on tiny hand-built frames
with known answers."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual, assertSchemaEqual

from jobs.scores import previous_snapshot
from jobs.transforms.engagement import engagement_edges, engager_quality
from jobs.transforms.activity import daily_activity
from jobs.transforms.scoring import profile_features, scores
from pipelines.core.config import load_model
from pipelines.core.io import replace_where
from pipelines.core.jobrun import JobContext
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES
from tests.conftest import config_for, event_frame

DAY = dt.date(2026, 9, 30)
MODEL = load_model("v1")


def events(spark, rows):
    return event_frame(spark, rows)


def by_id(df):
    return {r.profile_id: r for r in df.collect()}


def features_frame(spark, rows):
    ev = events(spark, rows)
    quality = engager_quality(ev, human_daily_actions=MODEL.engager_quality.human_daily_actions)
    edges = engagement_edges(ev, quality, MODEL, snapshot_date=DAY, window_days=90)
    return profile_features(daily_activity(ev), edges, MODEL, snapshot_date=DAY)


def edge(engager, author, interactions, raw_weight, weight, burst=1.0, ring=1.0, automation=1.0, quality=1.0):
    """One gold.engagement_edges row of the snapshot DAY."""
    return (DAY, engager, author, interactions, quality, raw_weight, weight, burst, ring, automation)


def test_hyperactive_engagers_weigh_less(spark):
    human = [("h", "a", "reaction", DAY)]
    bot = [("b", "a", "reaction", DAY)] + [("b", f"x{i}", "reaction", DAY) for i in range(400)]
    q = engager_quality(events(spark, human + bot), human_daily_actions=40.0)
    # b acts 401 times in one day: each action weighs 40 / 401, a human's day in total
    assertDataFrameEqual(q, spark.createDataFrame([("h", 1.0, 1.0), ("b", 401.0, 40.0 / 401)],
                                                  "actor_id STRING, daily_actions DOUBLE, quality DOUBLE"))


def test_self_edges_and_posts_make_no_edges(spark):
    ev = events(spark, [("a", None, "post", DAY), ("a", "a", "reaction", DAY), ("b", "a", "share", DAY)])
    quality = engager_quality(ev, human_daily_actions=40.0)
    edges = engagement_edges(ev, quality, MODEL, snapshot_date=DAY, window_days=90)
    assertSchemaEqual(edges.schema, ENGAGEMENT_EDGES.schema)
    # only b → a: one share today (weight 3) by someone acting once a day (quality 1), no discount
    assertDataFrameEqual(edges, spark.createDataFrame([edge("b", "a", 1, 3.0, 3.0)], ENGAGEMENT_EDGES.schema))


def test_recency_halves_weight_every_half_life(spark):
    old = DAY - dt.timedelta(days=int(MODEL.recency_half_life_days))
    ev = events(spark, [("b", "a", "reaction", DAY), ("c", "a", "reaction", old)])
    quality = engager_quality(ev, human_daily_actions=40.0)
    edges = engagement_edges(ev, quality, MODEL, snapshot_date=DAY, window_days=90)
    # a reaction weighs 1 today and 1/2 one half-life (30 days) ago; far below a burst
    assertDataFrameEqual(edges, spark.createDataFrame([edge("b", "a", 1, 1.0, 1.0), edge("c", "a", 1, 0.5, 0.5)],
                                                      ENGAGEMENT_EDGES.schema))


def test_amplification_per_post_and_across_people(spark):
    few_posts = [("few", None, "post", DAY)] * 10
    many_posts = [("many", None, "post", DAY)] * 1000
    shares = [(f"e{i}", author, "share", DAY) for author in ("few", "many") for i in range(100)]
    one_fan = [("fan", "solo", "share", DAY)] * 100 + [("solo", None, "post", DAY)] * 10
    features = features_frame(spark, few_posts + many_posts + shares + one_fan)
    assertSchemaEqual(features.schema, PROFILE_FEATURES.schema)
    # every actor and every author is featured; only authors have posts and engagers
    assertDataFrameEqual(features.select("profile_id", "content_volume", "engagers"), spark.createDataFrame(
        [("few", 10, 100), ("many", 1000, 100), ("solo", 10, 1), ("fan", 0, 0)]
        + [(f"e{i}", 0, 0) for i in range(100)], "profile_id STRING, content_volume BIGINT, engagers BIGINT"))
    f = by_id(features)
    assert f["few"].amplification > f["many"].amplification      # 100 shares of 10 vs of 1,000 posts
    assert f["few"].amplification > f["solo"].amplification      # from 100 people vs from one


def feature_frame(spark, rows):
    """gold.profile_features rows with the given reach and amplification, nothing else done."""
    blank = {f.name: ([] if f.name == "discounts" else 0) for f in PROFILE_FEATURES.schema.fields}
    return spark.createDataFrame(
        [{**blank, "snapshot_date": DAY, "profile_id": pid, "true_reach": reach, "amplification": amp,
          **{c: 0.0 for c in ("reactions", "raw_reactions", "create_ratio", "share_ratio", "reply_ratio",
                              "mention_ratio", "active_share", "topic_entropy")}}
         for pid, reach, amp in rows], PROFILE_FEATURES.schema)


def score_frame(spark, rows, model=MODEL, previous=None):
    features = feature_frame(spark, [(pid, reach, amp) for pid, reach, amp, _ in rows])
    influence = spark.createDataFrame([(pid, net) for pid, _, _, net in rows], "profile_id STRING, influence DOUBLE")
    return scores(features, influence, model, snapshot_date=DAY, previous=previous)


def score_table(spark, rows):
    return by_id(score_frame(spark, rows))


def test_score_is_monotone_bounded_and_versioned(spark):
    out = score_frame(spark, [("low", 1.0, 0.1, 1e-6), ("mid", 10.0, 1.0, 1e-5), ("high", 100.0, 10.0, 1e-4),
                              ("zero", 0.0, 0.0, 0.0)])
    assertSchemaEqual(out.schema, SCORES.schema)
    # percentile: share of the 4 profiles scoring strictly lower; no previous score: no change;
    # no own actions (below styles.min_actions): no style
    assertDataFrameEqual(
        out.select("profile_id", "percentile", "model_version", "snapshot_date", "change", "style"),
        spark.createDataFrame([("zero", 0.0, "v1", DAY, None, None), ("low", 25.0, "v1", DAY, None, None),
                               ("mid", 50.0, "v1", DAY, None, None), ("high", 75.0, "v1", DAY, None, None)],
                              "profile_id STRING, percentile DOUBLE, model_version STRING, snapshot_date DATE, "
                              "change DOUBLE, style STRING"))
    s = by_id(out)
    assert s["zero"].score == 1.0
    assert s["low"].score < s["mid"].score < s["high"].score <= 100.0


def test_score_does_not_depend_on_the_population(spark):
    """Frozen calibration: adding other profiles changes percentiles, never a profile's score."""
    alone = score_table(spark, [("a", 10.0, 1.0, 1e-5)])
    crowd = score_table(spark, [("a", 10.0, 1.0, 1e-5)] + [(f"o{i}", 50.0 * i, 5.0, 1e-4) for i in range(5)])
    assert alone["a"].score == crowd["a"].score
    assert alone["a"].percentile != crowd["a"].percentile


def test_one_better_component_never_scores_lower(spark):
    s = score_table(spark, [("base", 10.0, 1.0, 1e-5), ("reach", 11.0, 1.0, 1e-5),
                            ("amp", 10.0, 1.5, 1e-5), ("net", 10.0, 1.0, 2e-5)])
    assert min(s["reach"].score, s["amp"].score, s["net"].score) >= s["base"].score


def previous_of(spark, rows, days_ago=1):
    return spark.createDataFrame(
        [(pid, DAY - dt.timedelta(days=days_ago), score, 10.0, 10.0, 10.0) for pid, score in rows],
        "profile_id STRING, snapshot_date DATE, score DOUBLE, true_reach_score DOUBLE, "
        "amplification_score DOUBLE, network_score DOUBLE")


def smoothed_frame(spark, rows, previous):
    features = feature_frame(spark, [(pid, reach, 1.0) for pid, reach in rows])
    influence = spark.createDataFrame([(pid, 1e-5) for pid, _ in rows], "profile_id STRING, influence DOUBLE")
    return scores(features, influence, MODEL, snapshot_date=DAY, previous=previous)


def smoothed_table(spark, rows, previous):
    return by_id(smoothed_frame(spark, rows, previous))


def test_a_day_moves_a_score_at_most_the_smoothing_bound(spark):
    bound = MODEL.score.max_daily_move
    rows = [("jump", 5000.0), ("steady", 20.0), ("new", 5000.0)]
    out = smoothed_frame(spark, rows, previous_of(spark, [("jump", 30.0), ("steady", 0.0)]))
    # jump (30 yesterday) and steady (0 yesterday) both score far above: each moves the bound,
    # 5 points; new has no previous score, so no change
    assertDataFrameEqual(out.select("profile_id", "change"),
                         spark.createDataFrame([("jump", 5.0), ("steady", 5.0), ("new", None)],
                                               "profile_id STRING, change DOUBLE"))
    s = by_id(out)
    assert s["jump"].raw_score > 30.0 + bound
    assert s["jump"].score == 30.0 + bound and s["jump"].change == bound
    steady_raw = s["steady"].raw_score
    s_again = smoothed_table(spark, rows, previous_of(spark, [("steady", steady_raw - 1.0)]))
    assert s_again["steady"].score == steady_raw and s_again["steady"].change == 1.0
    assert s["new"].score == s["new"].raw_score and s["new"].change is None
    two_days = smoothed_table(spark, rows, previous_of(spark, [("jump", 30.0)], days_ago=2))
    assert two_days["jump"].score == 30.0 + 2 * bound
    assert s["jump"].change_true_reach == pytest.approx(s["jump"].true_reach_score - 10.0)


def test_a_promoted_model_starts_from_the_score_published_the_day_before(spark, tmp_path):
    """gold.scores is one series across model versions: the first snapshot of a newly published
    model is smoothed against yesterday's score of the model before (read from the table), so no
    profile jumps overnight; a shadow candidate is smoothed only against its own history."""
    cfg = config_for(tmp_path, **{"pipeline.model_version": "v3"})
    yesterday = DAY - dt.timedelta(days=1)
    rows = [("riser", 5000.0, 1.0, 1e-5), ("faller", 0.0, 0.0, 0.0)]
    v1 = score_frame(spark, [("riser", 1.0, 0.1, 1e-6), ("faller", 5000.0, 50.0, 1e-3)])
    replace_where(v1.withColumn("snapshot_date", F.lit(yesterday)), cfg, SCORES, f"snapshot_date = '{yesterday}'")
    ctx = JobContext(spark, cfg, DAY, "test-run")
    assert previous_snapshot(ctx, SCORES, "v3") is None   # as a shadow table is read: v3's own history only
    previous = previous_snapshot(ctx, SCORES)
    before = by_id(previous)
    v3 = load_model("v3")
    after = by_id(score_frame(spark, rows, model=v3, previous=previous))
    bound = v3.score.max_daily_move
    # the riser's v3 score is far above yesterday's v1 score, the faller's far below: each moves
    # the bound toward it
    assert after["riser"].raw_score > before["riser"].score + bound
    assert after["faller"].raw_score < before["faller"].score - bound
    assert {p: (r.model_version, r.score, r.change) for p, r in after.items()} == {
        "riser": ("v3", before["riser"].score + bound, bound),
        "faller": ("v3", before["faller"].score - bound, -bound)}


COMPONENTS = st.tuples(st.floats(0, 1e4), st.floats(0, 1e3), st.floats(0, 1e-2))


# each example scores a batch of cases in one Spark run (a profile's score depends on its own
# components only: test_score_does_not_depend_on_the_population)
@settings(max_examples=4, deadline=None)
@given(cases=st.lists(st.tuples(COMPONENTS, st.integers(0, 2), st.floats(1.0, 100.0)), min_size=1, max_size=30))
def test_raising_one_component_never_lowers_the_score(spark, cases):
    rows = []
    for k, (base, which, factor) in enumerate(cases):
        raised = list(base)
        raised[which] = base[which] * factor + 1e-9
        rows += [(f"base{k}", *base), (f"raised{k}", *raised)]
    s = score_table(spark, rows)
    for k, case in enumerate(cases):
        assert s[f"raised{k}"].score >= s[f"base{k}"].score, case
