"""engagement_edges: silver.events (window ending at D) → gold.engagement_edges for D.

Engager quality (jobs.transforms.engagement.engager_quality) is computed here, once a night, and
published on every edge for the scores and topic jobs. Replaces the snapshot date's
partition atomically, through the data-quality gate (pipelines/quality/publish.py).
"""
from __future__ import annotations

import sys

from jobs.transforms.engagement import engagement_edges, engager_quality
from jobs.window_events import window_events
from pipelines.core.config import load_model
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from pipelines.quality.publish import publish_snapshot
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES

JOB = "engagement_edges"


def run(ctx: JobContext) -> JobResult:
    """Build the weighted engager → author graph of the window ending at the run date."""
    model = load_model(ctx.cfg.pipeline.model_version)
    events = window_events(ctx).persist()
    quality = engager_quality(events, human_daily_actions=model.engager_quality.human_daily_actions)
    edges = engagement_edges(events, quality, model, snapshot_date=ctx.run_date,
                             window_days=ctx.cfg.pipeline.window_days)
    published = publish_snapshot(ctx, edges, ENGAGEMENT_EDGES)
    rows_in = events.count()
    events.unpersist()
    return JobResult(rows_in=rows_in, rows_out=published.rows, model_version=model.version,
                     dq_outcome="passed")


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
