"""Influence iteration rate on a synthetic engagement graph, against single-thread scipy (issue 22).

    .venv/bin/python -m benchmarks.influence_rate --vertices 1000000 --edges 3540000 --blocks-of 250000

Builds a skewed engagement graph in Spark (deterministic by seed; a few celebrities receive
most in-edges), writes it once to Parquet under --root and reads it back, so every run measures
the same graph. Then, in one `local[2]` session, times `weighted_pagerank` (the model's damping,
tolerance and iteration cap, local checkpoints):

- one block (every iteration inside one task, where the `on_iteration` callback cannot time
  them): seconds per iteration from accumulators the task adds the kernel's seconds to
  (`timed_kernel`), the rest of the task (moving the graph into it, conversions) apart;
- cut into blocks of --blocks-of vertices (one Spark job per iteration): seconds per iteration
  from the `on_iteration` callback's clock;
- warm start: the graph with ~1% of its edges rewired, started from the one-block run's ranks,
  against a cold start on the same changed graph.

Setup (everything before the first iteration) is timed through the checkpoint callable: the
fourth checkpoint is the numbered edges, the last step before iterating. After the Spark
session stops, on the same Parquet (pyarrow, no Spark collect): scipy.sparse (factorise and
build apart from iterating) and the project's numpy kernel alone (`rank_kernel.solve`, one
thread), with a breakdown of one kernel iteration. COST ratio = scipy's single-thread
edge·iterations per second over ours per core (how many of our cores match one scipy thread).

Writes benchmarks/results/influence-rate-<label>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from benchmarks import save_result
from benchmarks.run import scipy_pagerank

ROOT = Path("/tmp/clout-bench-influence")
CORES = 2                       # local[2]
SRC_SKEW, DST_SKEW = 1.5, 2.5   # index = floor(V · u^skew): larger skews toward few vertices
CHANGED_SHARE = 100             # 1 edge in this many is rewired for the warm-start graph


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def git_head() -> str:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()


# ---------------------------------------------------------------- the synthetic graph, in Spark

def _multiplier(vertices: int) -> int:
    """A multiplier coprime to `vertices`: k → (k·a + b) mod V permutes vertex numbers, so the
    celebrities (small k) are scattered over the ids."""
    a = int(vertices * 0.618) + 1
    while math.gcd(a, vertices) != 1:
        a += 1
    return a


def _uniform(seed: int, stream: int, *cols):
    """A deterministic uniform [0, 1) per row from a hash of `cols`, one stream per number."""
    from pyspark.sql import functions as F
    return F.pmod(F.xxhash64(*cols, F.lit(seed), F.lit(stream)), F.lit(1 << 52)).cast("double") / float(1 << 52)


def _vertex(u, skew: float, vertices: int):
    """A profile id drawn with P(index < k) = (k/V)^(1/skew), then permuted over the ids."""
    from pyspark.sql import functions as F
    k = F.least(F.floor(F.lit(float(vertices)) * F.pow(u, F.lit(skew))).cast("long"), F.lit(vertices - 1))
    number = F.pmod(k * F.lit(_multiplier(vertices)) + F.lit(7919), F.lit(vertices))
    return F.concat(F.lit("p"), F.lpad(number.cast("string"), max(7, len(str(vertices - 1))), "0"))


def _weights(seed: int, *cols):
    """raw_weight: 0.5, 1, 1.5, ... (geometric-like); weight: raw × an anti-gaming factor for ~10%."""
    from pyspark.sql import functions as F
    raw = F.lit(0.5) * (F.lit(1.0) + F.floor(-F.log(F.lit(1.0) - _uniform(seed, 3, *cols)) * F.lit(3.0)))
    u = _uniform(seed, 4, *cols)
    factor = (F.when(u < 0.90, 1.0).when(u < 0.95, 0.2).when(u < 0.98, 0.15).otherwise(0.5))
    return raw.alias("raw_weight"), (raw * factor).alias("weight")


def _distinct_pairs(edges):
    """One edge per (src, dst), no self-engagement; max per pair keeps raw_weight ≥ weight and
    does not depend on row order."""
    from pyspark.sql import functions as F
    return (edges.where(F.col("src") != F.col("dst")).groupBy("src", "dst")
            .agg(F.max("weight").alias("weight"), F.max("raw_weight").alias("raw_weight")))


def build_graph(spark, vertices: int, edges: int, seed: int):
    from pyspark.sql import functions as F
    rows = spark.range(edges)
    return _distinct_pairs(rows.select(_vertex(_uniform(seed, 1, "id"), SRC_SKEW, vertices).alias("src"),
                                       _vertex(_uniform(seed, 2, "id"), DST_SKEW, vertices).alias("dst"),
                                       *_weights(seed, "id")))


def changed_graph(graph, vertices: int, seed: int):
    """~1% of the edges rewired to another (skewed) author with a new weight."""
    from pyspark.sql import functions as F
    pick = F.pmod(F.xxhash64("src", "dst", F.lit(seed), F.lit(5)), F.lit(CHANGED_SHARE)) == 0
    raw, weight = _weights(seed + 1, "src", "dst")
    return _distinct_pairs(graph.select(
        "src", F.when(pick, _vertex(_uniform(seed, 6, "src", "dst"), DST_SKEW, vertices)).otherwise(F.col("dst")).alias("dst"),
        F.when(pick, weight).otherwise(F.col("weight")).alias("weight"),
        F.when(pick, raw).otherwise(F.col("raw_weight")).alias("raw_weight")))


def written_once(frame, path: Path) -> float:
    """Write `frame` to Parquet at `path` unless it is already there; the seconds it took (0 if reused)."""
    if (path / "_SUCCESS").is_file():
        return 0.0
    started = time.perf_counter()
    frame.write.mode("overwrite").parquet(str(path))
    return round(time.perf_counter() - started, 1)


# ---------------------------------------------------------------- timing weighted_pagerank

def timed_pagerank(spark, edges, edge_count: int, ranks_path: Path, *, vertices_per_block: int,
                   max_iterations: int, settings, start=None) -> dict:
    """One weighted_pagerank run: total, setup, iterating and finishing seconds, per-iteration clock."""
    from jobs.transforms.influence import weighted_pagerank

    marks: list[float] = []
    clock: list[tuple[int, float, float]] = []

    def checkpoint(df):
        out = df.localCheckpoint(eager=True)
        marks.append(time.perf_counter())
        return out

    started = time.perf_counter()
    result = weighted_pagerank(edges, damping=settings.damping, tolerance=settings.tolerance,
                               max_iterations=max_iterations, checkpoint=checkpoint, start=start,
                               vertices_per_block=vertices_per_block,
                               on_iteration=lambda i, r: clock.append((i, r, time.perf_counter())))
    returned = time.perf_counter()
    result.ranks.write.mode("overwrite").parquet(str(ranks_path))   # materialise the final ranks
    ended = time.perf_counter()
    setup_end = marks[3]          # p, leak, index, numbered edges: then the iterations
    steps = ("transition", "leak", "index", "numbered_edges")
    setup_steps = {name: round(b - a, 2) for name, a, b in zip(steps, [started, *marks[:3]], marks[:4])}
    run = {"blocks": result.blocks, "warm": result.warm, "iterations": result.iterations,
           "residual": result.residual, "max_iterations": max_iterations,
           "total_s": round(ended - started, 2), "setup_s": round(setup_end - started, 2),
           "setup_steps_s": setup_steps, "iterating_s": round(returned - setup_end, 2),
           "finish_s": round(ended - returned, 2)}
    if result.blocks > 1:
        times = [setup_end] + [t for _, _, t in clock]
        durations = [b - a for a, b in zip(times, times[1:])]
        run["iteration_s"] = [round(x, 2) for x in durations]
        run["seconds_per_iteration"] = round((times[-1] - setup_end) / len(durations), 2)
        run["median_iteration_s"] = round(statistics.median(durations), 2)
        add_rates(run, edge_count)
    return run


@contextmanager
def timed_kernel(spark):
    """Instrumentation for the one-block run, whose iterations run inside one task where the
    `on_iteration` callback cannot time them: while the block is open, `influence.solver` is
    wrapped so that the task adds to accumulators the seconds of `rank_kernel.solve` (all the
    iterations) and of the whole task function (with the pandas/numpy conversions). The
    arithmetic is untouched. Yields a function returning the two figures."""
    from jobs.transforms import influence

    kernel_s, function_s = spark.sparkContext.accumulator(0.0), spark.sparkContext.accumulator(0.0)
    original = influence.solver

    def timed_solver(**options):
        inner = original(**options)

        def solve(edges, ranks):
            import time as clock
            from jobs.transforms import rank_kernel
            kernel = rank_kernel.solve

            def timed(*a, **k):
                began = clock.perf_counter()
                out = kernel(*a, **k)
                kernel_s.add(clock.perf_counter() - began)
                return out

            rank_kernel.solve, began = timed, clock.perf_counter()
            try:
                return inner(edges, ranks)
            finally:
                rank_kernel.solve = kernel
                function_s.add(clock.perf_counter() - began)
        return solve

    influence.solver = timed_solver
    try:
        yield lambda: {"kernel_in_task_s": round(kernel_s.value, 2), "task_function_s": round(function_s.value, 2)}
    finally:
        influence.solver = original


def add_rates(run: dict, edges: int) -> None:
    per_iteration = run["seconds_per_iteration"]
    run["edge_iterations_per_s_per_core"] = round(edges / per_iteration / CORES) if per_iteration > 0 else None
    run["end_to_end_edge_iterations_per_s_per_core"] = round(edges * run["iterations"] / run["total_s"] / CORES)


def spark_settings(spark) -> dict:
    skip = ("jars", "extraJavaOptions", "app.id", "app.startTime", "driver.host", "driver.port", "submitTime")
    return {k: v for k, v in sorted(spark.sparkContext.getConf().getAll()) if not any(s in k for s in skip)}


def spark_runs(args, settings, graph_path: Path, changed_path: Path) -> dict:
    from pipelines.core.config import load_config
    from pipelines.core.session import get_spark

    cfg = load_config("local", {"paths.data_root": str(args.root), "spark.driver_memory": "8g"})
    started = time.perf_counter()
    spark = get_spark(cfg, "clout-bench-influence-rate")
    out: dict = {"session_start_s": round(time.perf_counter() - started, 2), "spark_settings": spark_settings(spark)}
    try:
        graph = build_graph(spark, args.vertices, args.edges, args.seed)
        out["graph_write_s"] = written_once(graph, graph_path)
        out["changed_graph_write_s"] = written_once(changed_graph(spark.read.parquet(str(graph_path)),
                                                                  args.vertices, args.seed), changed_path)
        edges = spark.read.parquet(str(graph_path))
        changed = spark.read.parquet(str(changed_path))
        edge_count, changed_count = edges.count(), changed.count()
        out["graph"] = {"edges": edge_count, "changed_graph_edges": changed_count,
                        "edges_changed_vs_original": changed.join(edges, ["src", "dst", "weight", "raw_weight"],
                                                                  "left_anti").count()}
        ranks = args.root / "ranks"
        one = {"vertices_per_block": args.vertices, "settings": settings}
        with timed_kernel(spark) as in_task:
            full = timed_pagerank(spark, edges, edge_count, ranks / "single",
                                  max_iterations=settings.max_iterations, **one)
        full.update(in_task())
        full["seconds_per_iteration"] = round(full["kernel_in_task_s"] / full["iterations"], 3)
        full["in_task_fixed_s"] = round(full["iterating_s"] - full["kernel_in_task_s"], 2)
        add_rates(full, edge_count)
        out["single_block"] = full
        out["blocks"] = timed_pagerank(spark, edges, edge_count, ranks / "blocks", vertices_per_block=args.blocks_of,
                                       max_iterations=args.blocks_max_iterations or settings.max_iterations,
                                       settings=settings)
        earlier = spark.read.parquet(str(ranks / "single")).select("id", "influence")
        warm = timed_pagerank(spark, changed, changed_count, ranks / "warm", start=earlier,
                              max_iterations=settings.max_iterations, **one)
        cold = timed_pagerank(spark, changed, changed_count, ranks / "cold", max_iterations=settings.max_iterations, **one)
        out["warm_start"] = {"warm_iterations": warm["iterations"], "cold_iterations": cold["iterations"],
                             "warm_total_s": warm["total_s"], "cold_total_s": cold["total_s"],
                             "warm_iterating_s": warm["iterating_s"], "cold_iterating_s": cold["iterating_s"],
                             "warm": warm, "cold": cold}
    finally:
        spark.stop()
    return out


# ---------------------------------------------------------------- baselines without Spark

def kernel_alone(graph: dict, settings) -> dict:
    """The project's numpy kernel over the same arrays, one thread, no Spark; and where one
    iteration's time goes (median of 5)."""
    from jobs.transforms import rank_kernel

    s, d, p, leak, n = graph["s"], graph["d"], graph["p"], graph["leak"], len(graph["ids"])
    start = np.full(n, 1.0 / n)
    started = time.perf_counter()
    rank, _, residuals = rank_kernel.solve(s, d, p, leak, start, damping=settings.damping,
                                           tolerance=settings.tolerance, max_iterations=settings.max_iterations)
    seconds = time.perf_counter() - started

    def median_time(fn) -> float:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return round(statistics.median(times), 4)

    terms = p * rank[s]
    fixed_terms = rank_kernel.fixed(terms)
    incoming = rank_kernel.scatter_sum(d, fixed_terms, n)
    csr = __import__("scipy.sparse", fromlist=["csr_matrix"]).csr_matrix((p, (d, s)), shape=(n, n))
    parts = {"gather_multiply": median_time(lambda: p * rank[s]),
             "fixed_point_round": median_time(lambda: rank_kernel.fixed(terms)),
             "scatter_sum_3_limbs": median_time(lambda: rank_kernel.scatter_sum(d, fixed_terms, n)),
             "one_float_bincount": median_time(lambda: np.bincount(d, weights=terms, minlength=n)),
             "advance": median_time(lambda: rank_kernel.advance(rank, leak, incoming, base=1e-7,
                                                                damping=settings.damping)),
             "scipy_csr_matvec": median_time(lambda: csr @ rank)}
    # a candidate: edges sorted by destination once (before iterating), then one exact int64
    # reduceat per iteration in place of scatter_sum's three float bincounts over limbs
    order = np.argsort(d, kind="stable")
    sorted_d, sorted_terms = d[order], fixed_terms[order]
    starts = np.flatnonzero(np.r_[True, sorted_d[1:] != sorted_d[:-1]])
    candidate = np.zeros(n, dtype=np.int64)
    candidate[sorted_d[starts]] = np.add.reduceat(sorted_terms, starts)
    parts["sorted_reduceat_int64"] = median_time(lambda: np.add.reduceat(sorted_terms, starts))
    parts["sorted_reduceat_equals_scatter_sum"] = bool(np.array_equal(candidate, incoming))
    iterations = len(residuals)
    return {"iterations": iterations, "seconds": round(seconds, 2),
            "seconds_per_iteration": round(seconds / iterations, 4),
            "edge_iterations_per_s": round(len(s) * iterations / seconds),
            "one_iteration_parts_s": parts}


