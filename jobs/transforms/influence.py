"""Weighted PageRank-style network influence over engager → author edges.

The graph is cut into blocks of vertices (a hash of the id; inside a block, vertices are numbered
0..size-1 in id order). Edges are kept in the block of their source, numbered by those indices.
An iteration moves only the rank vector: each source block's edges meet that block's ranks and
sum what they send per destination (one row per destination reached, however many edges reach
it: a celebrity's millions of in-edges arrive as at most one row per block, never one giant
task); each destination block then adds what it received and steps its ranks. The arithmetic
inside a block is numpy (`jobs.transforms.rank_kernel`, where the measured reason is written).
A graph of at most `vertices_per_block` vertices is one block, and the whole iteration runs in
one task with no Spark job per iteration; the block-by-block iteration gives the same bytes.

Mass of vertices without out-edges (authors who engage with nobody) is spread evenly over all
vertices. Edges are normalised by the source's *undiscounted* weight when the edges carry
`raw_weight`: the share an anti-gaming discount removed is not passed along the edge but spread
evenly, like a dangling vertex's mass. Without that, a ring member whose every edge is
discounted alike would pass its whole rank to its ring mates anyway (normalisation cancels a
uniform discount).

Influence can start from an earlier snapshot's ranks (warm start): the fixed point is the same,
and a graph that changed little since reaches it in fewer iterations.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from jobs.transforms import rank_kernel
from jobs.transforms.sums import SHARE_SCALE, exact_sum

RANKS = "block INT, local INT, leak DOUBLE, rank DOUBLE"
SENT = "block INT, local INT, mass LONG"                       # fixed-point inflow from one source block
STEPPED = f"{RANKS}, moved LONG, held LONG"                     # with fixed-point L1 change and dangling mass
# a solved single-block graph: a row per vertex (block, local, rank) and a row per iteration
# (iteration, residual, base), the other columns null
SOLVED = "block INT, local INT, rank DOUBLE, iteration INT, residual DOUBLE, base DOUBLE"


@dataclass(frozen=True)
class InfluenceResult:
    ranks: DataFrame      # id, influence (sums to 1), relative_influence (see weighted_pagerank)
    iterations: int
    residual: float       # L1 change in the last iteration
    blocks: int = 1
    warm: bool = False    # started from an earlier snapshot's ranks


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


def block_count(n: int, vertices_per_block: int) -> int:
    return max(1, math.ceil(n / vertices_per_block))


def vertex_index(vertices: DataFrame, n: int, blocks: int, start: DataFrame | None) -> DataFrame:
    """(id, leak) → (id, block, local, leak, rank): the block and number of each vertex, and its
    starting rank: the earlier snapshot's influence where there is one (1/n for a new vertex),
    scaled to sum to 1; 1/n everywhere without one."""
    block = F.lit(0) if blocks == 1 else F.pmod(F.xxhash64("id"), F.lit(blocks)).cast("int")
    numbered = (vertices.withColumn("block", block)
                .withColumn("local", (F.row_number().over(Window.partitionBy("block").orderBy("id")) - 1)
                            .cast("int")))
    if start is None:
        return numbered.withColumn("rank", F.lit(1.0 / n))
    earlier = numbered.join(start.select("id", F.col("influence").alias("_earlier")), "id", how="left")
    raw = F.coalesce("_earlier", F.lit(1.0 / n))
    total = earlier.agg(exact_sum(raw, SHARE_SCALE)).first()[0]
    return earlier.select("id", "block", "local", "leak", (raw / F.lit(total)).alias("rank"))


def numbered_edges(p: DataFrame, index: DataFrame) -> DataFrame:
    """(src, dst, p) → (s_block, s_local, d_block, d_local, p): each end's block and number."""
    ids = index.select("id", "block", "local")
    return (p.join(ids.select(F.col("id").alias("src"), F.col("block").alias("s_block"),
                              F.col("local").alias("s_local")), "src")
            .join(ids.select(F.col("id").alias("dst"), F.col("block").alias("d_block"),
                             F.col("local").alias("d_local")), "dst")
            .select("s_block", "s_local", "d_block", "d_local", "p"))


