"""Generator throughput and memory at a given scale (not part of the tests).

    .venv/bin/python -m benchmarks.generate_speed --scale small
    .venv/bin/python -m benchmarks.generate_speed --scale medium --days 3   # extrapolate

Prints lines written, wall seconds, lines/s and peak RSS of this process and of the largest
worker process (ru_maxrss of RUSAGE_CHILDREN), then deletes the output unless --keep.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from generator import SCALES, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="small")
    ap.add_argument("--profiles", type=int, help="override the scale's profile count")
    ap.add_argument("--days", type=int, help="override the scale's day count")
    ap.add_argument("--workers", type=int, help="worker processes (default: automatic)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, help="output directory (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the output")
    args = ap.parse_args(argv)

    profiles = args.profiles or SCALES[args.scale]["profiles"]
    days = args.days or SCALES[args.scale]["days"]
    tmp = Path(tempfile.mkdtemp(prefix="clout-gen-bench-"))
    out = args.out or tmp / "landing"
    t0 = time.perf_counter()
    summary = generate(out, profiles=profiles, days=days, seed=args.seed, workers=args.workers,
                       log=lambda m: print(m, flush=True))
    secs = time.perf_counter() - t0
    lines = sum(summary["lines_written"].values())
    size = sum(p.stat().st_size for p in out.rglob("*.gz"))
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"scale={args.scale} profiles={profiles:,} days={days} workers={args.workers or 'auto'}")
    print(f"lines={lines:,} seconds={secs:.1f} lines_per_s={lines / secs:,.0f} "
          f"gz_mb={size / 2**20:,.1f}")
    print(f"peak_rss_main_mb={self_mb:,.0f} peak_rss_largest_worker_mb={child_mb:,.0f}")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
