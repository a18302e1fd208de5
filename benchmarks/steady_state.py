"""The steady-state night: one new delivery day after the window is built, per stage, for windows
of 7, 30 and 90 days on the same population (issue 22's target: 90 days ≤ 1.5× 7 days).

    .venv/bin/python -m benchmarks.steady_state --scale small [--models v3 v6]
    .venv/bin/python -m benchmarks.steady_state --profiles 100000 --windows 7 90 --driver-memory 10g \
        [--keep-built DIR | --built DIR]
    .venv/bin/python -m benchmarks.steady_state --profiles 1000000 --windows 90 --driver-memory 12g --build-days 10


Generates the scale's sample over the longest window + 1 days, once. The build (everything
delivered by the day before the last, folded into the partials, gold published with a 90-day
window) is a backfill, timed apart. Then, for each window, on a copy of that warehouse: the gold
stages of the day before the last with that window (not timed: the warm start, the score
smoothing and the window's carried state read the day before), and the whole nightly of the last
day, timed per stage (the build's own window and model skip the day before's gold: the build
published it; a single night runs on the build itself, without a copy: what a 1M-profile run
needs to fit in a few hours and the disk). With several `--models` (the published one by
default), each model's nights on their own copies, alternating: a model that carries the
window's state across nights (v6) beside one whose edges are computed from the window's rows (v3).
`--keep-built DIR` keeps a copy of the build (landing zone included); `--built DIR` measures the
nights on such a copy instead of generating and building again (a later commit's nights on the
same window). Results:
benchmarks/results/steady-state-<scale>.json and .md (`--profiles`: a population of that many over
the scale's days, named by its size, e.g. steady-state-100k).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks import END, generated_sample, save_result, temporary_root
from benchmarks.run import commit
from generator import SCALES
from pipelines.core.config import load_config
from pipelines.core.jobrun import run_job
from pipelines.core.session import get_spark
from pipelines.orchestration.nightly import STAGES, context

GOLD = ("window", "network_influence", "scores")
INGEST = ("ingest_bronze", "profiles", "ingest_silver", "daily_partials")


def ingest_days(eve: dt.date, delivered: int, chunk: int | None) -> list[dt.date]:
    """The dates before `eve` whose ingest stages take in the build's `delivered` days `chunk` at a
    time (each ingests what landed by its date); none when the build ingests them all at once."""
    if not chunk or chunk >= delivered:
        return []
    first = eve - dt.timedelta(days=delivered - 1)
    return [first + dt.timedelta(days=k) for k in range(chunk - 1, delivered - 1, chunk)]


def timed_stages(spark, cfg, day: dt.date, names) -> dict:
    stages = {}
    ctx = context(spark, cfg, day)
    for name, body in STAGES:
        if name in names:
            started = time.perf_counter()
            outcome = run_job(ctx, name, body)
            stages[name] = {"seconds": round(time.perf_counter() - started, 1), "rows_in": outcome.rows_in,
                            "rows_out": outcome.rows_out, "message": outcome.message}
            print(f"[steady-state] {day} {cfg.pipeline.window_days}-day window, {name}: {stages[name]['seconds']} s",
                  flush=True)
    return stages


@contextmanager
def built_copy(built: Path) -> Iterator[Path]:
    """A temporary data root holding a copy of a kept build (as `built/`); removed after."""
    with temporary_root("clout-steady-") as root:
        shutil.copytree(built, root / "built")
        yield root


def markdown(result: dict) -> str:
    nights = {f"{w}-day window, {m} (s)": night for m, by_window in result["steady"].items()
              for w, night in by_window.items()}
    widest = max(int(window) for by_window in result["steady"].values() for window in by_window)
    chunks = f"ingested {result['build_days']} at a time" if result.get("build_days") else "at once"
    lines = [f"# Steady-state night `{result['scale']}` — {result['date']}", "",
             f"{result['machine']}; {result['profiles']:,} profiles × {result['days']} days landed; code "
             f"{result['commit']}; 15-minute load average {result['load_average_15m']} (a shared machine).", "",
             f"Build (a backfill: {result['days'] - 1} delivery days {chunks}, {widest}-day window): "
             + (f"{result['build_s']} s." if result["build_s"] is not None else "an earlier run's, reused (`--built`)."),
             "",
             "| stage | " + " | ".join(nights) + " |",
             "|---|" + "---|" * len(nights)]
    for name, _ in STAGES:
        lines.append(f"| {name} | " + " | ".join(str(n["stages"][name]["seconds"]) for n in nights.values()) + " |")
    lines.append("| **night** | " + " | ".join(f"**{n['night_s']}**" for n in nights.values()) + " |")
    lines.append("| window stage's state | " + " | ".join(n["stages"]["window"]["message"] or "(from the rows)"
                                                        for n in nights.values()) + " |")
    lines.append("")
    lines += [f"90-day night / 7-day night, {m}: **{ratio}** (target ≤ 1.5)."
              for m, ratio in result["ratio_90_to_7"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="small")
    ap.add_argument("--windows", type=int, nargs="+", default=[7, 30, 90])
    ap.add_argument("--models", nargs="+", default=None, help="model versions (default: the published one)")
    ap.add_argument("--profiles", type=int, default=None, help="population size (default: the scale's)")
    ap.add_argument("--driver-memory", default=None, help="e.g. 10g (default: the local config's)")
    ap.add_argument("--keep-built", type=Path, default=None, help="copy the build there (a new folder)")
    ap.add_argument("--build-days", type=int, default=None,
                    help="ingest the build's delivery days this many at a time (default: all at once); a 1M-profile "
                         "build at once fills the disk with the ingest's scratch")
    ap.add_argument("--built", type=Path, default=None, help="a build kept with --keep-built: only the nights run")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args(argv)
    profiles, days = args.profiles or SCALES[args.scale]["profiles"], max(args.windows) + 1
    label = args.scale if args.profiles is None else f"{args.profiles // 1000}k"
    memory = {"spark.driver_memory": args.driver_memory} if args.driver_memory else {}
    eve = END - dt.timedelta(days=1)
    with (generated_sample(profiles, days, prefix="clout-steady-") if args.built is None
          else built_copy(args.built)) as root:
        def cfg_for(data_root: Path, window: int, model: str | None = None):
            return load_config("local", {"paths.data_root": str(data_root), "pipeline.window_days": window, **memory,
                                         **({"pipeline.model_version": model} if model else {})})

        built_cfg = cfg_for(root / "built", max(args.windows))
        spark = get_spark(built_cfg, "clout-steady-state")
        build, build_s, chunks = {}, None, {}
        if args.built is None:
            built_cfg.paths.landing.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(root / "landing"), str(built_cfg.paths.landing))
            started = time.perf_counter()
            chunks = {str(day): timed_stages(spark, built_cfg, day, set(INGEST))   # landed days in chunks, then gold
                      for day in ingest_days(eve, days - 1, args.build_days)}
            build = timed_stages(spark, built_cfg, eve, {name for name, _ in STAGES})
            build_s = round(time.perf_counter() - started, 1)
            if args.keep_built:
                shutil.copytree(root / "built", args.keep_built)
        models = args.models or [built_cfg.pipeline.model_version]
        steady = {model: {} for model in models}
        only_night = len(args.windows) * len(models) == 1
        for window in args.windows:
            for model in models:
                # the build's own window and model: its gold of the day before is already published
                as_built = (args.built is None and window == max(args.windows)
                            and model == built_cfg.pipeline.model_version)
                night_root = root / "built" if only_night else root / f"w{window}"
                cfg = cfg_for(night_root, window, model)
                if not only_night:
                    shutil.copytree(root / "built", night_root)
                if not as_built:
                    timed_stages(spark, cfg, eve, set(GOLD))
                started = time.perf_counter()
                stages = timed_stages(spark, cfg, END, {name for name, _ in STAGES})
                steady[model][window] = {"night_s": round(time.perf_counter() - started, 1), "stages": stages}
                if not only_night:
                    shutil.rmtree(night_root)
        spark.stop()
    result = {"scale": label, "profiles": profiles, "days": days, "date": dt.date.today().isoformat(),
              "commit": commit(), "machine": f"{os.cpu_count()} cores, {built_cfg.spark.master}, "
                                             f"driver memory {built_cfg.spark.driver_memory}",
              "load_average_15m": round(os.getloadavg()[2], 1), "build_s": build_s, "build_days": args.build_days,
              "build_chunks": chunks, "build": build,
              "steady": steady}
    result["ratio_90_to_7"] = {model: round(nights[90]["night_s"] / nights[7]["night_s"], 2)
                               for model, nights in steady.items() if 7 in nights and 90 in nights}
    save_result(args.out, f"steady-state-{label}.json", result)
    (args.out / f"steady-state-{label}.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
