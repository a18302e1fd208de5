"""Crash injection: the driver of `clout backfill FIRST..SECOND` SIGKILLed at five points while it
runs FIRST's nightly, one after another, each time rerun; FIRST's tables equal those of FIRST
computed in one uninterrupted pass (the concurrent run's backfill), at every crash a reader of a
published table sees a whole snapshot or none, never a part of one, and no stage a crashed
attempt completed is run again. The chain goes on as test_operations' resumed backfill
(tests/shared_runs.py: the two runs share one generated sample and are each other's reference).
"""
import json
import os
import signal
import time

import pytest

from pipelines.orchestration.nightly import STAGES
from tests.shared_runs import FIRST, INGESTED, PUBLISHED

# (what the crash interrupts, the log event that triggers it, seconds to wait after it)
CRASH_POINTS = (
    ("bronze ingest", {"event": "start", "job": "ingest_bronze"}, 4.0),
    ("silver MERGE", {"event": "start", "job": "ingest_silver"}, 6.0),
    ("gold write (window snapshots to staging)", {"event": "start", "job": "window"}, 3.0),
    ("publish (gate passed, replacing the date)", {"event": "dq", "table": "gold.profile_features"}, 0.0),
    ("influence solved, not yet published", {"event": "iterate", "iteration": 3}, 0.0),
)


def kill_at(proc, trigger: dict, delay: float) -> list[dict]:
    """SIGKILL the whole process group (Python driver and its JVM) `delay` s after `trigger`;
    the log events read until then."""
    events = []
    for line in proc.stderr:
        if line.startswith("{"):
            event = json.loads(line)
            events.append(event)
            if all(event.get(k) == v for k, v in trigger.items()):
                time.sleep(delay)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=60)
                return events
    pytest.fail(f"nightly ended before {trigger} (exit {proc.wait()})")


def test_kill_9_at_five_points_then_rerun_equals_the_uninterrupted_run(backfill_chain, concurrent_run):
    chain, reference = backfill_chain, concurrent_run.sums
    assert reference is not None, "the uninterrupted run failed: see the concurrency test in test_operations"
    for point, code, rows in chain.crashes:
        assert code == -signal.SIGKILL, point
        for spec in PUBLISHED:  # a whole snapshot of the date, or none
            whole = reference[spec.qualified_name, FIRST][0]
            assert rows[spec.qualified_name] in (0, whole), f"after a crash during {point}: " \
                f"{spec.qualified_name} shows {rows[spec.qualified_name]} rows of {whole}"
    for spec in INGESTED:
        assert chain.sums[spec.qualified_name] == reference[spec.qualified_name], spec.qualified_name
    for spec in PUBLISHED:
        assert chain.sums[spec.qualified_name, FIRST] == reference[spec.qualified_name, FIRST], spec.qualified_name
    # the last crash hit the influence stage: the rerun resumed there, and across the five crashed
    # attempts and the rerun every stage completed exactly once
    assert chain.resumed == ["ingest_bronze", "profiles", "ingest_silver", "daily_partials", "window"]
    assert chain.completions == {**{name: 1 for name, _ in STAGES}, "nightly": 1}
