"""topic_scores: silver.events (window ending at D) + gold.engagement_edges for D
→ gold.topic_scores for D: what each profile is influential about, with the evidence.

Published through the data-quality gate (pipelines/quality/publish.py) like every gold snapshot.
"""
from __future__ import annotations

import sys

from pyspark.sql import functions as F

from jobs.transforms.engagement import weighted_interactions
from jobs.transforms.gaming import swap_ring_members
from jobs.transforms.topics import topic_scores
from jobs.window_events import window_events
from pipelines.core.config import load_model, load_topics
from pipelines.core.io import read_table
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from pipelines.quality.publish import publish_snapshot
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_topic_scores import TOPIC_SCORES

JOB = "topic_scores"


def run(ctx: JobContext) -> JobResult:
    """Score every profile's topics for the run date."""
    model = load_model(ctx.cfg.pipeline.model_version)
    events = window_events(ctx).persist()
    edges = read_table(ctx.spark, ctx.cfg, ENGAGEMENT_EDGES).where(F.col("snapshot_date") == F.lit(ctx.run_date))
    # tonight's engager quality, as the edges job computed it (every interaction's engager has an edge)
    quality = edges.select(F.col("engager_id").alias("actor_id"), F.col("engager_quality").alias("quality")).distinct()
    interactions = weighted_interactions(events, quality, model, snapshot_date=ctx.run_date)
    swaps = swap_ring_members(interactions.where(F.col("event_type") == "endorse"), model.anti_gaming)
    snapshot = topic_scores(interactions, events.where(F.col("event_type") == "post"), edges, swaps, model,
                            load_topics(), snapshot_date=ctx.run_date)
    published = publish_snapshot(ctx, snapshot, TOPIC_SCORES)
    events.unpersist()
    return JobResult(rows_out=published.rows, model_version=model.version, dq_outcome="passed")


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
