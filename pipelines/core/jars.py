"""JVM packages: resolved once from Maven Central by Spark's own Ivy, then used offline.

`python -m pipelines.core.jars resolve` (run by `make setup`) starts a throw-away Spark session with
`spark.jars.packages` and a project-local Ivy cache, then writes a manifest of the resolved jar
files. Every later session puts exactly those files on `spark.jars`, so no run after set-up
touches the network.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from pipelines.core.config import Config, load_config


def manifest_path(cfg: Config) -> Path:
    return cfg.jvm.ivy_cache.parent / "jars" / "manifest.txt"


def resolved_jars(cfg: Config) -> list[str]:
    """Jar files recorded by the last `resolve`, or [] when set-up has not run."""
    manifest = manifest_path(cfg)
    if not manifest.is_file():
        return []
    lines = manifest.read_text().splitlines()
    wanted, jars = lines[0], lines[1:]
    if wanted != ",".join(cfg.jvm.packages) or not all(Path(j).is_file() for j in jars):
        return []
    return jars


def resolve(cfg: Config) -> list[str]:
    """Resolve cfg.jvm.packages with Spark's Ivy into cfg.jvm.ivy_cache; write the manifest."""
    from pyspark.sql import SparkSession

    ivy = cfg.jvm.ivy_cache
    shutil.rmtree(ivy / "jars", ignore_errors=True)  # only the jars of the current coordinates
    coordinates = ",".join(cfg.jvm.packages)
    spark = (SparkSession.builder.master("local[1]").appName("clout-resolve-jars")
             .config("spark.jars.packages", coordinates)
             .config("spark.jars.ivy", str(ivy))
             .config("spark.ui.enabled", "false")
             .getOrCreate())
    spark.stop()
    jars = sorted(str(p) for p in (ivy / "jars").glob("*.jar"))
    manifest = manifest_path(cfg)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text("\n".join([coordinates, *jars]) + "\n")
    (manifest.parent / ".resolved").touch()
    return jars


def main(argv: list[str]) -> int:
    if argv[:1] != ["resolve"]:
        print("usage: python -m pipelines.core.jars resolve", file=sys.stderr)
        return 2
    cfg = load_config("local")
    if resolved_jars(cfg):
        print(f"[setup] {len(resolved_jars(cfg))} jars already resolved for {','.join(cfg.jvm.packages)}")
        (manifest_path(cfg).parent / ".resolved").touch()
        return 0
    jars = resolve(cfg)
    print(f"[setup] resolved {len(jars)} jars for {','.join(cfg.jvm.packages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
