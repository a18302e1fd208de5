"""Analyst access without a JVM: the published Delta tables through delta-rs and DuckDB."""
from __future__ import annotations

import datetime as dt
import re

import duckdb
from deltalake import DeltaTable

from pipelines.core.config import Config
from pipelines.core.errors import UserError
from schemas.registry import QUERYABLE


def table_ready(cfg: Config, name: str) -> bool:
    """Whether the queryable table `name` has been written yet."""
    return committed(table_dir(cfg, name))


def committed(path) -> bool:
    """Whether the Delta table at `path` has a commit: a writer that died while creating it can
    leave its log folder with none, which delta-rs does not open."""
    return any((path / "_delta_log").glob("*.json"))


def table_dir(cfg: Config, name: str):
    spec = QUERYABLE[name]
    return cfg.paths.warehouse / spec.layer / spec.name


def _table_at(cfg: Config, name: str, version: int | None, as_of: dt.datetime | None) -> DeltaTable | None:
    """The table now, at a Delta version, or as it was at a time (time travel; None when it did
    not exist yet then)."""
    when = (f"version {version}" if version is not None
            else f"version at {as_of:%Y-%m-%dT%H:%M:%S}" if as_of is not None else "current version")
    try:
        table = DeltaTable(str(table_dir(cfg, name)), version=version)
        if as_of is not None:
            as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=dt.timezone.utc)
            table.load_as_version(as_of)
    except Exception as exc:  # delta-rs raises its own error types; the operator gets one line
        raise UserError(f"query: table {name} has no {when} ({str(exc).splitlines()[0][:160]})") from None
    if as_of is not None and table.history(1)[0]["timestamp"] > as_of.timestamp() * 1000:
        return None
    return table


def connect(cfg: Config, versions: dict[str, int] | None = None,
            as_of: dt.datetime | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every existing published table registered by name.

    `versions` pins tables to Delta versions (time travel by version); `as_of` shows every table
    as it was at that time. A snapshot date is a column: `WHERE snapshot_date = DATE '…'`.
    """
    versions = versions or {}
    unknown = sorted(set(versions) - set(QUERYABLE))
    if unknown:
        raise UserError(f"query: no table named {unknown[0]} (tables: {', '.join(sorted(QUERYABLE))})")
    con = duckdb.connect()
    for name in QUERYABLE:
        table = _table_at(cfg, name, versions.get(name), as_of) if table_ready(cfg, name) else None
        if table is not None:
            con.register(name, table.to_pyarrow_dataset())
        elif name in versions:
            raise UserError(f"query: table {name} has not been written yet")
    # analysts' SQL reaches the registered tables and nothing else: no file, URL or extension
    # (read_csv('/etc/…'), COPY … TO, ATTACH, INSTALL), and no statement can switch that back on
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def run_query(cfg: Config, sql: str, versions: dict[str, int] | None = None,
              as_of: dt.datetime | None = None):
    """Run one read-only statement; returns a DuckDB relation. Writes are refused."""
    con = connect(cfg, versions, as_of)
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise UserError(f"query: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise UserError("query: give exactly one SQL statement")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise UserError(f"query: only read-only SELECT statements are allowed "
                        f"(got {statements[0].type.name})")
    try:
        return con.sql(sql)
    except duckdb.Error as exc:
        raise UserError(f"query: {str(exc).splitlines()[0]}") from None


def latest_published_date(cfg: Config) -> dt.date:
    """The newest snapshot date in gold.scores: the date `clout explain` and `clout report` show
    when none is given. UserError when nothing is published yet."""
    day = None
    if table_ready(cfg, "scores"):
        ((day,),) = run_query(cfg, "SELECT max(snapshot_date) FROM scores").fetchall()
    if day is None:
        raise UserError(f"nothing published yet: gold.scores under {cfg.paths.warehouse} has no snapshot "
                        f"(run `clout nightly --date D` first)")
    return day


READ_ONLY = re.compile(r"^\s*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXPLAIN)\b", re.IGNORECASE)


def register_views(spark, cfg: Config) -> list[str]:
    """Every written queryable table as a Spark temporary view of the same name (for Spark SQL
    users: `spark.sql("SELECT … FROM scores")`). Returns the names registered."""
    names = [name for name in QUERYABLE if table_ready(cfg, name)]
    for name in names:
        spark.read.format("delta").load(str(table_dir(cfg, name))).createOrReplaceTempView(name)
    return names


def check_read_only(sql: str) -> None:
    """Spark SQL runs DDL and DML eagerly: refuse anything but one reading statement up front."""
    if not READ_ONLY.match(sql) or ";" in sql.strip().rstrip(";"):
        raise UserError("sql: only one read-only statement (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN) is allowed")


def spark_sql(spark, cfg: Config, sql: str):
    """One read-only statement through Spark SQL over the registered views."""
    check_read_only(sql)
    register_views(spark, cfg)
    try:
        return spark.sql(sql)
    except Exception as exc:  # AnalysisException, ParseException: one line for the operator
        raise UserError(f"sql: {str(exc).splitlines()[0][:300]}") from None
