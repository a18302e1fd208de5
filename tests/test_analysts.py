"""Analyst access: delta-rs + DuckDB without a JVM, time travel, Spark SQL views, docs examples."""
import datetime as dt
import re
import subprocess
import sys

import pytest
from deltalake import DeltaTable

from pipelines.serving.analyst import QUERYABLE, check_read_only, run_query, spark_sql, table_dir, table_ready
from pipelines.core.config import PROJECT_ROOT
from pipelines.core.errors import UserError
from tests.conftest import DAY


def duck_rows(cfg, sql, **kw):
    return run_query(cfg, sql, **kw).fetchall()


def test_every_published_table_is_readable_by_delta_rs(spark, e2e):
    cfg, _, _ = e2e
    written = [name for name in QUERYABLE if table_ready(cfg, name)]
    assert {"scores", "topic_scores", "profile_features", "events", "runs", "dq_results"} <= set(written)
    for name in written:
        protocol = DeltaTable(str(table_dir(cfg, name))).protocol()
        assert protocol.min_reader_version == 1 and not protocol.reader_features, (name, protocol)
        spark_count = spark.read.format("delta").load(str(table_dir(cfg, name))).count()
        assert duck_rows(cfg, f"SELECT count(*) FROM {name}") == [(spark_count,)], name


def test_time_travel_by_delta_version_matches_spark(spark, e2e):
    cfg, _, _ = e2e
    path = str(table_dir(cfg, "scores"))
    versions = sorted(h["version"] for h in DeltaTable(path).history())
    for version in versions:
        expected = (spark.read.format("delta").option("versionAsOf", version).load(path)
                    .selectExpr("count(*)", "round(sum(score), 2)").first())
        got = duck_rows(cfg, "SELECT count(*), round(sum(score), 2) FROM scores", versions={"scores": version})
        assert got == [tuple(expected)], version
    with pytest.raises(UserError, match="has no version"):
        run_query(cfg, "SELECT 1 FROM scores", versions={"scores": versions[-1] + 1})


def test_time_travel_by_time_sees_tables_as_they_were(e2e):
    cfg, _, _ = e2e
    now = duck_rows(cfg, "SELECT count(*) FROM scores")
    assert duck_rows(cfg, "SELECT count(*) FROM scores", as_of=dt.datetime.now(dt.timezone.utc)) == now
    with pytest.raises(UserError, match="does not exist"):   # before the first commit: no table yet
        run_query(cfg, "SELECT count(*) FROM scores", as_of=dt.datetime(2020, 1, 1))


def test_query_cli_answers_as_json_and_csv(e2e):
    cfg, _, first = e2e
    sql = f"SELECT count(*) AS n FROM scores WHERE snapshot_date = DATE '{DAY}'"
    base = [sys.executable, "-m", "pipelines.orchestration.cli", "query", sql, "--data-root", str(cfg.paths.data_root)]
    as_json = subprocess.run(base + ["--format", "json"], capture_output=True, text=True, timeout=120)
    assert as_json.returncode == 0 and as_json.stdout.strip() == f'[{{"n":{first.results["scores"].rows_out}}}]'
    pinned = subprocess.run(base + ["--format", "csv", "--version", "scores=999"], capture_output=True, text=True)
    assert pinned.returncode == 2 and pinned.stderr.count("\n") == 1 and "no version 999" in pinned.stderr


def test_spark_sql_refuses_writes_before_it_starts(spark, e2e):
    cfg, _, _ = e2e
    for statement in ("DROP TABLE scores", "INSERT INTO scores SELECT * FROM scores",
                      "SELECT 1; DROP TABLE scores"):
        with pytest.raises(UserError, match="read-only"):
            check_read_only(statement)
    proc = subprocess.run([sys.executable, "-m", "pipelines.orchestration.cli", "sql", "DELETE FROM scores",
                           "--data-root", str(cfg.paths.data_root)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "read-only" in proc.stderr


def doc_queries():
    text = (PROJECT_ROOT / "docs" / "analysts.md").read_text()
    return re.findall(r"```sql\n(.*?)```", text, re.S)


def normalised(rows):
    def value(v):
        if isinstance(v, float):
            return round(v, 1)
        if isinstance(v, (list, tuple)):
            return tuple(v)
        return v
    return [tuple(value(v) for v in row) for row in rows]


def test_docs_examples_answer_the_same_in_duckdb_and_spark(spark, e2e):
    cfg, _, _ = e2e
    queries = doc_queries()
    assert len(queries) >= 4
    answered = 0
    for sql in queries:
        duck = normalised(duck_rows(cfg, sql))
        sparked = normalised(tuple(r) for r in spark_sql(spark, cfg, sql).collect())
        assert duck == sparked, sql
        answered += bool(duck)
    assert answered >= len(queries) - 1, "the examples answer something on the sample (movers need two dates)"
