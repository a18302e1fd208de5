"""Per-network view of the population: accounts, expected engagement, groups, daily pools."""
from __future__ import annotations

import numpy as np

from . import config as C
from .population import Population
from .sampling import CommunityIndex, WeightedPool

RING, SIBLINGS = 0, 1     # kinds of engagement group


def _calibrate(raw: np.ndarray, rate: np.ndarray, cap: float, target: float) -> float:
    """Base rate b such that posts average `target` engagements with b*raw capped at `cap`
    (bisection: the capped mean is monotone in b). Keeps volume scale-independent."""
    if rate.sum() <= 0:
        return 0.0
    w = rate / rate.sum()
    lo, hi = 0.0, 1.0
    while float((w * np.minimum(hi * raw, cap)).sum()) < target and hi < 1e9:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if float((w * np.minimum(mid * raw, cap)).sum()) < target:
            lo = mid
        else:
            hi = mid
    return hi


class NetworkModel:
    """Static, per-network arrays derived from the population (built once per run)."""

    def __init__(self, pop: Population, network: str):
        self.pop, self.network = pop, network
        ent = pop.account_entity[network]
        self.entity = ent
        self.n = len(ent)
        self.persona = pop.persona[ent]
        self.index = CommunityIndex(pop.community[ent], int(pop.community.max()) + 1)
        self.followers = pop.account_followers[network]
        self.influence = pop.influence[ent]
        self.is_bot = self.persona == C.P["bot"]
        self.is_auto = self.persona == C.P["autoposter"]
        self.follow_pool = WeightedPool(self.index, self.followers.astype(np.float64))

        # Expected lifetime engagements per post: latent influence x audience size.
        raw = self.influence * (self.followers / 150.0) ** C.FOLLOWER_EXPONENT
        rate = pop.post_rate[ent] + np.where(self.is_auto, 86400.0 / np.maximum(pop.autopost_interval[ent], 1), 0)
        cap = max(C.ENGAGEMENT_CAP_MIN, C.ENGAGEMENT_CAP_SHARE * self.n)
        base = _calibrate(raw, rate, cap, C.MEAN_ENGAGEMENTS_PER_POST)
        self.mu = np.minimum(base * raw, cap)
        self._build_groups()

    def _build_groups(self) -> None:
        """CSR of engagement groups on this network: ring members, and the sibling accounts of
        one multi_account person (two accounts here that engage each other)."""
        pop, ent = self.pop, self.entity
        members: list[np.ndarray] = []
        kinds: list[int] = []
        ring_acc = np.flatnonzero(self.persona == C.P["ring"])
        for gid in np.unique(pop.group[ent[ring_acc]]):
            acc = ring_acc[pop.group[ent[ring_acc]] == gid]
            if len(acc) >= 2:
                members.append(acc)
                kinds.append(RING)
        multi = np.flatnonzero(self.persona == C.P["multi_account"])
        if len(multi):
            owners, first, count = np.unique(ent[multi], return_index=True, return_counts=True)
            for f, c in zip(first.tolist(), count.tolist()):
                if c >= 2:
                    members.append(multi[f:f + c])
                    kinds.append(SIBLINGS)
        self.group_of = np.full(self.n, -1, dtype=np.int64)
        sizes = np.array([len(m) for m in members], dtype=np.int64)
        self.group_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.group_members = np.concatenate(members) if members else np.empty(0, np.int64)
        self.group_kind = np.array(kinds, dtype=np.int8)
        for gid, m in enumerate(members):
            self.group_of[m] = gid

        # +K swap pairs (every ordered pair of a kswap group on this network).
        pairs = []
        kacc = np.flatnonzero(self.persona == C.P["kswap"])
        for gid in np.unique(pop.group[ent[kacc]]):
            acc = kacc[pop.group[ent[kacc]] == gid]
            a, b = np.meshgrid(acc, acc, indexing="ij")
            keep = a != b
            pairs.append(np.stack([a[keep], b[keep]], axis=1))
        self.kswap_pairs = np.concatenate(pairs) if pairs else np.empty((0, 2), np.int64)

    def daily(self, day_idx: int) -> tuple[np.ndarray, np.ndarray]:
        """(post rate, engagement propensity) per account for this day: bursty people are
        frantic for one week and quiet otherwise; paused experts fall silent at the end."""
        pop, ent = self.pop, self.entity
        rate = pop.post_rate[ent].copy()
        prop = pop.propensity[ent].copy()
        burst = pop.burst_start[ent]
        in_burst = (burst >= 0) & (day_idx >= burst) & (day_idx < burst + C.BURST_DAYS)
        rate[in_burst] *= C.BURST_FACTOR
        prop[in_burst] *= C.BURST_FACTOR
        if day_idx >= pop.days - C.PAUSE_DAYS:
            paused = self.persona == C.P["paused_expert"]
            rate[paused] = 0.0
            prop[paused] = 0.0
        return rate, prop


class DayPools:
    """The weighted engager pools of one day."""

    def __init__(self, model: NetworkModel, propensity: np.ndarray):
        idx = model.index
        self.active = WeightedPool(idx, propensity)
        self.influential = WeightedPool(idx, model.influence * (propensity > 0))
        self.bots = WeightedPool(idx, propensity * model.is_bot)
        self.follow = model.follow_pool