def with_destination_slots(numbered: DataFrame) -> DataFrame:
    """Adds d_slot: the destinations a source block reaches, numbered 0..k-1 (what the block's
    sums are indexed by when blocks send to one another; one block needs none)."""
    slot = F.dense_rank().over(Window.partitionBy("s_block").orderBy("d_block", "d_local")) - 1
    return numbered.withColumn("d_slot", slot.cast("int"))


def _block_vector(ranks: pd.DataFrame, column: str) -> np.ndarray:
    vector = np.empty(len(ranks))
    vector[ranks["local"].to_numpy()] = ranks[column].to_numpy()
    return vector


def send(edges: pd.DataFrame, ranks: pd.DataFrame) -> pd.DataFrame:
    """One source block: its edges and ranks → fixed-point inflow per destination reached."""
    if edges.empty:
        return pd.DataFrame({"block": pd.Series(dtype="int32"), "local": pd.Series(dtype="int32"),
                             "mass": pd.Series(dtype="int64")})
    slot = edges["d_slot"].to_numpy()
    slots = int(slot.max()) + 1
    mass = rank_kernel.inflow(edges["s_local"].to_numpy(), slot, edges["p"].to_numpy(),
                              _block_vector(ranks, "rank"), slots)
    block, local = np.empty(slots, dtype=np.int32), np.empty(slots, dtype=np.int32)
    block[slot], local[slot] = edges["d_block"].to_numpy(), edges["d_local"].to_numpy()
    return pd.DataFrame({"block": block, "local": local, "mass": mass})


def sent_mass(numbered: DataFrame, ranks: DataFrame) -> DataFrame:
    """(block, local, mass): fixed-point inflow per destination, one row per source block."""
    return numbered.groupBy("s_block").cogroup(ranks.groupBy("block")).applyInPandas(send, SENT)


def stepper(*, base: float, damping: float):
    """One destination block: what it received and its ranks → its next ranks."""
    def step(received: pd.DataFrame, ranks: pd.DataFrame) -> pd.DataFrame:
        size = len(ranks)
        incoming = rank_kernel.scatter_sum(received["local"].to_numpy(), received["mass"].to_numpy(), size)
        leak = _block_vector(ranks, "leak")
        new, moved, held = rank_kernel.advance(_block_vector(ranks, "rank"), leak, incoming,
                                               base=base, damping=damping)
        return pd.DataFrame({"block": np.full(size, ranks["block"].iloc[0], dtype=np.int32),
                             "local": np.arange(size, dtype=np.int32), "leak": leak, "rank": new,
                             "moved": moved, "held": held})
    return step


def solver(*, damping: float, tolerance: float, max_iterations: int):
    """The whole graph as one block: every iteration inside one task."""
    def solve(edges: pd.DataFrame, ranks: pd.DataFrame) -> pd.DataFrame:
        rank, base, residuals = rank_kernel.solve(
            edges["s_local"].to_numpy(), edges["d_local"].to_numpy(), edges["p"].to_numpy(),
            _block_vector(ranks, "leak"), _block_vector(ranks, "rank"),
            damping=damping, tolerance=tolerance, max_iterations=max_iterations)
        vertices = pd.DataFrame({"block": 0, "local": np.arange(len(rank), dtype=np.int32), "rank": rank})
        history = pd.DataFrame({"iteration": np.arange(1, len(residuals) + 1, dtype=np.int32),
                                "residual": residuals, "base": base})
        return pd.concat([vertices, history], ignore_index=True)[["block", "local", "rank", "iteration",
                                                                  "residual", "base"]]
    return solve


