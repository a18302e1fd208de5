"""engagement_edges: silver.events (window ending at D) → gold.engagement_edges for D.

Engager quality is computed here and again by the scores job, from the same rule
(jobs.transforms.engagement.engager_quality) over the same window. Replaces the snapshot date's
partition atomically.
"""
from __future__ import annotations

import sys

from jobs.transforms.engagement import engagement_edges, engager_quality
from jobs.window_events import window_events
from pipelines.config import load_model
from pipelines.io import count_snapshot, replace_where
from pipelines.jobrun import JobContext, JobResult, submit_main
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES

JOB = "engagement_edges"


def run(ctx: JobContext) -> JobResult:
    """Build the weighted engager → author graph of the window ending at the run date."""
    model = load_model(ctx.cfg.pipeline.model_version)
    events = window_events(ctx).persist()
    quality = engager_quality(events, human_daily_actions=model.engager_quality.human_daily_actions)
    edges = engagement_edges(events, quality, model, snapshot_date=ctx.run_date)
    replace_where(edges, ctx.cfg, ENGAGEMENT_EDGES, f"snapshot_date = '{ctx.run_date}'")
    rows_in = events.count()
    events.unpersist()
    written = count_snapshot(ctx.spark, ctx.cfg, ENGAGEMENT_EDGES, ctx.run_date)
    return JobResult(rows_in=rows_in, rows_out=written, model_version=model.version)


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
