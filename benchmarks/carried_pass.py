"""The window's state carried across nights against the window's rows, on the production code
(issue 22; docs/capacity.md "The carried state in the nightly").

    make run    # or any data root whose partials reach --date
    .venv/bin/python -m benchmarks.carried_pass --data-root data --date 2026-09-30

On the window of --date exactly as the `window` stage reads it (jobs/window.py), with the
published model's rules (v6: it carries):

- the state: built from the window's partial rows (jobs/transforms/carry.py `window_state`, what
  a first night or a recompute does) against carried from the day before's (`carried`: the day
  that left dropped, --date's slice added); both materialised, and compared row for row;
- the edges: from the window's rows (jobs/transforms/engagement.py `engagement_edges`, engager
  quality included, the window resolved and cached beforehand, as the `window` stage keeps it)
  against from the carried state (`edges_from_state`: the state resolved to profiles as of
  --date, the window's posts for the automation signal); compared pair by pair.

Each side is timed twice, alternating, in one session, writing to Spark's `noop` sink (the
state's own write, which a night adds, is not timed). Results: benchmarks/results/carried-pass-<label>.json.
"""
from __future__ import annotations

import datetime as dt
import time

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from benchmarks import save_result
from benchmarks.carry_state import window_of_date
from benchmarks.run import commit
from jobs.transforms.carry import carried, edges_from_state, state_activity, window_state
from jobs.transforms.engagement import engagement_edges, engager_quality
from jobs.window import as_profiles, window_rows
from pipelines.core.config import load_model
from pipelines.core.io import read_table
from pipelines.core.jobrun import JobContext
from schemas.silver_daily_partials import DAILY_PARTIALS

EDGE_COLUMNS = ("interactions", "engager_quality", "raw_weight", "weight", "burst_factor", "ring_factor",
                "automation_factor")


def timed(build) -> tuple[float, DataFrame]:
    """Seconds to build the frame and run it to the noop sink."""
    started = time.perf_counter()
    frame = build()
    frame.write.format("noop").mode("overwrite").save()
    return round(time.perf_counter() - started, 2), frame


def differences(a: DataFrame, b: DataFrame) -> dict:
    """Pairs in one edge set only, and per column the largest relative difference and the count differing."""
    joined = a.alias("a").join(b.alias("b"), ["engager_id", "author_id"], "full_outer")
    aggs = [F.count(F.lit(1)).alias("pairs"),
            F.sum((F.col("a.weight").isNull() | F.col("b.weight").isNull()).cast("int")).alias("unmatched")]
    for c in EDGE_COLUMNS:
        diff = F.abs(F.col(f"a.{c}") - F.col(f"b.{c}")) / F.greatest(F.abs(F.col(f"b.{c}")), F.lit(1e-12))
        aggs += [F.max(diff).alias(f"{c}_max_relative"), F.sum((F.col(f"a.{c}") != F.col(f"b.{c}")).cast("int"))
                 .alias(f"{c}_differing")]
    return joined.agg(*aggs).first().asDict()


def main() -> None:
    args, cfg, spark, events = window_of_date(__doc__.split("\n\n")[0], "carried-pass")
    model, days, date = load_model(cfg.pipeline.model_version), cfg.pipeline.window_days, args.date
    ctx, eve = JobContext(spark, cfg, date, "carried-pass"), JobContext(spark, cfg, date - dt.timedelta(days=1), "cp")
    rows, before = window_rows(ctx).cache(), {k: v.localCheckpoint() for k, v in window_state(
        window_rows(eve), snapshot_date=eve.run_date, window_days=days).items()}
    delivered = read_table(spark, cfg, DAILY_PARTIALS).where(F.col("landing_date") == F.lit(date)).cache()
    window_rows_n, delivered_n = rows.count(), delivered.count()
    posts = events.where(F.col("event_type") == "post")

    def state_edges(state):
        pairs = as_profiles(ctx, state["pairs"])
        return edges_from_state(pairs, state_activity(pairs, as_profiles(ctx, state["solo"])), posts, model,
                                snapshot_date=date, window_days=days).localCheckpoint()

    def row_edges():
        quality = engager_quality(events, human_daily_actions=model.engager_quality.human_daily_actions)
        return engagement_edges(events, quality, model, snapshot_date=date, window_days=days).localCheckpoint()

    seconds = {"state_built": [], "state_carried": [], "edges_from_rows": [], "edges_from_state": []}
    for _ in range(2):
        took, built = timed(lambda: {k: v.localCheckpoint() for k, v in window_state(
            rows, snapshot_date=date, window_days=days).items()}["pairs"])
        seconds["state_built"].append(took)
        state = {}
        took, _ = timed(lambda: state.update({k: v.localCheckpoint() for k, v in carried(
            before, delivered, snapshot_date=date, window_days=days).items()}) or state["pairs"])
        seconds["state_carried"].append(took)
        took, from_rows = timed(row_edges)
        seconds["edges_from_rows"].append(took)
        took, from_state = timed(lambda: state_edges(state))
        seconds["edges_from_state"].append(took)
    scratch = window_state(rows, snapshot_date=date, window_days=days)
    state_rows = {k: v.count() for k, v in state.items()}
    unequal = {k: state[k].exceptAll(scratch[k]).count() + scratch[k].exceptAll(state[k]).count() for k in state}
    best = {k: min(v) for k, v in seconds.items()}
    save_result(args.out, f"carried-pass-{args.label}.json", {
        "date": str(date), "window_days": days, "model": model.version, "commit": commit(),
        "window_partial_rows": window_rows_n, "delivered_rows": delivered_n, "state_rows": state_rows,
        "carried_rows_not_in_built_and_back": unequal, "seconds": seconds,
        "carried_over_built": round(best["state_carried"] / best["state_built"], 3),
        "edges_from_state_over_rows": round(best["edges_from_state"] / best["edges_from_rows"], 3),
        "edges": differences(from_state, from_rows),
        "not_timed": "the window's read and resolution to profiles (cached before: the row path needs it, the "
                     "state path reads only its posts), the state's write, the publishing"})


if __name__ == "__main__":
    main()
