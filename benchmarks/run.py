"""`make bench`: the whole nightly at a scale, measured per stage, with the baselines that give the
numbers meaning (not part of `make test`).

    .venv/bin/python -m benchmarks.run --scale small        # make bench SCALE=small

Generates the scale's sample into a temporary data root and runs every nightly stage once for
the last date, each in its own Spark job group, then reads from Spark's own status API (the
driver UI's REST endpoints): per stage wall seconds, rows in/out, rates per core, shuffle bytes
written, and the driver JVM's peak heap (local mode: driver and executor are one JVM). Baselines
measured in the same run: a Spark session start and an empty job (fixed overhead), and a
single-thread scipy.sparse power iteration over the same engagement graph as the influence job.
GraphFrames' built-in pageRank, the other baseline, cannot run here (its JVM package is not
served: docs/stack.md). Results: benchmarks/results/bench-<scale>.json and .md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import time
import urllib.request
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from deltalake import DeltaTable

from benchmarks import END, generated_sample, save_result
from generator import SCALES
from pipelines.core.config import load_config, load_model
from pipelines.core.jobrun import run_job
from pipelines.orchestration.nightly import STAGES, context
from pipelines.core.session import get_spark

RATE_UNIT = {"ingest_bronze": "lines", "profiles": "link records", "ingest_silver": "lines",
             "daily_partials": "events", "window": "partial rows", "network_influence": "edge·iterations",
             "scores": "events"}


def status(spark, path: str) -> list | dict:
    url = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}/{path}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def shuffle_bytes_by_group(spark) -> dict[str, int]:
    stages = {s["stageId"]: s.get("shuffleWriteBytes", 0) for s in status(spark, "stages?status=complete")}
    per_group: dict[str, int] = {}
    for job in status(spark, "jobs"):
        group = job.get("jobGroup")
        if group:
            per_group[group] = per_group.get(group, 0) + sum(stages.get(i, 0) for i in job["stageIds"])
    return per_group


def peak_driver_heap(spark) -> int | None:
    for executor in status(spark, "allexecutors"):
        if executor["id"] == "driver":
            return (executor.get("peakMemoryMetrics") or {}).get("JVMHeapMemory")
    return None


def commit() -> str:
    """The code measured: git commit, with "+changes" when the worktree differs from it."""
    import subprocess
    root = Path(__file__).resolve().parent.parent
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                           capture_output=True, text=True).stdout.strip()
    return f"{head}{'+changes' if dirty else ''}"


def fixed_overhead(cfg) -> tuple[object, dict]:
    started = time.perf_counter()
    spark = get_spark(cfg, "clout-bench")
    session_s = time.perf_counter() - started
    started = time.perf_counter()
    spark.range(1).count()
    return spark, {"spark_session_start_s": round(session_s, 2),
                   "empty_job_s": round(time.perf_counter() - started, 3)}


def scipy_pagerank(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, raw_weight: np.ndarray, *,
                   damping: float, tolerance: float, max_iterations: int) -> tuple[dict, dict]:
    """The same weighted influence (raw-weight normalisation, leak spread evenly) on one thread,
    the factorisation and sparse-matrix build timed apart from the iterations. Returns the
    figures and the graph as arrays (ids, s, d, p, leak, rank) for other baselines."""
    started = time.perf_counter()
    ids, index = np.unique(np.concatenate([src, dst]), return_inverse=True)
    s, d, n = index[:len(src)], index[len(src):], len(ids)
    raw_out = np.bincount(s, weights=raw_weight, minlength=n)
    p = weight / raw_out[s]
    matrix = sp.csr_matrix((p, (d, s)), shape=(n, n))
    leak = np.clip(1.0 - np.bincount(s, weights=p, minlength=n), 0.0, None)
    built = time.perf_counter()
    rank, iterations, residual = np.full(n, 1.0 / n), 0, np.inf
    while iterations < max_iterations and residual > tolerance:
        new = (1.0 - damping) / n + damping * (leak @ rank) / n + damping * (matrix @ rank)
        residual, rank, iterations = np.abs(new - rank).sum(), new, iterations + 1
    done = time.perf_counter()
    figures = {"vertices": n, "edges": len(src), "iterations": iterations, "residual": float(residual),
               "build_seconds": round(built - started, 3), "iteration_seconds": round(done - built, 3),
               "seconds": round(done - started, 2)}
    return figures, {"ids": ids, "s": s, "d": d, "p": p, "leak": leak, "rank": rank}


def scipy_power_iteration(edges_path: Path, day: dt.date, damping: float, tolerance: float,
                          max_iterations: int) -> dict:
    """scipy_pagerank over a snapshot of gold.engagement_edges (read with delta-rs, not timed)."""
    table = DeltaTable(str(edges_path)).to_pyarrow_table(
        columns=["engager_id", "author_id", "weight", "raw_weight"], filters=[("snapshot_date", "=", day)])
    figures, _ = scipy_pagerank(
        table["engager_id"].to_numpy(zero_copy_only=False), table["author_id"].to_numpy(zero_copy_only=False),
        table["weight"].to_numpy(), table["raw_weight"].to_numpy(),
        damping=damping, tolerance=tolerance, max_iterations=max_iterations)
    return figures


def scaling(small: dict, big: dict) -> dict:
    """Per stage: how much longer it took against how much more work it did (its rate's unit:
    lines, events, edge·iterations). cost per unit × = 1.0 is linear; below 1, fixed costs
    amortised; above 1, superlinear."""
    ratios = {}
    for name, st in big["stages"].items():
        base = small["stages"].get(name) or {}
        if base.get("rate_per_core") and st.get("rate_per_core"):
            work_ratio = (st["rate_per_core"] * st["seconds"]) / (base["rate_per_core"] * base["seconds"])
            time_ratio = st["seconds"] / base["seconds"]
            ratios[name] = {"unit": st["rate_unit"], "work_ratio": round(work_ratio, 2),
                            "time_ratio": round(time_ratio, 2),
                            "cost_per_unit_ratio": round(time_ratio / work_ratio, 3)}
    return ratios


def scipy_parts(scipy_run: dict) -> str:
    """The scipy row's split (results written before the split have only the total)."""
    if "build_seconds" not in scipy_run:
        return ""
    return f": factorise + build {scipy_run['build_seconds']} s, iterate {scipy_run['iteration_seconds']} s"


