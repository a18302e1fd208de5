"""Profile features and the score (pure; the model version's settings are passed in).

The calibration is frozen in the model file: a profile's score depends on its own components
only, never on the rest of the population, so the same behaviour scores the same tomorrow.
"""
from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from jobs.transforms.activity import own_activity
from jobs.transforms.styles import AXES, axes, style
from jobs.transforms.sums import exact_sum
from schemas.model import Model
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES


def profile_features(activity: DataFrame, edges: DataFrame, model: Model, *,
                     snapshot_date: dt.date, entropy: DataFrame | None = None) -> DataFrame:
    """Per profile active in the window: volume, behaviour ratios, reach, amplification, and the
    anti-gaming signals that discounted them, with their reason codes.

    `activity`: its actions per day by type (jobs/transforms/activity.py, `daily_activity`);
    `edges`: the snapshot's engagement edges (each carries its engager's quality).
    `entropy` (profile_id, topic_entropy: jobs/transforms/topics.py) gives the breadth of what it
    posted; without it every profile counts as focused (0 bits)."""
    ag = model.anti_gaming
    own = own_activity(activity)
    received = (edges.withColumnRenamed("engager_quality", "quality")
                .groupBy(F.col("author_id").alias("profile_id"))
                .agg(F.count(F.lit(1)).alias("engagers"),
                     exact_sum(F.col("quality") * F.col("burst_factor") * F.col("ring_factor")
                               * F.col("automation_factor")).alias("true_reach"),
                     exact_sum("weight").alias("reactions"),
                     exact_sum("raw_weight").alias("raw_reactions"),
                     F.sum("interactions").alias("_interactions"),
                     F.avg((F.col("quality") < 1.0).cast("double")).alias("_hyperactive_share"),
                     F.try_divide(exact_sum(F.col("raw_weight") * F.col("burst_factor")), exact_sum("raw_weight")).alias("_burst_kept"),
                     F.min("ring_factor").alias("_ring"),
                     F.min("automation_factor").alias("_automation")))
    volume = F.coalesce("_post", F.lit(0))
    actions = F.greatest(F.coalesce("_actions", F.lit(0)), F.lit(1))
    # per post (100 shares of 10 posts beat 100 of 1,000) × spread (100 people beat 1 person 100×)
    spread = F.col("engagers") / F.col("_interactions")
    amplification = F.col("reactions") / F.greatest(volume, F.lit(1)) * spread
    reasons = F.array_compact(F.array(
        F.when(F.col("_automation") < 1.0, F.lit("automated_posting")),
        F.when(F.col("_ring") < 1.0, F.lit("reciprocal_ring")),
        F.when(F.col("_burst_kept") < 0.9, F.lit("burst_damped")),
        F.when(F.col("_hyperactive_share") > ag.hyperactive_engagers_share, F.lit("hyperactive_engagers"))))
    if entropy is None:
        entropy = own.select("profile_id", F.lit(0.0).alias("topic_entropy")).limit(0)
    features = (own.join(received, "profile_id", how="full").join(entropy, "profile_id", how="left")
                .select("profile_id", volume.alias("content_volume"),
                        F.coalesce("engagers", F.lit(0)).alias("engagers"),
                        F.coalesce("true_reach", F.lit(0.0)).alias("true_reach"),
                        F.coalesce("reactions", F.lit(0.0)).alias("reactions"),
                        F.coalesce("raw_reactions", F.lit(0.0)).alias("raw_reactions"),
                        F.coalesce(amplification, F.lit(0.0)).alias("amplification"),
                        F.coalesce("active_days", F.lit(0)).alias("active_days"),
                        F.coalesce("_actions", F.lit(0)).alias("actions"),
                        F.coalesce(F.try_divide(F.col("active_days"),
                                                F.datediff(F.lit(snapshot_date), "_first_seen") + 1),
                                   F.lit(0.0)).alias("active_share"),
                        F.coalesce("topic_entropy", F.lit(0.0)).alias("topic_entropy"),
                        *[(F.coalesce(F.col(f"_{t}"), F.lit(0)) / actions).alias(f"{name}_ratio")
                          for t, name in (("post", "create"), ("share", "share"), ("reply", "reply"),
                                          ("mention", "mention"))],
                        F.coalesce(reasons, F.array().cast("array<string>")).alias("discounts"),
                        F.lit(snapshot_date).alias("snapshot_date")))
    return PROFILE_FEATURES.conform(features)


