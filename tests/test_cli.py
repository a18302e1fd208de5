"""Operator mistakes end with one line on stderr and exit code 2, before any Spark starts."""
import subprocess
import sys

import pytest

CLOUT = [sys.executable, "-m", "pipelines.cli"]


def clout(*args):
    return subprocess.run([*CLOUT, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, message", [
    (["nightly", "--date", "not-a-date"], "invalid date 'not-a-date'"),
    (["nightly", "--date", "2026-02-30"], "invalid date '2026-02-30'"),
    (["nightly"], "the following arguments are required: --date"),
    (["backfill", "--start", "2026-09-30", "--end", "2026-09-01"], "is before --start"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["generate", "--scale", "galactic"], "unknown scale 'galactic'"),
    (["forget", "p0000001"], "forget is not available yet"),
    (["generate", "--profiles", "3", "--days", "2"], "generate:"),
])
def test_bad_operator_input_is_one_line_exit_2(args, message, tmp_path):
    proc = clout(*args, *(["--data-root", str(tmp_path)] if args[0] not in ("frobnicate",) and len(args) > 1 else []))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_missing_landing_folder_is_one_line_exit_2(tmp_path):
    proc = clout("nightly", "--date", "2026-09-30", "--data-root", str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"clout: error: landing folder not found: {tmp_path / 'nowhere' / 'landing'}"
    assert not (tmp_path / "nowhere").exists()  # nothing written


def test_date_not_landed_is_one_line_exit_2(tmp_path):
    (tmp_path / "landing" / "chirp" / "dt=2026-09-29").mkdir(parents=True)
    proc = clout("nightly", "--date", "2026-09-30", "--data-root", str(tmp_path))
    assert proc.returncode == 2
    assert "no landed files for 2026-09-30" in proc.stderr
    assert not (tmp_path / "warehouse").exists()


def test_help_lists_every_subcommand():
    out = clout("--help").stdout
    for command in ("generate", "nightly", "backfill", "query", "report", "explain", "forget"):
        assert command in out
    assert clout("nightly", "--help").returncode == 0


def test_query_refuses_writes_and_unknown_tables(tmp_path):
    proc = clout("query", "DROP TABLE scores", "--data-root", str(tmp_path))
    assert proc.returncode == 2 and "only read-only SELECT" in proc.stderr
    proc = clout("query", "SELECT * FROM no_such_table", "--data-root", str(tmp_path))
    assert proc.returncode == 2 and "no_such_table" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
