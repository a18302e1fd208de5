"""How much state a night would carry across nights, against the window's rows it reads today
(issue 22: the design input for carrying the window's sums; docs/capacity.md).

    make run    # or any data root a nightly of --date has published
    .venv/bin/python -m benchmarks.carry_state --data-root data --date 2026-09-30

Counts, on the window of --date exactly as the `window` stage reads it (jobs/window.py:
delivered by D, retractions netted, resolved to profiles, opted-out profiles left out): its
partial rows, interactions and posts; the engager → author pairs (what a carried pair sum keeps),
per event type, per day and per week back from D (what the burst rule would need per pair); the
author-weeks, and the author-days and engager-days (what a burst rule weighed before engager
quality, candidate v6, and engager quality's active days would carry); the new day's rows; how
much of the window sits in author-weeks the burst rule damps tonight (read from the published
edges: the rows a carried night would still revisit); and the engagers whose quality is below 1.
Results: benchmarks/results/carry-state-<label>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from pyspark.sql import functions as F

from benchmarks import END, save_result
from benchmarks.run import commit
from pipelines.core.config import load_config
from pipelines.core.io import read_table
from pipelines.core.jobrun import JobContext
from pipelines.core.session import get_spark
from jobs.window import window_events
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES


def state_sizes(events, edges, run_date: dt.date) -> dict:
    """Row counts of the window (`events`: window_events()) and of what carrying would keep."""
    interactions = events.where((F.col("event_type") != "post") & (F.col("actor_id") != F.col("target_id")))
    week = F.floor(F.datediff(F.lit(run_date), F.col("event_date")) / 7).alias("week")
    damped = (edges.where(F.col("burst_factor") < 1).select(F.col("author_id").alias("target_id")).distinct())

    def distinct(frame, *cols):
        return frame.select(*cols).distinct().count()

    return {
        "partial_rows": events.count(),
        "events": events.agg(F.sum("events")).first()[0],
        "post_rows": events.where(F.col("event_type") == "post").count(),
        "interaction_rows": interactions.count(),
        "pairs": distinct(interactions, "actor_id", "target_id"),
        "pair_types": distinct(interactions, "actor_id", "target_id", "event_type"),
        "pair_days": distinct(interactions, "actor_id", "target_id", "event_date"),
        "pair_weeks": distinct(interactions, "actor_id", "target_id", week),
        "author_weeks": distinct(interactions, "target_id", week),
        "author_days": distinct(interactions, "target_id", "event_date"),
        "engager_days": distinct(events, "actor_id", "event_date"),
        "new_day_rows": events.where(F.col("landing_date") == F.lit(run_date)).count(),
        "authors_with_a_damped_week": damped.count(),
        "interaction_rows_of_those_authors": interactions.join(damped, "target_id", "left_semi").count(),
        "edges_published": edges.count(),
        "engagers_below_full_quality": distinct(edges.where(F.col("engager_quality") < 1), "engager_id"),
    }


def window_of_date(description: str, app: str):
    """The command line of the carried-window benchmarks (--data-root, --date, --label, --out),
    their config and session, and the window of --date as the `window` stage reads it (cached)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-root", default="data")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=END)
    parser.add_argument("--label", default="small", help="names the result file")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    cfg = load_config("local", {"paths.data_root": args.data_root, "spark.driver_memory": "6g"})
    spark = get_spark(cfg, app)
    return args, cfg, spark, window_events(JobContext(spark, cfg, args.date, app)).cache()


def main() -> None:
    args, cfg, spark, events = window_of_date(__doc__.split("\n\n")[0], "carry-state")
    edges = read_table(spark, cfg, ENGAGEMENT_EDGES).where(F.col("snapshot_date") == F.lit(args.date))
    sizes = state_sizes(events, edges, args.date)
    rows = sizes["interaction_rows"]
    save_result(args.out, f"carry-state-{args.label}.json", {
        "date": str(args.date), "window_days": cfg.pipeline.window_days, "commit": commit(), **sizes,
        "pairs_per_interaction_row": round(sizes["pairs"] / rows, 3),
        "pair_weeks_per_interaction_row": round(sizes["pair_weeks"] / rows, 3),
        "pair_days_per_interaction_row": round(sizes["pair_days"] / rows, 3),
        "author_days_per_interaction_row": round(sizes["author_days"] / rows, 3),
        "engager_days_per_interaction_row": round(sizes["engager_days"] / rows, 3),
        "damped_authors_share_of_interaction_rows": round(sizes["interaction_rows_of_those_authors"] / rows, 3),
        "new_day_share_of_window": round(sizes["new_day_rows"] / sizes["partial_rows"], 4)})


if __name__ == "__main__":
    main()
