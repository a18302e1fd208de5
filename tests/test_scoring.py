"""Features and the v1 score on tiny hand-built frames with known answers."""
import datetime as dt

import pytest
from pyspark.sql import functions as F

from jobs.transforms.engagement import engagement_edges, engager_quality
from jobs.transforms.scoring import profile_features, scores
from pipelines.config import load_model

DAY = dt.date(2026, 9, 30)
EVENT_COLUMNS = "actor_id STRING, target_id STRING, event_type STRING, event_date DATE"
MODEL = load_model("v1")


def events(spark, rows):
    return spark.createDataFrame(rows, EVENT_COLUMNS)


def features_of(spark, rows):
    ev = events(spark, rows)
    quality = engager_quality(ev, human_daily_actions=MODEL.engager_quality.human_daily_actions)
    edges = engagement_edges(ev, quality, MODEL, snapshot_date=DAY)
    return {r.profile_id: r for r in profile_features(ev, edges, quality, snapshot_date=DAY).collect()}


def test_hyperactive_engagers_weigh_less(spark):
    human = [("h", "a", "reaction", DAY)]
    bot = [("b", "a", "reaction", DAY)] + [("b", f"x{i}", "reaction", DAY) for i in range(400)]
    q = {r.actor_id: r.quality for r in engager_quality(events(spark, human + bot), human_daily_actions=40.0).collect()}
    assert q["h"] == 1.0
    assert q["b"] == pytest.approx(40.0 / 401)


def test_self_edges_and_posts_make_no_edges(spark):
    ev = events(spark, [("a", None, "post", DAY), ("a", "a", "reaction", DAY), ("b", "a", "share", DAY)])
    quality = engager_quality(ev, human_daily_actions=40.0)
    edges = engagement_edges(ev, quality, MODEL, snapshot_date=DAY).collect()
    assert [(e.engager_id, e.author_id, e.interactions) for e in edges] == [("b", "a", 1)]
    assert edges[0].weight == pytest.approx(MODEL.interaction_weights.share)


def test_recency_halves_weight_every_half_life(spark):
    old = DAY - dt.timedelta(days=int(MODEL.recency_half_life_days))
    ev = events(spark, [("b", "a", "reaction", DAY), ("c", "a", "reaction", old)])
    quality = engager_quality(ev, human_daily_actions=40.0)
    w = {e.engager_id: e.weight for e in engagement_edges(ev, quality, MODEL, snapshot_date=DAY).collect()}
    assert w["c"] == pytest.approx(w["b"] / 2)


def test_amplification_per_post_and_across_people(spark):
    few_posts = [("few", None, "post", DAY)] * 10
    many_posts = [("many", None, "post", DAY)] * 1000
    shares = [(f"e{i}", author, "share", DAY) for author in ("few", "many") for i in range(100)]
    one_fan = [("fan", "solo", "share", DAY)] * 100 + [("solo", None, "post", DAY)] * 10
    f = features_of(spark, few_posts + many_posts + shares + one_fan)
    assert f["few"].amplification > f["many"].amplification      # 100 shares of 10 vs of 1,000 posts
    assert f["few"].amplification > f["solo"].amplification      # from 100 people vs from one
    assert f["few"].engagers == 100 and f["solo"].engagers == 1


def score_table(spark, rows):
    features = spark.createDataFrame(
        [(DAY, pid, 1, 1, reach, 1.0, amp, 1) for pid, reach, amp, _ in rows],
        "snapshot_date DATE, profile_id STRING, content_volume BIGINT, engagers BIGINT, true_reach DOUBLE, "
        "reactions DOUBLE, amplification DOUBLE, active_days INT")
    influence = spark.createDataFrame([(pid, net) for pid, _, _, net in rows], "profile_id STRING, influence DOUBLE")
    return {r.profile_id: r for r in scores(features, influence, MODEL, snapshot_date=DAY).collect()}


def test_score_is_monotone_bounded_and_versioned(spark):
    s = score_table(spark, [("low", 1.0, 0.1, 1e-6), ("mid", 10.0, 1.0, 1e-5), ("high", 100.0, 10.0, 1e-4),
                            ("zero", 0.0, 0.0, 0.0)])
    assert s["zero"].score == 1.0
    assert s["low"].score < s["mid"].score < s["high"].score <= 100.0
    assert all(r.model_version == "v1" for r in s.values())
    assert s["zero"].percentile == 0.0 and s["high"].percentile == 75.0


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
