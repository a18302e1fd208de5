"""A driver killed with SIGKILL mid-ingest, then rerun, leaves exactly the uninterrupted tables."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from deltalake import DeltaTable

from generator import generate
from pipelines.nightly import run_nightly
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE
from tests.conftest import DAY, E2E_SAMPLE, checksum, config_for

INGESTED = (RAW_EVENTS, EVENTS, QUARANTINE)


def start_nightly(root):
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "nightly", "--date", str(DAY),
                             "--data-root", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def kill_during(proc, stage, seconds_into_stage):
    """SIGKILL the whole process group (Python driver and its JVM) once `stage` has run a while."""
    for line in proc.stderr:
        if line.startswith("{") and json.loads(line).get("job") == stage and '"start"' in line:
            time.sleep(seconds_into_stage)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            return
    pytest.fail(f"nightly ended before {stage} started (exit {proc.wait()})")


def finished_stages(cfg):
    runs = cfg.paths.warehouse / "ops" / "runs"
    if not (runs / "_delta_log").is_dir():
        return set()
    table = DeltaTable(str(runs)).to_pyarrow_table(columns=["job", "status"]).to_pylist()
    return {r["job"] for r in table if r["status"] == "succeeded"}


@pytest.mark.parametrize("stage, delay", [("ingest_bronze", 4.0), ("ingest_silver", 6.0)])
def test_kill_9_mid_ingest_then_rerun(spark, e2e, tmp_path, stage, delay):
    reference_cfg, _, _ = e2e
    generate(tmp_path / "landing", **E2E_SAMPLE, log=lambda _: None)
    proc = start_nightly(tmp_path)
    kill_during(proc, stage, delay)
    assert proc.returncode == -signal.SIGKILL
    cfg = config_for(tmp_path)
    assert stage not in finished_stages(cfg), "the kill came too late to interrupt the stage"
    run_nightly(cfg, DAY, spark=spark)
    for spec in INGESTED:
        assert checksum(spark, cfg, spec) == checksum(spark, reference_cfg, spec), spec.qualified_name
