"""Table locations and the only ways Clout writes: atomic partition replace, keyed MERGE, append."""
from __future__ import annotations

import datetime as dt
import random
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, TypeVar

from delta.exceptions import captured as conflicts   # importing it makes PySpark raise these types
from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from pipelines.core.config import Config
from pipelines.core.errors import UserError
from schemas import TableSpec


T = TypeVar("T")
_COMMIT_LOGS: list[dict[str, int]] = []
# Delta's optimistic concurrency: a commit that lost a race against another writer's commit
CONFLICTS = (conflicts.ConcurrentAppendException, conflicts.ConcurrentDeleteReadException,
             conflicts.ConcurrentDeleteDeleteException, conflicts.ConcurrentTransactionException,
             conflicts.ConcurrentWriteException, conflicts.MetadataChangedException,
             conflicts.ProtocolChangedException)
CONFLICT_ATTEMPTS = 8
CONFLICT_NAMES = tuple(kind.__name__ for kind in CONFLICTS)
LAST_COMMIT_VERSION = "spark.databricks.delta.lastCommitVersionInSession"


def is_conflict(exc: BaseException) -> bool:
    """A lost commit race, as Delta's Python types or, if another layer wrapped it, by name."""
    return isinstance(exc, CONFLICTS) or any(name in str(exc)[:1000] for name in CONFLICT_NAMES)


@contextmanager
def recording_commits():
    """Collect {table: Delta version} for every commit made inside the block (for the ledger)."""
    log: dict[str, int] = {}
    _COMMIT_LOGS.append(log)
    try:
        yield log
    finally:
        _COMMIT_LOGS.remove(log)


def _note_commit(spark: SparkSession, spec: TableSpec) -> None:
    version = spark.conf.get(LAST_COMMIT_VERSION, None)
    if _COMMIT_LOGS and version is not None:
        _COMMIT_LOGS[-1][spec.qualified_name] = int(version)