def calibrated(z: Column, scale: float) -> Column:
    """Frozen monotone map from [0, inf) onto [1, 100]."""
    return F.lit(1.0) + F.lit(99.0) * (F.lit(1.0) - F.exp(-z / F.lit(scale)))


SUB_SCORES = ("true_reach_score", "amplification_score", "network_score")


def scores(features: DataFrame, influence: DataFrame, model: Model, *, snapshot_date: dt.date,
           previous: DataFrame | None = None) -> DataFrame:
    """Combine log-scaled true reach, amplification and network into the 1–100 score.

    `previous` (the last published snapshot, of whichever model, if any: profile_id, snapshot_date,
    score and sub-scores) bounds the daily move and gives the change columns.
    """
    cal = model.score
    w = cal.weights
    total = w.true_reach + w.amplification + w.network
    reach = F.log1p("true_reach")
    amp = F.log1p("amplification")
    net = F.log1p(F.col("influence") * F.lit(cal.network_unit))
    joined = (features.join(influence.select("profile_id", "influence"), "profile_id", how="full")
              .fillna({"true_reach": 0.0, "amplification": 0.0, "influence": 0.0}))
    z = (F.lit(w.true_reach) * reach + F.lit(w.amplification) * amp + F.lit(w.network) * net) / F.lit(total)
    scored = joined.select(
        "profile_id",
        F.round(calibrated(z, cal.scale), 2).alias("raw_score"),
        F.round(calibrated(reach, cal.scale), 2).alias("true_reach_score"),
        F.round(calibrated(amp, cal.scale), 2).alias("amplification_score"),
        F.round(calibrated(net, cal.scale), 2).alias("network_score"),
        F.coalesce("discounts", F.array().cast("array<string>")).alias("discounts"),
        *[F.coalesce(axis, F.lit(0.0)).alias(axis_name) for axis, axis_name in zip(axes(), AXES)],
        F.coalesce("actions", F.lit(0)).alias("actions"))
    return SCORES.conform(with_percentile(smoothed(scored, previous, snapshot_date=snapshot_date,
                                                    max_daily_move=cal.max_daily_move))
                          .withColumn("style", style(model.styles))
                          .withColumn("snapshot_date", F.lit(snapshot_date))
                          .withColumn("model_version", F.lit(model.version)))


def smoothed(scored: DataFrame, previous: DataFrame | None, *, snapshot_date: dt.date,
             max_daily_move: float) -> DataFrame:
    """`score`: the raw score, moved at most max_daily_move points per day since the profile's
    previous score; `change` and the sub-scores' changes since then (null without one)."""
    if previous is None:
        previous = scored.sparkSession.createDataFrame(
            [], "profile_id string, snapshot_date date, score double, "
                + ", ".join(f"{c} double" for c in SUB_SCORES))
    before = previous.select("profile_id", F.col("score").alias("_prev"),
                             F.datediff(F.lit(snapshot_date), "snapshot_date").alias("_days"),
                             *[F.col(c).alias(f"_prev_{c}") for c in SUB_SCORES])
    bound = F.lit(max_daily_move) * F.col("_days")
    moved = F.col("_prev") + F.least(bound, F.greatest(-bound, F.col("raw_score") - F.col("_prev")))
    score = F.round(F.when(F.col("_prev").isNull(), F.col("raw_score")).otherwise(moved), 2)
    return (scored.join(before, "profile_id", how="left")
            .withColumn("score", score)
            .withColumn("change", F.round(F.col("score") - F.col("_prev"), 2))
            .select("*", *[F.round(F.col(c) - F.col(f"_prev_{c}"), 2).alias(f"change_{c.removesuffix('_score')}")
                           for c in SUB_SCORES]))


def with_percentile(scored: DataFrame) -> DataFrame:
    """Percentile = share of profiles scoring strictly lower, ×100.

    Scores are rounded to 0.01, so there are at most 9,901 distinct values: the cumulative
    count runs over that small histogram, never over one partition of every profile.
    """
    histogram = scored.groupBy("score").agg(F.count(F.lit(1)).alias("_n"))
    below = Window.orderBy("score").rowsBetween(Window.unboundedPreceding, -1)
    ranks = histogram.select("score", F.coalesce(F.sum("_n").over(below), F.lit(0)).alias("_below"),
                             F.sum("_n").over(Window.partitionBy()).alias("_total"))
    return (scored.join(F.broadcast(ranks), "score", how="inner")
            .withColumn("percentile", F.round(F.col("_below") / F.col("_total") * 100.0, 2))
            .drop("_below", "_total"))
