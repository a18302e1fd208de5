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

# blocks that send to one another: a source block's edges packed once as arrays (in chunks), a
# block's ranks as one row of arrays, and what a chunk sends to one destination block as one row
PACKED = "s_block INT, chunk INT, src BINARY, p BINARY, starts BINARY, to_block BINARY, to_local BINARY"
BLOCK = "block INT, leak BINARY, rank BINARY, moved LONG, held LONG"   # fixed-point L1 change, dangling mass
SENT = "block INT, local BINARY, mass BINARY"
CHUNK_EDGES = 1_000_000   # ~16 MB of arrays per packed row
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


def _array(blob: bytes, dtype) -> np.ndarray:
    return np.frombuffer(blob, dtype=dtype)


def packer(chunk_edges: int):
    """One source block's edges → rows of at most `chunk_edges` edges packed as arrays: sorted
    by destination once (so a chunk's sums per destination are one reduceat), each destination
    reached numbered 0..k-1 in (block, local) order, with its block and local number."""
    def pack(edges: pd.DataFrame) -> pd.DataFrame:
        rows = []
        for chunk, first in enumerate(range(0, len(edges), chunk_edges)):
            part = edges.iloc[first:first + chunk_edges]
            key = (part["d_block"].to_numpy().astype(np.int64) << 32) | part["d_local"].to_numpy().astype(np.int64)
            reached, slot = np.unique(key, return_inverse=True)
            by_slot = rank_kernel.SortedEdges(part["s_local"].to_numpy().astype(np.int32), slot,
                                              part["p"].to_numpy().astype(np.float64), len(reached))
            rows.append((int(part["s_block"].iloc[0]), chunk, by_slot.src.tobytes(), by_slot.p.tobytes(),
                         by_slot.starts.astype(np.int64).tobytes(),
                         (reached >> 32).astype(np.int32).tobytes(), (reached & 0xFFFFFFFF).astype(np.int32).tobytes()))
        return pd.DataFrame(rows, columns=["s_block", "chunk", "src", "p", "starts", "to_block", "to_local"])
    return pack


def pack_ranks(ranks: pd.DataFrame) -> pd.DataFrame:
    """One block's vertices → one row: leak and rank as arrays indexed by local number, and
    the block's fixed-point dangling mass."""
    leak, rank = _block_vector(ranks, "leak"), _block_vector(ranks, "rank")
    return pd.DataFrame({"block": [int(ranks["block"].iloc[0])], "leak": [leak.tobytes()], "rank": [rank.tobytes()],
                         "moved": [0], "held": [int(rank_kernel.fixed(leak * rank).sum())]})


def unpack_ranks(batches):
    for packed in batches:
        for row in packed.itertuples(index=False):
            rank = _array(row.rank, np.float64)
            yield pd.DataFrame({"block": np.full(len(rank), row.block, dtype=np.int32),
                                "local": np.arange(len(rank), dtype=np.int32), "rank": rank})


def _block_vector(ranks: pd.DataFrame, column: str) -> np.ndarray:
    vector = np.empty(len(ranks))
    vector[ranks["local"].to_numpy()] = ranks[column].to_numpy()
    return vector


def send(chunks: pd.DataFrame, ranks: pd.DataFrame) -> pd.DataFrame:
    """One source block: its packed edges and ranks → per destination block reached, the
    destinations' local numbers and the fixed-point mass each receives (one row per chunk)."""
    rows = []
    if len(ranks):
        rank = _array(ranks["rank"].iloc[0], np.float64)
        for c in chunks.itertuples(index=False):
            mass = rank_kernel.sorted_inflow(_array(c.src, np.int32), _array(c.p, np.float64),
                                             _array(c.starts, np.int64), rank)
            to_block, to_local = _array(c.to_block, np.int32), _array(c.to_local, np.int32)
            cuts = np.flatnonzero(np.r_[True, to_block[1:] != to_block[:-1], True])
            rows += [(int(to_block[a]), to_local[a:b].tobytes(), mass[a:b].tobytes()) for a, b in zip(cuts[:-1], cuts[1:])]
    return pd.DataFrame(rows, columns=["block", "local", "mass"])


def sent_mass(packed: DataFrame, ranks: DataFrame) -> DataFrame:
    """(block, local, mass): arrays of fixed-point inflow per destination block, from each chunk
    of each source block (a destination appears at most once per chunk)."""
    return packed.groupBy("s_block").cogroup(ranks.groupBy("block")).applyInPandas(send, SENT)


def stepper(*, base: float, damping: float):
    """One destination block: what it received and its ranks → its next ranks."""
    def step(received: pd.DataFrame, ranks: pd.DataFrame) -> pd.DataFrame:
        if ranks.empty:
            return pd.DataFrame(columns=["block", "leak", "rank", "moved", "held"])
        leak, rank = _array(ranks["leak"].iloc[0], np.float64), _array(ranks["rank"].iloc[0], np.float64)
        local = np.concatenate([_array(b, np.int32) for b in received["local"]] or [np.empty(0, np.int32)])
        mass = np.concatenate([_array(b, np.int64) for b in received["mass"]] or [np.empty(0, np.int64)])
        incoming = rank_kernel.scatter_sum(local, mass, len(rank))
        new, moved, held = rank_kernel.advance(rank, leak, incoming, base=base, damping=damping)
        return pd.DataFrame({"block": [int(ranks["block"].iloc[0])], "leak": [ranks["leak"].iloc[0]],
                             "rank": [new.tobytes()], "moved": [int(moved.sum())], "held": [int(held.sum())]})
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


def _iterate_by_blocks(numbered, ranks, n, *, damping, tolerance, max_iterations, checkpoint, on_iteration):
    """One Spark job per iteration: source blocks send, destination blocks step. The edges are
    packed once; an iteration moves only rank arrays and what they send."""
    packed = checkpoint(numbered.groupBy("s_block").applyInPandas(packer(CHUNK_EDGES), PACKED))
    ranks = checkpoint(ranks.groupBy("block").applyInPandas(pack_ranks, BLOCK))
    dangling = ranks.agg(F.sum("held")).first()[0] / SHARE_SCALE
    residual, iteration = float("inf"), 0
    base = rank_kernel.base_share(damping, dangling, n)
    while iteration < max_iterations and residual > tolerance:
        iteration += 1
        base = rank_kernel.base_share(damping, dangling, n)
        ranks = checkpoint(sent_mass(packed, ranks).groupBy("block").cogroup(ranks.groupBy("block"))
                           .applyInPandas(stepper(base=base, damping=damping), BLOCK))
        totals = ranks.agg(F.sum("moved").alias("moved"), F.sum("held").alias("held")).first()
        residual, dangling = totals.moved / SHARE_SCALE, totals.held / SHARE_SCALE
        on_iteration(iteration, residual)
    return ranks.mapInPandas(unpack_ranks, "block INT, local INT, rank DOUBLE"), base, iteration, residual
