"""`clout report [--date D]`: one self-contained HTML page about a snapshot (DuckDB, no JVM).

`gather` asks the published tables small aggregate questions (a histogram, a bounded sample for
the scatter, top-n lists): nothing per profile beyond a few thousand rows reaches this process.
`figures` draws them with matplotlib into PNGs embedded in the page as data URIs, so the page
is one file that opens anywhere. `render_html` lays them out with the Jinja2 template
templates/report.html.j2 (autoescaped; packaged with the module).
"""
from __future__ import annotations

import base64
import datetime as dt
import io
from pathlib import Path

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pipelines.serving.analyst import run_query, table_ready  # noqa: E402
from pipelines.core.config import Config  # noqa: E402
from pipelines.quality.dq import docs_index  # noqa: E402
from pipelines.core.errors import UserError  # noqa: E402

SCATTER_SAMPLE = 5000   # profiles drawn in the sub-score scatter (a stable hash sample)


def _rows(cfg: Config, sql: str) -> list[dict]:
    rel = run_query(cfg, sql)
    return [dict(zip(rel.columns, row)) for row in rel.fetchall()]


def gather(cfg: Config, day: dt.date, top: int = 10) -> dict:
    """Everything the page shows, as plain data."""
    on = f"snapshot_date = DATE '{day}'"
    summary = _rows(cfg, f"""
        SELECT count(*) AS profiles, median(score) AS p50, quantile_cont(score, 0.9) AS p90,
               quantile_cont(score, 0.99) AS p99, avg(score) AS mean, count(change) AS with_change
        FROM scores WHERE {on}""")[0]
    if not summary["profiles"]:
        raise UserError(f"no published scores for {day}")
    movers = "SELECT profile_id, score, change, style FROM scores WHERE {on} AND change IS NOT NULL ORDER BY change {o}, profile_id LIMIT {n}"
    facts = {
        "date": str(day), "summary": summary,
        "histogram": _rows(cfg, f"SELECT CAST(floor(score) AS INT) AS bin, count(*) AS n FROM scores "
                                f"WHERE {on} GROUP BY 1 ORDER BY 1"),
        "sample": _rows(cfg, f"SELECT true_reach_score, amplification_score, network_score FROM scores "
                             f"WHERE {on} ORDER BY hash(profile_id) LIMIT {SCATTER_SAMPLE}"),
        "top": _rows(cfg, f"SELECT profile_id, score, percentile, style FROM scores WHERE {on} "
                          f"ORDER BY score DESC, profile_id LIMIT {top}"),
        "up": _rows(cfg, movers.format(on=on, o="DESC", n=top)),
        "down": _rows(cfg, movers.format(on=on, o="ASC", n=top)),
        "styles": _rows(cfg, f"SELECT coalesce(style, '(none: too few actions)') AS style, count(*) AS n "
                             f"FROM scores WHERE {on} GROUP BY 1 ORDER BY 2 DESC, 1"),
        "topics": _rows(cfg, f"""
            SELECT topic, profile_id, topic_score, engagements, endorsers FROM topic_scores
            WHERE {on} AND parent_topic IS NULL
            QUALIFY row_number() OVER (PARTITION BY topic ORDER BY topic_score DESC, profile_id) <= 3
            ORDER BY topic, topic_score DESC""") if table_ready(cfg, "topic_scores") else [],
        "dq": _rows(cfg, f"""
            SELECT table_name, count(*) AS checks, count(*) FILTER (WHERE NOT success) AS failed,
                   max(validated_at) AS validated_at
            FROM dq_results WHERE run_date = DATE '{day}' AND mode = 'publish'
            GROUP BY 1 ORDER BY 1""") if table_ready(cfg, "dq_results") else [],
        "validity": latest_validity(cfg),
        "runs": _rows(cfg, f"""
            SELECT job, status, round(epoch(ended_at) - epoch(started_at), 1) AS seconds, rows_out
            FROM runs WHERE run_date = DATE '{day}'
            QUALIFY row_number() OVER (PARTITION BY job ORDER BY ended_at DESC) = 1
            ORDER BY started_at""") if table_ready(cfg, "runs") else [],
    }
    return facts


