"""The nightly on a real Spark standalone cluster equals the local run.

A master and two 1-core workers start on localhost from the pip-installed PySpark
(`spark-class org.apache.spark.deploy.master.Master` / `...worker.Worker`: the pip package has
no start-master.sh). The nightly is submitted to them with `spark-submit --master spark://…`
the way a cluster gets it: the code from `make package`'s zip (--py-files), the JVM packages by
their coordinates from dist/packages.txt (resolved offline from the project's Ivy cache), the
config from a shipped conf/ folder (CLOUT_CONF_DIR). The tables it publishes must equal those of
the session's local reference run of the same sample (the `e2e` fixture). Every process the
cluster starts is stopped afterwards, also when the test fails.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from pipelines.core.config import CONF_DIR, PROJECT_ROOT, load_config
from pipelines.core.io import read_table
from pipelines.orchestration.package import build
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_network_influence import NETWORK_INFLUENCE
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES
from schemas.silver_events import EVENTS
from schemas.silver_profiles import PROFILES
from schemas.silver_quarantine import QUARANTINE
from tests.conftest import DAY, INTERPRETED, NOT_ADAPTIVE, TEST_OVERRIDES, checksum

SPARK_BIN = Path(sys.executable).parent          # the venv's spark-class and spark-submit
LOOPBACK = "127.0.0.1"
WORKERS, WORKER_CORES, WORKER_MEMORY = 2, 1, "1g"
EXACT = (RAW_EVENTS, EVENTS, QUARANTINE, PROFILES, SCORES)
# Sums of doubles: two executors' shuffle blocks reach a reducer in a different order than one
# local executor's, so these differ in the last bits (measured: relative 1e-15, the influence
# residual 1e-11). Compared row by row on their keys within a relative 1e-9 instead.
SUMMED = (ENGAGEMENT_EDGES, NETWORK_INFLUENCE, PROFILE_FEATURES)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def process_groups_alive(pgids: list[int]) -> list[int]:
    """Processes still running in the given process groups (zombies excluded)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) in pgids:
            alive.append(int(stat.parent.name))
    return alive


class StandaloneCluster:
    """A Spark standalone master and workers on localhost; each in its own process group, so
    stopping a worker also stops the executors and Python workers it started."""

    def __init__(self, base: Path):
        self.base = base
        self.port, self.ui_port = free_port(), free_port()
        self.url = f"spark://{LOOPBACK}:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.env = {**os.environ, "SPARK_LOCAL_IP": LOOPBACK, "SPARK_LOG_DIR": str(base / "logs"),
                    "SPARK_PID_DIR": str(base / "pids"), "SPARK_WORKER_DIR": str(base / "work"),
                    "SPARK_LOCAL_DIRS": str(base / "local"), "SPARK_DAEMON_MEMORY": "512m",
                    "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
                    "PYSPARK_PYTHON": sys.executable}

    def launch(self, name: str, *args: str) -> None:
        (self.base / "logs").mkdir(parents=True, exist_ok=True)
        with (self.base / "logs" / f"{name}.out").open("w") as log:
            self.processes.append(subprocess.Popen(
                [str(SPARK_BIN / "spark-class"), *args], stdout=log, stderr=subprocess.STDOUT,
                env=self.env, start_new_session=True))

    def start(self, timeout: float = 180) -> None:
        self.launch("master", "org.apache.spark.deploy.master.Master", "--host", LOOPBACK,
                    "--port", str(self.port), "--webui-port", str(self.ui_port))
        for i in range(1, WORKERS + 1):
            self.launch(f"worker{i}", "org.apache.spark.deploy.worker.Worker", "--host", LOOPBACK,
                        "--port", str(free_port()), "--webui-port", str(free_port()),
                        "--cores", str(WORKER_CORES), "--memory", WORKER_MEMORY,
                        "--work-dir", str(self.base / f"work{i}"), self.url)
        deadline = time.time() + timeout
        while len(self.alive_workers()) < WORKERS:
            exited = [p.args[1] for p in self.processes if p.poll() is not None]
            if exited or time.time() > deadline:
                raise RuntimeError(f"standalone cluster did not come up (exited: {exited}):\n{self.log_tail()}")
            time.sleep(0.5)

    def state(self) -> dict:
        """The master's JSON status page: workers, running and completed applications."""
        with urllib.request.urlopen(f"http://{LOOPBACK}:{self.ui_port}/json/", timeout=5) as page:
            return json.load(page)

    def alive_workers(self) -> list[dict]:
        try:
            return [w for w in self.state()["workers"] if w["state"] == "ALIVE"]
        except OSError:
            return []

    def log_tail(self, chars: int = 3000) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-chars:]}"
                         for p in sorted((self.base / "logs").glob("*.out")))

    def stop(self, grace: float = 30) -> list[int]:
        """Stop workers first (they stop their executors), then the master; return leftovers."""
        pgids = [p.pid for p in self.processes]
        for process in reversed(self.processes):
            with_group(process.pid, signal.SIGTERM)
        deadline = time.time() + grace
        while process_groups_alive(pgids) and time.time() < deadline:
            time.sleep(0.5)
        for pgid in pgids:
            with_group(pgid, signal.SIGKILL)
        for process in self.processes:
            process.wait(timeout=10)
        time.sleep(0.5)
        return process_groups_alive(pgids)


