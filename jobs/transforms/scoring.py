"""Profile features and the v1 score (pure).

The calibration is frozen in the model file: a profile's score depends on its own components
only, never on the rest of the population, so the same behaviour scores the same tomorrow.
"""
from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from pipelines.config import Model
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES


def profile_features(events: DataFrame, edges: DataFrame, quality: DataFrame, *, snapshot_date: dt.date) -> DataFrame:
    """Per profile active in the window: volume, reach, amplification."""
    authored = (events.where(F.col("event_type") == "post").groupBy(F.col("actor_id").alias("profile_id"))
                .agg(F.count(F.lit(1)).alias("content_volume")))
    active = (events.groupBy(F.col("actor_id").alias("profile_id"))
              .agg(F.countDistinct("event_date").cast("int").alias("active_days")))
    received = (edges.join(quality.select(F.col("actor_id").alias("engager_id"), "quality"), "engager_id", how="left")
                .groupBy(F.col("author_id").alias("profile_id"))
                .agg(F.count(F.lit(1)).alias("engagers"),
                     F.sum(F.coalesce("quality", F.lit(0.0))).alias("true_reach"),
                     F.sum("weight").alias("reactions"),
                     F.sum("interactions").alias("_interactions")))
    volume = F.coalesce("content_volume", F.lit(0))
    # per post (100 shares of 10 posts beat 100 of 1,000) × spread (100 people beat 1 person 100×)
    spread = F.col("engagers") / F.col("_interactions")
    amplification = F.col("reactions") / F.greatest(volume, F.lit(1)) * spread
    features = (active.join(authored, "profile_id", how="left").join(received, "profile_id", how="full")
                .select("profile_id", volume.alias("content_volume"),
                        F.coalesce("engagers", F.lit(0)).alias("engagers"),
                        F.coalesce("true_reach", F.lit(0.0)).alias("true_reach"),
                        F.coalesce("reactions", F.lit(0.0)).alias("reactions"),
                        F.coalesce(amplification, F.lit(0.0)).alias("amplification"),
                        F.coalesce("active_days", F.lit(0)).alias("active_days"),
                        F.lit(snapshot_date).alias("snapshot_date")))
    return PROFILE_FEATURES.conform(features)


def calibrated(z: Column, scale: float) -> Column:
    """Frozen monotone map from [0, inf) onto [1, 100]."""
    return F.lit(1.0) + F.lit(99.0) * (F.lit(1.0) - F.exp(-z / F.lit(scale)))


def scores(features: DataFrame, influence: DataFrame, model: Model, *, snapshot_date: dt.date) -> DataFrame:
    """Combine log-scaled true reach, amplification and network into the 1–100 score."""
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
        F.round(calibrated(z, cal.scale), 2).alias("score"),
        F.round(calibrated(reach, cal.scale), 2).alias("true_reach_score"),
        F.round(calibrated(amp, cal.scale), 2).alias("amplification_score"),
        F.round(calibrated(net, cal.scale), 2).alias("network_score"))
    return SCORES.conform(with_percentile(scored)
                          .withColumn("snapshot_date", F.lit(snapshot_date))
                          .withColumn("model_version", F.lit(model.version)))


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
