"""Airflow DAG: the Clout nightly for `{{ ds }}`, submitted to Spark with SparkSubmitOperator.

One task runs the whole nightly (`pipelines/orchestration/cli.py nightly --date {{ ds }}`), not one task per
stage, because the nightly is the unit the run ledger knows: it writes the `nightly` row that
`clout backfill` uses to skip completed dates, records the inputs' fingerprint on every stage,
and prints the stage-by-stage summary. Seven submits would also start the driver and executors
seven times. A retry reruns the whole date, which is safe: every write replaces the date's
partition or merges on keys, and bronze ingests each landed file once. Two upkeep tasks follow
it: `clout compact` (the night's small files rewritten into few) and `clout vacuum` (files older
than the retention that no version needs removed); each is idempotent, so a retry is safe too.

Deploy: copy this file to the DAGs folder; on the Airflow workers keep a release of Clout at
CLOUT_HOME (the repository with `make package` run: dist/clout-jobs.zip, dist/packages.txt,
conf/, pipelines/orchestration/cli.py) and a `spark-submit` on PATH. Settings, read when the DAG is parsed:

  CLOUT_HOME           release folder (default /opt/clout)
  CLOUT_SPARK_CONN_ID  Airflow Spark connection: master spark://…, yarn or k8s://…, deploy mode
                       client (default spark_clout)
  CLOUT_ENV            config environment in conf/ (default cluster)
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

try:  # Airflow 3
    from airflow.sdk import DAG, CronDataIntervalTimetable
except ImportError:  # Airflow 2.x
    from airflow import DAG
    from airflow.timetables.interval import CronDataIntervalTimetable
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

CLOUT_HOME = Path(os.environ.get("CLOUT_HOME", "/opt/clout"))
SPARK_CONN_ID = os.environ.get("CLOUT_SPARK_CONN_ID", "spark_clout")
CLOUT_ENV = os.environ.get("CLOUT_ENV", "cluster")
# 03:00 UTC, once the day's landing files are complete. A data-interval timetable makes
# `{{ ds }}` the day that just ended (the snapshot date), on Airflow 2 and 3 alike; Airflow 3's
# default cron timetable would make it the day the run starts.
SCHEDULE = CronDataIntervalTimetable("0 3 * * *", timezone="UTC")


def packages(home: Path) -> str:
    """The exact --packages coordinates `make package` wrote for this release."""
    listed = home / "dist" / "packages.txt"
    if not listed.is_file():
        raise FileNotFoundError(f"{listed} is missing: run `make package` in {home} first")
    return listed.read_text().strip()


with DAG(
    dag_id="clout_nightly",
    description="Clout influence scores for one snapshot date: ingest → graph → scores → publish",
    schedule=SCHEDULE,
    start_date=dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc),
    catchup=False,          # past dates: `airflow backfill create` or `clout backfill`
    max_active_runs=1,      # dates in order: a snapshot's day-over-day change reads the day before
    default_args={
        "owner": "clout",
        "depends_on_past": True,   # a failed date holds later dates until it is fixed
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=15),
        "execution_timeout": dt.timedelta(hours=6),
    },
    tags=["clout", "spark"],
) as dag:
    def clout_task(task_id: str, *args: str) -> SparkSubmitOperator:
        """`clout <args> --env CLOUT_ENV` submitted with the packaged release."""
        return SparkSubmitOperator(
            task_id=task_id,
            conn_id=SPARK_CONN_ID,
            application=str(CLOUT_HOME / "pipelines" / "orchestration" / "cli.py"),
            application_args=[*args, "--env", CLOUT_ENV],
            py_files=str(CLOUT_HOME / "dist" / "clout-jobs.zip"),
            packages=packages(CLOUT_HOME),
            # the driver runs here (client mode) and reads conf/ from the release
            env_vars={"CLOUT_CONF_DIR": str(CLOUT_HOME / "conf")},
            name=f"clout-{task_id}-{{{{ ds }}}}",
            verbose=False,
        )

    # upkeep once the date is published: tonight's small files compacted, then files no version
    # within the retention needs removed (pipelines/orchestration/upkeep.py; both idempotent)
    clout_task("nightly", "nightly", "--date", "{{ ds }}") >> clout_task("compact", "compact") \
        >> clout_task("vacuum", "vacuum")
