"""Predictive validity (jobs/transforms/validity.py) on tiny hand-built histories whose future
ranking is known."""
import numpy as np
import pytest
from pyspark.testing import assertDataFrameEqual
from scipy.stats import spearmanr

from jobs.transforms.validity import (MODEL_PREDICTORS, NAIVE_PREDICTORS, OUTCOMES, PREDICTORS, followers_gained,
                                      future_engagement, rank_figures, reliability_ceiling, retest_frame, top_decile,
                                      validity_frame)

HORIZON = "actor_id STRING, target_id STRING, event_type STRING, content_id STRING, target_content_id STRING"
FUTURE = ("profile_id STRING, engagers BIGINT, new_engagers BIGINT, reshares BIGINT, quality_interactions DOUBLE, "
          "quality_per_post DOUBLE")


def horizon(spark, rows):
    return spark.createDataFrame(rows, HORIZON)


def test_new_content_earns_engagers_quality_new_reach_and_reshares(spark):
    """`grows` had one engager before D and gains three on its new post (one hyperactive, one
    sharing it onward); `stops` posts after D and nobody engages; `silent` engages, never posts."""
    events = horizon(spark, [
        ("grows", None, "post", "g1", None),
        ("grows", None, "post", "g2", None),                   # a second new post nobody engages with
        ("old_fan", "grows", "reaction", "r1", "g1"),
        ("old_fan", "grows", "reaction", "r2", "g1"),          # twice: one engager, two interactions
        ("new_fan", "grows", "reply", "y1", "g1"),
        ("busy_bot", "grows", "share", "s1", "g1"),
        ("far_away", "busy_bot", "share", "s2", "s1"),         # a share of the share: spread
        ("grows", "grows", "reaction", "r3", "g1"),            # its own like counts for nothing
        ("stops", None, "post", "x1", None),
        ("silent", "stops", "reaction", "r4", "old_post"),     # engagement with content from before D
    ])
    quality = spark.createDataFrame([("old_fan", 1.0), ("new_fan", 1.0), ("busy_bot", 0.25), ("far_away", 1.0),
                                     ("silent", 1.0)], "actor_id STRING, quality DOUBLE")
    previous = spark.createDataFrame([("old_fan", "grows"), ("silent", "stops")], "engager_id STRING, author_id STRING")
    expected = spark.createDataFrame([("grows", 3, 2, 1, 1.0 + 1.0 + 1.0 + 0.25, 3.25 / 2), ("stops", 0, 0, 0, 0.0, 0.0)],
                                     FUTURE)
    assertDataFrameEqual(future_engagement(events, quality, previous), expected)


def test_the_frame_keeps_silent_profiles_apart_and_takes_naive_rankings_from_the_same_history(spark):
    scores = spark.createDataFrame(
        [(p, s, s, s, s, pct) for p, s, pct in (("grows", 40.0, 0.0), ("stops", 60.0, 33.3), ("silent", 70.0, 66.7))],
        "profile_id STRING, score DOUBLE, true_reach_score DOUBLE, amplification_score DOUBLE, "
        "network_score DOUBLE, percentile DOUBLE")
    features = spark.createDataFrame([("stops", 12, 30.5, 9), ("silent", 0, 2.0, 1)],
                                     "profile_id STRING, content_volume BIGINT, raw_reactions DOUBLE, engagers BIGINT")
    window = horizon(spark, [("a", "stops", "follow", None, None), ("b", "stops", "follow", None, None),
                             ("a", "stops", "follow", None, None), ("stops", "stops", "follow", None, None),
                             ("a", "grows", "reaction", None, "g0")])
    future = spark.createDataFrame([("grows", 3, 2, 1, 3.25, 1.625), ("stops", 0, 0, 0, 0.0, 0.0)], FUTURE)
    frame = validity_frame(scores, features, followers_gained(window), future)
    expected = spark.createDataFrame([
        ("grows", 40.0, 40.0, 40.0, 40.0, 0.0, 0, 0.0, 0, 0, 3, 2, 1, 3.25, 1.625, True),
        ("stops", 60.0, 60.0, 60.0, 60.0, 33.3, 12, 30.5, 9, 2, 0, 0, 0, 0.0, 0.0, True),
        ("silent", 70.0, 70.0, 70.0, 70.0, 66.7, 0, 2.0, 1, 0, None, None, None, None, None, False)],
        "profile_id STRING, score DOUBLE, true_reach_score DOUBLE, amplification_score DOUBLE, network_score DOUBLE, "
        "percentile DOUBLE, posts BIGINT, raw_reactions DOUBLE, distinct_engagers BIGINT, followers BIGINT, "
        "engagers BIGINT, new_engagers BIGINT, reshares BIGINT, quality_interactions DOUBLE, quality_per_post DOUBLE, "
        "posted BOOLEAN")
    assertDataFrameEqual(frame.select(*expected.columns), expected)


