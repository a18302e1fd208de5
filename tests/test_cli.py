"""Operator mistakes end with one line on stderr and exit code 2, before any Spark starts."""
import os
import subprocess
import sys

import pytest

from tests.conftest import conf_dir_with

CLOUT = [sys.executable, "-m", "pipelines.orchestration.cli"]


def clout(*args):
    return subprocess.run([*CLOUT, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, message", [
    (["nightly", "--date", "not-a-date"], "invalid date 'not-a-date'"),
    (["nightly", "--date", "2026-02-30"], "invalid date '2026-02-30'"),
    (["nightly"], "the following arguments are required: --date"),
    (["backfill", "--start", "2026-09-30", "--end", "2026-09-01"], "is before --start"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["generate", "--scale", "galactic"], "unknown scale 'galactic'"),
    (["forget", "../p0000001"], "is not a registered profile id"),
    (["generate", "--profiles", "3", "--days", "2"], "generate:"),
    (["compact", "--table", "gold.nonsense"], "unknown table 'gold.nonsense'"),
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
    for command in ("generate", "nightly", "backfill", "query", "report", "explain", "forget", "compact", "vacuum"):
        assert command in out
    assert clout("nightly", "--help").returncode == 0


def test_query_refuses_writes_and_unknown_tables(tmp_path):
    proc = clout("query", "DROP TABLE scores", "--data-root", str(tmp_path))
    assert proc.returncode == 2 and "only read-only SELECT" in proc.stderr
    proc = clout("query", "SELECT * FROM no_such_table", "--data-root", str(tmp_path))
    assert proc.returncode == 2 and "no_such_table" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_query_reaches_the_published_tables_and_no_file_beside_them(tmp_path, capsys):
    """Analysts' SQL may read the tables, never a file of the machine (nor write one)."""
    import pyarrow as pa
    from deltalake import write_deltalake

    from pipelines.orchestration.cli import main

    write_deltalake(str(tmp_path / "warehouse" / "gold" / "scores"), pa.table({"score": [41.5, 58.5]}))
    (tmp_path / "secret.csv").write_text("password\nhunter2\n")
    code = main(["query", "SELECT sum(score) AS total FROM scores", "--format", "csv", "--data-root", str(tmp_path)])
    out = capsys.readouterr()
    assert code == 0 and out.out.split() == ["total", "100.0"], out.err
    for sql in (f"SELECT * FROM read_csv('{tmp_path / 'secret.csv'}')", "SELECT * FROM read_text('/etc/hostname')",
                f"SELECT * FROM read_parquet('{tmp_path}/warehouse/gold/scores/*.parquet')",
                f"COPY (SELECT 1) TO '{tmp_path / 'out.csv'}'", "SET enable_external_access = true",
                f"ATTACH '{tmp_path / 'other.db'}'"):
        code = main(["query", sql, "--data-root", str(tmp_path)])
        out = capsys.readouterr()
        assert code == 2 and len(out.err.strip().splitlines()) == 1, (sql, out.err)
        assert "hunter2" not in out.out and not (tmp_path / "out.csv").exists(), sql
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.csv", "warehouse"]


@pytest.mark.parametrize("changes, message", [
    ({"spark.shuffle_partitions": "many"}, "bad value for 'spark.shuffle_partitions'"),
    ({"paths.warehouse": "/etc/clout-warehouse"}, "paths.warehouse /etc/clout-warehouse is outside the data root"),
    ({"paths.checkpoints": "../../elsewhere"}, "is outside the data root"),
    ({"spark.extra_conf.spark.hadoop.fs.s3a.secret.key": "hunter2"}, "looks like a credential"),
])
def test_bad_config_file_is_one_line_exit_2_and_writes_nothing(changes, message, tmp_path):
    conf = conf_dir_with(tmp_path / "conf", {k: v for k, v in changes.items() if "extra_conf" not in k},
                         {k.split("extra_conf.")[1]: v for k, v in changes.items() if "extra_conf" in k})
    root = tmp_path / "root"
    proc = subprocess.run([*CLOUT, "nightly", "--date", "2026-09-30", "--data-root", str(root)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CLOUT_CONF_DIR": str(conf)})
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "hunter2" not in proc.stderr + proc.stdout
    assert not root.exists()


def test_unknown_env_is_one_line_exit_2(tmp_path):
    proc = clout("nightly", "--date", "2026-09-30", "--env", "production", "--data-root", str(tmp_path))
    assert proc.returncode == 2 and "unknown env 'production'" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unreadable_landing_folder_is_one_line_exit_2():
    """Permissions do not bind root: the CLI then runs as `nobody` (setpriv), in a folder of /tmp
    that `nobody` may reach."""
    import shutil
    import tempfile
    from pathlib import Path

    tmp_path = Path(tempfile.mkdtemp(prefix="clout-unreadable-"))
    tmp_path.chmod(0o755)
    (tmp_path / "landing" / "chirp" / "dt=2026-09-30").mkdir(parents=True)
    (tmp_path / "landing" / "chirp").chmod(0o000)
    as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if os.geteuid() == 0 else []
    try:
        proc = subprocess.run([*as_nobody, *CLOUT, "nightly", "--date", "2026-09-30", "--data-root", str(tmp_path)],
                              capture_output=True, text=True, timeout=120, cwd="/")
    finally:
        (tmp_path / "landing" / "chirp").chmod(0o755)
        written = (tmp_path / "warehouse").exists()
        shutil.rmtree(tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == f"clout: error: landing folder not readable: {tmp_path / 'landing' / 'chirp'} " \
                                  "(check its permissions)"
    assert not written


def test_forget_refuses_ids_that_are_not_profile_ids():
    for bad in ("../p0000001", "p0000001'; DROP TABLE scores", "pub:chirp:../../x", ""):
        proc = clout("forget", bad)
        assert proc.returncode == 2 and "is not a registered profile id" in proc.stderr, (bad, proc.stderr)
