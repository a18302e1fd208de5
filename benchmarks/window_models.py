"""The `window` stage alone under two models, alternating on one warehouse: a model whose edges
come from the window's state carried across nights (v6) beside one whose edges come from the
window's rows (v3), on the same window (issue 22; docs/capacity.md).

    make run    # or any data root whose partials reach --date
    .venv/bin/python -m benchmarks.window_models --data-root data --date 2026-09-30

    # 1M profiles, 7 days: generate, then --fold-first runs the stages before the window for --date
    .venv/bin/clout generate --profiles 1000000 --days 7 --out /tmp/med/landing
    .venv/bin/python -m benchmarks.window_models --data-root /tmp/med --fold-first --rounds 2 \
        --driver-memory 10g --label medium-7d

First the carrying model's stage runs for the day before (its state; the accounts and profiles as
of that day first; not timed); then the
stage for --date, `--rounds` times per model, alternating, in one session. Each run publishes
--date's edges, features and topics (the data quality gate's row-drift check is relaxed: the
models publish different snapshots of one date). Results: benchmarks/results/window-models-<label>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

from benchmarks import END, save_result
from benchmarks.run import commit
from pipelines.core.config import load_config
from pipelines.core.jobrun import run_job
from pipelines.core.session import get_spark
from pipelines.orchestration.nightly import STAGES, context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", default="data")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=END)
    parser.add_argument("--models", nargs=2, default=["v3", "v6"], help="from the rows, then carrying")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--label", default="small", help="names the result file")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--driver-memory", default=None, help="e.g. 10g (default: the local config's)")
    parser.add_argument("--fold-first", action="store_true",
                        help="first ingest and fold what is landed (the stages before the window), not timed")
    args = parser.parse_args()
    memory = {"spark.driver_memory": args.driver_memory} if args.driver_memory else {}
    cfgs = {m: load_config("local", {"paths.data_root": args.data_root, "pipeline.model_version": m,
                                     "dq.min_row_ratio": 0.01, **memory}) for m in args.models}
    spark = get_spark(cfgs[args.models[1]], "window-models")
    names = [name for name, _ in STAGES]
    if args.fold_first:
        for name, job in STAGES[:names.index("window")]:
            run_job(context(spark, cfgs[args.models[1]], args.date), name, job)
    stage = dict(STAGES)["window"]
    # the day before's state, from the accounts and profiles as of that day (without them every account
    # would stand alone, and the day before's snapshots would fail the next nightly's row-drift check)
    day_before = context(spark, cfgs[args.models[1]], args.date - dt.timedelta(days=1))
    run_job(day_before, "profiles", dict(STAGES)["profiles"])
    run_job(day_before, "window", stage)
    seconds, messages, loads = {m: [] for m in args.models}, {}, []
    for _ in range(args.rounds):
        for model in args.models:
            started = time.perf_counter()
            outcome = run_job(context(spark, cfgs[model], args.date), "window", stage)
            seconds[model].append(round(time.perf_counter() - started, 1))
            messages[model] = outcome.message or "edges from the window's rows"
            loads.append(round(os.getloadavg()[0], 1))
    spark.stop()
    medians = {m: sorted(s)[len(s) // 2] for m, s in seconds.items()}
    save_result(args.out, f"window-models-{args.label}.json", {
        "date": str(args.date), "window_days": cfgs[args.models[0]].pipeline.window_days, "commit": commit(),
        "machine": f"{os.cpu_count()} cores, {cfgs[args.models[0]].spark.master}, driver memory "
                   f"{cfgs[args.models[0]].spark.driver_memory}", "load_average_1m": loads,
        "seconds": seconds, "how": messages, "median_seconds": medians,
        "carrying_over_rows": round(medians[args.models[1]] / medians[args.models[0]], 3)})


if __name__ == "__main__":
    main()
