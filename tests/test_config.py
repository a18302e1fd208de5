"""Config is validated at start-up: a bad key or value is named in one line."""
import subprocess
import sys

import pytest

from pipelines.core import fingerprint as fingerprint_module
from pipelines.core.config import load_config, load_model
from pipelines.core.fingerprint import code_digest, config_fingerprint
from pipelines.core.errors import ConfigError


def test_local_config_loads_with_paths_under_data_root(tmp_path):
    cfg = load_config("local", {"paths.data_root": str(tmp_path)})
    assert cfg.paths.warehouse == tmp_path / "warehouse"
    assert cfg.paths.landing == tmp_path / "landing"
    assert cfg.spark.shuffle_partitions > 0


def test_cluster_example_is_valid():
    assert load_config("cluster").spark.master.startswith("spark://")


@pytest.mark.parametrize("overrides, message", [
    ({"spark.shuffle_partitions": "many"}, "bad value for 'spark.shuffle_partitions'"),
    ({"spark.shufle_partitions": 4}, "unknown key 'spark.shufle_partitions'"),
    ({"pipeline.window_days": -3}, "bad value for 'pipeline.window_days'"),
    ({"spark.driver_memory": "lots"}, "bad value for 'spark.driver_memory'"),
])
def test_bad_config_names_the_key(overrides, message):
    with pytest.raises(ConfigError) as err:
        load_config("local", overrides)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_env_and_model():
    with pytest.raises(ConfigError, match="unknown env 'prod'"):
        load_config("prod")
    with pytest.raises(ConfigError, match="unknown model version 'v9'"):
        load_model("v9")


def test_model_v1_weights():
    model = load_model("v1")
    assert model.interaction_weights.share > model.interaction_weights.reaction
    assert 0 < model.influence.damping < 1


def test_bad_yaml_file_is_one_line(tmp_path):
    (tmp_path / "local.yaml").write_text("env: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config("local", conf_dir=tmp_path)


def test_cli_unknown_env_exits_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pipelines.orchestration.cli", "nightly", "--date", "2026-09-30",
                           "--env", "prod"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "unknown env 'prod'" in proc.stderr


def test_credentials_come_from_the_environment_only(monkeypatch):
    secret = {"spark.extra_conf": {"spark.hadoop.fs.s3a.secret.key": "${CLOUT_TEST_S3_SECRET}"}}
    cfg = load_config("local", secret)
    monkeypatch.setenv("CLOUT_TEST_S3_SECRET", "from-the-environment")
    assert cfg.spark.resolved_conf()["spark.hadoop.fs.s3a.secret.key"] == "from-the-environment"
    assert "from-the-environment" not in cfg.model_dump_json()
    monkeypatch.delenv("CLOUT_TEST_S3_SECRET")
    with pytest.raises(ConfigError, match="needs the environment variable CLOUT_TEST_S3_SECRET"):
        cfg.spark.resolved_conf()
    with pytest.raises(ConfigError, match="looks like a credential"):
        load_config("local", {"spark.extra_conf": {"spark.hadoop.fs.s3a.access.key": "AKIAEXAMPLE"}})


def test_no_secrets_in_the_repository():
    """Every tracked file: no private keys, cloud access keys or passwords written in."""
    import re
    from pipelines.core.config import PROJECT_ROOT
    files = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    patterns = [re.compile(p) for p in (r"-----BEGIN [A-Z ]*PRIVATE KEY-----", r"AKIA[0-9A-Z]{16}",
                                        r"(?i)(password|passwd|secret)\s*[:=]\s*['\"][^'\"$]{4,}['\"]")]
    found = [f"{name}: {p.pattern}" for name in files if (PROJECT_ROOT / name).is_file()
             for p in patterns if p.search((PROJECT_ROOT / name).read_text(errors="ignore"))]
    assert found == []


def test_the_fingerprint_changes_with_the_code_and_not_with_where_it_runs(tmp_path, monkeypatch):
    """The ledger's config hash covers the code that computes the tables: editing a module of a
    package (here a throwaway one) changes it; paths, Spark sizing, a backlog's batch
    sizes and the Data Docs' history do not."""
    package = tmp_path / "stagecode"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "inner" / "__init__.py").write_text("")
    (package / "inner" / "weights.py").write_text("SHARE = 1.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = code_digest(("stagecode",))
    (package / "inner" / "weights.py").write_text("SHARE = 2.0\n")
    code_digest.cache_clear()
    assert code_digest(("stagecode",)) != before
    a = load_config("local", {"paths.data_root": str(tmp_path / "a"), "spark.shuffle_partitions": 2})
    b = load_config("local", {"paths.data_root": str(tmp_path / "b"), "spark.shuffle_partitions": 64,
                              "dq.docs_keep_days": 7, "dq.docs_index_validations": 10,
                              "ingest.max_batch_bytes": 1, "ingest.max_batch_lines": 1})
    today = config_fingerprint(a)
    assert today == config_fingerprint(b) != config_fingerprint(load_config("local", {"pipeline.window_days": 30}))
    monkeypatch.setattr(fingerprint_module, "code_digest", lambda: "the code of a later release")
    assert config_fingerprint(a) != today
