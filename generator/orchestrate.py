"""`generate`: build a whole landing zone in a staging directory, then swap it into place.

Networks are independent given the population, so they can run in worker processes ("spawn":
each rebuilds the same population from the seed; no fork of a possibly threaded parent). The
output is byte-identical whatever the number of workers.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import queue as queue_mod
import shutil
import time
import traceback
from pathlib import Path
from typing import Callable

from . import config as C
from .delivery import NetworkStats, run_network
from .population import build_population
from schemas.ontology import load_ontology
from .truth import account_index, write_accounts, write_truth
from .writer import check_replaceable, staging_dir, swap_into_place


class _Progress:
    """One log line per ~10% of (network, day) units, with events written so far (every
    line, bad ones included) and events/s."""

    def __init__(self, total_units: int, log: Callable[[str], None]):
        self.total, self.log = total_units, log
        self.units = self.lines = 0
        self.next_decile = 1
        self.t0 = time.perf_counter()

    def __call__(self, network: str, day: int, lines: int) -> None:
        self.units += 1
        self.lines += lines
        if self.units * 10 >= self.next_decile * self.total:
            while self.units * 10 >= self.next_decile * self.total:
                self.next_decile += 1
            rate = self.lines / max(time.perf_counter() - self.t0, 1e-9)
            self.log(f"[generate] {100 * self.units // self.total:3d}% "
                     f"({self.units}/{self.total} network-days) {self.lines:,} events, {rate:,.0f} events/s")


def _worker(args: dict, networks: list[str], root: str, q) -> None:
    try:
        onto = load_ontology()
        pop = build_population(args["profiles"], args["days"], args["seed"], onto)
        for net in networks:
            st = run_network(pop, onto, net, seed=args["seed"], days=args["days"],
                             start_date=args["start"], bad_rate=args["bad_rate"], root=Path(root),
                             progress=lambda n, d, k: q.put(("progress", n, d, k)))
            q.put(("done", net, st))
    except BaseException:                                   # report, the parent raises
        q.put(("error", "".join(traceback.format_exc())))


def _balance(workers: int) -> list[list[str]]:
    """Networks per worker, biggest first to the least loaded (volume ~ NETWORK_WEIGHT, times
    the network's cost per line)."""
    load, plan = [0.0] * workers, [[] for _ in range(workers)]
    costs = [w * C.RENDER_COST.get(n, 1.0) for w, n in zip(C.NETWORK_WEIGHT, C.NETWORKS)]
    for weight, net in sorted(zip(costs, C.NETWORKS), reverse=True):
        w = load.index(min(load))
        plan[w].append(net)
        load[w] += weight
    return [p for p in plan if p]


class WorkersUnavailable(RuntimeError):
    """No worker process got going, typically because the calling script re-runs generate()
    on import (no `if __name__ == "__main__":` guard, which "spawn" needs)."""


def _run_parallel(args: dict, root: Path, workers: int, progress: _Progress) -> dict[str, NetworkStats]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(args, nets, str(root), q), daemon=True)
             for nets in _balance(workers)]
    for p in procs:
        p.start()
    stats: dict[str, NetworkStats] = {}
    heard = False
    try:
        while len(stats) < len(C.NETWORKS):
            try:
                msg = q.get(timeout=1.0)
            except queue_mod.Empty:
                dead = [p for p in procs if p.exitcode not in (None, 0)]
                if dead and not heard:
                    raise WorkersUnavailable(f"worker exited with code {dead[0].exitcode} before starting")
                if dead:
                    raise RuntimeError(f"generator worker died with exit code {dead[0].exitcode}")
                continue
            heard = True
            if msg[0] == "progress":
                progress(*msg[1:])
            elif msg[0] == "done":
                stats[msg[1]] = msg[2]
            else:
                raise RuntimeError("generator worker failed:\n" + msg[1])
        for p in procs:
            p.join()
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join()
    return stats


def generate(out: Path, *, profiles: int, days: int, seed: int = 7,
             end_date: dt.date = dt.date(2026, 9, 30), bad_rate: float = 0.005,
             log: Callable[[str], None] = print, workers: int | None = None) -> dict:
    """Write a landing zone for `days` delivery dates ending at `end_date` (inclusive) and
    return the truth summary (also written to <out>/_truth/truth.json).

    workers: processes for the networks; None picks min(len(NETWORKS), cpus), 1 for small runs.
    """
    if not isinstance(profiles, int) or profiles < 50:
        raise ValueError(f"profiles must be an integer >= 50, got {profiles!r}")
    if not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a positive integer, got {days!r}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(end_date, dt.date) or isinstance(end_date, dt.datetime):
        raise ValueError(f"end_date must be a datetime.date, got {end_date!r}")
    if not 0.0 <= bad_rate < 0.5:
        raise ValueError(f"bad_rate must be in [0, 0.5), got {bad_rate!r}")
    if getattr(mp.current_process(), "_inheriting", False):
        # We are a worker being spawned, and the caller's script runs generate() on import.
        raise RuntimeError("generate() called while a worker process starts: guard the calling "
                           "script with `if __name__ == \"__main__\":` (or pass workers=1)")
    out = Path(out)
    check_replaceable(out)
    if workers is None:
        workers = 1 if profiles * days < 200_000 else min(len(C.NETWORKS), os.cpu_count() or 1)
    start = end_date - dt.timedelta(days=days - 1)
    args = {"profiles": profiles, "days": days, "seed": seed, "start": start, "bad_rate": bad_rate}
    log(f"[generate] {profiles:,} profiles x {days} days ({start} .. {end_date}), seed {seed}, "
        f"bad_rate {bad_rate}, {workers} worker(s) -> {out}")
    t0 = time.perf_counter()
    tmp = staging_dir(out)
    try:
        progress = _Progress(days * len(C.NETWORKS), log)
        onto = load_ontology()
        stats = None
        if workers > 1:
            try:
                stats = _run_parallel(args, tmp, workers, progress)
            except WorkersUnavailable as exc:
                log(f"[generate] worker processes unavailable ({exc}); continuing with 1 worker")
                progress = _Progress(days * len(C.NETWORKS), log)
        pop = build_population(profiles, days, seed, onto)
        if stats is None:       # serial: the same code and random streams, so the same bytes
            stats = {net: run_network(pop, onto, net, seed=seed, days=days, start_date=start,
                                      bad_rate=bad_rate, root=tmp, progress=progress)
                     for net in C.NETWORKS}
        index = account_index(pop)
        acc = write_accounts(pop, tmp, start, index)
        params = {"profiles": profiles, "days": days, "seed": seed,
                  "end_date": end_date.isoformat(), "start_date": start.isoformat(),
                  "bad_rate": bad_rate}
        summary = write_truth(pop, onto, tmp, stats, acc, params, start, index)
        swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    secs = time.perf_counter() - t0
    total = sum(summary["lines_written"].values())
    log(f"[generate] done: {total:,} events (lines) in {secs:.1f}s ({total / secs:,.0f}/s) -> {out}")
    return summary
