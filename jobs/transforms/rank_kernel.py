"""The arithmetic of one influence iteration on numpy arrays (pure, no Spark).

Spark moves blocks of the graph and of the rank vector (`jobs/transforms/influence.py`); inside a
block the work is array arithmetic. Measured reason for leaving Spark's built-in functions here
(DESIGN.md's rule for Arrow-vectorised functions): the same iteration as a DataFrame join and
sum ran at ~116k edge·iterations per second per core on the medium graph
(`benchmarks/results/bench-medium-7d.md`); on arrays it is a gather, a multiply and a bincount
(`benchmarks/results/influence-*.json` has the measured rates).

Every sum is exact: each term is rounded to a fixed-point integer (1e-18 units, as
`jobs.transforms.sums`) and integers add exactly in any order, so a snapshot's bytes do not
depend on how the graph was cut into blocks, on the order rows arrive in, or on reruns.
"""
from __future__ import annotations

import numpy as np

from jobs.transforms.sums import SHARE_SCALE

LIMB_BITS = 21           # three limbs of a non-negative int64 below 2^63
LIMB_MASK = (1 << LIMB_BITS) - 1


def fixed(values: np.ndarray) -> np.ndarray:
    """Shares (0 ≤ x ≤ ~9) as int64 counts of 1e-18."""
    return np.rint(values * SHARE_SCALE).astype(np.int64)


def scatter_sum(index: np.ndarray, terms: np.ndarray, size: int) -> np.ndarray:
    """Exact int64 sum of non-negative `terms` per `index` (0 ≤ index < size).

    np.bincount adds in float64, exact for integers below 2^53: each term is split into three
    21-bit limbs, each limb summed exactly (up to 2^32 terms per index), then recombined."""
    total = np.zeros(size, dtype=np.int64)
    for shift in (2 * LIMB_BITS, LIMB_BITS, 0):
        limb = ((terms >> shift) & LIMB_MASK).astype(np.float64)
        total += np.bincount(index, weights=limb, minlength=size).astype(np.int64) << shift
    return total


def inflow(src: np.ndarray, dst: np.ndarray, p: np.ndarray, rank: np.ndarray, size: int) -> np.ndarray:
    """Fixed-point Σ p × rank[src] per dst (edges as parallel arrays; dst < size)."""
    return scatter_sum(dst, fixed(p * rank[src]), size)


class SortedEdges:
    """Edges sorted by destination once, so that every iteration's sums per destination are one
    np.add.reduceat over int64 terms (exact, and ~5× cheaper than scatter_sum's three bincounts:
    benchmarks/results/influence-rate-medium.json, `kernel`)."""

    def __init__(self, src: np.ndarray, dst: np.ndarray, p: np.ndarray, size: int):
        order = np.argsort(dst, kind="stable")
        self.src, self.p, self.size = src[order], p[order], size
        sorted_dst = dst[order]
        starts = np.flatnonzero(np.r_[True, sorted_dst[1:] != sorted_dst[:-1]]) if len(order) else order
        self.starts, self.targets = starts, sorted_dst[starts]

    def inflow(self, rank: np.ndarray) -> np.ndarray:
        total = np.zeros(self.size, dtype=np.int64)
        if len(self.starts):
            total[self.targets] = sorted_inflow(self.src, self.p, self.starts, rank)
        return total


def sorted_inflow(src: np.ndarray, p: np.ndarray, starts: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Fixed-point Σ p × rank[src] per run of edges sorted by destination (runs begin at `starts`)."""
    return np.add.reduceat(fixed(p * rank[src]), starts)


def base_share(damping: float, dangling: float, n: int) -> float:
    """What every vertex receives: teleport plus its share of the leaked (dangling) rank."""
    return (1.0 - damping) / n + damping * dangling / n


def advance(rank: np.ndarray, leak: np.ndarray, incoming: np.ndarray, *, base: float, damping: float):
    """The next ranks of a block from its fixed-point inflow, with each vertex's fixed-point
    contribution to the L1 change (`moved`) and to the next dangling mass (`held`)."""
    new = base + damping * (incoming / SHARE_SCALE)
    return new, fixed(np.abs(new - rank)), fixed(leak * new)


def solve(src: np.ndarray, dst: np.ndarray, p: np.ndarray, leak: np.ndarray, start: np.ndarray, *,
          damping: float, tolerance: float, max_iterations: int):
    """Power iteration of a whole graph held in one task (vertices 0..n-1): the final ranks,
    the last iteration's base share, and each iteration's L1 change. The same arithmetic as the
    block-by-block iteration, so both give the same bytes."""
    n = len(start)
    edges = SortedEdges(src, dst, p, n)
    rank = start
    dangling = int(fixed(leak * rank).sum()) / SHARE_SCALE
    base = base_share(damping, dangling, n)
    residuals: list[float] = []
    while len(residuals) < max_iterations and (not residuals or residuals[-1] > tolerance):
        base = base_share(damping, dangling, n)
        rank, moved, held = advance(rank, leak, edges.inflow(rank), base=base, damping=damping)
        residuals.append(int(moved.sum()) / SHARE_SCALE)
        dangling = int(held.sum()) / SHARE_SCALE
    return rank, base, residuals
