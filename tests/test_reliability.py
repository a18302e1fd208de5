"""Crash injection: the nightly's driver SIGKILLed at five points, one after another, each time
rerun; the final tables equal the uninterrupted reference run, at every crash a reader of a
published table sees a whole snapshot or none, never a part of one, and no stage a crashed
attempt completed is run again."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from deltalake import DeltaTable

from generator import generate
from pipelines.core.io import read_table
from pipelines.orchestration.nightly import STAGES, run_nightly
from schemas.bronze_raw_events import RAW_EVENTS
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES
from schemas.gold_network_influence import NETWORK_INFLUENCE
from schemas.gold_profile_features import PROFILE_FEATURES
from schemas.gold_scores import SCORES
from schemas.gold_topic_scores import TOPIC_SCORES
from schemas.ops_runs import RUNS
from schemas.silver_events import EVENTS
from schemas.silver_quarantine import QUARANTINE
from tests.conftest import DAY, E2E_SAMPLE, checksum, config_for

INGESTED = (RAW_EVENTS, EVENTS, QUARANTINE)
PUBLISHED = (ENGAGEMENT_EDGES, NETWORK_INFLUENCE, PROFILE_FEATURES, SCORES, TOPIC_SCORES)

# (what the crash interrupts, the log event that triggers it, seconds to wait after it)
CRASH_POINTS = (
    ("bronze ingest", {"event": "start", "job": "ingest_bronze"}, 4.0),
    ("silver MERGE", {"event": "start", "job": "ingest_silver"}, 6.0),
    ("between influence iterations", {"event": "iterate", "iteration": 3}, 0.0),
    ("gold write (scores to staging)", {"event": "start", "job": "scores"}, 3.0),
    ("publish (gate passed, replacing the date)", {"event": "dq", "table": "gold.profile_features"}, 0.0),
)


def start_nightly(root):
    return subprocess.Popen([sys.executable, "-m", "pipelines.orchestration.cli", "nightly", "--date", str(DAY),
                             "--data-root", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def kill_at(proc, trigger: dict, delay: float) -> None:
    """SIGKILL the whole process group (Python driver and its JVM) `delay` s after `trigger`."""
    for line in proc.stderr:
        if line.startswith("{"):
            event = json.loads(line)
            if all(event.get(k) == v for k, v in trigger.items()):
                time.sleep(delay)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=60)
                return
    pytest.fail(f"nightly ended before {trigger} (exit {proc.wait()})")


def published_rows(cfg, spec) -> int:
    """Rows a reader without Spark (delta-rs) sees for DAY right now; 0 before the first write."""
    path = cfg.paths.warehouse / spec.layer / spec.name
    if not (path / "_delta_log").is_dir():
        return 0
    table = DeltaTable(str(path)).to_pyarrow_table(columns=["snapshot_date"], filters=[("snapshot_date", "=", DAY)])
    return table.num_rows


def test_kill_9_at_five_points_then_rerun_equals_the_uninterrupted_run(spark, e2e, tmp_path):
    reference_cfg, _, _ = e2e
    reference = {spec: checksum(spark, reference_cfg, spec) for spec in INGESTED + PUBLISHED}
    generate(tmp_path / "landing", **E2E_SAMPLE, log=lambda _: None)
    cfg = config_for(tmp_path)
    for point, trigger, delay in CRASH_POINTS:
        proc = start_nightly(tmp_path)
        kill_at(proc, trigger, delay)
        assert proc.returncode == -signal.SIGKILL, point
        for spec in PUBLISHED:  # a whole snapshot of the date, or none
            rows = published_rows(cfg, spec)
            assert rows in (0, reference[spec][0]), f"after a crash during {point}: {spec.qualified_name} " \
                                                    f"shows {rows} rows of {reference[spec][0]}"
    final = run_nightly(cfg, DAY, spark=spark)
    for spec in INGESTED + PUBLISHED:
        assert checksum(spark, cfg, spec) == reference[spec], spec.qualified_name
    # the last crash hit the scores stage: the rerun resumed there, and across the five crashed
    # attempts and the rerun every stage completed exactly once
    resumed = [name for name, r in final.results.items() if (r.message or "").startswith("resumed")]
    assert resumed == ["ingest_bronze", "profiles", "ingest_silver", "engagement_edges", "network_influence"]
    completions = {r.job: r["count"] for r in read_table(spark, cfg, RUNS)
                   .where("status = 'succeeded'").groupBy("job").count().collect()}
    assert completions == {**{name: 1 for name, _ in STAGES}, "nightly": 1}
