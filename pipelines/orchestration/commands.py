"""The CLI's commands; each returns an exit code. Spark starts only for commands that need it."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import time

from pipelines.core.config import Config, load_config
from pipelines.core.errors import UserError


def config_of(args: argparse.Namespace) -> Config:
    overrides = {"paths.data_root": str(args.data_root)} if args.data_root else None
    return load_config(args.env, overrides)


def generate(args: argparse.Namespace) -> int:
    from generator import SCALES
    from generator import generate as write_landing

    cfg = config_of(args)
    if args.scale and args.scale not in SCALES:
        raise UserError(f"unknown scale '{args.scale}' (known: {', '.join(SCALES)})")
    size = dict(SCALES[args.scale]) if args.scale else {}
    size.update({k: v for k, v in (("profiles", args.profiles), ("days", args.days)) if v is not None})
    if "profiles" not in size or "days" not in size:
        raise UserError("give --scale, or both --profiles and --days")
    if size["profiles"] <= 0 or size["days"] <= 0:
        raise UserError("--profiles and --days must be positive")
    out = args.out or cfg.paths.landing
    if already_generated(out, size["profiles"], size["days"], args.seed, args.end_date):
        print(f"[generate] {out} already holds this sample (same profiles, days, seed, end date): kept")
        return 0
    print(f"[generate] {size['profiles']} profiles × {size['days']} days, seed {args.seed} → {out}")
    started = time.time()
    try:
        summary = write_landing(out, profiles=size["profiles"], days=size["days"], seed=args.seed,
                                end_date=args.end_date)
    except ValueError as exc:  # the generator's own checks of its arguments and output folder
        raise UserError(f"generate: {exc}") from None
    lines = sum(summary["lines_written"].values())
    print(f"[generate] {lines} lines in {time.time() - started:.1f}s")
    return 0


def already_generated(out, profiles: int, days: int, seed: int, end_date: dt.date) -> bool:
    """True when `out` holds a complete sample of the same arguments (generation is deterministic)."""
    truth = out / "_truth" / "truth.json"
    if not truth.is_file():
        return False
    params = json.loads(truth.read_text()).get("params", {})
    return (params.get("profiles"), params.get("days"), params.get("seed"), params.get("end_date")) == \
        (profiles, days, seed, str(end_date))


def nightly(args: argparse.Namespace) -> int:
    from pipelines.core.io import read_table
    from pipelines.orchestration.nightly import preflight, run_nightly, stage_summary, top_profiles
    from pipelines.core.session import get_spark
    from schemas.gold_scores import SCORES

    cfg = config_of(args)
    preflight(cfg, args.date)
    started = time.time()
    spark = get_spark(cfg, f"clout-nightly-{args.date}")
    result = run_nightly(cfg, args.date, spark=spark, include_late=args.include_late,
                         shadow_model=args.shadow_model, resume=not args.no_resume)
    top = top_profiles(read_table(spark, cfg, SCORES).where(f"snapshot_date = DATE'{args.date}'"))
    print(f"\nnightly {args.date} done in {time.time() - started:.0f}s (run {result.run_id})")
    print("\n".join(stage_summary(result)))
    print(f"\ntables: {cfg.paths.warehouse}/<layer>/<table>, e.g. gold.scores at {cfg.paths.warehouse}/gold/scores")
    print(f"\ntop {len(top)} profiles on {args.date}:")
    print(f"{'rank':>4}  {'profile':<26} {'score':>6} {'reach':>6} {'ampl':>6} {'network':>7} {'pct':>6}")
    for i, r in enumerate(top, 1):
        print(f"{i:>4}  {r.profile_id:<26} {r.score:>6.1f} {r.true_reach_score:>6.1f} "
              f"{r.amplification_score:>6.1f} {r.network_score:>7.1f} {r.percentile:>6.1f}")
    return 0


def backfill(args: argparse.Namespace) -> int:
    from pipelines.orchestration.nightly import NightlyResult, completed, context, preflight, run_nightly, run_shadow
    from pipelines.core.session import get_spark

    if args.end < args.start:
        raise UserError(f"--end {args.end} is before --start {args.start}")
    cfg = config_of(args)
    days = [args.start + dt.timedelta(days=i) for i in range((args.end - args.start).days + 1)]
    for day in days:  # every date must have landed before anything runs
        preflight(cfg, day)
    spark = get_spark(cfg, "clout-backfill")
    ran = skipped = 0
    for day in days:
        started = time.time()
        done = None if args.force else completed(spark, cfg, day, args.include_late)
        if done:
            print(f"[backfill] {day} already completed by run {done} (same model, config, inputs): skipped")
            skipped += 1
            if not args.shadow_model:
                continue
            ctx = context(spark, cfg, day, args.include_late)
            result = run_shadow(ctx, args.shadow_model, NightlyResult(ctx.run_id, {}, {}))
        else:
            result = run_nightly(cfg, day, spark=spark, include_late=args.include_late,
                                 shadow_model=args.shadow_model, resume=not args.force)
            ran += 1
        print(f"[backfill] {day} done in {time.time() - started:.0f}s (run {result.run_id})")
        for line in result.shift_lines:
            print(f"[backfill] {line}")
    print(f"[backfill] {args.start}..{args.end}: {ran} run, {skipped} skipped")
    return 0


def query(args: argparse.Namespace) -> int:
    from pipelines.serving.analyst import run_query

    relation = run_query(config_of(args), args.sql, dict(args.version), args.as_of)
    if args.format == "table":
        relation.show(max_rows=1000, max_width=200)
    else:
        frame = relation.df()
        print(frame.to_csv(index=False) if args.format == "csv" else frame.to_json(orient="records", date_format="iso"))
    return 0


def sql(args: argparse.Namespace) -> int:
    from pipelines.serving.analyst import check_read_only, spark_sql
    from pipelines.core.session import get_spark

    check_read_only(args.sql)
    cfg = config_of(args)
    spark = get_spark(cfg, "clout-sql")
    try:
        spark_sql(spark, cfg, args.sql).show(args.limit, truncate=False)
    finally:
        spark.stop()
    return 0


def explain(args: argparse.Namespace) -> int:
    from pipelines.serving.analyst import latest_published_date
    from pipelines.serving.explain import explanation, render

    cfg = config_of(args)
    day = args.date or latest_published_date(cfg)
    facts = explanation(cfg, args.profile, day)
    if args.json:       # the facts name their date; stdout stays one JSON document
        print(json.dumps(facts, default=str, indent=2))
        return 0
    if args.date is None:
        print(f"Snapshot {day}: the latest published (--date for another).")
    print("\n".join(render(facts)))
    return 0


def report(args: argparse.Namespace) -> int:
    from pipelines.serving.analyst import latest_published_date
    from pipelines.serving.report import write_report

    cfg = config_of(args)
    day = args.date or latest_published_date(cfg)
    out = write_report(cfg, day, args.out)
    print(f"report of {day}{'' if args.date else ' (the latest published snapshot)'} written to {out}")
    return 0


def forget(args: argparse.Namespace) -> int:
    from pipelines.orchestration.erasure import check_profile_id
    from pipelines.orchestration.erasure import forget as erase
    from pipelines.core.session import get_spark

    check_profile_id(args.profile)  # before Spark starts
    cfg = config_of(args)
    erased = erase(get_spark(cfg, "clout-forget"), cfg, args.profile)
    print(f"forgot {erased.profile_id}: {len(erased.accounts)} accounts registered in ops.erasures (by hash), "
          f"{sum(erased.rows_deleted.values()):,} rows deleted")
    for table, n in erased.rows_deleted.items():
        if n:
            print(f"  {table:<26} {n:>9,} rows")
    print(f"VACUUM removed {erased.files_vacuumed} files; what the deletes left behind goes once older than "
          f"{cfg.privacy.retention_hours} h (run `clout vacuum` daily)")
    return 0


def tables_named(names: list[str] | None, choices: tuple) -> tuple:
    """The TableSpecs of `--table` names among `choices` (all of them when none is named); an
    unknown name is an operator mistake."""
    known = {spec.qualified_name: spec for spec in choices}
    unknown = sorted(set(names or ()) - set(known))
    if unknown:
        raise UserError(f"unknown table '{unknown[0]}' (known: {', '.join(known)})")
    return tuple(known[name] for name in names) if names else tuple(choices)


def compact(args: argparse.Namespace) -> int:
    from pipelines.orchestration.upkeep import compact as run_compact
    from pipelines.core.session import get_spark
    from schemas.registry import TABLES

    specs = tables_named(args.table, TABLES)
    cfg = config_of(args)
    done = run_compact(get_spark(cfg, "clout-compact"), cfg, specs)
    for c in done:
        print(f"  {c.table:<26} {c.files_before:>6,} → {c.files_after:>6,} files ({c.rewritten:,} rewritten)")
    print(f"compacted {len(done)} tables: {sum(c.files_before for c in done):,} → "
          f"{sum(c.files_after for c in done):,} files; the replaced ones go with `clout vacuum` once older than "
          f"{cfg.privacy.retention_hours} h")
    return 0


def vacuum(args: argparse.Namespace) -> int:
    from pipelines.orchestration.upkeep import expire_data_docs, vacuum as run_vacuum
    from pipelines.core.session import get_spark

    cfg = config_of(args)
    removed = run_vacuum(get_spark(cfg, "clout-vacuum"), cfg)
    print(f"VACUUM removed {removed} data files older than {cfg.privacy.retention_hours} h")
    print(f"Data Docs: {expire_data_docs(cfg)} stored validation results older than {cfg.dq.docs_keep_days} days "
          f"removed (their pages go with the next validation; ops.dq_results keeps every check)")
    return 0


def validate(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from jobs import shadow_scores
    from jobs import validate as validity
    from pipelines.core.jobrun import JobResult, run_job
    from pipelines.orchestration.nightly import context
    from pipelines.core.session import get_spark

    if args.resamples < 1 or args.sample < 2:
        raise UserError("--resamples must be at least 1 and --sample at least 2")
    cfg = config_of(args)
    ctx = context(get_spark(cfg, f"clout-validate-{args.date}"), cfg, args.date)
    models = [cfg.pipeline.model_version] + ([args.shadow_model] if args.shadow_model else [])
    results = []

    def evaluate(version: str):
        def body(ctx) -> JobResult:
            results.append(validity.run(ctx, horizon_days=args.horizon, model_version=version,
                                        sample=args.sample, resamples=args.resamples))
            return JobResult(rows_in=results[-1].scored, rows_out=len(results[-1].figures), model_version=version)
        return body

    validity.horizon_end(ctx, args.horizon)      # operator mistakes end here, before any ledger row
    for version in models:
        validity.snapshot_scores(ctx, version)
    for version in models:
        run_job(ctx, validity.JOB, evaluate(version))
    print("\n".join(validity_lines(results, args.date, args.horizon)))
    if args.shadow_model:   # the score shift between the two, as the shadow nightly reports it
        shadow = replace(ctx, shadow_model=args.shadow_model)
        print("\n".join(shadow_scores.shift_lines(shadow, shadow_scores.shift_against_published(shadow))))
    print("figures recorded in ops.model_validity")
    return 0


def validity_lines(results: list, day: dt.date, horizon: int) -> list[str]:
    """Each model's figures on the headline outcome, naive rankings beside them."""
    from jobs.transforms.validity import HEADLINE, MODEL_PREDICTORS, NAIVE_PREDICTORS, OUTCOMES

    first = results[0]
    lines = [f"predictive validity of {day}, horizon {horizon} days: {first.scored:,} profiles scored, "
             f"{first.posted:,} posted after it ({first.evaluated:,} ranked), "
             f"{first.scored - first.posted:,} silent (reported apart)"]
    for outcome in OUTCOMES:
        lines.append(f"\n{outcome}{' (headline)' if outcome == HEADLINE else ''}: Spearman [95% CI] · top-decile precision")
        rows = [(f"{r.model_version} {p}", r.figure(outcome, p)) for r in results for p in MODEL_PREDICTORS
                if r.figures] + [(f"naive {p}", first.figure(outcome, p)) for p in NAIVE_PREDICTORS if first.figures]
        for label, f in rows:
            lines.append(f"  {label:<32} {f.spearman:6.3f} [{f.spearman_low:6.3f}, {f.spearman_high:6.3f}]"
                         f"   {f.precision:5.3f} [{f.precision_low:5.3f}, {f.precision_high:5.3f}]")
        if first.figures:
            best = max(NAIVE_PREDICTORS, key=lambda p: first.figure(outcome, p).spearman)
            for r in results:
                margin = r.figure(outcome, "score").spearman - first.figure(outcome, best).spearman
                lines.append(f"  {r.model_version} score − best naive ({best}): {margin:+.3f}")
    for r in results:
        lines.append(f"{r.model_version}: {r.silent_in_top_decile:,} of its top decile posted nothing after {day}")
    return lines


def dq(args: argparse.Namespace) -> int:
    from pipelines.quality.dq import audit, docs_index, failure_line
    from schemas.registry import AUDITED
    from pipelines.core.errors import DataQualityError
    from pipelines.core.jobrun import new_run_id
    from pipelines.core.session import get_spark

    specs = list(tables_named(args.table, AUDITED))
    cfg = config_of(args)
    run_id = new_run_id(args.date)
    outcomes = audit(get_spark(cfg, f"clout-dq-{args.date}"), cfg, args.date, specs, run_id)
    print(f"data-quality audit of {args.date} (run {run_id}):")
    for o in outcomes:
        passed = sum(c.success for c in o.checks)
        verdict = "PASS" if o.success else "FAIL"
        print(f"  {verdict}  {o.table:<24} {passed}/{len(o.checks)} checks"
              + ("" if o.success else f" — failed: {', '.join(c.check for c in o.checks if not c.success)}"))
    print(f"results in ops.dq_results; Data Docs at {docs_index(cfg)}")
    failed = [o for o in outcomes if not o.success]
    if failed:
        raise DataQualityError(" | ".join(failure_line(o) for o in failed))
    return 0
