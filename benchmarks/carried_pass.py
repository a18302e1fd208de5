"""What one pass over carried state costs against today's edges from the window's rows (issue 22:
the measured half of docs/capacity.md's "What a carried window would keep").

    make run    # or any data root a nightly of --date has published
    .venv/bin/python -m benchmarks.carried_pass --data-root data --date 2026-09-30

On the window of --date exactly as the `window` stage reads it (jobs/window.py), with candidate
v6's rule (bursts spread over the author and weighed before engager quality):

- today: the engager → author pairs with their burst-discounted weights and ring factors, from
  the window's rows (jobs/transforms/engagement.py's path: weighted interactions, burst factors,
  pair sums, ring factors);
- carried: the same from three states a night would keep instead (built here once, timed apart):
  per pair its interactions, endorsements and recency sum against a fixed epoch E (the window's
  first day: Σ type weight · 2^((d − E)/h) · events), per author and day its weight by type, per
  engager its actions and active days. The pass derives engager quality, the author's burst
  factor (weeks back from D, recency 2^(−(D − d)/h)) and each pair's weight
  (quality · burst · sum · 2^(−(D − E)/h)), then the same ring factors.

Both materialise their pairs once (as engagement_edges does: the ring signals read them five
times) and write to Spark's `noop` sink, twice each, alternating, in one session; the result states the
largest relative difference between the two paths' pair weights (the carried path must compute
the same thing) and the automation factor, which neither includes (it reads posting gaps, state
of its own). Results: benchmarks/results/carried-pass-<label>.json.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from benchmarks import save_result
from benchmarks.carry_state import window_of_date
from benchmarks.run import commit
from jobs.transforms.engagement import (age_days, between_profiles, discounted_pairs, engager_quality, quality_of,
                                        recency, type_weight, weighted_interactions, window_start)
from jobs.transforms.gaming import burst_factors, ring_factors, swap_ring_members
from jobs.transforms.sums import exact_sum
from pipelines.core.config import load_model
from schemas.model import Model

CANDIDATE = "v6"


def pairs_today(events: DataFrame, model: Model, run_date: dt.date, window_days: int) -> DataFrame:
    """engager_id, author_id, interactions, weight (burst-discounted) and ring_factor from the rows."""
    ag = model.anti_gaming
    quality = engager_quality(events, human_daily_actions=model.engager_quality.human_daily_actions)
    interactions = weighted_interactions(events, quality, model, snapshot_date=run_date)
    pairs = discounted_pairs(interactions, model, window_days=window_days).drop("raw_weight")
    swaps = swap_ring_members(interactions.where(F.col("event_type") == "endorse"), ag)
    return ring_factors(pairs, ag, swaps)


def build_states(events: DataFrame, model: Model, epoch: dt.date, folder: Path) -> dict[str, Path]:
    """The three carried states, written once as Parquet under `folder`."""
    interactions = between_profiles(events)
    since_epoch = F.datediff(F.col("event_date"), F.lit(epoch))
    growth = F.pow(F.lit(2.0), since_epoch / F.lit(model.recency_half_life_days))
    endorse = F.when(F.col("event_type") == "endorse", F.col("events")).otherwise(F.lit(0))
    states = {
        "pairs": interactions.groupBy(F.col("actor_id").alias("engager_id"), F.col("target_id").alias("author_id"))
        .agg(F.sum("events").alias("interactions"), F.sum(endorse).alias("endorsements"),
             exact_sum(type_weight(model) * growth * F.col("events")).alias("epoch_sum")),
        "author_days": interactions.groupBy(F.col("target_id").alias("author_id"), "event_date")
        .agg(exact_sum(type_weight(model) * F.col("events")).alias("day_weight")),
        "engagers": events.groupBy(F.col("actor_id").alias("engager_id"))
        .agg(F.sum("events").alias("actions"), F.countDistinct("event_date").alias("active_days")),
    }
    paths = {}
    for name, frame in states.items():
        paths[name] = folder / name
        frame.write.mode("overwrite").parquet(str(paths[name]))
    return paths


def pairs_carried(spark, paths: dict[str, Path], model: Model, run_date: dt.date, epoch: dt.date,
                  window_days: int) -> DataFrame:
    """The same columns as pairs_today(), from the carried states."""
    ag, h = model.anti_gaming, model.recency_half_life_days
    pairs = spark.read.parquet(str(paths["pairs"]))
    rate = F.col("actions") / F.col("active_days")
    quality = spark.read.parquet(str(paths["engagers"])).select(
        "engager_id", quality_of(rate, human_daily_actions=model.engager_quality.human_daily_actions).alias("quality"))
    author_weeks = (spark.read.parquet(str(paths["author_days"]))
                    .select(F.col("author_id").alias("target_id"), F.floor(age_days(run_date) / 7).alias("week"),
                            (F.col("day_weight") * recency(model, run_date)).alias("w_event"))
                    .withColumn("events", F.lit(1)))
    burst = burst_factors(author_weeks, ag, window_days=window_days).groupBy("target_id").agg(
        F.first("burst_factor").alias("burst_factor"))    # v6 spreads it: one factor per author
    decay = 0.5 ** ((run_date - epoch).days / h)
    weighted = (pairs.join(quality, "engager_id").join(burst.withColumnRenamed("target_id", "author_id"), "author_id")
                .select("engager_id", "author_id", "interactions", "endorsements",
                        (F.col("quality") * F.col("burst_factor") * F.col("epoch_sum") * F.lit(decay)).alias("weight"))
                .localCheckpoint())
    swaps = swap_ring_members(pairs.where(F.col("endorsements") > 0).select(
        F.col("engager_id").alias("actor_id"), F.col("author_id").alias("target_id"),
        F.col("endorsements").alias("events")), ag)
    return ring_factors(weighted.drop("endorsements"), ag, swaps)


def timed_noop(build) -> tuple[float, DataFrame]:
    """Seconds to build the frame (its pairs materialised inside) and run it to the noop sink."""
    started = time.perf_counter()
    frame = build()
    frame.write.format("noop").mode("overwrite").save()
    return round(time.perf_counter() - started, 2), frame


def main() -> None:
    args, cfg, spark, events = window_of_date(__doc__.split("\n\n")[0], "carried-pass")
    model, days = load_model(CANDIDATE), cfg.pipeline.window_days
    epoch = window_start(args.date, days)
    rows = events.count()
    with tempfile.TemporaryDirectory(prefix="carried-pass-") as folder:
        started = time.perf_counter()
        paths = build_states(events, model, epoch, Path(folder))
        build_seconds = round(time.perf_counter() - started, 2)
        seconds = {"today": [], "carried": []}
        for _ in range(2):
            took, today = timed_noop(lambda: pairs_today(events, model, args.date, days))
            seconds["today"].append(took)
            took, carried = timed_noop(lambda: pairs_carried(spark, paths, model, args.date, epoch, days))
            seconds["carried"].append(took)
        def named(frame, n):
            return frame.select("engager_id", "author_id", F.col("weight").alias(f"w{n}"),
                                F.col("ring_factor").alias(f"r{n}"))

        compared = named(today, 1).join(named(carried, 2), ["engager_id", "author_id"], "full_outer")
        check = compared.agg(
            F.count(F.lit(1)).alias("pairs"),
            F.sum((F.col("w1").isNull() | F.col("w2").isNull()).cast("int")).alias("unmatched"),
            F.max(F.abs(F.col("w1") - F.col("w2")) / F.greatest(F.abs("w1"), F.lit(1e-12))).alias("max_rel_diff"),
            F.sum((F.col("r1") != F.col("r2")).cast("int")).alias("ring_factors_differing")).first()
        state_rows = {name: spark.read.parquet(str(path)).count() for name, path in paths.items()}
    save_result(args.out, f"carried-pass-{args.label}.json", {
        "date": str(args.date), "window_days": days, "model": CANDIDATE, "commit": commit(),
        "window_rows": rows, "state_rows": state_rows, "build_seconds": build_seconds,
        "seconds": seconds, "carried_over_today": round(min(seconds["carried"]) / min(seconds["today"]), 3),
        "pairs": check.pairs, "unmatched_pairs": check.unmatched, "max_relative_weight_difference": check.max_rel_diff,
        "ring_factors_differing": check.ring_factors_differing,
        "not_in_either": "automation factor (posting gaps per account), the quality join for publishing, the write"})


if __name__ == "__main__":
    main()
