"""How what a night passes over grows with the window's length: the window's partial rows, the
account pairs and pair-days of its interactions (the edges a night must publish, before profiles
are resolved), the account-days of its activity and the author-days of what was received, for
windows of 7, 30 and 90 days ending at --date, as delivered by then (silver.daily_partials).

A count, not a timing: it says which of a night's passes a carried state can shrink (the ones
over days) and which it cannot (the ones over pairs: every edge is published every night, its
weight decayed). After `make run`:

    .venv/bin/python -m benchmarks.window_growth --data-root data --label small
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

from benchmarks import END, save_result
from benchmarks.run import commit

WINDOWS = (7, 30, 90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", default="data")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=END)
    parser.add_argument("--label", default="small", help="names the result file")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--driver-memory", default=None, help="e.g. 10g (default: the local config's)")
    args = parser.parse_args()

    from pyspark.sql import functions as F

    from jobs.transforms.carry import is_pair
    from jobs.transforms.engagement import in_window
    from jobs.window import AUTHORED
    from pipelines.core.config import load_config
    from pipelines.core.io import read_table
    from pipelines.core.session import get_spark
    from schemas.silver_daily_partials import DAILY_PARTIALS

    memory = {"spark.driver_memory": args.driver_memory} if args.driver_memory else {}
    cfg = load_config("local", {"paths.data_root": args.data_root, **memory})
    spark = get_spark(cfg, "window-growth")
    delivered = read_table(spark, cfg, DAILY_PARTIALS).where(F.col("landing_date") <= F.lit(args.date))

    def distinct(frame, *columns) -> int:
        return frame.select(*columns).distinct().count()

    counts = {}
    for days in WINDOWS:
        rows = in_window(delivered, snapshot_date=args.date, window_days=days).persist()
        pair_rows = rows.where(is_pair())
        counts[days] = {
            "rows": rows.count(),
            "pair_rows": pair_rows.count(),
            "pair_days": distinct(pair_rows, "actor_account", "target_account", "event_date"),
            "pairs": distinct(pair_rows, "actor_account", "target_account"),
            "author_days": distinct(pair_rows, "target_account", "event_date"),
            "account_days": distinct(rows, "actor_account", "event_date"),
            "accounts": distinct(rows, "actor_account"),
            "posts_and_shares": rows.where(F.col("event_type").isin(*AUTHORED)).count(),
        }
        rows.unpersist()
    spark.stop()
    longest, shortest = counts[WINDOWS[-1]], counts[WINDOWS[0]]
    save_result(args.out, f"window-growth-{args.label}.json", {
        "date": str(args.date), "commit": commit(), "machine": f"{os.cpu_count()} cores",
        "load_average_1m": round(os.getloadavg()[0], 1), "counts": counts,
        f"growth_{WINDOWS[0]}_to_{WINDOWS[-1]}": {k: round(longest[k] / shortest[k], 2) for k in longest}})


if __name__ == "__main__":
    main()
