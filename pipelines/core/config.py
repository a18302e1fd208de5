"""Configuration: YAML in conf/, chosen by --env, validated at start-up.

Every key is declared here once; an unknown key or a bad value raises ConfigError with one line
naming it. A relative data_root is resolved against the project root (the folder holding conf/);
the other relative paths against data_root, so `--data-root` moves them all.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, model_validator

from pipelines.core.errors import ConfigError
from schemas.model import Model, Strict
from schemas.ontology import Ontology, load_ontology

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# on a cluster the code may run from a zip: CLOUT_CONF_DIR then names where conf/ was shipped
CONF_DIR = Path(os.environ.get("CLOUT_CONF_DIR", PROJECT_ROOT / "conf"))
TOPICS_FILE = CONF_DIR / "topics.yaml"


class Paths(Strict):
    data_root: Path
    landing: Path
    warehouse: Path
    checkpoints: Path
    dq: Path                           # data-quality gate: GE project, Data Docs
    spark_events: Path | None = None   # Spark event logs for the history server; none: off

    @model_validator(mode="after")
    def _inside_data_root(self) -> "Paths":
        """Every folder Clout writes lives under data_root: nothing escapes it (`..` included)."""
        root = Path(os.path.normpath(self.data_root))
        for key in ("landing", "warehouse", "checkpoints", "dq", "spark_events"):
            value = getattr(self, key)
            if value is not None and not inside(Path(value), root):
                raise ValueError(f"paths.{key} {value} is outside the data root {root}")
        return self


def inside(path: Path, root: Path) -> bool:
    """Whether `path` (after resolving `..`, not symlinks) is `root` or below it."""
    return Path(os.path.normpath(path)).is_relative_to(Path(os.path.normpath(root)))


SECRET_KEY = re.compile(r"secret|password|token|credential|access\.key|private", re.IGNORECASE)
FROM_ENVIRONMENT = re.compile(r"^\$\{([A-Z_][A-Z0-9_]*)\}$")


class SparkSettings(Strict):
    master: str
    driver_memory: str = Field(pattern=r"^\d+[kmgt]$")
    shuffle_partitions: int = Field(gt=0)
    # JVM options of a driver this process starts (not under spark-submit), e.g. "-XX:+UseSerialGC"
    driver_java_options: str = ""
    # a value "${NAME}" is read from the environment when the session starts (credentials must be)
    extra_conf: dict[str, str] = {}

    @model_validator(mode="after")
    def _credentials_from_environment(self) -> "SparkSettings":
        for key, value in self.extra_conf.items():
            if SECRET_KEY.search(key) and not FROM_ENVIRONMENT.match(value):
                raise ValueError(f"spark.extra_conf.{key} looks like a credential: write it as "
                                 f"${{ENV_VAR}} and set the variable, never the value in a file")
        return self

    def resolved_conf(self) -> dict[str, str]:
        """extra_conf with ${NAME} values read from the environment (raises ConfigError if unset)."""
        resolved = {}
        for key, value in self.extra_conf.items():
            name = FROM_ENVIRONMENT.match(value)
            if name and name.group(1) not in os.environ:
                raise ConfigError(f"spark.extra_conf.{key} needs the environment variable {name.group(1)}")
            resolved[key] = os.environ[name.group(1)] if name else value
        return resolved


class JvmSettings(Strict):
    packages: list[str] = Field(min_length=1)
    ivy_cache: Path


class PipelineSettings(Strict):
    window_days: int = Field(gt=0, le=3650)
    model_version: str = Field(pattern=r"^v\d+$")


class IngestSettings(Strict):
    max_payload_bytes: int = Field(gt=0)
    oldest_event_date: dt.date
    future_tolerance_days: int = Field(ge=0)
    # a backlog of deliveries is taken a batch of whole landing dates at a time (a date holding more
    # is a batch of its own): each ingest's scratch grows with its batch. Bronze counts the landed
    # (compressed) bytes, the lines being unknown until read; silver counts bronze's lines
    max_batch_bytes: int = Field(gt=0)
    max_batch_lines: int = Field(gt=0)


class PrivacySettings(Strict):
    # files a DELETE left behind (erasure, replaced snapshots) are removed by VACUUM once older
    # than this; Delta's own default floor is 168 hours (time travel within it keeps working)
    retention_hours: int = Field(default=168, ge=0)


class GraphSettings(Strict):
    """How influence cuts its graph: a block of vertices is one task's share of the rank vector.
    A graph of at most this many vertices is one block, iterated inside one task; the answer is
    the same bytes however the graph is cut (exact sums), so this is tuning, not the model."""
    vertices_per_block: int = Field(default=2_000_000, gt=0)


# what decides where, how fast or how much history is kept, not what a run computes: left out
# of the ledger's fingerprint (pipelines/core/fingerprint.py; pydantic's `exclude` shape)
RUNTIME_ONLY = {**dict.fromkeys(("env", "paths", "spark", "jvm", "privacy", "graph"), True),
                "ingest": dict.fromkeys(("max_batch_bytes", "max_batch_lines"), True),
                "dq": dict.fromkeys(("docs_keep_days", "docs_index_validations"), True)}


class DqSettings(Strict):
    """Bounds of the drift checks against the previous published snapshot; how much of the
    validations' history the Data Docs keep."""
    min_row_ratio: float = Field(gt=0, le=1)      # rows ≥ this share of the previous snapshot's
    max_mean_shift: float = Field(gt=0)           # a suite's drift column (score): points of mean
    docs_keep_days: int = Field(ge=1)             # `clout vacuum` removes GE's stored results older than this
    docs_index_validations: int = Field(ge=1)     # the Data Docs index lists the latest this many


