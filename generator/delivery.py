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
from .topics import Ontology
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
    authored: np.ndarray | None = None     # good events authored, per account


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


def run_network(pop: Population, onto: Ontology, network: str, *, seed: int, days: int,
                start_date: dt.date, bad_rate: float, root: Path,
                progress: Callable[[str, int, int], None]) -> NetworkStats:
    model = NetworkModel(pop, network)
    renderer = Renderer(network, model.n, onto)
    buffer = PostBuffer(len(C.DECAY))
    stats = NetworkStats(network, authored=np.zeros(model.n, np.int64))
    epoch_day = (start_date - dt.date(1970, 1, 1)).days
    for d in range(-C.BURN_IN_DAYS, 0):     # fill the buffer: day 0 sees last week's posts
        date = start_date + dt.timedelta(days=d)
        simulate_day(model, buffer, d, (epoch_day + d) * DAY_MS, date.weekday(),
                     stream(seed, C.STREAM_ACTIVITY, network, d), burn_in=True)

    forced = forced_bad_kinds(seed, network, days)
    pending: dict[int, list[bytes]] = defaultdict(list)
    reservoir: list[bytes] = []
    carry: list[str] = []        # planted kinds that found no material yet
    for d in range(days):
        date = start_date + dt.timedelta(days=d)
        day_ms = (epoch_day + d) * DAY_MS
        batch = simulate_day(model, buffer, d, day_ms, date.weekday(),
                             stream(seed, C.STREAM_ACTIVITY, network, d))
        stats.authored += np.bincount(batch.actor, minlength=model.n)
        stats.by_type += np.bincount(batch.typ, minlength=len(C.EVENT_TYPES))
        lines = renderer.lines(batch)
        rng = stream(seed, C.STREAM_DELIVERY, network, d)

        # Late data: ~2% arrive 1..3 days later, but never after the last delivery date.
        n = len(lines)
        deliver = np.minimum(d + rng.integers(1, C.LATE_MAX_DAYS + 1, n), days - 1)
        late = (rng.random(n) < C.LATE_SHARE) & (deliver > d)
        for i in np.flatnonzero(late).tolist():
            pending[int(deliver[i])].append(lines[i])
        on_time = [line for line, is_late in zip(lines, late.tolist()) if not is_late]
        arrivals = pending.pop(d, [])
        stats.late_events += int(late.sum())

        kinds = carry + forced.get(d, []) + [C.BAD_KINDS[k] for k in
                                             rng.integers(0, len(C.BAD_KINDS), rng.binomial(n, bad_rate))]
        carry = []
        extras: list[tuple[int, int, bytes]] = []
        m = len(on_time)
        for line in arrivals:
            extras.append((int(rng.integers(0, m + 1)), len(extras), line))
        planted = bad_lines([k for k in kinds if k != "duplicate"], batch, renderer,
                            serial_base(d) + len(batch), day_ms, rng)
        if not planted:
            carry += [k for k in kinds if k != "duplicate"]
        for kind, line in planted:
            extras.append((int(rng.integers(0, m + 1)), len(extras), line))
            stats.bad[kind] += 1
        for _ in range(kinds.count("duplicate")):
            if m and (not reservoir or rng.random() < 0.5):     # again, later in the same file
                i = int(rng.integers(0, m))
                extras.append((int(rng.integers(i + 1, m + 1)), len(extras), on_time[i]))
            elif reservoir:                                     # again, in a later file
                line = reservoir.pop(int(rng.integers(0, len(reservoir))))
                extras.append((int(rng.integers(0, m + 1)), len(extras), line))
            else:
                carry.append("duplicate")
                continue
            stats.bad["duplicate"] += 1
            stats.duplicates += 1

        out = _merge(on_time, extras)
        write_lines(part_path(root, network, date.isoformat()), out)
        stats.lines_written += len(out)
        stats.events_valid += m + len(arrivals)
        written = on_time + arrivals
        keep = rng.choice(len(written), size=min(RESERVOIR // 2, len(written)), replace=False)
        reservoir = reservoir[-RESERVOIR // 2:] + [written[i] for i in np.sort(keep).tolist()]
        progress(network, d, len(out))
    assert not pending, "late lines left undelivered"
    return stats
