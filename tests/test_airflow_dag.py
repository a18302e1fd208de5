"""The Airflow DAG in deploy/airflow: what it would submit, checked without installing Airflow.

Airflow is not a project dependency (about 650 MB and its own pins; it does pip-install into a
separate venv here in under a minute, but `make test` must not need the network). So the first
tests import the DAG file with a tiny stand-in for the few Airflow names it uses, recording the
tasks it declares. The last test parses the file with real Airflow when CLOUT_AIRFLOW_PYTHON
names a Python that has apache-airflow and its Spark provider; otherwise it is skipped.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import types

import pytest

from pipelines.orchestration.cli import build_parser
from pipelines.core.config import PROJECT_ROOT, load_config

DAG_DIR = PROJECT_ROOT / "deploy" / "airflow"
SAMPLE_DS = "2026-09-30"


class StandInDAG:
    """Records the DAG's arguments and the tasks declared inside its `with` block."""
    current: StandInDAG | None = None

    def __init__(self, dag_id: str, **kwargs):
        self.dag_id, self.kwargs, self.tasks = dag_id, kwargs, []

    def __enter__(self):
        StandInDAG.current = self
        return self

    def __exit__(self, *exc):
        StandInDAG.current = None


class StandInSparkSubmitOperator:
    def __init__(self, *, task_id: str, **kwargs):
        assert StandInDAG.current is not None, f"task {task_id} declared outside a DAG"
        self.task_id, self.kwargs, self.upstream = task_id, kwargs, []
        StandInDAG.current.tasks.append(self)

    def __rshift__(self, other):
        other.upstream.append(self.task_id)
        return other


class StandInTimetable:
    def __init__(self, cron: str, timezone: str):
        self.cron, self.timezone = cron, timezone


def stand_in_airflow() -> dict[str, types.ModuleType]:
    modules = {name: types.ModuleType(name) for name in (
        "airflow", "airflow.sdk", "airflow.providers", "airflow.providers.apache",
        "airflow.providers.apache.spark", "airflow.providers.apache.spark.operators",
        "airflow.providers.apache.spark.operators.spark_submit")}
    modules["airflow.sdk"].DAG = StandInDAG
    modules["airflow.sdk"].CronDataIntervalTimetable = StandInTimetable
    modules["airflow.providers.apache.spark.operators.spark_submit"].SparkSubmitOperator = \
        StandInSparkSubmitOperator
    return modules


def import_dag(monkeypatch, clout_home):
    for name, module in stand_in_airflow().items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setenv("CLOUT_HOME", str(clout_home))
    monkeypatch.setenv("CLOUT_SPARK_CONN_ID", "spark_prod")
    spec = importlib.util.spec_from_file_location("clout_nightly_dag", DAG_DIR / "clout_nightly_dag.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def release(tmp_path):
    """A release folder as `make package` leaves it: the --packages coordinates in dist/."""
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "packages.txt").write_text(",".join(load_config("local").jvm.packages) + "\n")
    return tmp_path


def test_the_dag_submits_the_nightly_of_ds_with_the_packaged_release(monkeypatch, release):
    dag = import_dag(monkeypatch, release).dag
    assert dag.dag_id == "clout_nightly"
    assert [(t.task_id, t.upstream) for t in dag.tasks] == [("nightly", []), ("compact", ["nightly"]),
                                                            ("vacuum", ["compact"])]
    submit = dag.tasks[0].kwargs
    assert submit["conn_id"] == "spark_prod"
    assert submit["application"] == str(release / "pipelines" / "orchestration" / "cli.py")
    assert submit["py_files"] == str(release / "dist" / "clout-jobs.zip")
    assert submit["packages"] == ",".join(load_config("local").jvm.packages)
    assert submit["env_vars"] == {"CLOUT_CONF_DIR": str(release / "conf")}
    assert "{{ ds }}" in submit["application_args"]
    assert "{{ ds }}" in submit["name"]
    assert len({t.kwargs["name"] for t in dag.tasks}) == 3


def test_upkeep_follows_the_nightly_as_valid_clout_commands(monkeypatch, release):
    upkeep = import_dag(monkeypatch, release).dag.tasks[1:]
    parsed = [build_parser().parse_args(t.kwargs["application_args"]) for t in upkeep]
    assert [(args.command, args.env) for args in parsed] == [("compact", "cluster"), ("vacuum", "cluster")]
    assert parsed[0].table is None    # every table


def test_the_submitted_arguments_are_a_valid_clout_nightly_for_the_date(monkeypatch, release):
    submit = import_dag(monkeypatch, release).dag.tasks[0].kwargs
    assert (PROJECT_ROOT / "pipelines" / "orchestration" / "cli.py").is_file()
    rendered = [SAMPLE_DS if arg == "{{ ds }}" else arg for arg in submit["application_args"]]
    args = build_parser().parse_args(rendered)
    assert (args.command, args.date, args.env) == ("nightly", dt.date.fromisoformat(SAMPLE_DS), "cluster")
    assert (PROJECT_ROOT / "conf" / f"{args.env}.yaml").is_file()


def test_dates_run_in_order_and_ds_is_the_day_that_ended(monkeypatch, release):
    dag = import_dag(monkeypatch, release).dag
    timetable = dag.kwargs["schedule"]
    # a data-interval timetable: the 03:00 run on D+1 has ds = D
    assert isinstance(timetable, StandInTimetable)
    assert (timetable.cron, timetable.timezone) == ("0 3 * * *", "UTC")
    assert dag.kwargs["max_active_runs"] == 1
    assert dag.kwargs["default_args"]["depends_on_past"] is True


def test_an_unpackaged_release_fails_to_load_with_the_fix_in_the_message(monkeypatch, tmp_path):
    with pytest.raises(FileNotFoundError, match="make package"):
        import_dag(monkeypatch, tmp_path)


@pytest.mark.skipif(not os.environ.get("CLOUT_AIRFLOW_PYTHON"),
                    reason="real Airflow check: set CLOUT_AIRFLOW_PYTHON to a Python with apache-airflow")
def test_real_airflow_parses_the_dag(release, tmp_path):
    proc = subprocess.run(
        [os.environ["CLOUT_AIRFLOW_PYTHON"], str(DAG_DIR / "check_dag.py")],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "CLOUT_HOME": str(release), "AIRFLOW_HOME": str(tmp_path / "airflow")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    parsed = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [(t["task_id"], t["operator"], t["upstream"]) for t in parsed["tasks"]] == \
        [("nightly", "SparkSubmitOperator", []), ("compact", "SparkSubmitOperator", ["nightly"]),
         ("vacuum", "SparkSubmitOperator", ["compact"])]
    assert parsed["tasks"][0]["rendered_args"] == ["nightly", "--date", SAMPLE_DS, "--env", "cluster"]
    assert "0 3 * * *" in parsed["timetable"] and parsed["max_active_runs"] == 1