def columns_for(predictors: dict, outcome: np.ndarray) -> dict:
    cols = {p: predictors.get(p, np.zeros(len(outcome))) for p in PREDICTORS}
    cols.update({o: outcome for o in OUTCOMES})
    cols["key"] = np.arange(len(outcome))
    return cols


def test_a_ranking_that_foretells_the_future_beats_one_that_remembers_the_past():
    """Twenty profiles; the future ranks them 0..19. The score ranks them in that order, the naive
    raw-reactions ranking in the reverse order (those whose engagement stops had the most of it)."""
    future = np.arange(20, dtype=float)
    cols = columns_for({"score": future * 2 + 5, "raw_reactions": 100 - future}, future)
    figures = {(f.outcome, f.predictor): f for f in rank_figures(cols, resamples=50, seed=1)}
    assert len(figures) == len(OUTCOMES) * len(PREDICTORS)
    score, naive = figures["quality_interactions", "score"], figures["quality_interactions", "raw_reactions"]
    assert (score.spearman, score.spearman_low, score.spearman_high) == pytest.approx((1.0, 1.0, 1.0))
    assert (score.precision, score.precision_low) == (1.0, 1.0)   # the top two are the top two
    assert naive.spearman == pytest.approx(-1.0) and naive.precision == 0.0
    flat = figures["quality_interactions", "followers"]           # all zero: no ranking at all
    assert flat.spearman == 0.0 and set(MODEL_PREDICTORS) | set(NAIVE_PREDICTORS) == set(PREDICTORS)


def test_the_bootstrap_interval_holds_the_estimate_and_widens_with_noise():
    rng = np.random.default_rng(3)
    future = rng.normal(size=400)
    noisy = columns_for({"score": future + rng.normal(scale=1.0, size=400),
                         "posts": future + rng.normal(scale=3.0, size=400)}, future)
    figures = {(f.outcome, f.predictor): f for f in rank_figures(noisy, resamples=100, seed=2)}
    close, far = figures["engagers", "score"], figures["engagers", "posts"]
    for f in (close, far):
        assert f.spearman_low <= f.spearman <= f.spearman_high
        assert f.precision_low <= f.precision <= f.precision_high
    assert close.spearman > far.spearman > 0
    assert far.spearman_high - far.spearman_low > close.spearman_high - close.spearman_low


def test_the_top_decile_takes_a_tenth_rounded_up_and_breaks_ties_by_key():
    values = np.array([5.0, 9.0, 9.0, 1.0, 9.0, 0.0, 2.0, 3.0, 4.0, 6.0, 7.0])   # 11 profiles: 2 in the top
    assert list(np.flatnonzero(top_decile(values, np.arange(11)))) == [1, 2]
    assert list(np.flatnonzero(top_decile(values, np.array([0, 9, 8, 0, 1, 0, 0, 0, 0, 0, 0])))) == [2, 4]


def test_the_outcome_measured_twice_pairs_each_horizon_profile_with_its_past_and_bounds_any_ranking(spark):
    """`steady` earned alike before and after D, `new` posted nothing before D (its past is 0);
    `gone` earned before D but posted nothing after it: not ranked, so not paired."""
    past = spark.createDataFrame([("steady", 4, 0, 0, 4.0, 2.0), ("gone", 9, 0, 0, 9.0, 9.0)], FUTURE)
    future = spark.createDataFrame([("steady", 5, 5, 0, 4.5, 1.5), ("new", 2, 2, 0, 2.0, 2.0)], FUTURE)
    assertDataFrameEqual(retest_frame(past, future, "quality_interactions"), spark.createDataFrame(
        [("steady", 4.5, 4.0), ("new", 2.0, 0.0)], "profile_id STRING, future DOUBLE, past DOUBLE"))
    rng = np.random.default_rng(3)
    rate = rng.lognormal(0.0, 1.0, 4000)                 # each profile's true engagement rate
    first, second = rng.poisson(rate * 3), rng.poisson(rate * 3)
    r, ceiling = reliability_ceiling(first, second)
    assert 0.3 < r < 0.95 and ceiling == pytest.approx(np.sqrt(r))
    # the true rate itself, the best any ranking can know, stays under the ceiling the retest sets
    assert spearmanr(rate, second).statistic <= ceiling + 0.02
    assert reliability_ceiling(first, -first.astype(float)) == (pytest.approx(-1.0), 0.0)
