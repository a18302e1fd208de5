"""network_influence: gold.engagement_edges for D → gold.network_influence for D.

Weighted PageRank-style influence (damping, tolerance and iteration cap from the model file),
warm-started from the latest earlier snapshot's ranks when there is one, lineage checkpointed,
each iteration's residual logged; published through the data-quality gate.
"""
from __future__ import annotations

import sys

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.transforms.influence import InfluenceResult, weighted_pagerank
from pipelines.core.config import load_model
from schemas.model import InfluenceSettings
from pipelines.core.io import latest_snapshot_before, read_table, table_exists
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


def earlier_ranks(ctx: JobContext) -> DataFrame | None:
    """(id, influence) of the latest published snapshot before the run date, if any: where
    influence starts. The snapshot a date publishes depends on it only below the tolerance, and a
    rerun or a recompute of the date starts from the same one."""
    if not table_exists(ctx.spark, ctx.cfg, NETWORK_INFLUENCE):
        return None
    earlier = latest_snapshot_before(read_table(ctx.spark, ctx.cfg, NETWORK_INFLUENCE), "snapshot_date",
                                     ctx.run_date)
    return None if earlier is None else earlier.select(F.col("profile_id").alias("id"), "influence")


def influence_of(ctx: JobContext, edges: DataFrame, settings: InfluenceSettings, *, job: str) -> InfluenceResult:
    """Weighted influence over engager → author edges, logging each iteration's residual.
    Discounted edges pass on only their discounted share (normalised by raw weight)."""
    graph = edges.select(F.col("engager_id").alias("src"), F.col("author_id").alias("dst"), "weight", "raw_weight")
    start = earlier_ranks(ctx)
    return weighted_pagerank(
        graph, damping=settings.damping, tolerance=settings.tolerance,
        max_iterations=settings.max_iterations, checkpoint=checkpointer(settings.checkpoint_every),
        start=start, vertices_per_block=ctx.cfg.graph.vertices_per_block,
        on_iteration=lambda i, r: log_event("iterate", job=job, date=str(ctx.run_date),
                                            iteration=i, residual=f"{r:.3e}"))


def run(ctx: JobContext) -> JobResult:
    """Run weighted influence over the snapshot's engagement graph."""
    model = load_model(ctx.cfg.pipeline.model_version)
    edges = (read_table(ctx.spark, ctx.cfg, ENGAGEMENT_EDGES)
             .where(F.col("snapshot_date") == F.lit(ctx.run_date)))
    result = influence_of(ctx, edges, model.influence, job=JOB)
    influence = NETWORK_INFLUENCE.conform(
        result.ranks.select(F.col("id").alias("profile_id"), "influence", "relative_influence",
                            F.lit(ctx.run_date).alias("snapshot_date"),
                            F.lit(result.iterations).alias("iterations"),
                            F.lit(result.residual).alias("residual")))
    published = publish_snapshot(ctx, influence, NETWORK_INFLUENCE)
    return JobResult(rows_out=published.rows, model_version=model.version, dq_outcome="passed",
                     message=f"{result.iterations} iterations, residual {result.residual:.3e}, "
                             f"{result.blocks} block(s), started from {'the earlier snapshot' if result.warm else 'uniform ranks'}")


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
