"""network_influence: gold.engagement_edges for D → gold.network_influence for D.

Weighted PageRank-style influence (damping, tolerance and iteration cap from the model file),
lineage checkpointed, each iteration's residual logged; published through the data-quality gate.
"""
from __future__ import annotations

import sys

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.transforms.influence import InfluenceResult, weighted_pagerank
from pipelines.core.config import load_model
from schemas.model import InfluenceSettings
from pipelines.core.io import read_table
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from pipelines.core.log import log_event
from pipelines.quality.publish import publish_snapshot
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_network_influence import NETWORK_INFLUENCE

JOB = "network_influence"


def checkpointer(every: int):
    """Reliable checkpoint (to the checkpoint dir) every `every` calls, local ones between."""
    calls = {"n": 0}

    def checkpoint(df: DataFrame) -> DataFrame:
        calls["n"] += 1
        return df.checkpoint(eager=True) if calls["n"] % every == 0 else df.localCheckpoint(eager=True)

    return checkpoint


def influence_of(edges: DataFrame, settings: InfluenceSettings, *, job: str, run_date) -> InfluenceResult:
    """Weighted influence over engager → author edges, logging each iteration's residual.
    Discounted edges pass on only their discounted share (normalised by raw weight)."""
    graph = edges.select(F.col("engager_id").alias("src"), F.col("author_id").alias("dst"), "weight", "raw_weight")
    return weighted_pagerank(
        graph, damping=settings.damping, tolerance=settings.tolerance,
        max_iterations=settings.max_iterations, checkpoint=checkpointer(settings.checkpoint_every),
        on_iteration=lambda i, r: log_event("iterate", job=job, date=str(run_date),
                                            iteration=i, residual=f"{r:.3e}"))


def run(ctx: JobContext) -> JobResult:
    """Run weighted influence over the snapshot's engagement graph."""
    model = load_model(ctx.cfg.pipeline.model_version)
    edges = (read_table(ctx.spark, ctx.cfg, ENGAGEMENT_EDGES)
             .where(F.col("snapshot_date") == F.lit(ctx.run_date)))
    result = influence_of(edges, model.influence, job=JOB, run_date=ctx.run_date)
    influence = NETWORK_INFLUENCE.conform(
        result.ranks.select(F.col("id").alias("profile_id"), "influence", "relative_influence",
                            F.lit(ctx.run_date).alias("snapshot_date"),
                            F.lit(result.iterations).alias("iterations"),
                            F.lit(result.residual).alias("residual")))
    published = publish_snapshot(ctx, influence, NETWORK_INFLUENCE)
    return JobResult(rows_out=published.rows, model_version=model.version, dq_outcome="passed",
                     message=f"{result.iterations} iterations, residual {result.residual:.3e}")


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
