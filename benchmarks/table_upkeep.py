"""Small files after consecutive nightlies, and what `clout compact` does about them.

    .venv/bin/python -m benchmarks.table_upkeep --root /tmp/upkeep --nights 6

Generates the test sample (300 profiles × 21 days, seed 11; benchmarks/nightly_settings.py) under
--root, runs the nightlies of the N dates ending on its last day in one driver, then per table:
active files (those the latest version reads) before and after compaction, the files rewritten,
the seconds of the compaction and of a second one (nothing left to do: what a night's upkeep
costs once caught up), and the seconds to read every table's rows, three times before and three
times after. Result: benchmarks/results/table-upkeep-<N>nights.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

from benchmarks import save_result
from benchmarks.nightly_settings import DAY, fresh_test_sample
from benchmarks.run import commit
from pipelines.core.io import read_table, table_exists
from pipelines.core.session import get_spark
from pipelines.orchestration.nightly import run_nightly
from pipelines.orchestration.upkeep import active_files, compact
from schemas.registry import TABLES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, required=True, help="folder for the sample and the tables")
    ap.add_argument("--nights", type=int, default=6, help="consecutive nightlies before compaction (default 6)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args()
    cfg = fresh_test_sample(args.root)
    spark = get_spark(cfg, "clout-bench-upkeep")
    started = time.perf_counter()
    for night in range(args.nights):
        run_nightly(cfg, DAY - dt.timedelta(days=args.nights - 1 - night), spark=spark)
    nightlies_s = time.perf_counter() - started

    def files() -> dict[str, int]:
        return {s.qualified_name: active_files(spark, cfg, s) for s in TABLES if table_exists(spark, cfg, s)}

    def read_every_table() -> float:
        began = time.perf_counter()
        for spec in TABLES:
            if table_exists(spark, cfg, spec):
                read_table(spark, cfg, spec).count()
        return round(time.perf_counter() - began, 2)

    before, reads_before = files(), [read_every_table() for _ in range(3)]
    began = time.perf_counter()
    done = compact(spark, cfg)
    compact_s = time.perf_counter() - began
    after, reads_after = files(), [read_every_table() for _ in range(3)]
    began = time.perf_counter()
    again = compact(spark, cfg)
    again_s = time.perf_counter() - began
    save_result(args.out, f"table-upkeep-{args.nights}nights.json", {
        "what": f"active files per table after {args.nights} consecutive nightlies of the test sample "
                "(300 profiles x 21 days, seed 11), before and after `clout compact`, and reading every table",
        "command": f".venv/bin/python -m benchmarks.table_upkeep --root <dir> --nights {args.nights}",
        "date": str(dt.date.today()), "commit": commit(),
        "machine": "2 cores, local[2], driver memory 3g, 2 shuffle partitions (the test settings)",
        "load_average_15min": round(os.getloadavg()[2], 1),
        "nightlies_s": round(nightlies_s, 1),
        "files_before": before, "files_after": after,
        "total_files": {"before": sum(before.values()), "after": sum(after.values())},
        "rewritten": {c.table: c.rewritten for c in done if c.rewritten},
        "compact_s": round(compact_s, 1),
        "second_compact_s": round(again_s, 1), "second_compact_rewritten": sum(c.rewritten for c in again),
        "read_every_table_s": {"before": reads_before, "after": reads_after},
    })


if __name__ == "__main__":
    main()
