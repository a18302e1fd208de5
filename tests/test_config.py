"""Config is validated at start-up: a bad key or value is named in one line."""
import subprocess
import sys

import pytest

from pipelines.config import load_config, load_model
from pipelines.errors import ConfigError


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
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "nightly", "--date", "2026-09-30",
                           "--env", "prod"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "unknown env 'prod'" in proc.stderr
