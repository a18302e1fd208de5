"""Weighted random draws of accounts, globally or within a community, vectorised.

A draw picks account i with probability weight[i] / total (inverse CDF over a cumulative sum),
so one day's worth of engagers for a whole network costs a few numpy calls.
"""
from __future__ import annotations

import numpy as np

from . import config as C

_HOUR_CDF = np.cumsum(C.HOUR_WEIGHT) / np.sum(C.HOUR_WEIGHT)


class CommunityIndex:
    """Accounts of one network grouped by community (CSR: order + start/end offsets)."""

    def __init__(self, community: np.ndarray, n_communities: int):
        self.community = community
        self.order = np.argsort(community, kind="stable")
        sorted_comm = community[self.order]
        ids = np.arange(n_communities)
        self.start = np.searchsorted(sorted_comm, ids, side="left")
        self.end = np.searchsorted(sorted_comm, ids, side="right")


class WeightedPool:
    """Accounts weighted by `weights` (>= 0); draws are -1 when no account has weight."""

    def __init__(self, index: CommunityIndex, weights: np.ndarray):
        self.index = index
        self.cum = np.cumsum(weights, dtype=np.float64)
        self.cum_sorted = np.cumsum(weights[index.order], dtype=np.float64)
        self.total = float(self.cum[-1]) if len(self.cum) else 0.0

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if n == 0 or self.total <= 0:
            return np.full(n, -1, dtype=np.int64)
        u = rng.random(n) * self.total
        return np.minimum(np.searchsorted(self.cum, u, side="right"), len(self.cum) - 1)

    def draw_in(self, community: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One account per entry of `community`; falls back to a global draw where the
        community has no weight on this network."""
        n = len(community)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        start, end = self.index.start[community], self.index.end[community]
        lo = np.where(start > 0, self.cum_sorted[np.maximum(start - 1, 0)], 0.0)
        hi = np.where(end > start, self.cum_sorted[np.maximum(end - 1, 0)], 0.0)
        u = lo + rng.random(n) * (hi - lo)
        pos = np.clip(np.searchsorted(self.cum_sorted, u, side="right"), start, np.maximum(end - 1, start))
        out = self.index.order[np.minimum(pos, len(self.index.order) - 1)].astype(np.int64)
        empty = hi <= lo
        if empty.any():
            out[empty] = self.draw(int(empty.sum()), rng)
        return out


def diurnal_ms(day_start_ms: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Event times within one UTC day, following the hourly rhythm (busy evenings)."""
    hour = np.searchsorted(_HOUR_CDF, rng.random(n), side="right")
    return day_start_ms + hour * 3_600_000 + rng.integers(0, 3_600_000, size=n)


def after_ms(t0: np.ndarray, day_end_ms: int, mean_delay_ms: float, rng) -> np.ndarray:
    """Reaction times shortly after t0 (exponential delay), kept inside the same day."""
    t = t0 + rng.exponential(mean_delay_ms, size=len(t0)).astype(np.int64) + 1000
    over = t >= day_end_ms
    if over.any():
        span = np.maximum(day_end_ms - 1 - t0[over], 1)
        t[over] = t0[over] + (rng.random(int(over.sum())) * span).astype(np.int64)
    return t


def skewed_slot(n_topics: np.ndarray, rng) -> np.ndarray:
    """A topic slot in 0..n-1 favouring slot 0, the main topic."""
    return np.minimum((rng.random(len(n_topics)) ** 2 * n_topics).astype(np.int64),
                      np.maximum(n_topics.astype(np.int64) - 1, 0))