def with_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


@pytest.fixture
def standalone(tmp_path):
    cluster = StandaloneCluster(tmp_path / "cluster")
    try:
        cluster.start()
        yield cluster
    finally:
        leftovers = cluster.stop()
    assert not leftovers, f"cluster processes still running after stop: {leftovers}"


def shipped_conf(conf_dir: Path, data_root: Path) -> str:
    """A copy of conf/ with an env for this run, as a cluster deployment ships it."""
    shutil.copytree(CONF_DIR, conf_dir)
    env = yaml.safe_load((conf_dir / "local.yaml").read_text())
    env["env"] = "standalone"
    env["paths"]["data_root"] = str(data_root)
    env["spark"]["shuffle_partitions"] = TEST_OVERRIDES["spark.shuffle_partitions"]
    # queries interpreted and not adaptive, as in every test run but the local reference
    # (tests/conftest.py): the cluster's tables must equal those of the reference, computed with
    # code generation and adaptive execution
    env["spark"]["extra_conf"].update({**INTERPRETED, **NOT_ADAPTIVE})
    env["paths"]["spark_events"] = None    # no test reads this run's event log (tests/conftest.py: cli_conf)
    (conf_dir / "standalone.yaml").write_text(yaml.safe_dump(env, sort_keys=False))
    return "standalone"


def submit_nightly(cluster: StandaloneCluster, dist: Path, conf_dir: Path, env_name: str,
                   ivy_cache: Path, log: Path, timeout: float = 1200) -> int:
    log4j = f"-Dlog4j.configurationFile={conf_dir / 'log4j2.properties'}"
    command = [
        str(SPARK_BIN / "spark-submit"), "--master", cluster.url, "--deploy-mode", "client",
        "--driver-memory", "1g", "--executor-memory", "1g",
        "--total-executor-cores", str(WORKERS * WORKER_CORES),
        "--packages", (dist / "packages.txt").read_text().strip(), "--conf", f"spark.jars.ivy={ivy_cache}",
        "--py-files", str(dist / "clout-jobs.zip"),
        "--conf", f"spark.pyspark.python={sys.executable}",
        "--conf", f"spark.driver.extraJavaOptions={log4j}",
        "pipelines/orchestration/cli.py", "nightly", "--date", str(DAY), "--env", env_name]
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "CLOUT_CONF_DIR": str(conf_dir),
           "SPARK_LOCAL_IP": LOOPBACK}
    with log.open("w") as out:
        driver = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
                                  env=env, start_new_session=True)
        try:
            return driver.wait(timeout=timeout)
        finally:
            if driver.poll() is None:
                with_group(driver.pid, signal.SIGKILL)
                driver.wait()


def keyed(spark, cfg, spec):
    df = read_table(spark, cfg, spec)
    if "snapshot_date" in df.columns:
        df = df.where(F.col("snapshot_date") == F.lit(DAY))
    return df.select(*spec.keys, *[c for c in df.columns if c not in spec.keys]).orderBy(*spec.keys)


def test_nightly_on_a_standalone_cluster_equals_the_local_run(spark, e2e, standalone, tmp_path):
    local_cfg, _, _ = e2e
    root = tmp_path / "data"
    root.mkdir()
    (root / "landing").symlink_to(local_cfg.paths.landing)
    conf_dir = tmp_path / "conf"
    env_name = shipped_conf(conf_dir, root)
    cluster_cfg = load_config(env_name, conf_dir=conf_dir)
    dist = tmp_path / "dist"
    build(dist)

    log = tmp_path / "submit.log"
    code = submit_nightly(standalone, dist, conf_dir, env_name, local_cfg.jvm.ivy_cache, log)
    assert code == 0, log.read_text()[-4000:]

    apps = standalone.state()["completedapps"]
    assert [(a["name"].startswith("clout-nightly"), a["state"]) for a in apps] == [(True, "FINISHED")]
    executor_logs = sorted(standalone.base.glob("work*/app-*/*/stderr"))
    ran_tasks = {p.parts[-4] for p in executor_logs if "Finished task" in p.read_text()}
    assert ran_tasks == {f"work{i}" for i in range(1, WORKERS + 1)}, "both workers ran tasks"

    for spec in EXACT:
        assert checksum(spark, cluster_cfg, spec) == checksum(spark, local_cfg, spec), spec.qualified_name
    for spec in SUMMED:
        assertDataFrameEqual(keyed(spark, cluster_cfg, spec), keyed(spark, local_cfg, spec),
                             checkRowOrder=True, rtol=1e-9, atol=0.0)
