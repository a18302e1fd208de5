"""Predictive validity: does a snapshot's score foretell the engagement that follows it? (pure)

Works on any data, no planted truth: the snapshot of date D ranks profiles; what happens after
D (days D+1..D+h, as landed) ranks them again. Per profile that posts in the horizon, the
engagement its *new* content receives:

- `engagers`: distinct profiles that shared, replied to or reacted to it;
- `quality_interactions`: those interactions, each weighted by its engager's quality over the
  horizon (the model's engager-quality rule: a hyperactive account's action weighs less);
- `new_engagers`: engagers who were not among the profile's engagers in D's window (reach
  beyond the audience it already had);
- `reshares`: shares of the shares of its new content (how far it spreads, second hop);
- `quality_per_post`: quality_interactions per new post — what one piece of its content earns,
  whatever how much it posts (the totals above grow with activity as well as with influence).

Profiles scored on D that post nothing in the horizon have no new content to be engaged with:
they are counted apart (`silent`), never ranked as if they had failed.

The predictors are the model's score and sub-scores beside the naive rankings any platform
shows, computed on the same history (D's window): followers gained, posts, raw reactions
received, distinct engagers. `rank_figures` turns a bounded sample of (predictors, outcomes)
into Spearman correlations and top-decile precision with bootstrap confidence intervals.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from scipy.stats import rankdata

from jobs.transforms.sums import exact_sum
from jobs.transforms.topics import CONTENT_ENGAGEMENTS

OUTCOMES = ("quality_interactions", "engagers", "new_engagers", "reshares", "quality_per_post")
HEADLINE = "quality_interactions"      # the outcome the model is held to (docs/scoring.md)
MODEL_PREDICTORS = ("score", "true_reach_score", "amplification_score", "network_score")
NAIVE_PREDICTORS = ("followers", "posts", "raw_reactions", "distinct_engagers")
PREDICTORS = MODEL_PREDICTORS + NAIVE_PREDICTORS


def future_engagement(horizon: DataFrame, quality: DataFrame, previous_engagers: DataFrame) -> DataFrame:
    """Per profile that posted in the horizon: its new content's engagement (the OUTCOMES).

    `horizon`: events of D+1..D+h resolved to profiles (actor_id, target_id, event_type,
    content_id, target_content_id; one row per event); `quality`: (actor_id, quality) over the
    horizon; `previous_engagers`: (engager_id, author_id) pairs of D's engagement edges.
    """
    posts = (horizon.where((F.col("event_type") == "post") & F.col("content_id").isNotNull())
             .select(F.col("content_id").alias("target_content_id"), F.col("actor_id").alias("author_id"))
             .dropDuplicates(["target_content_id"]))
    engaged = (horizon.where(F.col("event_type").isin(*CONTENT_ENGAGEMENTS))
               .join(posts, "target_content_id")
               .where(F.col("actor_id") != F.col("author_id"))
               .join(quality, "actor_id", how="left")
               .join(previous_engagers.select(F.col("engager_id").alias("actor_id"), "author_id",
                                              F.lit(True).alias("_known")), ["actor_id", "author_id"], how="left"))
    received = engaged.groupBy("author_id").agg(
        F.countDistinct("actor_id").alias("engagers"),
        exact_sum(F.coalesce("quality", F.lit(1.0))).alias("quality_interactions"),
        F.countDistinct(F.when(F.col("_known").isNull(), F.col("actor_id"))).alias("new_engagers"))
    first_shares = (engaged.where((F.col("event_type") == "share") & F.col("content_id").isNotNull())
                    .select(F.col("content_id").alias("target_content_id"), "author_id"))
    second = (horizon.where(F.col("event_type") == "share").join(first_shares, "target_content_id")
              .groupBy("author_id").agg(F.count(F.lit(1)).alias("reshares")))
    authors = posts.groupBy("author_id").agg(F.count(F.lit(1)).alias("_posts"))
    quality_interactions = F.coalesce("quality_interactions", F.lit(0.0))
    return (authors.join(received, "author_id", how="left").join(second, "author_id", how="left")
            .select(F.col("author_id").alias("profile_id"),
                    *[F.coalesce(F.col(c), F.lit(0)).alias(c) for c in ("engagers", "new_engagers", "reshares")],
                    quality_interactions.alias("quality_interactions"),
                    F.round(quality_interactions / F.col("_posts"), 9).alias("quality_per_post")))


def followers_gained(window: DataFrame) -> DataFrame:
    """Per profile: distinct profiles that followed it in the window (the naive "followers")."""
    return (window.where((F.col("event_type") == "follow") & F.col("target_id").isNotNull()
                         & (F.col("actor_id") != F.col("target_id")))
            .groupBy(F.col("target_id").alias("profile_id"))
            .agg(F.countDistinct("actor_id").alias("followers")))


def validity_frame(scores: DataFrame, features: DataFrame, followers: DataFrame, future: DataFrame) -> DataFrame:
    """One row per profile scored on D: its PREDICTORS, its OUTCOMES (null when silent) and
    `posted` (whether it posted in the horizon), and its `percentile` on D."""
    naive = features.select("profile_id", F.col("content_volume").alias("posts"), "raw_reactions",
                            F.col("engagers").alias("distinct_engagers"))
    return (scores.select("profile_id", *MODEL_PREDICTORS, "percentile")
            .join(naive, "profile_id", how="left")
            .join(followers, "profile_id", how="left")
            .fillna(0, subset=list(NAIVE_PREDICTORS))
            .join(future, "profile_id", how="left")
            .withColumn("posted", F.col("engagers").isNotNull()))


def retest_frame(past: DataFrame, future: DataFrame, outcome: str) -> DataFrame:
    """Per profile that posted in the horizon: `outcome` over the horizon (`future`) and the
    same outcome over the h days before it (`past`, 0 when it posted nothing then): the
    outcome measured twice, whose agreement bounds what any ranking can foretell."""
    return (future.select("profile_id", F.col(outcome).alias("future"))
            .join(past.select("profile_id", F.col(outcome).alias("past")), "profile_id", how="left")
            .fillna(0, subset=["past"]))


def reliability_ceiling(past: np.ndarray, future: np.ndarray) -> tuple[float, float]:
    """The outcome's test-retest rank correlation r (two adjacent windows of equal length) and
    the ceiling it implies for any predictor, sqrt(r): an outcome measured with reliability r
    correlates at most sqrt(r) with anything, the true rate included (classical test theory,
    read on ranks; an estimate, stationary engagement assumed)."""
    r = spearman(past, future)
    return r, math.sqrt(max(r, 0.0))


@dataclass(frozen=True)
class Figure:
    outcome: str
    predictor: str
    spearman: float
    spearman_low: float
    spearman_high: float
    precision: float              # share of the predictor's top decile in the outcome's top decile
    precision_low: float
    precision_high: float


def top_decile(values: np.ndarray, order_key: np.ndarray) -> np.ndarray:
    """Boolean mask of the ceil(n/10) highest values (ties broken by `order_key`, ascending)."""
    k = max(1, math.ceil(len(values) / 10))
    order = np.lexsort((order_key, -values))
    mask = np.zeros(len(values), dtype=bool)
    mask[order[:k]] = True
    return mask


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = rankdata(x), rankdata(y)
    if rx.std() == 0 or ry.std() == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])


def _precision(x: np.ndarray, y: np.ndarray, key: np.ndarray) -> float:
    top_x, top_y = top_decile(x, key), top_decile(y, key)
    return float((top_x & top_y).sum() / top_x.sum())


def rank_figures(columns: dict[str, np.ndarray], *, resamples: int, seed: int) -> list[Figure]:
    """Spearman and top-decile precision of every predictor against every outcome, each with a
    95% percentile bootstrap interval (`resamples` draws of the profiles with replacement).

    `columns`: one array per PREDICTOR and OUTCOME, plus `key` (a tie-break order), over the
    profiles that posted in the horizon."""
    n = len(columns["key"])
    rng = np.random.default_rng(seed)
    draws = [rng.integers(0, n, n) for _ in range(resamples)]
    figures = []
    for outcome in OUTCOMES:
        y = columns[outcome]
        for predictor in PREDICTORS:
            x, key = columns[predictor], columns["key"]
            rho = [spearman(x[d], y[d]) for d in draws]
            hits = [_precision(x[d], y[d], key[d]) for d in draws]
            figures.append(Figure(outcome, predictor, spearman(x, y), *np.percentile(rho, [2.5, 97.5]),
                                  _precision(x, y, key), *np.percentile(hits, [2.5, 97.5])))
    return figures
