"""Does the score measure influence? Validity against the generator's planted truth.

Reads a published snapshot (no Spark: delta-rs) and the generator's per-profile truth, and
prints: Spearman rank correlation of the score with the latent true influence, beside the same
for the naive measures (follower count, post count, raw reactions received); score medians by
persona; and the share of planted gaming accounts ranked in the top 10%.

  .venv/bin/python -m benchmarks.score_validity --data-root data --date 2026-09-30
  .venv/bin/python -m benchmarks.score_validity --data-root data --shadow-model v3   # a candidate's
      scores from gold.scores_shadow (after `clout nightly --date D --shadow-model v3`)
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import statistics
from pathlib import Path

from deltalake import DeltaTable
from scipy.stats import spearmanr

GAMING = ("autoposter", "bot", "ring", "kswap")


def snapshot(root: Path, table: str, day: dt.date, columns: list[str], model: str | None = None) -> dict[str, dict]:
    filters = [("snapshot_date", "=", day)] + ([("model_version", "=", model)] if model else [])
    rows = DeltaTable(str(root / "warehouse" / "gold" / table)).to_pyarrow_table(
        columns=columns, filters=filters).to_pylist()
    return {r["profile_id"]: r for r in rows}


def score_snapshot(root: Path, day: dt.date, shadow_model: str | None = None) -> dict[str, dict]:
    """The published scores of `day`, or a candidate model's shadow scores."""
    if shadow_model:
        return snapshot(root, "scores_shadow", day, ["profile_id", "score"], shadow_model)
    return snapshot(root, "scores", day, ["profile_id", "score"])


def validity(root: Path, day: dt.date, shadow_model: str | None = None) -> dict:
    with gzip.open(root / "landing" / "_truth" / "profiles.jsonl.gz", "rt") as f:
        truth = {p["profile_id"]: p for p in map(json.loads, f) if not p["opted_out"]}
    scores = score_snapshot(root, day, shadow_model)
    features = snapshot(root, "profile_features", day, ["profile_id", "content_volume", "raw_reactions"])
    ids = sorted(p for p in truth if p in scores)
    latent = [truth[p]["true_influence"] for p in ids]
    measures = {
        "score": [scores[p]["score"] for p in ids],
        "follower_count": [truth[p]["follower_count"] for p in ids],
        "post_count": [features.get(p, {}).get("content_volume", 0) for p in ids],
        "raw_reactions": [features.get(p, {}).get("raw_reactions", 0.0) for p in ids],
    }
    spearman = {name: round(spearmanr(latent, values).statistic, 4) for name, values in measures.items()}
    by_persona: dict[str, list[float]] = {}
    for p in ids:
        by_persona.setdefault(truth[p]["persona"], []).append(scores[p]["score"])
    all_scores = sorted((s["score"] for s in scores.values()), reverse=True)
    top10_cut = all_scores[max(0, len(all_scores) // 10 - 1)]
    gaming = [p for p in ids if truth[p]["persona"] in GAMING]
    in_top = [p for p in gaming if scores[p]["score"] >= top10_cut]
    return {
        "date": str(day), "model": shadow_model or "published", "profiles_scored": len(scores), "registered_scored": len(ids),
        "spearman_vs_true_influence": spearman,
        "persona_median": {k: round(statistics.median(v), 1) for k, v in sorted(by_persona.items())},
        "persona_max": {k: round(max(v), 1) for k, v in sorted(by_persona.items())},
        "score_quantiles": {q: round(statistics.quantiles(all_scores, n=100)[int(q[1:]) - 1], 1)
                            for q in ("p10", "p50", "p90", "p99")},
        "top10_cutoff": top10_cut,
        "gaming_accounts": len(gaming), "gaming_in_top10": len(in_top),
        "gaming_share_in_top10": round(len(in_top) / max(1, len(gaming)), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=Path("data"))
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 9, 30))
    parser.add_argument("--shadow-model", default=None,
                        help="a candidate model's scores (gold.scores_shadow) instead of the published ones")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument("--plot", type=Path, default=None, help="write the score distribution as PNG here")
    args = parser.parse_args()
    figures = validity(args.data_root, args.date, args.shadow_model)
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")
    if args.plot:
        plot_distribution(args.data_root, args.date, figures, args.plot, args.shadow_model)


def plot_distribution(root: Path, day: dt.date, figures: dict, out: Path, shadow_model: str | None = None) -> None:
    """The snapshot's score histogram with p10/p50/p90/p99 marked (docs/scoring.md shows it)."""
    from pipelines.serving.report import png_bytes, score_histogram

    scores = score_snapshot(root, day, shadow_model)
    bins: dict[int, int] = {}
    for row in scores.values():
        bins[int(row["score"])] = bins.get(int(row["score"]), 0) + 1
    histogram = [{"bin": b, "n": n} for b, n in sorted(bins.items())]
    fig = score_histogram(histogram, figures["score_quantiles"],
                          f"Score distribution, {len(scores):,} profiles, {day}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png_bytes(fig))


if __name__ == "__main__":
    main()
