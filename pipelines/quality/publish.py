"""Write, audit, publish: the only way a gold job replaces its snapshot date.

1. stage the snapshot: compute it once, held by the executors (a local checkpoint; nothing
   published changes, nothing is written outside them);
2. validate the staged rows with the table's suite (pipelines/quality/dq.py) and append every
   result to ops.dq_results;
3. only if every check passed, write the staged rows over the snapshot date of the published
   table (one atomic Delta replaceWhere); otherwise raise DataQualityError naming the table and
   the failed checks, leaving the published snapshot as it was.
The staged rows are released either way. There is no way around the gate.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from pyspark.sql import DataFrame

from pipelines.quality import dq
from pipelines.core.errors import DataQualityError
from pipelines.core.io import release, replace_where, stage
from pipelines.core.jobrun import JobContext
from pipelines.core.log import log_event
from schemas import TableSpec


@dataclass(frozen=True)
class Published:
    rows: int                 # rows now published for the date
    checks: int               # expectations validated, all passed
    stage_seconds: float      # computing the snapshot, held by the executors
    gate_seconds: float       # validating, recording results, Data Docs (the gate's own cost)
    publish_seconds: float    # writing the staged snapshot into the published table


def publish_snapshot(ctx: JobContext, snapshot: DataFrame, spec: TableSpec) -> Published:
    """Stage, validate and publish one date's snapshot of `spec`; raise DataQualityError on failure."""
    started = time.perf_counter()
    staged = None
    try:
        staged = stage(snapshot, spec)
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
            release(staged)
    published_at = time.perf_counter()
    log_event("publish", table=spec.qualified_name, date=str(ctx.run_date), run_id=ctx.run_id,
              seconds=round(published_at - validated_at, 2))
    return Published(rows=outcome.rows, checks=len(outcome.checks),
                     stage_seconds=staged_at - started, gate_seconds=validated_at - staged_at,
                     publish_seconds=published_at - validated_at)

