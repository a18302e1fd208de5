"""Run one network over all days: simulate, render, corrupt, deliver late, duplicate, write.

Memory is bounded by one day of one network plus a week of posts, the late-delivery queue
(<= 3 days of ~2% of lines) and a small reservoir of already-written lines for re-delivery.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import config as C
from .activity import DAY_MS, simulate_day
from .corruption import bad_lines
from .events import PostBuffer
from .ids import serial_base
from .model import NetworkModel
from .networks import Renderer
from .population import Population
from .retractions import Retractions
from schemas.ontology import Ontology
from .writer import part_path, write_lines

RESERVOIR = 2_000          # recently written good lines that may be re-delivered


@dataclass
class NetworkStats:
    network: str
    lines_written: int = 0
    events_valid: int = 0
    duplicates: int = 0
    late_events: int = 0
    bad: dict[str, int] = field(default_factory=lambda: {k: 0 for k in C.BAD_KINDS})
    by_type: np.ndarray = field(default_factory=lambda: np.zeros(len(C.EVENT_TYPES), np.int64))
    authored: np.ndarray | None = None     # good scored events authored, less retracted ones
    retractions: int = 0                   # retraction events (open networks), unseen included
    retractions_of_unseen: int = 0         # ... naming a record never created
    retracted: np.ndarray = field(default_factory=lambda: np.zeros(len(C.EVENT_TYPES), np.int64))


def stream(seed: int, purpose: int, network: str, day_idx: int) -> np.random.Generator:
    # One independent stream per (purpose, network, day): the activity of a day does not
    # depend on bad_rate, and networks can be generated in any order or process.
    key = [seed, purpose, C.NETWORKS.index(network), day_idx + 64]
    return np.random.default_rng(np.random.SeedSequence(key))


def forced_bad_kinds(seed: int, network: str, days: int) -> dict[int, list[str]]:
    """MIN_BAD_PER_KIND of every kind on random days, so tiny runs still show them all."""
    rng = stream(seed, C.STREAM_SCHEDULE, network, 0)
    plan: dict[int, list[str]] = defaultdict(list)
    for kind in C.BAD_KINDS:
        for d in rng.integers(0, days, C.MIN_BAD_PER_KIND).tolist():
            plan[d].append(kind)
    return plan


def _merge(base: list[bytes], extras: list[tuple[int, int, bytes]]) -> list[bytes]:
    """Insert (position, tiebreak, line) extras into base; position p means 'before base[p]'."""
    extras.sort(key=lambda e: (e[0], e[1]))
    out, prev = [], 0
    for pos, _, line in extras:
        out.extend(base[prev:pos])
        out.append(line)
        prev = pos
    out.extend(base[prev:])
    return out


class Delivery:
    """What lands in each day's file of one network: on-time lines, late arrivals from earlier
    days, planted bad lines and re-deliveries, at random positions."""

    def __init__(self, renderer: Renderer, stats: NetworkStats, *, seed: int, days: int,
                 bad_rate: float):
        self.renderer, self.stats = renderer, stats
        self.days, self.bad_rate = days, bad_rate
        self.forced = forced_bad_kinds(seed, renderer.network, days)
        self.pending: dict[int, list[bytes]] = defaultdict(list)   # delivery day -> late lines
        self.reservoir: list[bytes] = []   # written good lines that may be re-delivered
        self.carry: list[str] = []         # planted kinds that found no material yet

    def day_file(self, d: int, day_ms: int, batch, lines: list[bytes], rng,
                 pinned: np.ndarray | None = None) -> list[bytes]:
        """pinned: lines that must be delivered on their event date (never late)."""
        on_time = self._hold_back_late(d, lines, rng, pinned)
        arrivals = self.pending.pop(d, [])
        m = len(on_time)
        kinds = self.carry + self.forced.get(d, []) + [
            C.BAD_KINDS[k] for k in rng.integers(0, len(C.BAD_KINDS), rng.binomial(len(lines), self.bad_rate))]
        self.carry = []
        extras = [(int(rng.integers(0, m + 1)), i, line) for i, line in enumerate(arrivals)]
        broken = [k for k in kinds if k != "duplicate"]
        planted = bad_lines(broken, batch, self.renderer, serial_base(d) + len(batch), day_ms, rng)
        if not planted:
            self.carry += broken
        for kind, line in planted:
            extras.append((int(rng.integers(0, m + 1)), len(extras), line))
            self.stats.bad[kind] += 1
        for _ in range(kinds.count("duplicate")):
            extra = self._redeliver(on_time, len(extras), rng)
            if extra is None:
                self.carry.append("duplicate")
                continue
            extras.append(extra)
            self.stats.bad["duplicate"] += 1
            self.stats.duplicates += 1
        self.stats.events_valid += m + len(arrivals)
        self._refill_reservoir(on_time + arrivals, rng)
        return _merge(on_time, extras)

    def _hold_back_late(self, d: int, lines: list[bytes], rng, pinned=None) -> list[bytes]:
        """~2% arrive 1..3 days later, but never after the last delivery date."""
        n = len(lines)
        deliver = np.minimum(d + rng.integers(1, C.LATE_MAX_DAYS + 1, n), self.days - 1)
        late = (rng.random(n) < C.LATE_SHARE) & (deliver > d)
        if pinned is not None:
            late &= ~pinned
        for i in np.flatnonzero(late).tolist():
            self.pending[int(deliver[i])].append(lines[i])
        self.stats.late_events += int(late.sum())
        return [line for line, is_late in zip(lines, late.tolist()) if not is_late]

    def _redeliver(self, on_time: list[bytes], tiebreak: int, rng):
        """A byte-identical copy of a good line: later in the same file, or in a later file."""
        m = len(on_time)
        if m and (not self.reservoir or rng.random() < 0.5):
            i = int(rng.integers(0, m))
            return int(rng.integers(i + 1, m + 1)), tiebreak, on_time[i]
        if self.reservoir:
            line = self.reservoir.pop(int(rng.integers(0, len(self.reservoir))))
            return int(rng.integers(0, m + 1)), tiebreak, line
        return None

    def _refill_reservoir(self, written: list[bytes], rng) -> None:
        keep = rng.choice(len(written), size=min(RESERVOIR // 2, len(written)), replace=False)
        self.reservoir = self.reservoir[-RESERVOIR // 2:] + [written[i] for i in np.sort(keep).tolist()]


def run_network(pop: Population, onto: Ontology, network: str, *, seed: int, days: int,
                start_date: dt.date, bad_rate: float, root: Path,
                progress: Callable[[str, int, int], None]) -> NetworkStats:
    model = NetworkModel(pop, network)
    # activitypub: notes of authors who opt out are embedded wherever named (silver withholds
    # their Creates, so it could not find their author otherwise)
    renderer = Renderer(network, model.n, onto, embed_authors=pop.opt_out_day[model.entity] >= 0)
    buffer = PostBuffer(len(C.DECAY))
    stats = NetworkStats(network, authored=np.zeros(model.n, np.int64))
    delivery = Delivery(renderer, stats, seed=seed, days=days, bad_rate=bad_rate)
    retractions = Retractions(model, days) if network in C.OPEN_NETWORKS else None
    epoch_day = (start_date - dt.date(1970, 1, 1)).days
    for d in range(-C.BURN_IN_DAYS, days):    # burn-in days only fill the recent-post buffer
        date = start_date + dt.timedelta(days=d)
        day_ms = (epoch_day + d) * DAY_MS
        batch = simulate_day(model, buffer, d, day_ms, date.weekday(),
                             stream(seed, C.STREAM_ACTIVITY, network, d), burn_in=d < 0)
        if batch is None:
            continue
        stats.authored += np.bincount(batch.actor, minlength=model.n)
        pinned = None
        if retractions is not None:
            batch, pinned = retractions.extend_day(batch, d, day_ms,
                                                   stream(seed, C.STREAM_RETRACT, network, d))
        stats.by_type += np.bincount(batch.typ, minlength=len(C.EVENT_TYPES))
        lines = delivery.day_file(d, day_ms, batch, renderer.lines(batch),
                                  stream(seed, C.STREAM_DELIVERY, network, d), pinned)
        write_lines(part_path(root, network, date.isoformat()), lines)
        stats.lines_written += len(lines)
        progress(network, d, len(lines))
    assert not delivery.pending, "late lines left undelivered"
    if retractions is not None:
        assert not retractions.pending, "retractions left unwritten"
        stats.authored -= retractions.retracted_authored
        stats.retractions, stats.retractions_of_unseen = retractions.total, retractions.unseen
        stats.retracted = retractions.by_type
    return stats
