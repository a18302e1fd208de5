"""What decides a run's results, as one short hash for the run ledger (`ops.runs.config_hash`).

Resume and backfill skip work only when the fingerprint matches: the settings that change output,
the model and ontology files' bytes and the code that computes the tables — not where or how
fast the run happens.
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import json
import pkgutil

from pipelines.core.config import CONF_DIR, RUNTIME_ONLY, TOPICS_FILE, Config

CODE_PACKAGES = ("jobs", "schemas", "pipelines")


def config_fingerprint(cfg: Config) -> str:
    """A short hash of the output-deciding settings, model and ontology files, and code."""
    settings = cfg.model_dump(mode="json", exclude=RUNTIME_ONLY)
    settings["code"] = code_digest()
    model_file = CONF_DIR / "models" / f"{cfg.pipeline.model_version}.yaml"
    settings["model_file"] = (hashlib.sha256(model_file.read_bytes()).hexdigest()
                              if model_file.is_file() else None)
    settings["topics_file"] = (hashlib.sha256(TOPICS_FILE.read_bytes()).hexdigest()
                               if TOPICS_FILE.is_file() else None)
    text = json.dumps(settings, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.cache
def code_digest(packages: tuple[str, ...] = CODE_PACKAGES) -> str:
    """A hash of the source of every module of the packages that compute the tables, read
    through their loaders (the project folder, or the zip spark-submit ships): a release that
    changes a stage's code changes the ledger's fingerprint, so no rerun resumes from, or skips
    a date because of, what older code computed."""
    names = set(packages)
    for package in packages:
        path = importlib.import_module(package).__path__
        names |= {info.name for info in pkgutil.walk_packages(path, f"{package}.")}
    digest = hashlib.sha256()
    for name in sorted(names):
        spec = importlib.util.find_spec(name)
        source = spec.loader.get_source(name) if spec and spec.loader else None   # namespace: none
        digest.update(f"{name}\n{source or ''}\n".encode())
    return digest.hexdigest()[:16]
