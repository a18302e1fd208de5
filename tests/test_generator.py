"""Tests of the synthetic landing-zone generator (plain Python, no Spark).

The files are re-read and classified here from docs/landing-formats.md alone (an independent
validator below), then compared with what the generator claims in _truth/truth.json.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from generator import SCALES, generate

ROOT = Path(__file__).resolve().parents[1]
NETWORKS = ("chirp", "facepage", "linkup", "vidtube")
END = dt.date(2026, 9, 30)
MAX_LINE = 64 * 1024
OLDEST = dt.datetime(2004, 1, 1, tzinfo=dt.timezone.utc).timestamp()

# ---- the contract, transcribed from docs/landing-formats.md --------------------------------
TYPES = {
    "chirp": {"tweet": "post", "retweet": "share", "reply": "reply", "mention": "mention",
              "like": "reaction", "follow": "follow"},
    "facepage": {"post": "post", "comment": "reply", "reaction": "reaction", "share": "share"},
    "linkup": {"POST": "post", "SHARE": "share", "COMMENT": "reply", "LIKE": "reaction",
               "MENTION": "mention", "ENDORSE": "endorse"},
    "vidtube": {"upload": "post", "comment": "reply", "like": "reaction", "share": "share",
                "subscribe": "follow"},
}
# network -> (id path, type path, time path, actor path, target path, (json type of id/time/actor))
SPEC = {
    "chirp": (("id_str",), ("kind",), ("created_at",), ("user", "id_str"), ("ref", "user_id_str"), (str, str, str)),
    "facepage": (("event_id",), ("type",), ("timestamp",), ("actor", "uid"), ("object", "owner_uid"), (str, int, int)),
    "linkup": (("activityUrn",), ("verb",), ("createdAt",), ("actorUrn",), ("objectAuthorUrn",), (str, int, str)),
    "vidtube": (("eventId",), ("eventType",), ("publishedAt",), ("channelId",), ("videoChannelId",), (str, str, str)),
}
ID_FORMAT = {
    "chirp": (re.compile(r"^\d{15,20}$"), re.compile(r"^\d+$")),
    "facepage": (re.compile(r"^fp_[0-9a-f]{12}$"), None),
    "linkup": (re.compile(r"^urn:li:activity:\d+$"), re.compile(r"^urn:li:person:[A-Za-z0-9]{6}$")),
    "vidtube": (re.compile(r"^vt-[A-Za-z0-9]+$"), re.compile(r"^UC[A-Za-z0-9]+$")),
}
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


class WrongType(Exception):
    pass


def get(d: dict, path: tuple[str, ...]):
    """Value at path; None if absent; WrongType if a parent is not an object."""
    for key in path:
        if not isinstance(d, dict):
            raise WrongType(key)
        if key not in d:
            return None
        d = d[key]
    return d


def event_seconds(network: str, value) -> float:
    if network == "chirp":
        return dt.datetime.strptime(value, "%a %b %d %H:%M:%S +0000 %Y").replace(tzinfo=dt.timezone.utc).timestamp()
    if network == "facepage":
        return float(value)
    if network == "linkup":
        return value / 1000
    assert ISO_MS.match(value), value
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def classify(network: str, line: bytes, delivered: dt.date) -> tuple[str, dict | None]:
    """('valid', record) or (bad kind, None); duplicates are found by the caller."""
    if len(line) > MAX_LINE:
        json.loads(line)                      # oversized lines are still valid JSON
        return "oversized", None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_encoding", None
    try:
        d = json.loads(text)
    except ValueError:
        return "invalid_json", None
    if not isinstance(d, dict):
        return "invalid_json", None
    id_path, type_path, time_path, actor_path, target_path, (id_t, time_t, actor_t) = SPEC[network]
    try:
        kind = get(d, type_path)
        values = [get(d, id_path), kind, get(d, time_path), get(d, actor_path)]
    except WrongType:
        return "wrong_type", None
    if any(v is None for v in values):
        return "missing_field", None
    if any(not isinstance(v, t) or isinstance(v, bool) for v, t in zip(values, (id_t, str, time_t, actor_t))):
        return "wrong_type", None
    if kind not in TYPES[network]:
        return "unknown_event_type", None
    is_post = TYPES[network][kind] == "post"
    try:
        target = None if is_post else get(d, target_path)
    except WrongType:
        return "wrong_type", None
    if (not is_post and target is None) or (kind == "ENDORSE" and d.get("skill") is None):
        return "missing_field", None
    if not is_post and not isinstance(target, actor_t):
        return "wrong_type", None
    ts = event_seconds(network, values[2])
    day_start = dt.datetime.combine(delivered, dt.time(), dt.timezone.utc).timestamp()
    if ts > day_start + 2 * 86400:            # more than 1 day after the delivery date
        return "future_time", None
    if ts < OLDEST:
        return "too_old", None
    if not is_post and target == values[3]:
        return "self_interaction", None
    return "valid", {"id": values[0], "type": TYPES[network][kind], "ts": ts, "actor": str(values[3]),
                     "target": None if is_post else str(target), "raw": d}


def read_network(root: Path, network: str):
    """Every line in delivery order: (delivery date, line bytes, file index)."""
    files = sorted((root / network).glob("dt=*/part-*.jsonl.gz"))
    for i, f in enumerate(files):
        day = dt.date.fromisoformat(f.parent.name[3:])
        for line in gzip.decompress(f.read_bytes()).split(b"\n")[:-1]:
            yield day, line, i


def audit(root: Path) -> dict:
    """Independent recount of the landing zone: kinds, valid events, duplicates, late data."""
    out = {}
    for net in NETWORKS:
        kinds, first_seen, valid = Counter(), {}, []
        lines = late = 0
        dup_where = Counter()
        for day, line, file_i in read_network(root, net):
            lines += 1
            kind, rec = classify(net, line, day)
            if kind != "valid":
                kinds[kind] += 1
                continue
            if rec["id"] in first_seen:
                original, orig_file = first_seen[rec["id"]]
                assert original == line, f"{net}: same event id with different bytes"
                kinds["duplicate"] += 1
                dup_where["same_file" if orig_file == file_i else "later_file"] += 1
                continue
            first_seen[rec["id"]] = (line, file_i)
            event_day = dt.datetime.fromtimestamp(rec["ts"], dt.timezone.utc).date()
            assert 0 <= (day - event_day).days <= 3, f"{net}: delivered before its event or > 3 days late"
            late += event_day < day
            rec["event_day"], rec["delivered"] = event_day, day
            rec["line"] = line
            valid.append(rec)
        out[net] = {"kinds": kinds, "valid": valid, "lines": lines, "late": late, "dup_where": dup_where}
    return out


# ---- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny") / "landing"
    summary = generate(out, **SCALES["tiny"], seed=7, log=lambda m: None, workers=1)
    return out, summary


@pytest.fixture(scope="module")
def audited(tiny):
    return audit(tiny[0])


@pytest.fixture(scope="module")
def profiles(tiny):
    return [json.loads(x) for x in gzip.open(tiny[0] / "_truth" / "profiles.jsonl.gz")]


def all_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---- tests ---------------------------------------------------------------------------------
def test_same_seed_is_byte_identical_whatever_the_worker_count(tiny, tmp_path):
    again = generate(tmp_path / "again", **SCALES["tiny"], seed=7, log=lambda m: None, workers=2)
    assert again == tiny[1]
    assert all_files(tmp_path / "again") == all_files(tiny[0])


def test_different_seed_differs(tiny, tmp_path):
    generate(tmp_path / "other", **SCALES["tiny"], seed=8, log=lambda m: None)
    a, b = all_files(tiny[0]), all_files(tmp_path / "other")
    assert a.keys() == b.keys()
    for net in NETWORKS:
        assert a[f"{net}/dt=2026-09-30/part-00000.jsonl.gz"] != b[f"{net}/dt=2026-09-30/part-00000.jsonl.gz"]


def test_layout_and_gzip_headers(tiny):
    root, summary = tiny
    dates = [(END - dt.timedelta(days=i)).isoformat() for i in range(SCALES["tiny"]["days"])]
    for dataset in (*NETWORKS, "accounts"):
        assert sorted(p.name for p in (root / dataset).iterdir()) == sorted(f"dt={d}" for d in dates)
    raw = (root / "chirp" / f"dt={dates[0]}" / "part-00000.jsonl.gz").read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0" and not raw[3] & 0x08  # mtime 0, no name
    assert json.loads((root / "_truth" / "truth.json").read_text()) == summary
    assert summary["params"] == {"profiles": 300, "days": 21, "seed": 7, "end_date": "2026-09-30",
                                 "start_date": dates[-1], "bad_rate": 0.005}
    assert not list(root.parent.glob(".landing.*")), "staging directory left behind"


def test_counts_in_truth_match_an_independent_recount(tiny, audited):
    summary = tiny[1]
    for net in NETWORKS:
        got = audited[net]
        claimed = {k: v[net] for k, v in summary["bad_records"].items()}
        assert got["lines"] == summary["lines_written"][net]
        assert len(got["valid"]) == summary["events_valid"][net]
        assert got["kinds"]["duplicate"] == summary["duplicates"][net] == claimed["duplicate"]
        assert got["kinds"]["invalid_json"] == claimed["invalid_json"] + claimed["truncated"]
        for kind in ("missing_field", "wrong_type", "unknown_event_type", "future_time", "too_old",
                     "self_interaction", "oversized", "invalid_encoding"):
            assert got["kinds"][kind] == claimed[kind], (net, kind)
        assert got["late"] == summary["late_events"][net] > 0
        assert got["lines"] == len(got["valid"]) + sum(got["kinds"].values())


def test_every_bad_kind_is_present_on_every_network(tiny):
    for kind, per_net in tiny[1]["bad_records"].items():
        assert all(per_net[net] >= 1 for net in NETWORKS), kind


def test_expected_reasons_follow_the_docs_table(tiny):
    rows = re.findall(r"^\| `(\w+)` \| .* \| (.*) \|$", (ROOT / "docs" / "landing-formats.md").read_text(), re.M)
    table = {kind: (code.strip("`") if code.startswith("`") else None) for kind, code in rows}
    assert tiny[1]["expected_reason"] == table
    assert set(tiny[1]["bad_records"]) == set(table)


def test_truncated_and_garbage_lines_both_occur(tiny):
    starts = Counter()
    for net in NETWORKS:
        for day, line, _ in read_network(tiny[0], net):
            if len(line) <= MAX_LINE and classify(net, line, day)[0] == "invalid_json":
                starts["object_prefix" if line.startswith(b'{"') else "garbage"] += 1
    assert starts["object_prefix"] == sum(tiny[1]["bad_records"]["truncated"].values())
    assert starts["garbage"] == sum(tiny[1]["bad_records"]["invalid_json"].values())


def test_duplicates_are_redeliveries_in_same_and_later_files(audited):
    where = sum((audited[net]["dup_where"] for net in NETWORKS), Counter())
    assert where["same_file"] > 0 and where["later_file"] > 0


def test_good_lines_have_native_shapes(audited):
    for net in NETWORKS:
        event_re, actor_re = ID_FORMAT[net]
        types = Counter()
        for rec in audited[net]["valid"]:
            line, d = rec["line"], rec["raw"]
            assert line == json.dumps(d, separators=(",", ":")).encode()   # compact, plain ASCII
            assert event_re.match(rec["id"]), rec["id"]
            if actor_re:
                assert actor_re.match(rec["actor"]) and (rec["target"] is None or actor_re.match(rec["target"]))
            types[rec["type"]] += 1
            if net == "chirp":
                when = dt.datetime.fromtimestamp(rec["ts"], dt.timezone.utc)
                assert when.strftime("%a %b %d %H:%M:%S +0000 %Y") == d["created_at"]
                assert ("ref" in d) == (rec["type"] != "post")
                assert ("status_id_str" in d.get("ref", {})) == (rec["type"] in ("share", "reply", "reaction"))
                assert all(h["text"] in d["text"] for h in d.get("entities", {}).get("hashtags", []))
            elif net == "facepage":
                assert isinstance(d["actor"]["uid"], int) and ("object" in d) == (rec["type"] != "post")
                assert isinstance(d["tags"], list)
            elif net == "linkup":
                assert ("objectUrn" in d) == (rec["type"] in ("share", "reply", "reaction"))
                assert (rec["type"] == "endorse") == ("skill" in d)
            else:
                assert ("videoId" in d) == (rec["type"] != "follow")
        assert set(types) == set(TYPES[net].values()), (net, types)


def test_topics_ontology_and_content_tags(audited):
    onto = yaml.safe_load((ROOT / "conf" / "topics.yaml").read_text())
    assert onto["version"] == 1
    topics = onto["topics"]
    slugs = {t["slug"] for t in topics}
    assert len(topics) >= 40 and 7 <= sum(t["parent"] is None for t in topics) <= 10
    assert all(t["parent"] is None or t["parent"] in slugs for t in topics)
    words = [w for t in topics for w in (t["slug"], *t["keywords"])]
    assert len(words) == len(set(words)), "a keyword maps to two topics"
    assert {t["slug"]: t["parent"] for t in topics}["seo"] == "marketing"
    vocabulary = set(words)
    for net in NETWORKS:
        for rec in audited[net]["valid"]:
            d = rec["raw"]
            tags = ([h["text"] for h in d.get("entities", {}).get("hashtags", [])] + d.get("tags", [])
                    + d.get("topics", []) + ([d["skill"]] if "skill" in d else []))
            assert set(tags) <= vocabulary, tags
            if "skill" in d or "topics" in d:
                assert set(d.get("topics", [])) | {d.get("skill", "seo")} <= slugs


def test_personas_and_truth_per_profile(tiny, profiles):
    summary = tiny[1]
    assert len(profiles) == 300 and all(n >= 2 for n in summary["personas"].values())
    followers = sorted(p["follower_count"] for p in profiles)
    assert followers[-1] > 100 * followers[len(followers) // 2]      # heavy tail: celebrities
    assert Counter(p["persona"] for p in profiles) == summary["personas"]
    assert {"celebrity", "expert", "autoposter", "bot", "ring", "kswap", "bursty", "paused_expert",
            "lurker", "focused", "broad", "multi_account", "regular"} == set(summary["personas"])
    for p in profiles:
        assert re.match(r"^p\d{7}$", p["profile_id"]) and p["accounts"] and p["topics"]
        assert p["true_influence"] > 0 and p["follower_count"] > 0
    assert all(len(p["topics"]) == 1 for p in profiles if p["persona"] == "focused")
    assert max(len(p["topics"]) for p in profiles if p["persona"] == "broad") >= 8


def test_account_links_opt_outs_and_public_only_accounts(tiny, profiles, audited):
    root = tiny[0]
    records = [json.loads(x) for f in sorted((root / "accounts").glob("dt=*/*.gz")) for x in gzip.open(f)]
    links = {(r["network"], r["account_id"]): r["profile_id"] for r in records if r["record"] == "link"}
    truth_links = {(a["network"], a["account_id"]): p["profile_id"] for p in profiles for a in p["accounts"]}
    assert links == truth_links
    first_day = min(r["at"] for r in records)
    assert Counter(r["at"] == first_day for r in records if r["record"] == "link")[True] > len(links) / 2
    opted = {r["profile_id"] for r in records if r["record"] == "opt_out"}
    assert opted and opted == {p["profile_id"] for p in profiles if p["opted_out"]}
    active = {(net, rec["actor"]) for net in NETWORKS for rec in audited[net]["valid"]}
    public = [a for a in active if a not in links]
    assert 0.05 < len(public) / len(active) < 0.2


def test_activity_volume_is_the_count_of_valid_authored_events(profiles, audited):
    authored = Counter((net, rec["actor"]) for net in NETWORKS for rec in audited[net]["valid"])
    for p in profiles:
        assert p["activity_volume"] == sum(authored[(a["network"], a["account_id"])] for a in p["accounts"])


def test_planted_behaviours_are_visible_in_the_data(tiny, profiles, audited):
    owner = {(a["network"], a["account_id"]): p for p in profiles for a in p["accounts"]}
    last = END - dt.timedelta(days=13)
    by_persona = defaultdict(list)
    for net in NETWORKS:
        for rec in audited[net]["valid"]:
            who = owner.get((net, rec["actor"]))
            if who:
                by_persona[who["persona"]].append((net, rec, who))
    assert not [r for _, r, _ in by_persona["paused_expert"] if r["event_day"] >= last]
    auto_posts = [r for _, r, _ in by_persona["autoposter"] if r["type"] == "post"]
    assert auto_posts and all("https://" in r["line"].decode() for r in auto_posts)
    endorse = [(r, w) for _, r, w in by_persona["kswap"] if r["type"] == "endorse"]
    in_group = sum(owner[("linkup", r["target"])]["group"] == w["group"] for r, w in endorse
                   if ("linkup", r["target"]) in owner)
    assert in_group > 0.8 * len(endorse) > 0
    ring_eng = [(n, r, w) for n, r, w in by_persona["ring"] if r["type"] in ("reaction", "share", "reply")]
    mutual = sum(owner.get((n, r["target"]), {}).get("group") == w["group"] for n, r, w in ring_eng)
    assert mutual > 0.5 * len(ring_eng) > 0
    def reactions_per_profile(persona):
        n = sum(r["type"] in ("reaction", "share", "reply") for _, r, _ in by_persona[persona])
        return n / tiny[1]["personas"][persona]
    assert reactions_per_profile("bot") > 3 * reactions_per_profile("regular")   # hyperactive


def test_rerun_replaces_a_previous_output_and_refuses_foreign_dirs(tmp_path):
    out = tmp_path / "landing"
    generate(out, profiles=60, days=3, end_date=dt.date(2026, 1, 5), log=lambda m: None)
    (out / "chirp" / "stale.txt").write_text("left over")
    lines = []
    generate(out, profiles=60, days=2, end_date=dt.date(2026, 1, 5), log=lines.append)
    assert not (out / "chirp" / "stale.txt").exists()
    assert sorted(p.name for p in (out / "chirp").iterdir()) == ["dt=2026-01-04", "dt=2026-01-05"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landing"]
    assert any("%" in line and "events/s" in line for line in lines)
    foreign = tmp_path / "home"
    (foreign / "notes").mkdir(parents=True)
    with pytest.raises(ValueError, match="refusing"):
        generate(foreign, profiles=60, days=2, log=lambda m: None)
    with pytest.raises(ValueError, match="profiles"):
        generate(tmp_path / "x", profiles=10, days=2, log=lambda m: None)
