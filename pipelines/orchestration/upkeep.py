"""Table upkeep: `clout compact` (small files rewritten into few) and `clout vacuum` (files no
version needs any more removed once older than the retention; the data-quality project's stored
validation results once older than `dq.docs_keep_days`).

Every nightly adds files: a few ledger appends to each ops table, a file in every event day
that silver's MERGE touches (late events touch earlier days again), a daily-partials slice in
every event day a delivery reaches. Left alone, a year of nights is thousands of small files a
table, and every read lists and opens each of them. Compaction is Delta's OPTIMIZE: per
partition, files under `spark.databricks.delta.optimize.minFileSize` are bin-packed into files of
up to `...maxFileSize`; a partition already down to one file is not touched, so a second run
rewrites nothing. The rows do not change (the commit says dataChange=false): every version stays
readable, and the files it replaced go with the next VACUUM once older than the retention.

Both commands are idempotent and safe beside a nightly or a backfill: a lost commit race is
retried (pipelines/core/io.py).
"""
from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from pipelines.core.config import Config
from pipelines.core.io import retrying_conflicts, table_exists, table_path
from pipelines.core.session import session_conf
from pipelines.quality.suites import expire_validations
from schemas import TableSpec
from schemas.registry import TABLES


@dataclass(frozen=True)
class Compacted:
    table: str
    files_before: int        # the table's active files (those its latest version reads)
    files_after: int
    rewritten: int           # files OPTIMIZE replaced


def active_files(spark: SparkSession, cfg: Config, spec: TableSpec) -> int:
    return int(DeltaTable.forPath(spark, table_path(cfg, spec)).detail().first().numFiles)


def compact(spark: SparkSession, cfg: Config, tables: tuple[TableSpec, ...] = TABLES) -> list[Compacted]:
    """OPTIMIZE (bin-packing) every table of `tables` that exists; one Compacted each."""
    done = []
    for spec in tables:
        if not table_exists(spark, cfg, spec):
            continue
        before = active_files(spark, cfg, spec)
        metrics = retrying_conflicts(
            lambda: DeltaTable.forPath(spark, table_path(cfg, spec)).optimize().executeCompaction().first(),
            spec.qualified_name).metrics
        done.append(Compacted(spec.qualified_name, before,
                              before - metrics.numFilesRemoved + metrics.numFilesAdded, metrics.numFilesRemoved))
    return done


def vacuum(spark: SparkSession, cfg: Config, tables: tuple[TableSpec, ...] = TABLES) -> int:
    """VACUUM the tables (default: every one) with the configured retention; remove what crashed
    runs left older than it. Returns the number of data files removed."""
    hours = cfg.privacy.retention_hours
    # Delta refuses a retention under its 168-hour floor unless told the operator chose it
    spark.conf.set("spark.databricks.delta.retentionDurationCheck.enabled", str(hours >= 168).lower())
    removed = 0
    # VACUUM lists a table's folders with this many tasks (Spark's default: 10,000 per table)
    with session_conf(spark, {"spark.sql.sources.parallelPartitionDiscovery.parallelism":
                              str(cfg.spark.shuffle_partitions)}):
        for spec in tables:
            if table_exists(spark, cfg, spec):
                before = _data_files(cfg, spec)
                DeltaTable.forPath(spark, table_path(cfg, spec)).vacuum(float(hours))
                removed += before - _data_files(cfg, spec)
    current = spark.sparkContext.getCheckpointDir() or ""
    cutoff = time.time() - hours * 3600
    # what earlier runs left: reliable checkpoints (influence, a crashed ingest_silver's batch), and what
    # crashed runs of releases that staged a gate's snapshot as a table under _staging/ left there
    leftovers = list(cfg.paths.checkpoints.glob("*")) + list((cfg.paths.warehouse / "_staging").glob("*/*/*"))
    for run_dir in leftovers:
        if run_dir.is_dir() and run_dir.name not in current and run_dir.stat().st_mtime <= cutoff:
            shutil.rmtree(run_dir, ignore_errors=True)
    return removed


def expire_data_docs(cfg: Config, now: dt.datetime | None = None) -> int:
    """Remove Great Expectations' stored validation results older than `dq.docs_keep_days`
    (a nightly stores one per gated table: without this the GE project grows every night); their
    Data Docs pages go with the next validation's docs update. Returns how many were removed."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return expire_validations(cfg, before=now - dt.timedelta(days=cfg.dq.docs_keep_days))


def _data_files(cfg: Config, spec: TableSpec) -> int:
    root = cfg.paths.warehouse / spec.layer / spec.name
    return sum(1 for p in root.rglob("*.parquet") if "_delta_log" not in p.parts)
