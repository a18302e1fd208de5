"""Where the `window` stage spends its time on the carried path (v6), phase by phase: the window's
rows counted, the state carried (or built) and written, pairs, activity and posts resolved (the
rows read and netted), the edges' sums, the anti-gaming signals, the edges' gate and write, then
the profile features published, the interactions topic scores read looked up (the rows read and
netted again), and the topic scores published.

The phases are jobs/window.py's `from_state` and `run`, step by step (keep them in step with it). Each
phase is forced (counted or checkpointed) before the next starts, so a phase's seconds are its
own; the stage itself pipelines some of them, so the sum is near, not equal to, the stage's time.
Needs a warehouse whose window state for the day before --date exists (benchmarks.window_models
leaves one), e.g. the 1M-profile, 7-day one:

    .venv/bin/python -m benchmarks.window_phases --data-root /tmp/med --driver-memory 10g --label medium-7d
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

from benchmarks import END, save_result
from benchmarks.run import commit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", default="data")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=END)
    parser.add_argument("--model", default="v6", help="a model that carries the window's state")
    parser.add_argument("--label", default="small", help="names the result file")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--driver-memory", default=None, help="e.g. 10g (default: the local config's)")
    args = parser.parse_args()

    from pyspark.sql import functions as F

    from jobs.carried_window import states_of
    from jobs.transforms.carry import edges_from_state, state_activity
    from jobs.window import (AUTHORED, as_profiles, features_snapshot, netted_rows, topic_interactions,
                             topics_snapshot, window_rows)
    from pipelines.core.io import read_table
    from pipelines.core.config import load_config, load_model, load_topics
    from pipelines.core.session import get_spark
    from pipelines.orchestration.nightly import context
    from pipelines.quality.publish import publish_snapshot
    from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
    from schemas.gold_profile_features import PROFILE_FEATURES
    from schemas.gold_topic_scores import TOPIC_SCORES

    memory = {"spark.driver_memory": args.driver_memory} if args.driver_memory else {}
    cfg = load_config("local", {"paths.data_root": args.data_root, "pipeline.model_version": args.model,
                                "dq.min_row_ratio": 0.01, **memory})
    spark = get_spark(cfg, "window-phases")
    ctx, model = context(spark, cfg, args.date), load_model(args.model)
    window_rows(ctx).limit(1).count()   # the session's first Delta read and query: not the first phase's cost
    phases, counts, clock = {}, {}, [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(now - clock[0], 1)
        clock[0] = now

    rows = netted_rows(ctx)   # not kept: netted as posts and as interactions are read
    counts["window_rows"] = window_rows(ctx).count()
    lap("rows counted")
    states, how = states_of(ctx, window_rows(ctx))
    lap("state carried or built, written")
    pairs = as_profiles(ctx, states["pairs"]).localCheckpoint()
    counts["pairs"] = pairs.count()
    lap("pairs resolved")
    activity = state_activity(pairs, as_profiles(ctx, states["solo"])).localCheckpoint()
    lap("activity from the states")
    authored = as_profiles(ctx, rows.where(F.col("event_type").isin(*AUTHORED))).persist()
    counts["posts_and_shares"] = authored.count()
    lap("posts and shares resolved")
    edges = edges_from_state(pairs, activity, authored.where(F.col("event_type") == "post"), model,
                             snapshot_date=args.date, window_days=cfg.pipeline.window_days)
    lap("edges: pair-days, quality, bursts, sums")
    edges = edges.localCheckpoint()
    counts["edges"] = edges.count()
    lap("edges: swaps, rings, automation")
    published = publish_snapshot(ctx, edges, ENGAGEMENT_EDGES)
    lap("published (staged, gate, write)")
    edges = read_table(spark, cfg, ENGAGEMENT_EDGES).where(F.col("snapshot_date") == F.lit(args.date))
    ontology = load_topics()
    features = publish_snapshot(ctx, features_snapshot(activity, authored, edges, model, ontology,
                                                       snapshot_date=args.date), PROFILE_FEATURES)
    lap("features published")
    interactions = topic_interactions(rows, pairs, edges, model, snapshot_date=args.date).persist()
    counts["topic_interactions"] = interactions.count()
    lap("topic interactions looked up")
    topics = publish_snapshot(ctx, topics_snapshot(interactions, authored, edges, model, ontology,
                                                   snapshot_date=args.date), TOPIC_SCORES)
    lap("topic scores published")
    spark.stop()
    save_result(args.out, f"window-phases-{args.label}.json", {
        "date": str(args.date), "model": args.model, "window_days": cfg.pipeline.window_days, "how": how,
        "commit": commit(), "machine": f"{os.cpu_count()} cores, {cfg.spark.master}, driver memory "
                                       f"{cfg.spark.driver_memory}", "load_average_1m": round(os.getloadavg()[0], 1),
        "counts": counts, "seconds": phases, "total_seconds": round(sum(phases.values()), 1),
        "gate_seconds": {name: round(p.gate_seconds, 1) for name, p in
                         (("edges", published), ("features", features), ("topics", topics))},
        "publish_seconds": round(published.publish_seconds, 1)})


if __name__ == "__main__":
    main()
