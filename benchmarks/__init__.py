"""Scale runs that print figures (never part of `make test`), and what they share."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

END = dt.date(2026, 9, 30)


@contextmanager
def temporary_root(prefix: str) -> Iterator[Path]:
    """A temporary data root; removed after."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def generated_sample(profiles: int, days: int, prefix: str) -> Iterator[Path]:
    """A temporary data root holding a generated landing zone ending at END; removed after."""
    from generator import generate

    with temporary_root(prefix) as root:
        generate(root / "landing", profiles=profiles, days=days, seed=7, end_date=END, log=lambda m: None)
        yield root


def save_result(out: Path, name: str, result: dict) -> None:
    """Print a result and write it to <out>/<name>."""
    print(json.dumps(result, indent=2))
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(json.dumps(result, indent=2) + "\n")
