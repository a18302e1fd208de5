"""Analyst access: delta-rs + DuckDB without a JVM, time travel, Spark SQL views, docs examples,
and the analysts' default date (the latest published snapshot) for `clout explain` / `clout report`."""
import datetime as dt
import json
import re
import subprocess
import sys

import pytest
from deltalake import DeltaTable

from pipelines.orchestration.cli import main as clout
from pipelines.serving.analyst import (QUERYABLE, check_read_only, latest_published_date, run_query, spark_sql,
                                       table_dir, table_ready)
from pipelines.core.config import PROJECT_ROOT
from pipelines.core.errors import UserError
from tests.conftest import DAY, config_for


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


def test_the_latest_published_date_is_the_newest_snapshot_in_gold_scores(e2e, tmp_path):
    cfg, _, _ = e2e
    assert latest_published_date(cfg) == DAY               # the e2e warehouse holds one nightly: DAY
    with pytest.raises(UserError, match="nothing published yet"):
        latest_published_date(config_for(tmp_path))


def test_explain_without_a_date_explains_the_latest_snapshot(e2e, capsys):
    cfg, _, _ = e2e
    root = ["--data-root", str(cfg.paths.data_root)]
    ((profile,),) = duck_rows(cfg, f"SELECT profile_id FROM scores WHERE snapshot_date = DATE '{DAY}' "
                                   f"ORDER BY score DESC, profile_id LIMIT 1")
    outputs = {}
    for name, date in (("latest", []), ("dated", ["--date", str(DAY)])):
        for form in ([], ["--json"]):
            assert clout(["explain", profile, *date, *form, *root]) == 0
            out = capsys.readouterr()
            assert out.err == ""
            outputs[name, bool(form)] = out.out
    note, *words = outputs["latest", False].splitlines()
    assert str(DAY) in note and "latest published" in note   # it says which date it used
    assert words == outputs["dated", False].splitlines()
    assert words[0].startswith(f"{profile} scores ") and f" on {DAY} " in words[0]
    assert len(words) > 5
    latest = json.loads(outputs["latest", True])
    assert latest == json.loads(outputs["dated", True]) and latest["date"] == str(DAY)


def test_report_without_a_date_writes_the_report_of_the_latest_snapshot(e2e, tmp_path, capsys):
    cfg, _, _ = e2e
    root = ["--data-root", str(cfg.paths.data_root)]
    default_out = cfg.paths.data_root / "reports" / f"report-{DAY}.html"
    assert not default_out.exists()
    made = not default_out.parent.exists()                 # leave the shared e2e warehouse as found
    try:
        assert clout(["report", *root]) == 0                # default file name: the date it used
        out = capsys.readouterr()
        assert out.err == "" and out.out.splitlines() == [
            f"report of {DAY} (the latest published snapshot) written to {default_out}"]
        latest = default_out.read_text()
    finally:
        default_out.unlink(missing_ok=True)
        if made and default_out.parent.is_dir():
            default_out.parent.rmdir()
    dated = tmp_path / "dated.html"
    assert clout(["report", "--date", str(DAY), "--out", str(dated), *root]) == 0
    assert capsys.readouterr().out.splitlines() == [f"report of {DAY} written to {dated}"]
    assert f"<h1>Clout scores, {DAY}</h1>" in latest
    assert latest == dated.read_text()


@pytest.mark.parametrize("command", [["explain", "p0000001"], ["report"]])
def test_without_a_date_on_an_empty_warehouse_one_line_and_exit_2(command, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pipelines.orchestration.cli", *command,
                           "--data-root", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("clout: error: nothing published yet")
    assert not (tmp_path / "reports").exists()
