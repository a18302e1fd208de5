"""One Spark session for the whole test run, with tables under a temporary data root."""
from __future__ import annotations

import pytest

from pipelines.config import load_config
from pipelines.session import get_spark

TEST_OVERRIDES = {"spark.shuffle_partitions": 2, "spark.master": "local[2]", "spark.driver_memory": "3g"}


@pytest.fixture(scope="session")
def data_root(tmp_path_factory):
    return tmp_path_factory.mktemp("clout-data")


@pytest.fixture(scope="session")
def cfg(data_root):
    return load_config("local", {**TEST_OVERRIDES, "paths.data_root": str(data_root)})


@pytest.fixture(scope="session")
def spark(cfg):
    session = get_spark(cfg, "clout-tests")
    yield session
    session.stop()


def config_for(root, **extra):
    """A config whose tables live under `root` (for tests that need a clean warehouse)."""
    return load_config("local", {**TEST_OVERRIDES, "paths.data_root": str(root), **extra})