def baselines(graph_path: Path, ranks_path: Path, settings) -> dict:
    started = time.perf_counter()
    table = pq.read_table(str(graph_path), columns=["src", "dst", "weight", "raw_weight"])
    arrays = [table[c].to_numpy() for c in ("src", "dst", "weight", "raw_weight")]
    read_s = time.perf_counter() - started
    scipy_run, graph = scipy_pagerank(*arrays, damping=settings.damping, tolerance=settings.tolerance,
                                      max_iterations=settings.max_iterations)
    scipy_run["parquet_read_s"] = round(read_s, 2)
    scipy_run["edge_iterations_per_s"] = round(scipy_run["edges"] * scipy_run["iterations"] /
                                               scipy_run["iteration_seconds"])
    ours = pq.read_table(str(ranks_path), columns=["id", "influence"])
    ids = ours["id"].to_numpy()
    where = np.searchsorted(graph["ids"], ids)
    same = bool(len(ids) == len(graph["ids"]) and np.array_equal(graph["ids"][where], ids))
    diff = np.abs(ours["influence"].to_numpy() - graph["rank"][where]) if same else None
    scipy_run["agreement_with_single_block"] = {
        "same_vertices": same, "max_abs_rank_diff": float(diff.max()) if same else None,
        "l1_rank_diff": float(diff.sum()) if same else None}
    return {"scipy": scipy_run, "kernel": kernel_alone(graph, settings),
            "blocks_same_bytes_as_single_block": same_bytes(ranks_path, ranks_path.parent / "blocks")}