def weighted_pagerank(edges: DataFrame, *, damping: float, tolerance: float, max_iterations: int,
                      checkpoint: Callable[[DataFrame], DataFrame], start: DataFrame | None = None,
                      vertices_per_block: int = 2_000_000,
                      on_iteration: Callable[[int, float], None] = lambda i, r: None) -> InfluenceResult:
    """Power iteration until the L1 change falls below `tolerance` or `max_iterations`.

    `checkpoint` materialises and truncates lineage (e.g. DataFrame.localCheckpoint); it is
    called on the rank vector each iteration, so the plan never grows with the iteration count.
    `start` (id, influence): an earlier snapshot's ranks to start from.
    """
    p = checkpoint(transition(edges))
    # leak: the share of a vertex's rank not passed along its edges (1 without out-edges)
    kept = p.groupBy(F.col("src").alias("id")).agg(exact_sum("p", SHARE_SCALE).alias("_kept"))
    vertices = checkpoint(vertices_of(edges).join(kept, "id", how="left")
                          .select("id", F.greatest(F.lit(0.0), F.lit(1.0) - F.coalesce("_kept", F.lit(0.0)))
                                  .alias("leak")))
    n = vertices.count()
    if n == 0:
        return InfluenceResult(vertices.select("id", F.lit(0.0).alias("influence"),
                                               F.lit(0.0).alias("relative_influence")), 0, 0.0)
    blocks = block_count(n, vertices_per_block)
    index = checkpoint(vertex_index(vertices, n, blocks, start))
    numbered = checkpoint(numbered_edges(p, index))
    start_ranks = index.select("block", "local", "leak", "rank")
    iterate = _iterate_in_one_task if blocks == 1 else _iterate_by_blocks
    ranks, base, iterations, residual = iterate(numbered, start_ranks, n, damping=damping, tolerance=tolerance,
                                                max_iterations=max_iterations, checkpoint=checkpoint,
                                                on_iteration=on_iteration)
    # what a vertex holds beyond the share every vertex gets (teleport and spread leaks), times
    # n: received influence in units of an average vertex's, so it does not shrink as 1/n when
    # the graph grows — a profile nobody engages with has 0 at any population size
    relative = F.greatest(F.lit(0.0), (F.col("rank") - F.lit(base)) * F.lit(float(n)))
    final = index.select("id", "block", "local").join(ranks, ["block", "local"])
    return InfluenceResult(final.select("id", F.col("rank").alias("influence"), relative.alias("relative_influence")),
                           iterations, residual, blocks, start is not None)


def _iterate_in_one_task(numbered, ranks, n, *, damping, tolerance, max_iterations, checkpoint, on_iteration):
    solved = checkpoint(numbered.groupBy("s_block").cogroup(ranks.groupBy("block")).applyInPandas(
        solver(damping=damping, tolerance=tolerance, max_iterations=max_iterations), SOLVED))
    history = solved.where(F.col("iteration").isNotNull()).orderBy("iteration").collect()  # one row per iteration
    for row in history:
        on_iteration(row.iteration, row.residual)
    last = history[-1]
    return (solved.where(F.col("iteration").isNull()).select("block", "local", "rank"),
            last.base, last.iteration, last.residual)


def _holdings(batches):
    for ranks in batches:
        yield pd.DataFrame({"held": [int(rank_kernel.fixed(ranks["leak"].to_numpy() * ranks["rank"].to_numpy()).sum())]})


def _iterate_by_blocks(numbered, ranks, n, *, damping, tolerance, max_iterations, checkpoint, on_iteration):
    """One Spark job per iteration: source blocks send, destination blocks step."""
    numbered = checkpoint(with_destination_slots(numbered))
    dangling = ranks.mapInPandas(_holdings, "held LONG").agg(F.sum("held")).first()[0] / SHARE_SCALE
    residual, iteration = float("inf"), 0
    base = rank_kernel.base_share(damping, dangling, n)
    while iteration < max_iterations and residual > tolerance:
        iteration += 1
        base = rank_kernel.base_share(damping, dangling, n)
        sent = sent_mass(numbered, ranks)
        stepped = checkpoint(sent.groupBy("block").cogroup(ranks.groupBy("block"))
                             .applyInPandas(stepper(base=base, damping=damping), STEPPED))
        totals = stepped.agg(F.sum("moved").alias("moved"), F.sum("held").alias("held")).first()
        residual, dangling = totals.moved / SHARE_SCALE, totals.held / SHARE_SCALE
        ranks = stepped.select("block", "local", "leak", "rank")
        on_iteration(iteration, residual)
    return ranks, base, iteration, residual
