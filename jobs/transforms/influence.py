"""Weighted PageRank-style network influence over engager → author edges (pure DataFrames).

Each iteration is one join of the normalised edges with the current ranks and one sum per
author. Sums are partially aggregated before the shuffle, so an author with millions of
in-edges costs one small row per map task, not one giant task. Mass of vertices without
out-edges (authors who engage with nobody) is spread evenly over all vertices.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


@dataclass(frozen=True)
class InfluenceResult:
    ranks: DataFrame      # id, influence (sums to 1)
    iterations: int
    residual: float       # L1 change in the last iteration


def transition(edges: DataFrame) -> DataFrame:
    """Edges (src, dst, weight) → (src, dst, p) with p the share of src's total weight."""
    out_weight = edges.groupBy("src").agg(F.sum("weight").alias("_out"))
    return (edges.where(F.col("weight") > 0).join(out_weight, "src", how="inner")
            .select("src", "dst", (F.col("weight") / F.col("_out")).alias("p")))


def vertices_of(edges: DataFrame) -> DataFrame:
    return (edges.select(F.col("src").alias("id")).union(edges.select(F.col("dst").alias("id")))
            .distinct())


def weighted_pagerank(edges: DataFrame, *, damping: float, tolerance: float, max_iterations: int,
                      checkpoint: Callable[[DataFrame], DataFrame],
                      on_iteration: Callable[[int, float], None] = lambda i, r: None) -> InfluenceResult:
    """Power iteration until the L1 change falls below `tolerance` or `max_iterations`.

    `checkpoint` truncates lineage (e.g. DataFrame.checkpoint) — called every iteration on the
    rank vector, which is small next to the edges, so the plan never grows with the iteration.
    """
    p = checkpoint(transition(edges))
    vertices = checkpoint(vertices_of(edges).join(p.select(F.col("src").alias("id")).distinct()
                                                  .withColumn("has_out", F.lit(True)), "id", how="left")
                          .select("id", F.coalesce("has_out", F.lit(False)).alias("has_out")))
    n = vertices.count()
    if n == 0:
        empty = vertices.select("id", F.lit(0.0).alias("influence"))
        return InfluenceResult(empty, 0, 0.0)
    ranks = checkpoint(vertices.select("id", "has_out", F.lit(1.0 / n).alias("rank")))
    residual, iteration = float("inf"), 0
    while iteration < max_iterations and residual > tolerance:
        iteration += 1
        dangling = ranks.where(~F.col("has_out")).agg(F.sum("rank")).first()[0] or 0.0
        incoming = (p.join(ranks.select(F.col("id").alias("src"), "rank"), "src", how="inner")
                    .groupBy(F.col("dst").alias("id")).agg(F.sum(F.col("p") * F.col("rank")).alias("_in")))
        base = (1.0 - damping) / n + damping * dangling / n
        new_ranks = checkpoint(
            ranks.join(incoming, "id", how="left")
            .select("id", "has_out", "rank",
                    (F.lit(base) + F.lit(damping) * F.coalesce("_in", F.lit(0.0))).alias("new_rank")))
        residual = new_ranks.agg(F.sum(F.abs(F.col("new_rank") - F.col("rank")))).first()[0]
        ranks = new_ranks.select("id", "has_out", F.col("new_rank").alias("rank"))
        on_iteration(iteration, residual)
    return InfluenceResult(ranks.select("id", F.col("rank").alias("influence")), iteration, residual)