def retrying_conflicts(write: Callable[[], T], what: str) -> T:
    """Run an idempotent write, again when a concurrent writer's commit won the race.

    Only for writes that may be repeated safely: an insert-new MERGE (a retry inserts what is
    still missing) and a replaceWhere of one partition (a retry replaces it again). Backs off
    with jitter; the last conflict is raised.
    """
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            return write()
        except Exception as exc:
            if not is_conflict(exc) or attempt == CONFLICT_ATTEMPTS:
                raise
            from pipelines.core.log import log_event
            log_event("conflict", table=what, attempt=attempt, error=type(exc).__name__)
            time.sleep(min(30.0, 0.5 * 2 ** attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def table_path(cfg: Config, spec: TableSpec) -> str:
    return str(cfg.paths.warehouse / spec.layer / spec.name)


def table_exists(spark: SparkSession, cfg: Config, spec: TableSpec) -> bool:
    return DeltaTable.isDeltaTable(spark, table_path(cfg, spec))


def read_table(spark: SparkSession, cfg: Config, spec: TableSpec) -> DataFrame:
    if not table_exists(spark, cfg, spec):
        raise UserError(f"table {spec.qualified_name} does not exist yet at {table_path(cfg, spec)}: "
                        "run the jobs that produce it first")
    return spark.read.format("delta").load(table_path(cfg, spec))


def latest_snapshot_before(published: DataFrame, date_column: str, run_date: dt.date) -> DataFrame | None:
    """The rows of the latest snapshot (value of `date_column`) before run_date, or None.

    Nightly, that is the day before: one look at its partition. Only after a gap is the latest
    earlier date looked up (partition values only, no data column is read).
    """
    day_before = published.where(F.col(date_column) == F.lit(run_date - dt.timedelta(days=1)))
    if day_before.limit(1).count():
        return day_before
    latest = published.where(F.col(date_column) < F.lit(run_date)).agg(F.max(date_column)).first()[0]
    return None if latest is None else published.where(F.col(date_column) == F.lit(latest))


def _writer(df: DataFrame, spec: TableSpec):
    writer = df.write.format("delta")
    return writer.partitionBy(*spec.partition_by) if spec.partition_by else writer


def replace_where(df: DataFrame, cfg: Config, spec: TableSpec, predicate: str) -> None:
    """Atomically replace the rows matching `predicate` (e.g. one snapshot date) with `df`."""
    spec.conform(df)  # fail before writing if the frame breaks the contract
    retrying_conflicts(lambda: (_writer(df, spec).mode("overwrite").option("replaceWhere", predicate)
                                .save(table_path(cfg, spec))), spec.qualified_name)
    _note_commit(df.sparkSession, spec)


def replace_table(df: DataFrame, cfg: Config, spec: TableSpec) -> None:
    """Atomically replace the whole table with `df`, its schema too (a state kept in an older
    shape, which the next night rebuilds anyway)."""
    spec.conform(df)
    retrying_conflicts(lambda: (_writer(df, spec).mode("overwrite").option("overwriteSchema", "true")
                                .save(table_path(cfg, spec))), spec.qualified_name)
    _note_commit(df.sparkSession, spec)


def in_current_shape(spark: SparkSession, cfg: Config, spec: TableSpec) -> bool:
    """Whether the table exists with the columns and types its spec gives (nullability aside)."""
    return (table_exists(spark, cfg, spec)
            and read_table(spark, cfg, spec).schema.simpleString() == spec.schema.simpleString())


def append(df: DataFrame, cfg: Config, spec: TableSpec) -> None:
    """Append: only for ledger rows (ops.*), never for derived data.

    Ledger tables may gain columns between releases: their appends merge schema. A blind append
    conflicts only when two writers create the table at once; the loser appends again.
    """
    writer = _writer(df, spec).mode("append")
    if spec.layer == "ops":
        writer = writer.option("mergeSchema", "true")
    retrying_conflicts(lambda: writer.save(table_path(cfg, spec)), spec.qualified_name)
    _note_commit(df.sparkSession, spec)


def merge_insert_new(spark: SparkSession, df: DataFrame, cfg: Config, spec: TableSpec,
                     extra_condition: str = "") -> None:
    """Insert the rows of `df` whose keys are not in the table yet (exactly-once by key).

    A MERGE that loses a race against a concurrent writer of the same partitions is run again
    (it then inserts only what the other writer did not). Its commit's version goes to the
    ledger (recording_commits); callers count rows from their own frames, so the MERGE's
    operation metrics are not read back (a history query per MERGE).
    """
    path = table_path(cfg, spec)
    condition = " AND ".join(f"t.{k} = s.{k}" for k in spec.keys)
    if extra_condition:
        condition = f"{condition} AND {extra_condition}"

    def merge() -> None:
        if not DeltaTable.isDeltaTable(spark, path):
            _writer(df.limit(0), spec).mode("append").save(path)
        (DeltaTable.forPath(spark, path).alias("t").merge(df.alias("s"), condition)
         .whenNotMatchedInsertAll().execute())

    retrying_conflicts(merge, spec.qualified_name)
    _note_commit(spark, spec)


def require_dir(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise UserError(f"{what} not found: {path}")
    return path


def stage(df: DataFrame, spec: TableSpec) -> DataFrame:
    """A snapshot computed once and held by the executors (a local checkpoint: memory, then
    their local disk) while its gate validates it: the rows validated are the rows published,
    and nothing is written outside the executors until they are. `release` frees it."""
    spec.conform(df)  # fail before computing if the frame breaks the contract
    return df.localCheckpoint(eager=True)


def release(staged: DataFrame) -> None:
    """Free a staged snapshot's blocks now (Spark's cleaner would free them only once the
    driver's garbage collector has collected the frame)."""
    rdd = _checkpointed_rdd(staged)
    if rdd is not None:
        rdd.unpersist(False)


def drop_checkpoint(df: DataFrame) -> None:
    """Delete the files of a frame's reliable checkpoint (DataFrame.checkpoint) now. Spark's
    cleaner deletes them only once the driver's garbage collector has collected the frame, so a
    job that checkpoints batch after batch could otherwise hold every batch's rows on disk."""
    rdd = _checkpointed_rdd(df)
    location = rdd.getCheckpointFile() if rdd is not None else None
    if location is not None and location.isDefined():
        drop_table(df.sparkSession, location.get())


def _checkpointed_rdd(df: DataFrame):
    """The JVM RDD holding a checkpointed frame's rows (reliable or local), or None for any other frame."""
    plan = df._jdf.queryExecution().analyzed()
    return plan.rdd() if plan.getClass().getSimpleName() == "LogicalRDD" else None


def drop_table(spark: SparkSession, location: str) -> None:
    """Delete a folder through Hadoop's FileSystem (local disk, HDFS, object stores)."""
    path = spark._jvm.org.apache.hadoop.fs.Path(location)
    path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).delete(path, True)