def markdown(result: dict) -> str:
    lines = [f"# Bench `{result['scale']}` — {result['date']}", "",
             f"{result['machine']}; {result['profiles']:,} profiles × {result['days']} days; code {result.get('commit', '?')}; "
             f"15-minute load average {result['load_average_15m']} (a shared machine).", "",
             "| stage | seconds | rows in | rows out | rate per core | shuffle written |",
             "|---|---|---|---|---|---|"]
    for name, st in result["stages"].items():
        rate = f"{st['rate_per_core']:,.0f} {st['rate_unit']}/s" if st.get("rate_per_core") else "—"
        lines.append(f"| {name} | {st['seconds']} | {st['rows_in'] or '—'} | {st['rows_out'] or '—'} | {rate} | "
                     f"{st['shuffle_write_mb']} MB |")
    b = result["baselines"]
    lines += ["", f"Nightly total {result['nightly_s']} s; peak driver JVM heap {result['peak_driver_heap_mb']} MB; "
                  f"peak Python driver RSS {result['peak_python_rss_mb']} MB.", "",
              "| baseline | seconds |", "|---|---|",
              f"| Spark session start | {b['spark_session_start_s']} |",
              f"| empty Spark job | {b['empty_job_s']} |",
              f"| scipy.sparse power iteration, 1 thread ({b['scipy']['edges']:,} edges, "
              f"{b['scipy']['iterations']} iterations){scipy_parts(b['scipy'])} | {b['scipy']['seconds']} |",
              f"| network_influence stage, Spark `local[2]` | {result['stages']['network_influence']['seconds']} |",
              "| GraphFrames pageRank | not run: its JVM package is not served here |"]
    if result.get("scaling_vs_small"):
        lines += ["", "Scaling against `small` (time ratio over work ratio; 1.0 = linear, below 1 = fixed costs "
                      "amortised, above 1 = superlinear):", "",
                  "| stage | unit | work × | time × | cost per unit × |", "|---|---|---|---|---|"]
        lines += [f"| {n} | {r['unit']} | {r['work_ratio']} | {r['time_ratio']} | {r['cost_per_unit_ratio']} |"
                  for n, r in result["scaling_vs_small"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="small")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    ap.add_argument("--days", type=int, default=None,
                    help="landing days to generate (default: the scale's; fewer keeps medium within an hour)")
    ap.add_argument("--driver-memory", default=None, help="e.g. 10g (default: the local config's)")
    args = ap.parse_args(argv)
    profiles, days = SCALES[args.scale]["profiles"], args.days or SCALES[args.scale]["days"]
    cores = os.cpu_count() or 1
    with generated_sample(profiles, days, prefix="clout-bench-") as root:
        cfg = load_config("local", {"paths.data_root": str(root),
                                    **({"spark.driver_memory": args.driver_memory} if args.driver_memory else {})})
        # the status API lives in the driver UI, which the local config turns off
        cfg.spark.extra_conf.update({"spark.ui.enabled": "true", "spark.ui.port": "4077"})
        spark, overhead = fixed_overhead(cfg)
        ctx = context(spark, cfg, END)
        stages, started = {}, time.perf_counter()
        for name, body in STAGES:
            spark.sparkContext.setJobGroup(name, f"bench {name}")
            stage_started = time.perf_counter()
            outcome = run_job(ctx, name, body)
            stages[name] = {"seconds": round(time.perf_counter() - stage_started, 1),
                            "rows_in": outcome.rows_in, "rows_out": outcome.rows_out, "message": outcome.message}
        nightly_s = time.perf_counter() - started
        shuffle = shuffle_bytes_by_group(spark)
        heap = peak_driver_heap(spark)
        model = load_model(cfg.pipeline.model_version)
        edges = stages["window"]["rows_out"] or 0
        iterations = int((stages["network_influence"]["message"] or "0").split()[0])
        for name, st in stages.items():
            work = edges * iterations if name == "network_influence" else (
                st["rows_in"] or stages["ingest_silver"]["rows_out"] or 0)
            st.update(rate_unit=RATE_UNIT[name], rate_per_core=round(work / st["seconds"] / cores, 1) if st["seconds"] else None,
                      shuffle_write_mb=round(shuffle.get(name, 0) / 1e6, 1))
        scipy_run = scipy_power_iteration(cfg.paths.warehouse / "gold" / "engagement_edges", END,
                                          model.influence.damping, model.influence.tolerance,
                                          model.influence.max_iterations)
        spark.stop()
    result = {"scale": args.scale, "profiles": profiles, "days": days, "date": dt.date.today().isoformat(),
              "commit": commit(),
              "machine": f"{cores} cores, {cfg.spark.master}, driver memory {cfg.spark.driver_memory}",
              "load_average_15m": round(os.getloadavg()[2], 1), "nightly_s": round(nightly_s, 1),
              "peak_driver_heap_mb": round(heap / 1e6) if heap else None,
              "peak_python_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
              "stages": stages, "baselines": {**overhead, "scipy": scipy_run}}
    if args.scale != "small" and (args.out / "bench-small.json").is_file():
        result["scaling_vs_small"] = scaling(json.loads((args.out / "bench-small.json").read_text()), result)
    name = f"bench-{args.scale}{'' if args.days is None else f'-{days}d'}"
    save_result(args.out, f"{name}.json", result)
    (args.out / f"{name}.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
