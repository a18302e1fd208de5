"""The simulated people: personas, communities, topics, latent influence and network accounts.

An *entity* is a person. Entities 0..n_profiles-1 are registered profiles (they get link
records); the rest are public-only people whose single account is never linked. Everything is
held in numpy arrays (one row per entity or per account) so a million profiles fit easily, and
is a pure function of (profiles, days, seed): every worker process rebuilds the same population.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import config as C
from schemas.ontology import Ontology

MAX_TOPICS = 12


@dataclass
class Population:
    n_profiles: int
    days: int
    persona: np.ndarray        # int8 per entity, index into config.PERSONAS
    community: np.ndarray      # int32 per entity
    influence: np.ndarray      # float64 per entity: latent true influence
    post_rate: np.ndarray      # float64 per entity: posts per account per weekday
    propensity: np.ndarray     # float64 per entity: relative chance of engaging
    topics: np.ndarray         # int16 (entity, MAX_TOPICS), -1 padded; slot 0 is the main topic
    n_topics: np.ndarray       # int8 per entity
    burst_start: np.ndarray    # int16 per entity: first day of the burst week (bursty), else -1
    group: np.ndarray          # int32 per entity: ring / kswap group id, else -1
    autopost_interval: np.ndarray  # int32 seconds between autoposts, 0 for non-autoposters
    autopost_phase: np.ndarray     # int32 seconds after midnight of the first autopost
    reg_day: np.ndarray        # int16 day index of the link records, -1 for public-only
    opt_out_day: np.ndarray    # int16 day index of the opt-out record, -1 if none
    account_entity: dict[str, np.ndarray]     # per network: owning entity per account, sorted
    account_followers: dict[str, np.ndarray]  # per network: audience per account

    @property
    def n_entities(self) -> int:
        return len(self.persona)

    def followers(self) -> np.ndarray:
        """Latent audience per entity (sum over its accounts)."""
        total = np.zeros(self.n_entities, dtype=np.int64)
        for net in C.NETWORKS:
            total += np.bincount(self.account_entity[net], weights=self.account_followers[net],
                                 minlength=self.n_entities).astype(np.int64)
        return total


def persona_counts(profiles: int) -> dict[str, int]:
    counts = {name: max(p["min"], round(p["frac"] * profiles))
              for name, p in C.PERSONA_PARAMS.items() if name != "regular"}
    counts["regular"] = profiles - sum(counts.values())
    if counts["regular"] < C.PERSONA_PARAMS["regular"]["min"]:
        raise ValueError(f"profiles={profiles} is too small to hold every persona")
    return {name: counts[name] for name in C.PERSONAS}


def _persona_param(persona: np.ndarray, key: str) -> np.ndarray:
    table = np.array([C.PERSONA_PARAMS[name][key] for name in C.PERSONAS], dtype=np.float64)
    return table[persona]


def _groups(members: np.ndarray, size: tuple[int, int], rng) -> list[np.ndarray]:
    """Split members into groups of size[0]..size[1]; a short remainder joins the last group."""
    out, i = [], 0
    while len(members) - i >= size[0]:
        k = int(rng.integers(size[0], size[1] + 1))
        if len(members) - i - k < size[0]:
            k = len(members) - i
        out.append(members[i:i + k])
        i += k
    if i < len(members):
        out[-1] = np.concatenate([out[-1], members[i:]])
    return out


def _choose_networks(n_networks: np.ndarray, forced: np.ndarray, rng) -> np.ndarray:
    """Bool (entity, network): weighted choice without replacement (Efraimidis-Spirakis keys)."""
    weights = np.array(C.NETWORK_WEIGHT)
    keys = np.log(rng.random((len(n_networks), len(weights)))) / weights
    keys[np.arange(len(forced))[forced >= 0], forced[forced >= 0]] = np.inf
    rank = np.argsort(np.argsort(-keys, axis=1, kind="stable"), axis=1, kind="stable")
    return rank < n_networks[:, None]


def _assign_topics(persona, community_home, onto: Ontology, rng):
    n = len(persona)
    k = rng.choice([1, 2, 3], size=n, p=[0.4, 0.35, 0.25])
    k[persona == C.P["focused"]] = 1
    is_expert = np.isin(persona, [C.P["expert"], C.P["paused_expert"]])
    k[is_expert] = rng.integers(1, 3, size=int(is_expert.sum()))
    broad = persona == C.P["broad"]
    k[broad] = rng.integers(8, MAX_TOPICS + 1, size=int(broad.sum()))

    top = np.array(onto.top_level)
    width = max(len(c) for c in onto.children.values())
    kids = np.full((len(top), width), -1, dtype=np.int64)
    n_kids = np.zeros(len(top), dtype=np.int64)
    for i, t in enumerate(top):
        kids[i, :len(onto.children[t])] = onto.children[t]
        n_kids[i] = len(onto.children[t])
    leaves = np.array(onto.leaves)
    home = community_home                      # index into top per entity
    start = rng.integers(0, 1 << 20, size=n)
    stride = 7 if len(leaves) % 7 else 5       # coprime with the leaf count: distinct picks
    k = np.where(broad, k, np.minimum(k, n_kids[home]))    # distinct topics only
    topics = np.full((n, MAX_TOPICS), -1, dtype=np.int16)
    for j in range(MAX_TOPICS):
        local = kids[home, (start + j) % n_kids[home]]
        spread = leaves[(start + j * stride) % len(leaves)]
        pick = np.where(broad, spread, local)
        topics[:, j] = np.where(j < k, pick, -1)
    # A fifth of the focused-on-home people have a side interest outside their community topic.
    side = (~broad) & (k >= 2) & (rng.random(n) < 0.2)
    other = leaves[rng.integers(0, len(leaves), size=n)]
    clash = (topics[:, :MAX_TOPICS] == other[:, None]).any(axis=1)
    side &= ~clash
    topics[side, k[side] - 1] = other[side]
    return topics, k.astype(np.int8)


def build_population(profiles: int, days: int, seed: int, onto: Ontology) -> Population:
    rng = np.random.default_rng(np.random.SeedSequence([seed, C.STREAM_POPULATION]))
    counts = persona_counts(profiles)
    codes = np.repeat(np.arange(len(C.PERSONAS), dtype=np.int8), list(counts.values()))
    prof_persona = rng.permutation(codes)

    # How many networks each profile is on: 60% one, 30% two, 10% three or four.
    n_net = rng.choice([1, 2, 3, 4], size=profiles, p=[0.6, 0.3, 0.07, 0.03])
    n_net[prof_persona == C.P["celebrity"]] = 3 + (rng.random(int((prof_persona == C.P["celebrity"]).sum())) < 0.5)
    n_net[np.isin(prof_persona, [C.P["autoposter"], C.P["bot"]])] = 1
    n_net[prof_persona == C.P["multi_account"]] = 2
    forced = np.full(profiles, -1, dtype=np.int64)
    group = np.full(profiles, -1, dtype=np.int32)
    groups: list[np.ndarray] = []
    ring_groups = _groups(np.flatnonzero(prof_persona == C.P["ring"]), C.RING_SIZE, rng)
    kswap_groups = _groups(np.flatnonzero(prof_persona == C.P["kswap"]), C.KSWAP_SIZE, rng)
    for g in ring_groups:                      # a ring works on one network it all shares
        forced[g] = rng.choice(len(C.NETWORKS), p=C.NETWORK_WEIGHT)
    forced[np.concatenate(kswap_groups)] = C.NETWORKS.index("linkup")   # +K lives on linkup
    for gid, g in enumerate(ring_groups + kswap_groups):
        group[g] = gid
        groups.append(g)
    on = _choose_networks(n_net, forced, rng)
    per_net = on.astype(np.int64)
    per_net[prof_persona == C.P["multi_account"]] *= 2   # two accounts on each of two networks

    # Public-only people: one account each, ~PUBLIC_ONLY_SHARE of all accounts.
    n_public = round(per_net.sum() * C.PUBLIC_ONLY_SHARE / (1 - C.PUBLIC_ONLY_SHARE))
    mix = C.PUBLIC_PERSONA_MIX
    pub_persona = rng.choice([C.P[m] for m in mix], size=n_public, p=list(mix.values())).astype(np.int8)
    pub_on = _choose_networks(np.ones(n_public, dtype=np.int64), np.full(n_public, -1), rng)
    persona = np.concatenate([prof_persona, pub_persona])
    per_net = np.concatenate([per_net, pub_on.astype(np.int64)])
    n = len(persona)
    group = np.concatenate([group, np.full(n_public, -1, dtype=np.int32)])

    # Communities of Zipf-like sizes, each centred on one top-level topic.
    n_comm = max(3, n // 150)
    p_comm = (np.arange(n_comm) + 3.0) ** -0.9
    community = rng.choice(n_comm, size=n, p=p_comm / p_comm.sum()).astype(np.int32)
    for g in groups:
        community[g] = community[g[0]]
    comm_home = rng.integers(0, len(onto.top_level), size=n_comm)
    topics, n_topics = _assign_topics(persona, comm_home[community], onto, rng)
    for g in kswap_groups:                    # +K swappers endorse each other on one skill
        topics[g, 0] = topics[g[0], 0]

    # Latent influence: log-normal noise times a persona multiplier; audience correlates.
    noise = rng.lognormal(0.0, 0.9, size=n)
    influence = noise * _persona_param(persona, "influence")
    followers = _persona_param(persona, "followers") * rng.lognormal(0.0, 1.1, size=n) * noise ** 0.6
    celeb = persona == C.P["celebrity"]
    followers[celeb] = np.minimum(2e5 * (1 + rng.pareto(1.2, size=int(celeb.sum()))), 5e7)

    post_rate = _persona_param(persona, "post_rate") * rng.lognormal(0.0, 0.4, size=n)
    propensity = _persona_param(persona, "propensity") * rng.lognormal(0.0, 0.5, size=n)
    bursty = persona == C.P["bursty"]
    burst_start = np.full(n, -1, dtype=np.int16)
    burst_start[bursty] = rng.integers(0, max(1, days - C.BURST_DAYS + 1), size=int(bursty.sum()))
    auto = persona == C.P["autoposter"]
    interval = np.zeros(n, dtype=np.int32)
    interval[auto] = rng.choice(C.AUTOPOST_INTERVALS_S, size=int(auto.sum()))
    phase = np.zeros(n, dtype=np.int32)
    phase[auto] = rng.integers(0, interval[auto])

    reg_day = np.full(n, -1, dtype=np.int16)
    late_reg = rng.random(profiles) < 0.15
    reg_day[:profiles] = np.where(late_reg & (days > 1), rng.integers(1, max(2, days), size=profiles), 0)
    opt_out_day = np.full(n, -1, dtype=np.int16)
    plain = [C.P[x] for x in ("regular", "lurker", "focused", "broad")]
    eligible = np.flatnonzero(np.isin(prof_persona, plain) & (reg_day[:profiles] < days - 1))
    n_opt = min(len(eligible), max(2, round(0.004 * profiles)))
    chosen = np.sort(rng.choice(eligible, size=n_opt, replace=False)) if n_opt else eligible[:0]
    opt_out_day[chosen] = rng.integers(reg_day[chosen] + 1, days)

    account_entity, account_followers = {}, {}
    share = rng.gamma(2.0, size=per_net.shape) * (per_net > 0)
    share /= share.sum(axis=1, keepdims=True)
    for k, net in enumerate(C.NETWORKS):
        ent = np.repeat(np.arange(n, dtype=np.int32), per_net[:, k])
        account_entity[net] = ent
        account_followers[net] = np.maximum(
            1, np.round(followers[ent] * share[ent, k] / per_net[ent, k])).astype(np.int64)

    return Population(profiles, days, persona, community, influence, post_rate, propensity,
                      topics, n_topics, burst_start, group, interval, phase, reg_day,
                      opt_out_day, account_entity, account_followers)