def same_bytes(one: Path, other: Path) -> bool:
    """The two runs' (id, influence, relative_influence), sorted by id, equal to the last bit
    (meaningful when both ran the same number of iterations)."""
    a, b = (pq.read_table(str(p)).sort_by("id") for p in (one, other))
    return a.select(["id", "influence", "relative_influence"]).equals(b.select(["id", "influence", "relative_influence"]))


# ---------------------------------------------------------------- report

def cost_ratios(result: dict) -> dict:
    scipy_rate = result["scipy"]["edge_iterations_per_s"]
    out = {"definition": "scipy single-thread edge·iterations/s ÷ ours per core (cores = 2): "
                         "how many of our cores match one scipy thread"}
    for name in ("single_block", "blocks"):
        rate = result[name].get("edge_iterations_per_s_per_core")
        out[name] = round(scipy_rate / rate, 2) if rate else None
        end_to_end = result[name]["end_to_end_edge_iterations_per_s_per_core"]
        out[f"{name}_end_to_end"] = round(scipy_rate / end_to_end, 2)
    out["kernel_alone_vs_scipy"] = round(scipy_rate / result["kernel"]["edge_iterations_per_s"], 2)
    return out


def table(result: dict) -> str:
    rows = ["| run | blocks | iterations | total s | setup s | s / iteration | edge·it/s/core (iterations) | end to end |",
            "|---|---|---|---|---|---|---|---|"]
    for name in ("single_block", "blocks"):
        r = result[name]
        rows.append(f"| {name} | {r['blocks']} | {r['iterations']} | {r['total_s']} | {r['setup_s']} | "
                    f"{r.get('seconds_per_iteration')} | {r.get('edge_iterations_per_s_per_core')} | "
                    f"{r['end_to_end_edge_iterations_per_s_per_core']} |")
    w, s, k = result["warm_start"], result["scipy"], result["kernel"]
    rows += ["", f"warm start (~1% of edges changed): {w['warm_iterations']} iterations vs {w['cold_iterations']} cold "
                 f"({w['warm_total_s']} s vs {w['cold_total_s']} s)",
             f"scipy, 1 thread: factorise + build {s['build_seconds']} s, {s['iterations']} iterations "
             f"{s['iteration_seconds']} s ({s['edge_iterations_per_s']:,} edge·it/s)",
             f"numpy kernel alone, 1 thread: {k['seconds_per_iteration']} s/iteration "
             f"({k['edge_iterations_per_s']:,} edge·it/s)",
             f"COST (cores of ours per scipy thread): single block {result['cost']['single_block']}, "
             f"blocks {result['cost']['blocks']}; kernel alone vs scipy {result['cost']['kernel_alone_vs_scipy']}",
             f"load: before {result['load_before']} | after {result['load_after']}"]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    from pipelines.core.config import load_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vertices", type=int, default=20_000)
    ap.add_argument("--edges", type=int, default=70_000)
    ap.add_argument("--blocks-of", type=int, default=None, help="vertices per block of the cut run (default: a quarter)")
    ap.add_argument("--blocks-max-iterations", type=int, default=None,
                    help="iteration cap of the cut run (default: the model's; lower it when iterations are slow)")
    ap.add_argument("--seed", type=int, default=22)
    ap.add_argument("--root", type=Path, default=ROOT)
    ap.add_argument("--label", default=None, help="result file suffix (default: <vertices>v-<edges>e)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args(argv)
    args.blocks_of = args.blocks_of or max(1, args.vertices // 4)
    settings = load_model("v1").influence
    name = f"graph-{args.vertices}v-{args.edges}e-s{args.seed}"
    graph_path, changed_path = args.root / "graphs" / name, args.root / "graphs" / f"{name}-changed"
    result = {"date": dt.date.today().isoformat(), "commit": git_head(), "load_before": uptime(),
              "cores": CORES, "requested": {"vertices": args.vertices, "edges": args.edges, "seed": args.seed,
                                            "blocks_of": args.blocks_of, "src_skew": SRC_SKEW, "dst_skew": DST_SKEW},
              "model": {"damping": settings.damping, "tolerance": settings.tolerance,
                        "max_iterations": settings.max_iterations, "checkpoint": "localCheckpoint"},
              "graph_path": str(graph_path)}
    result.update(spark_runs(args, settings, graph_path, changed_path))
    result.update(baselines(graph_path, args.root / "ranks" / "single", settings))
    result["graph"]["vertices"] = result["scipy"]["vertices"]
    result["cost"] = cost_ratios(result)
    result["load_after"] = uptime()
    label = args.label or f"{args.vertices}v-{args.edges}e"
    save_result(args.out, f"influence-rate-{label}.json", result)
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
