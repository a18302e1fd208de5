"""Table locations and the only ways Clout writes: atomic partition replace, keyed MERGE, append."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession

from pipelines.config import Config
from pipelines.errors import UserError
from schemas import TableSpec


_COMMIT_LOGS: list[dict[str, int]] = []
LAST_COMMIT_VERSION = "spark.databricks.delta.lastCommitVersionInSession"


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


def table_path(cfg: Config, spec: TableSpec) -> str:
    return str(cfg.paths.warehouse / spec.layer / spec.name)


def table_exists(spark: SparkSession, cfg: Config, spec: TableSpec) -> bool:
    return DeltaTable.isDeltaTable(spark, table_path(cfg, spec))


def read_table(spark: SparkSession, cfg: Config, spec: TableSpec) -> DataFrame:
    if not table_exists(spark, cfg, spec):
        raise UserError(f"table {spec.qualified_name} does not exist yet at {table_path(cfg, spec)}: "
                        "run the jobs that produce it first")
    return spark.read.format("delta").load(table_path(cfg, spec))


def _writer(df: DataFrame, spec: TableSpec):
    writer = df.write.format("delta")
    return writer.partitionBy(*spec.partition_by) if spec.partition_by else writer


def replace_where(df: DataFrame, cfg: Config, spec: TableSpec, predicate: str) -> None:
    """Atomically replace the rows matching `predicate` (e.g. one snapshot date) with `df`."""
    spec.conform(df)  # fail before writing if the frame breaks the contract
    (_writer(df, spec).mode("overwrite").option("replaceWhere", predicate)
     .save(table_path(cfg, spec)))
    _note_commit(df.sparkSession, spec)


def append(df: DataFrame, cfg: Config, spec: TableSpec) -> None:
    """Append: only for raw bronze rows and ledger rows, never for derived data.

    Ledger tables (layer `ops`) may gain columns between releases: their appends merge schema.
    """
    writer = _writer(df, spec).mode("append")
    if spec.layer == "ops":
        writer = writer.option("mergeSchema", "true")
    writer.save(table_path(cfg, spec))
    _note_commit(df.sparkSession, spec)


def merge_insert_new(spark: SparkSession, df: DataFrame, cfg: Config, spec: TableSpec,
                     extra_condition: str = "") -> dict[str, int]:
    """Insert the rows of `df` whose keys are not in the table yet (exactly-once by key).

    Returns Delta's operation metrics of the MERGE (e.g. numTargetRowsInserted).
    """
    path = table_path(cfg, spec)
    if not DeltaTable.isDeltaTable(spark, path):
        _writer(df.limit(0), spec).mode("append").save(path)
    condition = " AND ".join(f"t.{k} = s.{k}" for k in spec.keys)
    if extra_condition:
        condition = f"{condition} AND {extra_condition}"
    target = DeltaTable.forPath(spark, path)
    target.alias("t").merge(df.alias("s"), condition).whenNotMatchedInsertAll().execute()
    _note_commit(spark, spec)
    last = target.history(1).select("operationMetrics").first()
    return {k: int(v) for k, v in (last.operationMetrics or {}).items() if v.isdigit()}


def require_dir(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise UserError(f"{what} not found: {path}")
    return path


def staging_path(cfg: Config, spec: TableSpec, run_id: str) -> str:
    """Where a run's snapshot waits for its data-quality gate, outside the published table."""
    return str(cfg.paths.warehouse / "_staging" / spec.layer / spec.name / run_id)


def write_staging(df: DataFrame, cfg: Config, spec: TableSpec, run_id: str) -> DataFrame:
    """Write a snapshot to its staging location (nothing published changes); return it read back."""
    spec.conform(df)  # fail before writing if the frame breaks the contract
    path = staging_path(cfg, spec, run_id)
    df.write.format("delta").mode("overwrite").save(path)
    return df.sparkSession.read.format("delta").load(path)


def drop_staging(spark: SparkSession, cfg: Config, spec: TableSpec, run_id: str) -> None:
    """Delete a staging location through Hadoop's FileSystem (local disk, HDFS, object stores)."""
    path = spark._jvm.org.apache.hadoop.fs.Path(staging_path(cfg, spec, run_id))
    path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).delete(path, True)