class Config(Strict):
    env: str
    paths: Paths
    spark: SparkSettings
    jvm: JvmSettings
    pipeline: PipelineSettings
    ingest: IngestSettings
    dq: DqSettings
    privacy: PrivacySettings = PrivacySettings()
    graph: GraphSettings = GraphSettings()


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    key = ".".join(str(p) for p in first["loc"])
    if first["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    if first["type"] == "missing":
        return f"missing key '{key}'"
    if first["type"] == "value_error":  # a check across keys: its message names them
        return first["msg"].removeprefix("Value error, ")
    return f"bad value for '{key}': {first['msg']} (got {first.get('input')!r})"


def set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `value` at a dotted key ("spark.shuffle_partitions") of a raw config tree."""
    node = tree
    *parents, leaf = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def _resolve_paths(raw: dict[str, Any]) -> None:
    paths = raw.get("paths")
    if not isinstance(paths, dict) or not isinstance(paths.get("data_root"), str):
        return
    root = PROJECT_ROOT / paths["data_root"]
    paths["data_root"] = str(root)
    for key, value in paths.items():
        if isinstance(value, str) and not Path(value).is_absolute():
            paths[key] = str(root / value)
    jvm = raw.get("jvm")
    if isinstance(jvm, dict) and isinstance(jvm.get("ivy_cache"), str):
        if not Path(jvm["ivy_cache"]).is_absolute():
            jvm["ivy_cache"] = str(PROJECT_ROOT / jvm["ivy_cache"])


def load_config(env: str = "local", overrides: dict[str, Any] | None = None,
                conf_dir: Path = CONF_DIR) -> Config:
    """Load conf/<env>.yaml, apply dotted-key overrides, validate. Raises ConfigError."""
    path = conf_dir / f"{env}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in conf_dir.glob("*.yaml"))
        raise ConfigError(f"unknown env '{env}': no {path} (known: {', '.join(known)})")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"config {path.name}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"config {path.name}: top level must be a mapping")
    for dotted, value in (overrides or {}).items():
        set_dotted(raw, dotted, value)
    _resolve_paths(raw)
    try:
        return Config.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(f"config {path.name}: {_first_error(err)}") from None


def load_model(version: str, conf_dir: Path = CONF_DIR) -> Model:
    """Load conf/models/<version>.yaml. Raises ConfigError naming the bad key."""
    path = conf_dir / "models" / f"{version}.yaml"
    if not path.is_file():
        raise ConfigError(f"unknown model version '{version}': no {path}")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
        model = Model.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"model {path.name}: not valid YAML ({exc.__class__.__name__})") from None
    except ValidationError as err:
        raise ConfigError(f"model {path.name}: {_first_error(err)}") from None
    if model.version != version:
        raise ConfigError(f"model {path.name}: 'version' is {model.version!r}, expected {version!r}")
    return model


def load_topics(path: Path | None = None) -> Ontology:
    """The topic ontology (conf/topics.yaml). Raises ConfigError naming what is wrong."""
    path = path or TOPICS_FILE
    try:
        return load_ontology(path)
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise ConfigError(f"topics {path.name}: {exc}") from None
