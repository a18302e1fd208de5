"""Write, audit, publish: the only way a gold job replaces its snapshot date.

1. write the snapshot to `<warehouse>/_staging/<layer>/<table>/<run_id>` (nothing published changes);
2. validate the staged rows, persisted once, with the table's suite (pipelines/quality/dq.py) and append
   every result to ops.dq_results;
3. only if every check passed, replace the snapshot date in the published table (one atomic
   Delta replaceWhere); otherwise raise DataQualityError naming the table and the failed checks,
   leaving the published snapshot as it was.
The staging location is deleted either way. There is no way around the gate.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.storagelevel import StorageLevel

from pipelines.quality import dq
from pipelines.core.errors import DataQualityError
from pipelines.core.io import drop_staging, replace_where, write_staging
from pipelines.core.jobrun import JobContext
from pipelines.core.log import log_event
from schemas import TableSpec


@dataclass(frozen=True)
class Published:
    rows: int                 # rows now published for the date
    checks: int               # expectations validated, all passed
    stage_seconds: float      # computing the snapshot and writing it to staging
    gate_seconds: float       # validating, recording results, Data Docs (the gate's own cost)
    publish_seconds: float    # copying the staged snapshot into the published table


def publish_snapshot(ctx: JobContext, snapshot: DataFrame, spec: TableSpec) -> Published:
    """Stage, validate and publish one date's snapshot of `spec`; raise DataQualityError on failure."""
    started = time.perf_counter()
    staged = None
    try:
        staged = write_staging(snapshot, ctx.cfg, spec, ctx.run_id).persist(StorageLevel.MEMORY_AND_DISK)
        staged_at = time.perf_counter()
        outcome = dq.validate(ctx.spark, ctx.cfg, spec, staged, ctx.run_date, ctx.run_id)
        dq.record(ctx.spark, ctx.cfg, outcome, ctx.run_id, mode="publish")
        validated_at = time.perf_counter()
        log_event("dq", table=spec.qualified_name, date=str(ctx.run_date), run_id=ctx.run_id,
                  passed=outcome.success, checks=len(outcome.checks),
                  failed=len(outcome.failed) or None, gate_seconds=round(validated_at - staged_at, 2))
        if not outcome.success:
            raise DataQualityError(dq.failure_line(outcome))
        replace_where(staged, ctx.cfg, spec, f"{spec.partition_by[0]} = '{ctx.run_date}'")
    finally:
        if staged is not None:
            staged.unpersist()
        drop_staging(ctx.spark, ctx.cfg, spec, ctx.run_id)
    published_at = time.perf_counter()
    log_event("publish", table=spec.qualified_name, date=str(ctx.run_date), run_id=ctx.run_id,
              seconds=round(published_at - validated_at, 2))
    return Published(rows=outcome.rows, checks=len(outcome.checks),
                     stage_seconds=staged_at - started, gate_seconds=validated_at - staged_at,
                     publish_seconds=published_at - validated_at)

