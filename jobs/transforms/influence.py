"""Weighted PageRank-style network influence over engager → author edges (pure DataFrames).

Each iteration is one join of the normalised edges with the current ranks and one sum per
author. Sums are partially aggregated before the shuffle, so an author with millions of
in-edges costs one small row per map task, not one giant task. Mass of vertices without
out-edges (authors who engage with nobody) is spread evenly over all vertices.

Edges are normalised by the source's *undiscounted* weight when the edges carry `raw_weight`:
the share an anti-gaming discount removed is not passed along the edge but spread evenly, like a
dangling vertex's mass. Without that, a ring member whose every edge is discounted alike would
pass its whole rank to its ring mates anyway (normalisation cancels a uniform discount).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.transforms.sums import SHARE_SCALE, exact_sum


@dataclass(frozen=True)
class InfluenceResult:
    ranks: DataFrame      # id, influence (sums to 1), relative_influence (see weighted_pagerank)
    iterations: int
    residual: float       # L1 change in the last iteration


def transition(edges: DataFrame) -> DataFrame:
    """Edges (src, dst, weight[, raw_weight]) → (src, dst, p): p is the edge's weight as a share
    of src's total raw weight (of its total weight without raw_weight); a source's p sum to ≤ 1."""
    basis = "raw_weight" if "raw_weight" in edges.columns else "weight"
    out_weight = edges.groupBy("src").agg(exact_sum(basis).alias("_out"))
    return (edges.where(F.col("weight") > 0).join(out_weight, "src", how="inner")
            .select("src", "dst", (F.col("weight") / F.col("_out")).alias("p")))


def vertices_of(edges: DataFrame) -> DataFrame:
    return (edges.select(F.col("src").alias("id")).union(edges.select(F.col("dst").alias("id")))
            .distinct())


def incoming_mass(p: DataFrame, ranks: DataFrame) -> DataFrame:
    """Sum over in-edges of p × rank of the source, per destination vertex."""
    return (p.join(ranks.select(F.col("id").alias("src"), "rank"), "src", how="inner")
            .groupBy(F.col("dst").alias("id")).agg(exact_sum(F.col("p") * F.col("rank"), SHARE_SCALE).alias("_in")))


def weighted_pagerank(edges: DataFrame, *, damping: float, tolerance: float, max_iterations: int,
                      checkpoint: Callable[[DataFrame], DataFrame],
                      on_iteration: Callable[[int, float], None] = lambda i, r: None) -> InfluenceResult:
    """Power iteration until the L1 change falls below `tolerance` or `max_iterations`.

    `checkpoint` materialises and truncates lineage (e.g. DataFrame.localCheckpoint); it is
    called on the rank vector each iteration, so the plan never grows with the iteration count.
    One aggregation per iteration yields both the residual and the next dangling mass.
    """
    p = checkpoint(transition(edges))
    # leak: the share of a vertex's rank not passed along its edges (1 without out-edges)
    kept = p.groupBy(F.col("src").alias("id")).agg(exact_sum("p", SHARE_SCALE).alias("_kept"))
    vertices = checkpoint(vertices_of(edges).join(kept, "id", how="left")
                          .select("id", F.greatest(F.lit(0.0), F.lit(1.0) - F.coalesce("_kept", F.lit(0.0)))
                                  .alias("leak")))
    n = vertices.count()
    if n == 0:
        return InfluenceResult(vertices.select("id", F.lit(0.0).alias("influence")), 0, 0.0)
    ranks = vertices.select("id", "leak", F.lit(1.0 / n).alias("rank"))
    # rank held back by leaks: a share (≤ 1), so its fixed-point sum cannot overflow
    dangling = ranks.agg(exact_sum(F.col("leak") * F.col("rank"), SHARE_SCALE)).first()[0] or 0.0
    residual, iteration = float("inf"), 0
    base = (1.0 - damping) / n + damping * dangling / n
    while iteration < max_iterations and residual > tolerance:
        iteration += 1
        base = (1.0 - damping) / n + damping * dangling / n
        new_ranks = checkpoint(
            ranks.join(incoming_mass(p, ranks), "id", how="left")
            .select("id", "leak", "rank",
                    (F.lit(base) + F.lit(damping) * F.coalesce("_in", F.lit(0.0))).alias("new_rank")))
        totals = new_ranks.agg(exact_sum(F.abs(F.col("new_rank") - F.col("rank")), SHARE_SCALE).alias("residual"),
                               exact_sum(F.col("leak") * F.col("new_rank"), SHARE_SCALE).alias("dangling")).first()
        residual, dangling = totals.residual, totals.dangling or 0.0
        ranks = new_ranks.select("id", "leak", F.col("new_rank").alias("rank"))
        on_iteration(iteration, residual)
    # what a vertex holds beyond the share every vertex gets (teleport and spread leaks), times
    # n: received influence in units of an average vertex's, so it does not shrink as 1/n when
    # the graph grows — a profile nobody engages with has 0 at any population size
    relative = F.greatest(F.lit(0.0), (F.col("rank") - F.lit(base)) * F.lit(float(n)))
    return InfluenceResult(ranks.select("id", F.col("rank").alias("influence"),
                                        relative.alias("relative_influence")), iteration, residual)
