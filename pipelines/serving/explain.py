"""`clout explain`: why a profile scores what it does, from the published tables (no JVM)."""
from __future__ import annotations

import datetime as dt

from jobs.transforms.engagement import window_start
from jobs.transforms.styles import describe
from pipelines.serving.analyst import run_query, table_ready
from pipelines.core.config import Config, load_model
from pipelines.core.errors import UserError

DISCOUNT_WORDS = {
    "automated_posting": "it posts like a machine (timer-regular or nearly only feed links), so what it "
                         "earns counts {automation:.0%}",
    "reciprocal_ring": "most of its engagement comes from a small group it engages back (a ring); that "
                       "mutual engagement counts {ring:.0%}",
    "burst_damped": "one week brought far more engagement than its others; that week was damped",
    "hyperactive_engagers": "most of its engagers act far above a human rate, so each counts less",
}


def _one(cfg: Config, sql: str) -> dict | None:
    rel = run_query(cfg, sql)
    rows = rel.limit(1).fetchall()
    return dict(zip(rel.columns, rows[0])) if rows else None


def _all(cfg: Config, sql: str) -> list[dict]:
    rel = run_query(cfg, sql)
    return [dict(zip(rel.columns, row)) for row in rel.fetchall()]


def explanation(cfg: Config, profile_id: str, day: dt.date, top: int = 5) -> dict:
    """The facts behind one profile's score on one date, as plain data."""
    pid = profile_id.replace("'", "''")
    on = f"snapshot_date = DATE '{day}'"
    score = _one(cfg, f"SELECT * FROM scores WHERE {on} AND profile_id = '{pid}'")
    if score is None:
        raise UserError(f"no score for profile '{profile_id}' on {day}")
    features = _one(cfg, f"SELECT * FROM profile_features WHERE {on} AND profile_id = '{pid}'") or {}
    engagers = _all(cfg, f"SELECT engager_id, interactions, round(weight, 3) AS weight, "
                         f"round(raw_weight, 3) AS raw_weight FROM engagement_edges "
                         f"WHERE {on} AND author_id = '{pid}' ORDER BY weight DESC, engager_id LIMIT {top}")
    content = _all(cfg, f"""
        SELECT e.target_content_id AS content_id, count(*) AS interactions
        FROM events e JOIN accounts a ON e.target_account = a.account
        WHERE a.profile_id = '{pid}' AND a.as_of = DATE '{day}'
          AND e.target_content_id IS NOT NULL AND e.event_type <> 'post'
          AND e.event_date BETWEEN DATE '{window_start(day, cfg.pipeline.window_days)}' AND DATE '{day}'
          AND e.landing_date <= DATE '{day}'
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {top}""") if not profile_id.startswith("pub:") else []
    topics = _all(cfg, f"""
        SELECT topic, parent_topic, topic_score, engagements, endorsements, endorsers, top_content
        FROM topic_scores WHERE {on} AND profile_id = '{pid}' AND model_version = '{score["model_version"]}'
        ORDER BY parent_topic IS NULL, topic_score DESC, topic LIMIT {top}""") if table_ready(cfg, "topic_scores") else []
    for t in topics:
        t["top_content"] = list(t["top_content"])
    return {"profile_id": profile_id, "date": str(day), "score": score, "features": features,
            "top_engagers": engagers, "top_content": content, "topics": topics}


def style_lines(s: dict, model) -> list[str]:
    """The style and the four axis values behind it."""
    st = model.styles
    axes = (f"sharing↔creating {s['axis_creating']:.2f} (creating from {st.creating:g}), "
            f"listening↔participating {s['axis_participating']:.2f} (from {st.participating:g}), "
            f"focused↔broad {s['axis_topic_bits']:.2f} bits (broad from {st.broad_bits:g}), "
            f"casual↔consistent {s['axis_consistency']:.2f} (from {st.consistent:g})")
    if s.get("style") is None:
        return [f"  Style: none — fewer than {st.min_actions} own actions in the window ({axes})."]
    return [f"  Style: {s['style']} — it {describe(s['style'])}.", f"    Axes: {axes}."]


def render(facts: dict) -> list[str]:
    """The explanation in words a profile owner understands."""
    s, f = facts["score"], facts["features"]
    model = load_model(s["model_version"])
    w = model.score.weights
    total = w.true_reach + w.amplification + w.network
    lines = [f"{facts['profile_id']} scores {s['score']:.1f} on {facts['date']} (model {s['model_version']}), "
             f"higher than {s['percentile']:.2f}% of scored profiles."]
    if s["change"] is not None:
        lines.append(f"  Since the previous snapshot: {s['change']:+.1f} points (true reach "
                     f"{s['change_true_reach']:+.1f}, amplification {s['change_amplification']:+.1f}, "
                     f"network {s['change_network']:+.1f}).")
        if s["score"] != s["raw_score"]:
            lines.append(f"  Smoothed: the data alone says {s['raw_score']:.1f}; a score moves at most "
                         f"{model.score.max_daily_move:g} points a day, so it gets there gradually.")
    lines += ["  What it is made of (sub-score, share of the score's weight):",
              f"    True Reach    {s['true_reach_score']:5.1f}  ({w.true_reach / total:.0%})  how many people act on the content",
              f"    Amplification {s['amplification_score']:5.1f}  ({w.amplification / total:.0%})  how much they act, per post and across people",
              f"    Network       {s['network_score']:5.1f}  ({w.network / total:.0%})  how influential the people who engage are"]
    if f:
        lines.append(f"  Behind it: {f['engagers']} distinct engagers (quality-weighted {f['true_reach']:.1f}), "
                     f"{f['content_volume']} posts, active on {f['active_days']} days of the window.")
    if facts["top_engagers"]:
        lines.append("  Top engagers: " + ", ".join(
            f"{e['engager_id']} ({e['interactions']} interactions, weight {e['weight']})" for e in facts["top_engagers"]))
    if facts["top_content"]:
        lines.append("  Top content: " + ", ".join(
            f"{c['content_id']} ({c['interactions']} interactions)" for c in facts["top_content"]))
    if facts.get("topics"):
        lines.append("  Influential about (topic score, evidence):")
        lines += [f"    {t['topic']}{' (' + t['parent_topic'] + ')' if t['parent_topic'] else ''} {t['topic_score']:.1f}: "
                  f"{t['engagements']} engagements with its content on it"
                  + (f", {t['endorsements']} +K ({t['endorsers']} independent endorsers)" if t["endorsements"] else "")
                  + (f"; e.g. {', '.join(t['top_content'])}" if t["top_content"] else "")
                  for t in facts["topics"]]
    else:
        lines.append("  No topic has enough evidence yet.")
    lines += style_lines(s, model)
    discounts = s.get("discounts") or []
    if discounts:
        ag = model.anti_gaming
        lines.append("  Discounts applied (anti-gaming):")
        lines += [f"    - {DISCOUNT_WORDS[d].format(automation=ag.automation.factor, ring=ag.rings.factor)}"
                  for d in discounts]
        if f and f.get("raw_reactions"):
            lines.append(f"    Engagement counted: {f['reactions']:.1f} of {f['raw_reactions']:.1f} before discounts.")
    else:
        lines.append("  No anti-gaming discount applied.")
    return lines
