"""A candidate model's shift against the published scores, checked against scipy."""
import pytest
from pyspark.testing import assertDataFrameEqual
from scipy.stats import spearmanr

from jobs.transforms.shift import average_ranks, paired, shift


def frame(spark, scores):
    return spark.createDataFrame([(f"p{i}", s) for i, s in enumerate(scores)], "profile_id string, score double")


def test_shift_matches_scipy_with_ties_and_names_the_movers(spark):
    current = [10.0, 20.0, 20.0, 35.5, 50.0, 61.25, 61.25, 80.0]
    candidate = [12.0, 18.0, 45.0, 35.5, 30.0, 61.25, 70.0, 80.0]
    # ties share the mean of their positions: 20.0 is 2nd and 3rd, 61.25 6th and 7th
    assertDataFrameEqual(average_ranks(frame(spark, current), "score", "rank"), spark.createDataFrame(
        [(10.0, 1.0), (20.0, 2.5), (35.5, 4.0), (50.0, 5.0), (61.25, 6.5), (80.0, 8.0)], "score double, rank double"))
    moved = shift(frame(spark, current), frame(spark, candidate), top=2)
    assert moved.profiles == len(current)
    assert moved.spearman == pytest.approx(spearmanr(current, candidate).statistic, abs=1e-12)
    # changes +2, -2, +25, 0, -20, 0, +8.75, 0
    assert moved.mean_abs_change == pytest.approx(57.75 / 8)
    assert moved.share_moved_over_10 == pytest.approx(2 / 8)
    assert moved.top_up == [("p2", 20.0, 45.0), ("p6", 61.25, 70.0)]
    assert moved.top_down == [("p4", 50.0, 30.0), ("p1", 20.0, 18.0)]


def test_only_profiles_scored_by_both_models_are_compared(spark):
    current = frame(spark, [10.0, 20.0, 30.0])
    candidate = spark.createDataFrame([("p1", 25.0), ("p2", 35.0), ("p9", 99.0)], "profile_id string, score double")
    assertDataFrameEqual(paired(current, candidate), spark.createDataFrame(
        [("p1", 20.0, 25.0), ("p2", 30.0, 35.0)], "profile_id string, current double, candidate double"))
    moved = shift(current, candidate)
    assert moved.profiles == 2 and moved.mean_abs_change == pytest.approx(5.0)
