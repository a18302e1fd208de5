"""Topics and styles against the generator's planted truth (not a test; reads Delta with delta-rs).

    .venv/bin/python -m benchmarks.topic_validity --data-root data     # after `make run`

Prints and writes benchmarks/results/topic-validity-small.json: per topic-focused persona, how
many profiles have a topic and how often the top sub-topic is the planted main topic; the
broad↔focused axis of the broad and focused personas; how +K swap members got their topics.
"""
import argparse
import collections
import gzip
import json
import sys
from pathlib import Path

from deltalake import DeltaTable

from benchmarks import save_result
from pipelines.core.config import load_model


def validity(root: str) -> dict:
    model = load_model("v1")
    truth = {p["profile_id"]: p for p in map(json.loads, gzip.open(f"{root}/landing/_truth/profiles.jsonl.gz", "rt"))}
    ts = DeltaTable(f"{root}/warehouse/gold/topic_scores").to_pyarrow_table().to_pylist()
    sc = DeltaTable(f"{root}/warehouse/gold/scores").to_pyarrow_table(columns=["profile_id", "axis_topic_bits", "style"]).to_pylist()
    best = {}
    for r in ts:
        if r["parent_topic"] and (r["profile_id"] not in best or r["topic_score"] > best[r["profile_id"]]["topic_score"]):
            best[r["profile_id"]] = r
    out = {}
    for per in ("focused", "expert", "paused_expert"):
        rows = [r for p, r in best.items() if truth.get(p, {}).get("persona") == per]
        n_persona = sum(1 for t in truth.values() if t["persona"] == per and not t["opted_out"])
        out[per] = {"profiles": n_persona, "with_topic": len(rows),
                    "top_is_main": round(sum(r["topic"] == truth[r["profile_id"]]["topics"][0] for r in rows) / max(1, len(rows)), 3),
                    "top_is_planted": round(sum(r["topic"] in truth[r["profile_id"]]["topics"] for r in rows) / max(1, len(rows)), 3)}
    planted = [r["topic"] in truth[p]["topics"] for p, r in best.items() if p in truth]
    out["all_registered_top_is_planted"] = {"with_topic": len(planted), "share": round(sum(planted) / len(planted), 3)}
    bits = {r["profile_id"]: r["axis_topic_bits"] for r in sc}
    for per in ("broad", "focused"):
        v = sorted(bits[p] for p, t in truth.items() if t["persona"] == per and p in bits)
        out[f"{per}_bits"] = {"n": len(v), "min": v[0], "median": v[len(v)//2], "max": v[-1], "broad_side": sum(x >= model.styles.broad_bits for x in v)}
    kswap = [r for r in ts if truth.get(r["profile_id"], {}).get("persona") == "kswap"]
    out["kswap_topic_rows"] = {"rows": len(kswap), "with_independent_endorsers": sum(r["endorsers"] > 0 for r in kswap),
                               "qualified_without_engagement": sum(r["engagements"] < model.topics.min_engagements for r in kswap),
                               "with_endorsements": sum(r["endorsements"] > 0 for r in kswap)}
    out["topic_rows"] = len(ts)
    out["styles"] = dict(collections.Counter(r["style"] for r in sc).most_common())
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", default="data")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args(argv)
    save_result(args.out, "topic-validity-small.json", validity(args.data_root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
