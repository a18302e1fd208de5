"""One day of abstract events on one network: posts, engagement, follows, mentions, +K."""
from __future__ import annotations

import numpy as np

from . import config as C
from .events import EventBatch, PostBuffer, PostChunk
from .ids import serial_base
from .model import RING, DayPools, NetworkModel
from .sampling import after_ms, diurnal_ms, skewed_slot

DAY_MS = 86_400_000
N_TEXTS = 1 << 12          # sentence ids are drawn in 0..N_TEXTS-1 (see networks.py)
_HAS = {net: set(types) for net, types in C.NATIVE_TYPES.items()}


def _topics_of(model: NetworkModel, accounts: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Main and (30% of the time) second topic for content by `accounts`."""
    ent = model.entity[accounts]
    k = model.pop.n_topics[ent]
    slot = skewed_slot(k, rng)
    t0 = model.pop.topics[ent, slot]
    second = (rng.random(len(ent)) < 0.3) & (k > 1)
    t1 = np.where(second, model.pop.topics[ent, (slot + 1) % np.maximum(k, 1)], -1)
    return t0, t1


def make_posts(model: NetworkModel, day_idx: int, day_ms: int, rate, wk: float, rng) -> EventBatch:
    counts = rng.poisson(rate * wk * ~model.is_auto)
    authors = np.repeat(np.arange(model.n), counts)
    ts = diurnal_ms(day_ms, len(authors), rng)
    # Autoposters: a fixed interval from a fixed phase, seconds of jitter, weekends included.
    auto = np.flatnonzero(model.is_auto)
    interval = model.pop.autopost_interval[model.entity[auto]].astype(np.int64)
    phase = model.pop.autopost_phase[model.entity[auto]].astype(np.int64)
    per_day = (86_400 - phase + interval - 1) // np.maximum(interval, 1)
    a_auth = np.repeat(auto, per_day)
    k = np.arange(len(a_auth)) - np.repeat(np.cumsum(per_day) - per_day, per_day)
    a_ts = day_ms + (np.repeat(phase, per_day) + k * np.repeat(interval, per_day)) * 1000
    a_ts = np.clip(a_ts + rng.integers(-C.AUTOPOST_JITTER_S, C.AUTOPOST_JITTER_S + 1, len(a_ts)) * 1000,
                   day_ms, day_ms + DAY_MS - 1)
    authors = np.concatenate([authors, a_auth])
    ts = np.concatenate([ts, a_ts])
    t0, t1 = _topics_of(model, authors, rng)
    n = len(authors)
    posts = EventBatch.make(C.POST, ts, authors, t0=t0, t1=t1, kw=rng.integers(0, 1 << 30, n),
                            text=rng.integers(0, N_TEXTS, n), rnd=rng.integers(0, 1 << 30, n),
                            link=model.is_auto[authors])
    order = np.argsort(posts.ts, kind="stable")
    posts = posts.take(order)
    posts.serial = serial_base(day_idx) + np.arange(n, dtype=np.int64)
    return posts


def _engagement_types(model: NetworkModel, engager: np.ndarray, rng) -> np.ndarray:
    """Bots mostly like; people like, share and reply."""
    u = rng.random(len(engager))
    human = np.where(u < 0.70, C.REACTION, np.where(u < 0.84, C.SHARE, C.REPLY))
    bot = np.where(u < 0.92, C.REACTION, C.SHARE)
    return np.where(model.is_bot[engager], bot, human).astype(np.int8)


def _on_posts(model, posts: EventBatch, who: np.ndarray, typ: np.ndarray, ts) -> EventBatch:
    return EventBatch.make(typ, ts, who, target=posts.actor, ref=posts.serial, t0=posts.t0,
                           t1=posts.t1, kw=posts.kw, text=posts.text)


def engagements(model: NetworkModel, buffer: PostBuffer, pools: DayPools, day_idx: int,
                day_ms: int, wk: float, rng) -> list[EventBatch]:
    """Reactions, shares and replies on the last week's posts, decaying with post age."""
    out = []
    for chunk in buffer.chunks:
        age = day_idx - chunk.day
        n = rng.poisson(chunk.mu * C.DECAY[age] * wk)
        if n.sum() == 0:
            continue
        posts = chunk.posts.take(np.repeat(np.arange(len(n)), n))
        author = posts.actor
        persona = model.persona[author]
        # Where engagers come from depends on whose post it is: mostly the author's community
        # (70%, else anyone active); for celebrities and experts 35% community, 20% anyone and
        # 45% drawn by influence; for autoposters 85% bots.
        u = rng.random(len(author))
        auto = model.is_auto[author]
        notable = np.isin(persona, [C.P["celebrity"], C.P["expert"], C.P["paused_expert"]])
        who = pools.active.draw_in(model.index.community[author], rng)
        glob = pools.active.draw(len(author), rng)
        who = np.where(u < np.where(notable, 0.35, 0.70), who, glob)
        infl = notable & (u >= 0.55)
        who[infl] = pools.influential.draw(int(infl.sum()), rng)
        bots = auto & (u < 0.85) & (pools.bots.total > 0)
        who[bots] = pools.bots.draw(int(bots.sum()), rng)
        ts = (after_ms(posts.ts, day_ms + DAY_MS, 3_600_000, rng) if age == 0
              else diurnal_ms(day_ms, len(author), rng))
        out.append(_on_posts(model, posts, who, _engagement_types(model, who, rng), ts))
    return out


def group_engagements(model: NetworkModel, posts: EventBatch, day_ms: int, rng) -> EventBatch:
    """Ring mates and a person's sibling accounts engage (almost) every post of each other."""
    gid = model.group_of[posts.actor]
    has = np.flatnonzero(gid >= 0)
    g = gid[has]
    size = model.group_start[g + 1] - model.group_start[g]
    post_i = np.repeat(has, size)
    within = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
    mate = model.group_members[np.repeat(model.group_start[g], size) + within]
    ring = model.group_kind[np.repeat(g, size)] == RING
    keep = (mate != posts.actor[post_i]) & (rng.random(len(mate)) < np.where(ring, C.RING_ENGAGE_P, C.SIBLING_ENGAGE_P))
    post_i, mate, ring = post_i[keep], mate[keep], ring[keep]
    sel = posts.take(post_i)
    u = rng.random(len(mate))
    typ = np.where(u < 0.5, C.REACTION, np.where(u < 0.8 + 0.2 * ~ring, C.SHARE, C.REPLY)).astype(np.int8)
    return _on_posts(model, sel, mate, typ, after_ms(sel.ts, day_ms + DAY_MS, 3_600_000, rng))


def follows(model, pools: DayPools, day_ms: int, wk: float, rng) -> EventBatch:
    n = int(rng.poisson(C.FOLLOW_RATE * model.n * wk))
    actor = pools.active.draw(n, rng)
    actor = actor[actor >= 0]
    target = pools.follow.draw_in(model.index.community[actor], rng)
    far = rng.random(len(actor)) < 0.35
    target[far] = pools.follow.draw(int(far.sum()), rng)
    return EventBatch.make(C.FOLLOW, diurnal_ms(day_ms, len(actor), rng), actor, target=target)


def mentions(model, posts: EventBatch, pools: DayPools, day_ms: int, rng) -> EventBatch:
    human_posts = np.flatnonzero(~posts.link)
    n = min(int(rng.poisson(C.MENTION_PER_POST * len(human_posts))), len(human_posts))
    actor = posts.actor[rng.choice(human_posts, size=n, replace=False)] if n else np.empty(0, np.int64)
    target = pools.influential.draw_in(model.index.community[actor], rng)
    far = rng.random(n) < 0.3
    target[far] = pools.influential.draw(int(far.sum()), rng)
    t0, t1 = _topics_of(model, actor, rng)
    return EventBatch.make(C.MENTION, diurnal_ms(day_ms, n, rng), actor, target=target, t0=t0,
                           kw=rng.integers(0, 1 << 30, n), text=rng.integers(0, N_TEXTS, n))


def endorsements(model, pools: DayPools, day_ms: int, wk: float, rng) -> EventBatch:
    """+K on a topic the endorsed person posts about; kswap groups endorse each other daily."""
    n = int(rng.poisson(C.ENDORSE_RATE * model.n * wk))
    actor = pools.active.draw(n, rng)
    actor = actor[actor >= 0]
    target = pools.influential.draw_in(model.index.community[actor], rng)
    pairs = model.kswap_pairs[rng.random(len(model.kswap_pairs)) < C.KSWAP_ENDORSE_P]
    actor = np.concatenate([actor, pairs[:, 0]])
    target = np.concatenate([target, pairs[:, 1]])
    ent = model.entity[np.maximum(target, 0)]
    slot = skewed_slot(model.pop.n_topics[ent], rng)
    skill = model.pop.topics[ent, slot]
    return EventBatch.make(C.ENDORSE, diurnal_ms(day_ms, len(actor), rng), actor, target=target, t0=skill)


def simulate_day(model: NetworkModel, buffer: PostBuffer, day_idx: int, day_ms: int,
                 weekday: int, rng, *, burn_in: bool = False) -> EventBatch | None:
    """Posts of the day go into `buffer`; returns the day's events sorted by time (posts
    carry the first serials so that engagement can refer to them)."""
    wk = C.WEEKDAY_FACTOR[weekday]
    rate, prop = model.daily(day_idx)
    posts = make_posts(model, day_idx, day_ms, rate, wk, rng)
    buffer.push(PostChunk(day_idx, posts, model.mu[posts.actor]))
    if burn_in:
        return None
    has = _HAS[model.network]
    pools = DayPools(model, prop)
    parts = engagements(model, buffer, pools, day_idx, day_ms, wk, rng)
    parts.append(group_engagements(model, posts, day_ms, rng))
    if C.FOLLOW in has:
        parts.append(follows(model, pools, day_ms, wk, rng))
    if C.MENTION in has:
        parts.append(mentions(model, posts, pools, day_ms, rng))
    if C.ENDORSE in has:
        parts.append(endorsements(model, pools, day_ms, wk, rng))
    rest = EventBatch.concat(parts)
    # No good event ever targets its own actor: that is the self_interaction bad kind.
    # (-1 marks an empty pool.)
    rest = rest.take(np.flatnonzero((rest.actor >= 0) & (rest.target >= 0) & (rest.target != rest.actor)))
    rest.rnd = rng.integers(0, 1 << 30, len(rest)).astype(np.int32)
    rest = rest.take(np.argsort(rest.ts, kind="stable"))
    rest.serial = serial_base(day_idx) + len(posts) + np.arange(len(rest), dtype=np.int64)
    day = EventBatch.concat([posts, rest])
    return day.take(np.argsort(day.ts, kind="stable"))
