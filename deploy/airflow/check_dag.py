"""Parse the Clout DAG with real Airflow; print its tasks as JSON, exit 1 on an import error.

Run it with a Python that has apache-airflow and apache-airflow-providers-apache-spark (never
the project's .venv), e.g. in the Airflow image's CI:

    CLOUT_HOME=/opt/clout AIRFLOW_HOME=/tmp/airflow python deploy/airflow/check_dag.py
"""
from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

DAG_FILE = Path(__file__).with_name("clout_nightly_dag.py")
SAMPLE_DS = "2026-09-30"


def main() -> int:
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow 3
    except ImportError:
        from airflow.models.dagbag import DagBag  # Airflow 2
    options = {"safe_mode": False}
    if "include_examples" in inspect.signature(DagBag.__init__).parameters:
        options["include_examples"] = False
    bag = DagBag(dag_folder=str(DAG_FILE), **options)
    if bag.import_errors:
        for path, error in bag.import_errors.items():
            print(f"{path}: {error}", file=sys.stderr)
        return 1
    dag = bag.dags["clout_nightly"]
    tasks = [{"task_id": t.task_id, "operator": type(t).__name__,
              "upstream": sorted(t.upstream_task_ids), "application": t.application,
              "application_args": t.application_args,
              "rendered_args": t.render_template(t.application_args, {"ds": SAMPLE_DS}),
              "py_files": t.py_files, "packages": t.packages}
             for t in dag.topological_sort()]
    print(json.dumps({"dag_id": dag.dag_id, "timetable": repr(dag.timetable),
                      "max_active_runs": dag.max_active_runs, "tasks": tasks}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
