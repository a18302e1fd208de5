"""`make package`: what a cluster needs for spark-submit.

Writes dist/clout-<version>-py3-none-any.whl, dist/clout-jobs.zip (the packages, for
--py-files) and dist/packages.txt (the exact --packages coordinates).
"""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from pipelines.core.config import PROJECT_ROOT, load_config

PACKAGES = ("pipelines", "jobs", "schemas", "generator")


def build(dist: Path = PROJECT_ROOT / "dist") -> list[Path]:
    dist.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(dist), str(PROJECT_ROOT)], check=True)
    archive = dist / "clout-jobs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for package in PACKAGES:
            for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
                zf.write(path, path.relative_to(PROJECT_ROOT))
        for path in sorted((PROJECT_ROOT / "conf").rglob("*.yaml")):
            zf.write(path, path.relative_to(PROJECT_ROOT))
    coordinates = dist / "packages.txt"
    coordinates.write_text(",".join(load_config("local").jvm.packages) + "\n")
    return sorted(dist.glob("*.whl")) + [archive, coordinates]


if __name__ == "__main__":
    for built in build():
        print(f"[package] {built}")
