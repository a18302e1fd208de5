"""What the open networks (config.OPEN_NETWORKS) add to a day: retractions and account events.

- A share of the day's reactions, shares and follows (RETRACT_SHARE) and a few posts
  (RETRACT_POST_SHARE) are retracted later: a retraction event RETRACT_DELAY_S after the
  original (log-uniform: minutes to two days), on its own event date. Retractions that would
  fall after the last day are dropped. The retracted originals are never delivered late, so a
  retraction never lands before what it retracts.
- A few retractions per day name records that were never created (a serial with PHANTOM_BIT).
- bluesky: a few identity (handle change) and account (deactivation, reactivation) events.
- Only accounts active that day retract or change (a paused expert's unlike due after the
  pause is dropped), so silent personas stay silent.
- activitypub: posts (the notes that Likes, Announces and replies name by URI) are never
  delivered late, so a note's Create always lands on or before the delivery date of anything
  naming it; notes from the burn-in days are embedded instead (networks.py).
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from . import config as C
from .activity import DAY_MS
from .events import EventBatch
from .ids import PHANTOM_BIT, serial_base
from .sampling import diurnal_ms

_UNDOABLE = np.array([C.REACTION, C.SHARE, C.FOLLOW])
_UNSEEN_TYPES = (C.REACTION, C.SHARE, C.FOLLOW, C.POST)
_UNSEEN_P = (0.5, 0.2, 0.2, 0.1)
_PHANTOM = -2     # placeholder for "a phantom serial", filled in once serials are known


class Retractions:
    """Pending retractions of one network, and the counts for the truth summary."""

    def __init__(self, model, days: int):
        self.model, self.network, self.days = model, model.network, days
        self.n = n_accounts = model.n
        self.pending: dict[int, list[EventBatch]] = defaultdict(list)
        self.total = 0                 # retraction events written (unseen ones included)
        self.unseen = 0                # ... naming records never created
        self.by_type = np.zeros(len(C.EVENT_TYPES), np.int64)   # retracted originals per type
        self.retracted_authored = np.zeros(n_accounts, np.int64)  # per account

    def extend_day(self, batch: EventBatch, d: int, day_ms: int, rng) -> tuple[EventBatch, np.ndarray]:
        """The day's events plus its retractions (and account events), sorted by time, with
        serials after the batch's; and `pinned`: events that must not be delivered late."""
        pinned = self._plan(batch, d, day_ms, rng)
        rate, prop = self.model.daily(d)
        active = (rate > 0) | (prop > 0) | self.model.is_auto
        due = self.pending.pop(d, [])
        real = EventBatch.concat(due) if due else EventBatch.make(C.RETRACTION, [], [])
        real = real.take(np.flatnonzero(active[real.actor]))
        pool = np.flatnonzero(active)
        parts = [real, self._unseen(pool, day_ms, rng)]
        if self.network == "bluesky":
            parts += self._account_events(pool, day_ms, rng)
        extras = EventBatch.concat(parts)
        extras.rnd = rng.integers(0, 1 << 30, len(extras)).astype(np.int32)
        extras.serial = serial_base(d) + len(batch) + np.arange(len(extras), dtype=np.int64)
        for col in (extras.orig, extras.ref):
            phantom = col == _PHANTOM
            col[phantom] = extras.serial[phantom] | PHANTOM_BIT
        self.total += int((extras.typ == C.RETRACTION).sum())
        self.by_type += np.bincount(real.otyp, minlength=len(C.EVENT_TYPES))
        self.retracted_authored += np.bincount(real.actor, minlength=self.n)
        day = EventBatch.concat([batch, extras])
        order = np.argsort(day.ts, kind="stable")
        pinned = np.concatenate([pinned, np.zeros(len(extras), bool)])[order]
        return day.take(order), pinned

    def _plan(self, batch: EventBatch, d: int, day_ms: int, rng) -> np.ndarray:
        typ = batch.typ
        p = np.where(np.isin(typ, _UNDOABLE), C.RETRACT_SHARE,
                     np.where(typ == C.POST, C.RETRACT_POST_SHARE, 0.0))
        chosen = np.flatnonzero(rng.random(len(batch)) < p)
        lo, hi = (np.log(s * 1000.0) for s in C.RETRACT_DELAY_S)
        when = batch.ts[chosen] + np.exp(rng.uniform(lo, hi, len(chosen))).astype(np.int64)
        on = d + (when - day_ms) // DAY_MS
        keep = on < self.days
        chosen, when, on = chosen[keep], when[keep], on[keep]
        src = batch.take(chosen)
        undo = EventBatch.make(C.RETRACTION, when, src.actor, target=src.target, ref=src.ref,
                               orig=src.serial, otyp=src.typ)
        for day in np.unique(on).tolist():
            self.pending[day].append(undo.take(on == day))
        pinned = np.zeros(len(batch), bool)
        pinned[chosen] = True
        if self.network == "activitypub":
            pinned |= typ == C.POST
        return pinned

    def _unseen(self, pool: np.ndarray, day_ms: int, rng) -> EventBatch:
        """Retractions of records never created: a like, repost, follow or post of a phantom
        serial (on activitypub a like or boost names a phantom note of the target)."""
        base, per = C.UNSEEN_RETRACTIONS
        k = int(rng.poisson(base + per * self.n)) if len(pool) and self.n >= 2 else 0
        actor = pool[rng.integers(0, max(len(pool), 1), k)]
        target = (actor + 1 + rng.integers(0, max(self.n - 1, 1), k)) % max(self.n, 1)
        otyp = rng.choice(_UNSEEN_TYPES, size=k, p=_UNSEEN_P)
        self.unseen += k
        return EventBatch.make(C.RETRACTION, diurnal_ms(day_ms, k, rng), actor, target=target,
                               ref=np.full(k, _PHANTOM), orig=np.full(k, _PHANTOM), otyp=otyp)

    def _account_events(self, pool: np.ndarray, day_ms: int, rng) -> list[EventBatch]:
        out = []
        for typ, (base, per) in ((C.IDENTITY, C.IDENTITY_EVENTS), (C.ACCOUNT, C.ACCOUNT_EVENTS)):
            k = int(rng.poisson(base + per * self.n)) if len(pool) else 0
            out.append(EventBatch.make(typ, diurnal_ms(day_ms, k, rng), pool[rng.integers(0, max(len(pool), 1), k)]))
        return out
