"""Predictive validity of the published model and a candidate, on a generated sample whose seed
no test and no tuning uses (the held-out figures of docs/scoring.md).

Generates `--profiles` profiles over `--history` days up to D plus `--horizon` days after it,
runs the nightly of D (and the candidate in shadow), the nightly of D+h (which ingests the
horizon), then `clout validate` for both models. Beside the figures `clout validate` records,
it reports what only generated data can tell: planted gaming accounts in each model's top
decile, and the headline figures over the posting profiles that are not planted gaming accounts.

  .venv/bin/python -m benchmarks.predictive_validity --seed 2718          # held out: the final figures
  .venv/bin/python -m benchmarks.predictive_validity --seed 31 --keep     # the tuning seed
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import END, save_result
from benchmarks.run import commit
from benchmarks.score_validity import GAMING

HELD_OUT_SEED = 2718
TUNING_SEED = 31


def gamers_in_top_decile(root: Path, table: str, day: dt.date, model: str) -> dict:
    from deltalake import DeltaTable

    with gzip.open(root / "landing" / "_truth" / "profiles.jsonl.gz", "rt") as f:
        personas = {p["profile_id"]: p["persona"] for p in map(json.loads, f)}
    rows = DeltaTable(str(root / "warehouse" / "gold" / table)).to_pyarrow_table(
        columns=["profile_id", "percentile", "model_version"], filters=[("snapshot_date", "=", day)]).to_pylist()
    top = [r["profile_id"] for r in rows if r["model_version"] == model and r["percentile"] >= 90.0]
    gaming = sum(personas.get(p) in GAMING for p in top)
    return {"top_decile": len(top), "gaming_in_top_decile": gaming}


def without_gaming(spark, cfg, day: dt.date, horizon: int, models: tuple[str, ...], root: Path) -> dict:
    """Headline Spearman of each model's score and of the naive rankings over the posting profiles
    that are not planted gaming accounts (only generated data can tell them apart): beside the same
    figures over all of them (`clout validate`'s), how much of the score's gap to the naive counts
    the gamers make, whose rings keep engaging after D."""
    from jobs.transforms.validity import HEADLINE, NAIVE_PREDICTORS, spearman
    from jobs.validate import RANKED_SAMPLE, horizon_end, profile_frame, ranked_sample, snapshot_scores
    from pipelines.core.jobrun import JobContext

    with gzip.open(root / "landing" / "_truth" / "profiles.jsonl.gz", "rt") as f:
        gaming = [(p["profile_id"],) for p in map(json.loads, f) if p["persona"] in GAMING]
    gamers = spark.createDataFrame(gaming, "profile_id STRING")
    ctx = JobContext(spark, cfg, day, "without-gaming")
    figures = {}
    for model in models:
        frame = profile_frame(ctx, horizon_end(ctx, horizon), snapshot_scores(ctx, model)[0], model)
        rows = frame.where("posted").join(gamers, "profile_id", "left_anti")
        n = rows.count()
        columns = ranked_sample(rows, n, RANKED_SAMPLE, 0)   # the bounded sample `clout validate` ranks
        figures["profiles"] = n
        figures[f"{model} score"] = round(spearman(columns["score"], columns[HEADLINE]), 4)
        for naive in NAIVE_PREDICTORS:
            figures[f"naive {naive}"] = round(spearman(columns[naive], columns[HEADLINE]), 4)
        frame.unpersist()
    return figures


RETESTED = ("quality_interactions", "engagers")


def outcome_retest(spark, cfg, day: dt.date, horizon: int) -> dict:
    """Each RETESTED outcome measured twice, over the horizon D+1..D+h and over the h days up to
    D, on the profiles that posted in the horizon (those `clout validate` ranks): the outcome's
    own reliability and the ceiling it sets for any ranking (jobs.transforms.validity)."""
    import numpy as np

    from jobs.transforms.engagement import engager_quality
    from jobs.transforms.validity import future_engagement, reliability_ceiling, retest_frame
    from jobs.validate import horizon_events
    from pipelines.core.config import load_model
    from pipelines.core.jobrun import JobContext

    rule = load_model(cfg.pipeline.model_version).engager_quality.human_daily_actions
    nobody = spark.createDataFrame([], "engager_id STRING, author_id STRING")
    ctx = JobContext(spark, cfg, day, "retest")     # both windows resolved to D's profiles

    def outcomes(after: dt.date):
        events = horizon_events(ctx, after + dt.timedelta(days=horizon), after=after)
        quality = engager_quality(events, human_daily_actions=rule).select("actor_id", "quality")
        return future_engagement(events, quality, nobody).localCheckpoint()

    past, future = outcomes(day - dt.timedelta(days=horizon)), outcomes(day)
    figures = {}
    for outcome in RETESTED:
        table = retest_frame(past, future, outcome).orderBy("profile_id").toArrow()
        before, after = (table.column(c).to_numpy().astype(float) for c in ("past", "future"))
        both = before > 0
        r, ceiling = reliability_ceiling(before, after)
        r_both, ceiling_both = reliability_ceiling(before[both], after[both])
        figures[outcome] = {"profiles": len(after), "retest": round(r, 4), "ceiling": round(ceiling, 4),
                            "engaged_in_both": int(np.count_nonzero(both)), "retest_both": round(r_both, 4),
                            "ceiling_both": round(ceiling_both, 4)}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED)
    parser.add_argument("--profiles", type=int, default=5000)
    parser.add_argument("--history", type=int, default=30, help="days up to and including D")
    parser.add_argument("--horizon", type=int, default=14)
    parser.add_argument("--candidate", default="v1", help="scored in shadow beside it")
    parser.add_argument("--resamples", type=int, default=200)
    parser.add_argument("--keep", type=Path, default=None, help="keep the data root here (for tuning reruns)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()

    from generator import generate
    from pipelines.core.config import load_config
    from pipelines.core.session import get_spark
    from pipelines.orchestration.cli import main as clout

    day = END
    root = args.keep or Path(tempfile.mkdtemp(prefix="clout-validity-"))
    started = time.perf_counter()
    spark = None
    try:
        if not (root / "landing" / "_truth").is_dir():
            generate(root / "landing", profiles=args.profiles, days=args.history + args.horizon, seed=args.seed,
                     end_date=day + dt.timedelta(days=args.horizon), log=lambda m: None)
        cfg = load_config("local", {"paths.data_root": str(root)})
        published = cfg.pipeline.model_version   # conf/local.yaml's; the candidate runs in shadow
        spark = get_spark(cfg, "clout-validity-bench")
        data = ["--data-root", str(root)]
        end = day + dt.timedelta(days=args.horizon)
        for argv in (["nightly", "--date", str(day), "--shadow-model", args.candidate, *data],
                     ["nightly", "--date", str(end), *data],
                     ["validate", "--date", str(day), "--horizon", str(args.horizon), "--shadow-model", args.candidate,
                      "--resamples", str(args.resamples), *data]):
            code = clout(argv)
            assert code == 0, argv
        retest = outcome_retest(spark, cfg, day, args.horizon)
        gaming_apart = without_gaming(spark, cfg, day, args.horizon, (published, args.candidate), root)
        from deltalake import DeltaTable
        figures = [r for r in DeltaTable(str(root / "warehouse" / "ops" / "model_validity")).to_pyarrow_table().to_pylist()
                   if r["snapshot_date"] == day and r["horizon_days"] == args.horizon]
        result = {
            "seed": args.seed, "held_out": args.seed == HELD_OUT_SEED, "profiles": args.profiles,
            "history_days": args.history, "horizon_days": args.horizon, "snapshot_date": str(day),
            "commit": commit(), "date": dt.date.today().isoformat(), "seconds": round(time.perf_counter() - started),
            "published": published, "candidate": args.candidate,
            "retest": retest,
            "without_gaming": gaming_apart,
            "gaming": {published: gamers_in_top_decile(root, "scores", day, published),
                       args.candidate: gamers_in_top_decile(root, "scores_shadow", day, args.candidate)},
            "figures": [{k: (round(v, 4) if isinstance(v, float) else str(v) if isinstance(v, (dt.date, dt.datetime))
                             else v) for k, v in r.items() if k not in ("run_id", "computed_at")} for r in figures],
        }
        name = f"predictive-validity-seed{args.seed}-{published}-{args.candidate}"
        save_result(args.out, f"{name}.json", result)
        (args.out / f"{name}.md").write_text(markdown(result, published, args.candidate))
    finally:
        if spark is not None:   # its event log, under root, is closed before root goes
            spark.stop()
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


def markdown(result: dict, published: str, candidate: str) -> str:
    from jobs.transforms.validity import HEADLINE, NAIVE_PREDICTORS, OUTCOMES

    lines = [f"# Predictive validity — seed {result['seed']}{' (held out)' if result['held_out'] else ''}", "",
             f"{result['profiles']:,} profiles generated, {result['history_days']} days of history up to "
             f"{result['snapshot_date']}, horizon {result['horizon_days']} days; code {result['commit']}; "
             f"{result['seconds']} s.", ""]
    by = {(r["model_version"], r["outcome"], r["predictor"]): r for r in result["figures"]}
    any_row = result["figures"][0]
    lines += [f"Scored {any_row['scored']:,}; posted in the horizon (ranked) {any_row['posted']:,}; "
              f"silent {any_row['scored'] - any_row['posted']:,} (reported apart).", ""]
    for outcome in OUTCOMES:
        lines += [f"## {outcome}{' (headline)' if outcome == HEADLINE else ''}", "",
                  "| ranking | Spearman [95% CI] | top-decile precision [95% CI] |", "|---|---|---|"]
        rows = [(f"{m} score", by[m, outcome, "score"]) for m in (published, candidate)] + \
               [(f"{m} {p}", by[m, outcome, p]) for m in (published, candidate)
                for p in ("true_reach_score", "amplification_score", "network_score")] + \
               [(f"naive {p}", by[published, outcome, p]) for p in NAIVE_PREDICTORS]
        for label, r in rows:
            lines.append(f"| {label} | {r['spearman']:.3f} [{r['spearman_low']:.3f}, {r['spearman_high']:.3f}] "
                         f"| {r['top_decile_precision']:.3f} [{r['precision_low']:.3f}, {r['precision_high']:.3f}] |")
        best = max(NAIVE_PREDICTORS, key=lambda p: by[published, outcome, p]["spearman"])
        margins = ", ".join(f"{m} {by[m, outcome, 'score']['spearman'] - by[published, outcome, best]['spearman']:+.3f}"
                            for m in (published, candidate))
        lines += ["", f"Score − best naive ({best}): {margins}.", ""]
    lines += ["## The outcome's own reliability", "",
              "Each outcome measured twice on the profiles ranked above: over the horizon and over the "
              "same number of days up to the snapshot. An outcome that agrees with itself at r bounds any "
              "ranking's Spearman with it at about sqrt(r).", "",
              "| outcome | profiles | retest r | ceiling sqrt(r) | engaged in both windows | r there | ceiling there |",
              "|---|---|---|---|---|---|---|"]
    for outcome, f in result.get("retest", {}).items():
        lines.append(f"| {outcome} | {f['profiles']:,} | {f['retest']:.3f} | {f['ceiling']:.3f} | "
                     f"{f['engaged_in_both']:,} | {f['retest_both']:.3f} | {f['ceiling_both']:.3f} |")
    lines += [""]
    apart = result.get("without_gaming")
    if apart:
        apart = apart.get("without_gaming", apart)   # results saved before 2026-12-02 also kept "all"
        every = {f"{m} score": by[m, HEADLINE, "score"]["spearman"] for m in (published, candidate)}
        every.update({f"naive {p}": by[published, HEADLINE, p]["spearman"] for p in NAIVE_PREDICTORS})
        lines += ["## Without the planted gaming accounts", "",
                  f"{HEADLINE}, Spearman over all posting profiles (above) and over those that are not planted "
                  "gaming accounts (only generated data can tell them apart).", "",
                  "| ranking | all | without gaming accounts |", "|---|---|---|"]
        lines += [f"| {key} | {every[key]:.3f} | {apart[key]:.3f} |" for key in every]

        def margins(figures: dict) -> str:
            best = max((k for k in figures if k.startswith("naive ")), key=figures.get)
            return ", ".join(f"{m} {figures[f'{m} score'] - figures[best]:+.3f}" for m in (published, candidate))
        lines += ["", f"Profiles: {any_row['posted']:,} / {apart['profiles']:,}. Score − best naive: all "
                  f"{margins(every)}; without gaming accounts {margins(apart)}.", ""]
    lines += ["Planted gaming accounts in the top decile: " + ", ".join(
        f"{m} {g['gaming_in_top_decile']} of {g['top_decile']}" for m, g in result["gaming"].items()) + ".", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
