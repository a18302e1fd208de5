"""How far a candidate model's scores move from the current model's (pure).

Ranks come from the score histogram (scores are rounded to 0.01, so at most 9,901 distinct
values): each score's average rank is computed over that small table and broadcast back, so
the Spearman correlation needs no window over every profile.
"""
from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F


@dataclass(frozen=True)
class Shift:
    profiles: int
    spearman: float | None
    mean_abs_change: float
    share_moved_over_10: float
    top_up: list[tuple[str, float, float]]     # (profile_id, current, candidate)
    top_down: list[tuple[str, float, float]]


def average_ranks(scores: DataFrame, score_col: str, rank_col: str) -> DataFrame:
    """score → its average rank (1-based, ties share the mean of their positions)."""
    histogram = scores.groupBy(score_col).agg(F.count(F.lit(1)).alias("_n"))
    before = Window.orderBy(score_col).rowsBetween(Window.unboundedPreceding, -1)
    below = F.coalesce(F.sum("_n").over(before), F.lit(0))
    return histogram.select(score_col, (below + (F.col("_n") + 1) / 2.0).alias(rank_col))


def paired(current: DataFrame, candidate: DataFrame) -> DataFrame:
    """Profiles scored by both models: profile_id, current, candidate."""
    return (current.select("profile_id", F.col("score").alias("current"))
            .join(candidate.select("profile_id", F.col("score").alias("candidate")), "profile_id"))


def shift(current: DataFrame, candidate: DataFrame, top: int = 5) -> Shift:
    """Spearman rank correlation, mean absolute change, share moving > 10 points, top movers."""
    pairs = paired(current, candidate).persist()
    ranked = (pairs.join(F.broadcast(average_ranks(pairs, "current", "_rc")), "current")
              .join(F.broadcast(average_ranks(pairs, "candidate", "_rk")), "candidate"))
    change = F.col("candidate") - F.col("current")
    row = ranked.agg(F.count(F.lit(1)).alias("n"), F.corr("_rc", "_rk").alias("rho"),
                     F.avg(F.abs(change)).alias("mae"),
                     F.avg((F.abs(change) > 10).cast("double")).alias("moved")).first()
    movers = pairs.withColumn("_change", change)
    up = movers.orderBy(F.col("_change").desc(), "profile_id").limit(top).collect()
    down = movers.orderBy(F.col("_change").asc(), "profile_id").limit(top).collect()
    pairs.unpersist()
    as_tuples = lambda rows: [(r.profile_id, r.current, r.candidate) for r in rows]  # noqa: E731
    return Shift(profiles=row.n, spearman=row.rho, mean_abs_change=row.mae or 0.0,
                 share_moved_over_10=row.moved or 0.0, top_up=as_tuples(up), top_down=as_tuples(down))