def latest_validity(cfg: Config) -> list[dict]:
    """The latest predictive-validity evaluation of each model version (ops.model_validity), on
    the headline outcome: the model's score and the naive rankings, best first."""
    from jobs.transforms.validity import HEADLINE

    if not table_ready(cfg, "model_validity"):
        return []
    return _rows(cfg, f"""
        SELECT model_version, snapshot_date, horizon_days, predictor, naive, spearman, spearman_low,
               spearman_high, top_decile_precision, posted, scored
        FROM model_validity WHERE outcome = '{HEADLINE}' AND (predictor = 'score' OR naive)
        QUALIFY dense_rank() OVER (PARTITION BY model_version ORDER BY snapshot_date DESC, horizon_days DESC,
                                   computed_at DESC) = 1
        ORDER BY model_version, spearman DESC, predictor""")


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _png(fig) -> str:
    return base64.b64encode(png_bytes(fig)).decode("ascii")


def score_histogram(histogram: list[dict], quantiles: dict[str, float], title: str):
    """Profiles per 1-point score bin (rows: bin, n), with the given quantiles marked."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar([h["bin"] for h in histogram], [h["n"] for h in histogram], width=1.0, color="#3b6ea8", align="edge")
    for label, value in quantiles.items():
        ax.axvline(value, color="#c0392b", linestyle="--", linewidth=1)
        ax.annotate(f"{label} {value:.1f}", (value, ax.get_ylim()[1] * 0.9), rotation=90, fontsize=8,
                    ha="right", color="#c0392b")
    ax.set(xlim=(1, 100), xlabel="score", ylabel="profiles", title=title)
    return fig


def figures(facts: dict) -> dict[str, str]:
    """name → base64 PNG: score histogram, sub-score scatter, style mix."""
    s = facts["summary"]
    images = {"histogram": _png(score_histogram(facts["histogram"], {"median": s["p50"], "p90": s["p90"], "p99": s["p99"]},
                                                f"Score distribution, {facts['date']}"))}

    fig, ax = plt.subplots(figsize=(5, 4))
    sample = facts["sample"]
    points = ax.scatter([r["true_reach_score"] for r in sample], [r["amplification_score"] for r in sample],
                        c=[r["network_score"] for r in sample], cmap="viridis", s=6, alpha=0.7)
    fig.colorbar(points, ax=ax, label="network sub-score")
    ax.set(xlabel="true reach sub-score", ylabel="amplification sub-score",
           title=f"Sub-scores ({len(sample):,} profiles)")
    images["subscores"] = _png(fig)

    fig, ax = plt.subplots(figsize=(5, 4))
    styles = list(reversed(facts["styles"]))
    ax.barh([r["style"] for r in styles], [r["n"] for r in styles], color="#6c8f3c")
    ax.set(xlabel="profiles", title="Style mix")
    images["styles"] = _png(fig)
    return images


def data_uri(png_base64: str) -> str:
    """A PNG as an `img src` (base64 has no character HTML escaping changes)."""
    return f"data:image/png;base64,{png_base64}"


def _cell(v) -> str:
    """A table cell's text (the template escapes it)."""
    return f"{v:.2f}" if isinstance(v, float) else "" if v is None else str(v)


_PAGES = jinja2.Environment(loader=jinja2.PackageLoader("pipelines.serving", "templates"),
                            autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
_PAGES.filters["cell"] = _cell
_PAGES.filters["num"] = format          # {{ x|num(".1f") }}: Python's format spec


def render_html(facts: dict, images: dict[str, str], docs: Path | None) -> str:
    """The page (templates/report.html.j2) from the facts of `gather` and the PNGs of `figures`."""
    return _PAGES.get_template("report.html.j2").render(
        **facts, images={name: data_uri(data) for name, data in images.items()},
        docs_uri=docs.as_uri() if docs and docs.is_file() else None)


def write_report(cfg: Config, day: dt.date, out: Path | None = None) -> Path:
    facts = gather(cfg, day)
    out = out or cfg.paths.data_root / "reports" / f"report-{day}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    docs = docs_index(cfg)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(render_html(facts, figures(facts), docs))
    tmp.replace(out)
    return out
