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
INVENTED = ("chirp", "facepage", "linkup", "vidtube")
OPEN = ("bluesky", "activitypub")          # real protocols, with retractions
NETWORKS = INVENTED + OPEN
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
SCORED = ("post", "share", "reply", "mention", "reaction", "follow", "endorse")
OPEN_TYPES = {"bluesky": {"post", "share", "reply", "mention", "reaction", "follow", "retraction", "identity",
                          "account"},
              "activitypub": {"post", "share", "reply", "mention", "reaction", "follow", "retraction"}}
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
ISO_S = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# bluesky (Jetstream, app.bsky.* lexicons)
BSKY_POST, BSKY_LIKE, BSKY_REPOST, BSKY_FOLLOW = ("app.bsky.feed.post", "app.bsky.feed.like",
                                                  "app.bsky.feed.repost", "app.bsky.graph.follow")
BSKY_COLLECTIONS = (BSKY_POST, BSKY_LIKE, BSKY_REPOST, BSKY_FOLLOW)
QUOTE, QUOTE_WITH_MEDIA = "app.bsky.embed.record", "app.bsky.embed.recordWithMedia"
MENTION_FACET, TAG_FACET = "app.bsky.richtext.facet#mention", "app.bsky.richtext.facet#tag"
DID = re.compile(r"^did:plc:[a-z2-7]{24}$")
TID = re.compile(r"^[234567a-j][234567a-z]{12}$")
CID = re.compile(r"^bafyrei[a-z2-7]{52}$")
AT_URI = re.compile(r"^at://(did:plc:[a-z2-7]{24})/(app\.bsky\.[a-z.]+)/([234567a-z]{13})$")
# activitypub (ActivityStreams 2.0, Mastodon-like)
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
AS_PUBLIC = AS_CONTEXT + "#Public"
ACTOR = re.compile(r"^https://([a-z0-9.-]+)/users/([a-z0-9_]+)$")
NOTE = re.compile(r"^(https://[a-z0-9.-]+/users/[a-z0-9_]+)/statuses/(\d+)$")


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


def _invented_shape(network: str, d: dict):
    """A bad kind, or the record (id, type, actor, target, ts) of an invented network's line."""
    id_path, type_path, time_path, actor_path, target_path, (id_t, time_t, actor_t) = SPEC[network]
    try:
        kind = get(d, type_path)
        values = [get(d, id_path), kind, get(d, time_path), get(d, actor_path)]
    except WrongType:
        return "wrong_type"
    if any(v is None for v in values):
        return "missing_field"
    if any(not isinstance(v, t) or isinstance(v, bool) for v, t in zip(values, (id_t, str, time_t, actor_t))):
        return "wrong_type"
    if kind not in TYPES[network]:
        return "unknown_event_type"
    is_post = TYPES[network][kind] == "post"
    try:
        target = None if is_post else get(d, target_path)
    except WrongType:
        return "wrong_type"
    if (not is_post and target is None) or (kind == "ENDORSE" and d.get("skill") is None):
        return "missing_field"
    if not is_post and not isinstance(target, actor_t):
        return "wrong_type"
    return {"id": values[0], "type": TYPES[network][kind], "ts": event_seconds(network, values[2]),
            "actor": str(values[3]), "target": None if is_post else str(target)}


def _did_of(uri):
    m = AT_URI.match(uri) if isinstance(uri, str) else None
    return m.group(1) if m else None


def _bluesky_shape(d: dict):
    """docs: `bluesky`. Required did, time_us, kind; for a commit operation, collection, rkey;
    for a create the record, with subject.uri (like, repost) or subject (follow)."""
    if any(d.get(k) is None for k in ("did", "time_us", "kind")):
        return "missing_field"
    did, t, kind = d["did"], d["time_us"], d["kind"]
    if not isinstance(did, str) or not isinstance(kind, str) or not isinstance(t, int) or isinstance(t, bool):
        return "wrong_type"
    rec = {"ts": t / 1e6, "actor": did, "target": None}
    if kind in ("identity", "account"):
        if not isinstance(d.get(kind), dict):
            return "missing_field" if d.get(kind) is None else "wrong_type"
        return {**rec, "id": f"at://{did}#{kind}@{t}", "type": kind}
    if kind != "commit":
        return "unknown_event_type"
    commit = d.get("commit")
    if not isinstance(commit, dict):
        return "missing_field" if commit is None else "wrong_type"
    values = [commit.get(k) for k in ("operation", "collection", "rkey")]
    if any(v is None for v in values):
        return "missing_field"
    if not all(isinstance(v, str) for v in values):
        return "wrong_type"
    op, collection, rkey = values
    uri = f"at://{did}/{collection}/{rkey}"
    if collection not in BSKY_COLLECTIONS or op not in ("create", "delete"):
        return "unknown_event_type"
    if op == "delete":
        return {**rec, "id": f"{uri}#delete@{t}", "type": "retraction", "retracts": uri}
    record = commit.get("record")
    if not isinstance(record, dict):
        return "missing_field" if record is None else "wrong_type"
    rec["id"] = uri
    if collection in (BSKY_LIKE, BSKY_REPOST):
        subject = record.get("subject")
        named = subject.get("uri") if isinstance(subject, dict) else None
        if named is None:
            return "missing_field" if subject is None or isinstance(subject, dict) else "wrong_type"
        if not isinstance(named, str):
            return "wrong_type"
        typ = "reaction" if collection == BSKY_LIKE else "share"
        return {**rec, "type": typ, "target": _did_of(named), "content": named}
    if collection == BSKY_FOLLOW:
        subject = record.get("subject")
        if subject is None:
            return "missing_field"
        return {**rec, "type": "follow", "target": subject} if isinstance(subject, str) else "wrong_type"
    parent = get(record, ("reply", "parent", "uri"))
    embed = record.get("embed") or {}
    quoted = (get(embed, ("record", "uri")) if embed.get("$type") == QUOTE else
              get(embed, ("record", "record", "uri")) if embed.get("$type") == QUOTE_WITH_MEDIA else None)
    mentioned = [f["did"] for facet in record.get("facets", []) for f in facet["features"]
                 if f["$type"] == MENTION_FACET]
    if parent:
        return {**rec, "type": "reply", "target": _did_of(parent), "content": parent}
    if quoted:
        return {**rec, "type": "share", "target": _did_of(quoted), "content": quoted}
    if mentioned:
        return {**rec, "type": "mention", "target": mentioned[0]}
    return {**rec, "type": "post"}


def _activitypub_shape(d: dict, notes: dict | None):
    """docs: `activitypub`. Required id, type, actor, published, object. A Like, Announce or
    reply names a note embedded (attributedTo) or by URI: then its author is the actor of the
    note's Create already delivered (`notes`, up to this delivery date), else unknown_target."""
    values = [d.get(k) for k in ("id", "type", "actor", "published", "object")]
    if any(v is None for v in values):
        return "missing_field"
    aid, typ, actor, published, obj = values
    if not all(isinstance(v, str) for v in (aid, typ, actor, published)) or not isinstance(obj, (str, dict)):
        return "wrong_type"
    try:
        ts = dt.datetime.fromisoformat(published).timestamp()
    except ValueError:
        return "wrong_type"
    rec = {"id": aid, "ts": ts, "actor": actor, "target": None}

    def author(named):
        if isinstance(named, dict):
            return named.get("attributedTo"), named.get("id")
        return (notes or {}).get(named), named

    if typ == "Create":
        if not isinstance(obj, dict) or obj.get("type") != "Note":
            return "unknown_event_type"
        rec["id"] = obj["id"]
        mentions = [t["href"] for t in obj.get("tag", []) if t.get("type") == "Mention"]
        if obj.get("inReplyTo") is not None:
            target, content = author(obj["inReplyTo"])
            rec.update(type="reply", target=target, content=content)
        elif mentions:
            rec.update(type="mention", target=mentions[0])
        else:
            rec.update(type="post")
    elif typ in ("Like", "Announce"):
        target, content = author(obj)
        rec.update(type="reaction" if typ == "Like" else "share", target=target, content=content)
    elif typ == "Follow":
        rec.update(type="follow", target=obj if isinstance(obj, str) else obj.get("id"))
    elif typ == "Delete" or (typ == "Undo" and (isinstance(obj, str)
                                                or obj.get("type") in ("Like", "Announce", "Follow"))):
        rec.update(type="retraction", retracts=obj if isinstance(obj, str) else obj["id"])
    else:
        return "unknown_event_type"
    if rec["type"] not in ("post", "retraction") and rec["target"] is None:
        return "unknown_target"
    return rec


def classify(network: str, line: bytes, delivered: dt.date, notes: dict | None = None) -> tuple[str, dict | None]:
    """('valid', record) or (bad kind, None); duplicates are found by the caller. `notes`
    (activitypub): note URI -> author of the Creates delivered so far."""
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
    rec = (_bluesky_shape(d) if network == "bluesky" else _activitypub_shape(d, notes)
           if network == "activitypub" else _invented_shape(network, d))
    if isinstance(rec, str):
        return rec, None
    day_start = dt.datetime.combine(delivered, dt.time(), dt.timezone.utc).timestamp()
    if rec["ts"] > day_start + 2 * 86400:     # more than 1 day after the delivery date
        return "future_time", None
    if rec["ts"] < OLDEST:
        return "too_old", None
    if rec["target"] is not None and rec["target"] == rec["actor"]:
        return "self_interaction", None
    rec["raw"] = d
    return "valid", rec


def read_network(root: Path, network: str):
    """Every line in delivery order: (delivery date, line bytes, file index)."""
    files = sorted((root / network).glob("dt=*/part-*.jsonl.gz"))
    for i, f in enumerate(files):
        day = dt.date.fromisoformat(f.parent.name[3:])
        for line in gzip.decompress(f.read_bytes()).split(b"\n")[:-1]:
            yield day, line, i


class _AnyAuthor(dict):
    """Notes resolver that knows every note (to read a file's Creates before resolving)."""

    def get(self, key, default=None):
        return "someone"


def audit(root: Path) -> dict:
    """Independent recount of the landing zone: kinds, valid events, duplicates, late data;
    retractions marked with whether what they name was delivered before them."""
    out = {}
    for net in NETWORKS:
        kinds, first_seen, valid = Counter(), {}, []
        lines = late = 0
        dup_where = Counter()
        notes: dict[str, str] = {}            # activitypub: note URI -> author, by this delivery
        by_file = defaultdict(list)
        for day, line, file_i in read_network(root, net):
            by_file[(file_i, day)].append(line)
        for (file_i, day), file_lines in sorted(by_file.items()):
            if net == "activitypub":          # a note's Create counts from its delivery on
                for line in file_lines:
                    kind, rec = classify(net, line, day, _AnyAuthor())
                    if kind == "valid" and rec["raw"]["type"] == "Create":
                        notes.setdefault(rec["id"], rec["actor"])
            for line in file_lines:
                lines += 1
                kind, rec = classify(net, line, day, notes)
                if kind != "valid":
                    kinds[kind] += 1
                    continue
                if rec["id"] in first_seen:
                    original, orig_file = first_seen[rec["id"]]
                    assert original == line, f"{net}: same event id with different bytes"
                    kinds["duplicate"] += 1
                    dup_where["same_file" if orig_file == file_i else "later_file"] += 1
                    continue
                if rec["type"] == "retraction":
                    rec["retracts_seen"] = rec["retracts"] in first_seen
                first_seen[rec["id"]] = (line, file_i)
                event_day = dt.datetime.fromtimestamp(rec["ts"], dt.timezone.utc).date()
                assert 0 <= (day - event_day).days <= 3, f"{net}: delivered before its event or > 3 days late"
                late += event_day < day
                rec["event_day"], rec["delivered"] = event_day, day
                rec["line"] = line
                valid.append(rec)
        out[net] = {"kinds": kinds, "valid": valid, "lines": lines, "late": late, "dup_where": dup_where}
    return out


def retracted_ids(audited, net) -> set[str]:
    return {r["retracts"] for r in audited[net]["valid"] if r["type"] == "retraction" and r["retracts_seen"]}


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


@pytest.fixture(scope="module")
def known_accounts(tiny, profiles):
    """(network, account id) of every simulated account: profiles' and public-only ones."""
    public = [json.loads(x) for x in gzip.open(tiny[0] / "_truth" / "public_accounts.jsonl.gz")]
    return {(a["network"], a["account_id"]) for p in profiles + public for a in p["accounts"]}


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
        assert got["kinds"]["unknown_target"] == 0, net    # activitypub: every note's author known
        assert got["lines"] == len(got["valid"]) + sum(got["kinds"].values())
        by_type = Counter(r["type"] for r in got["valid"])
        assert by_type == summary["events_by_type"][net], net


def test_every_bad_kind_is_present_on_every_network(tiny):
    for kind, per_net in tiny[1]["bad_records"].items():
        assert all(per_net[net] >= 1 for net in NETWORKS), kind


def test_expected_reasons_follow_the_docs_table(tiny):
    doc = (ROOT / "docs" / "landing-formats.md").read_text()
    section = doc[doc.index("## Bad records"):]
    section = section[:section.index("\n\n", section.index("| kind |"))]   # the first table
    rows = re.findall(r"^\| `(\w+)` \| .* \| (.*) \|$", section, re.M)
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


def test_good_lines_are_compact_json(audited):
    for net in NETWORKS:
        for rec in audited[net]["valid"]:
            assert rec["line"] == json.dumps(rec["raw"], separators=(",", ":")).encode(), net   # compact, ASCII


def test_good_lines_have_native_shapes(audited):
    for net in INVENTED:
        event_re, actor_re = ID_FORMAT[net]
        types = Counter()
        for rec in audited[net]["valid"]:
            d = rec["raw"]
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
    for net in INVENTED:
        for rec in audited[net]["valid"]:
            d = rec["raw"]
            tags = ([h["text"] for h in d.get("entities", {}).get("hashtags", [])] + d.get("tags", [])
                    + d.get("topics", []) + ([d["skill"]] if "skill" in d else []))
            assert set(tags) <= vocabulary, tags
            if "skill" in d or "topics" in d:
                assert set(d.get("topics", [])) | {d.get("skill", "seo")} <= slugs
    tagged = Counter()
    for net in OPEN:
        for rec in audited[net]["valid"]:
            tags = open_topics(net, rec["raw"])
            assert set(tags) <= vocabulary, tags
            tagged[net] += bool(tags)
            if rec["type"] == "post":
                assert tags, rec["line"]                     # every post carries its topics
    assert all(tagged[net] > 0 for net in OPEN)


def open_topics(net: str, d: dict) -> list[str]:
    """Topics per the docs: bluesky hashtag facets' tags and `tags`; activitypub Hashtag names."""
    if net == "bluesky":
        record = d.get("commit", {}).get("record", {})
        return ([f["tag"] for facet in record.get("facets", []) for f in facet["features"] if f["$type"] == TAG_FACET]
                + record.get("tags", []))
    note = d["object"] if isinstance(d["object"], dict) else {}
    return [t["name"][1:] for t in note.get("tag", []) if t["type"] == "Hashtag"]


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
    """Scored events (not retractions, identity or account events), less those retracted."""
    authored = Counter()
    for net in NETWORKS:
        gone = retracted_ids(audited, net)
        authored.update((net, r["actor"]) for r in audited[net]["valid"] if r["type"] in SCORED and r["id"] not in gone)
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


# ---- the open networks: bluesky (Jetstream) and activitypub (ActivityStreams) ---------------
def iso_ms(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def test_bluesky_lines_are_jetstream_events(audited, known_accounts):
    """Field names, JSON types and variants of docs `bluesky`; ids and offsets consistent."""
    valid = audited["bluesky"]["valid"]
    created = {r["id"]: r["raw"]["commit"]["cid"] for r in valid if r["raw"]["kind"] == "commit"
               and r["raw"]["commit"]["operation"] == "create"}
    variants = Counter()
    for rec in valid:
        d = rec["raw"]
        assert DID.match(d["did"]) and ("bluesky", d["did"]) in known_accounts, d["did"]
        assert isinstance(d["time_us"], int) and d["time_us"] > 1_700_000_000_000_000
        if d["kind"] in ("identity", "account"):
            body = d[d["kind"]]
            assert body["did"] == d["did"] and isinstance(body["seq"], int) and body["time"] == iso_ms(d["time_us"] // 1000 / 1000)
            assert set(d) == {"did", "time_us", "kind", d["kind"]}
            if d["kind"] == "identity":
                assert re.match(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", body["handle"]) and not body["handle"].endswith("-")
                variants["identity"] += 1
            else:
                assert body["active"] is (body.get("status") is None)
                assert body.get("status") in (None, "deactivated")
                variants["account_" + ("active" if body["active"] else "deactivated")] += 1
            continue
        commit = d["commit"]
        assert d["kind"] == "commit" and TID.match(commit["rev"]) and TID.match(commit["rkey"])
        if commit["operation"] == "delete":
            assert set(commit) == {"rev", "operation", "collection", "rkey"}
            variants["delete " + commit["collection"]] += 1
            continue
        assert list(commit) == ["rev", "operation", "collection", "rkey", "cid", "record"], list(commit)
        record = commit["record"]
        assert CID.match(commit["cid"]) and record["$type"] == commit["collection"]
        assert record["createdAt"] == iso_ms(d["time_us"] // 1000 / 1000)     # the same instant
        targets = []
        if commit["collection"] in (BSKY_LIKE, BSKY_REPOST):
            assert set(record) == {"$type", "createdAt", "subject"} and set(record["subject"]) == {"uri", "cid"}
            targets.append(record["subject"])
            variants[commit["collection"]] += 1
        elif commit["collection"] == BSKY_FOLLOW:
            assert set(record) == {"$type", "createdAt", "subject"} and DID.match(record["subject"])
            assert ("bluesky", record["subject"]) in known_accounts
            variants[BSKY_FOLLOW] += 1
        else:
            text = record["text"].encode()
            assert record["langs"] == ["en"] and isinstance(record["text"], str)
            for facet in record.get("facets", []):
                feature, = facet["features"]
                span = text[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode()
                if feature["$type"] == TAG_FACET:
                    assert span == "#" + feature["tag"], (span, feature)
                elif feature["$type"] == MENTION_FACET:
                    assert facet["index"]["byteStart"] == 0 and span.startswith("@") and span.endswith(".bsky.social")
                    assert text.startswith(span.encode() + b" ") and ("bluesky", feature["did"]) in known_accounts
                else:
                    assert feature["$type"] == "app.bsky.richtext.facet#link" and span == feature["uri"]
                    assert span.startswith("https://")
            assert isinstance(record.get("tags", []), list)
            if "reply" in record:
                assert record["reply"]["root"] == record["reply"]["parent"]
                targets.append(record["reply"]["parent"])
            embed = record.get("embed")
            if embed and embed["$type"] == QUOTE:
                targets.append(embed["record"])
            elif embed:
                assert embed["$type"] == QUOTE_WITH_MEDIA and embed["media"]["$type"] == "app.bsky.embed.images"
                image = embed["media"]["images"][0]["image"]
                assert image["$type"] == "blob" and image["ref"]["$link"].startswith("bafkrei")
                targets.append(embed["record"]["record"])
            variants["post " + (rec["type"] + (" " + embed["$type"] if embed else "")
                                + (" tags" if "tags" in record else "")
                                + (" link" if "https://" in record["text"] else ""))] += 1
        for strong in targets:                 # names a post of a known account
            m = AT_URI.match(strong["uri"])
            assert m and m.group(2) == BSKY_POST and ("bluesky", m.group(1)) in known_accounts, strong
            assert CID.match(strong["cid"])
            if strong["uri"] in created:       # and its cid, where the landing zone holds it
                assert created[strong["uri"]] == strong["cid"]
    expected = {"identity", "account_active", "account_deactivated", BSKY_LIKE, BSKY_REPOST, BSKY_FOLLOW,
                "post post", "post reply", "post mention", "post share app.bsky.embed.record",
                "post share app.bsky.embed.recordWithMedia", "post post link", "post post tags",
                "delete " + BSKY_LIKE, "delete " + BSKY_REPOST, "delete " + BSKY_FOLLOW, "delete " + BSKY_POST}
    assert expected <= set(variants), expected - set(variants)


def test_activitypub_lines_are_activitystreams_activities(audited, known_accounts):
    valid = audited["activitypub"]["valid"]
    variants = Counter()
    for rec in valid:
        d = rec["raw"]
        assert d["@context"] == AS_CONTEXT and ISO_S.match(d["published"])
        assert ACTOR.match(d["actor"]) and ("activitypub", d["actor"]) in known_accounts
        assert set(d) >= {"@context", "id", "type", "actor", "published", "object"}
        obj, typ = d["object"], d["type"]
        if typ == "Create":
            assert d["id"] == obj["id"] + "/activity" and NOTE.match(obj["id"]).group(1) == d["actor"]
            assert obj["attributedTo"] == d["actor"] and obj["published"] == d["published"]
            assert d["to"] == [AS_PUBLIC] and d["cc"][0] == d["actor"] + "/followers"
            assert obj["content"].startswith("<p>") and obj["content"].endswith("</p>")
            host = ACTOR.match(d["actor"]).group(1)
            for tag in obj["tag"]:
                if tag["type"] == "Hashtag":
                    assert tag["href"] == f"https://{host}/tags/{tag['name'][1:]}"
                    assert f"#<span>{tag['name'][1:]}</span>" in obj["content"]
                else:
                    assert tag["type"] == "Mention" and ("activitypub", tag["href"]) in known_accounts
                    m = ACTOR.match(tag["href"])
                    assert tag["name"] == f"@{m.group(2)}@{m.group(1)}" and tag["href"] in d["cc"]
            variants["Create " + rec["type"] + (" embedded" if isinstance(obj.get("inReplyTo"), dict) else "")] += 1
        elif typ in ("Like", "Announce"):
            if typ == "Announce":
                assert d["id"].startswith(d["actor"] + "/statuses/") and d["cc"][0] == rec["target"]
            else:
                assert d["id"].startswith(d["actor"] + "#likes/")
            variants[typ + (" embedded" if isinstance(obj, dict) else "")] += 1
        elif typ == "Follow":
            assert d["id"].startswith(d["actor"] + "#follows/") and ("activitypub", obj) in known_accounts
            variants[typ] += 1
        elif typ == "Undo":
            assert set(obj) == {"id", "type", "actor", "object"} and obj["actor"] == d["actor"]
            assert d["id"] == obj["id"] + "/undo" and obj["type"] in ("Like", "Announce", "Follow")
            variants["Undo " + obj["type"]] += 1
        else:
            assert typ == "Delete" and obj["type"] == "Tombstone" and d["id"] == obj["id"] + "#delete"
            assert NOTE.match(obj["id"]).group(1) == d["actor"]
            variants["Delete"] += 1
        if rec["type"] in ("share", "reaction", "reply"):     # a note of a known author
            assert NOTE.match(rec["content"]).group(1) == rec["target"]
            assert ("activitypub", rec["target"]) in known_accounts
    expected = {"Create post", "Create reply", "Create reply embedded", "Create mention", "Like", "Like embedded",
                "Announce", "Follow", "Undo Like", "Undo Announce", "Undo Follow", "Delete"}
    assert expected <= set(variants), expected - set(variants)


def test_activitypub_names_a_note_by_uri_only_once_its_create_is_delivered(audited):
    """A Like, Announce or reply naming a note by URI: the note's Create was delivered on or
    before the same delivery date; otherwise the note is embedded with its author."""
    creates = {}
    for rec in audited["activitypub"]["valid"]:
        if rec["raw"]["type"] == "Create":
            creates.setdefault(rec["id"], rec["delivered"])
    by_uri = embedded = 0
    for rec in audited["activitypub"]["valid"]:
        d = rec["raw"]
        named = d["object"].get("inReplyTo") if d["type"] == "Create" else d["object"]
        if d["type"] not in ("Like", "Announce", "Create") or named is None:
            continue
        if isinstance(named, str):
            by_uri += 1
            assert named in creates and creates[named] <= rec["delivered"], named
        else:
            embedded += 1
            assert set(named) == {"id", "type", "attributedTo"} and named["type"] == "Note"
            assert NOTE.match(named["id"]).group(1) == named["attributedTo"]
    assert by_uri > 10 * embedded > 0


def test_retractions_name_earlier_records_or_are_counted_as_unseen(tiny, audited):
    summary = tiny[1]
    for net in INVENTED:
        assert summary["retractions"][net] == summary["retractions_of_unseen"][net] == 0
        assert not [r for r in audited[net]["valid"] if r["type"] == "retraction"]
    for net in OPEN:
        valid = audited[net]["valid"]
        by_id = {r["id"]: r for r in valid}
        retractions = [r for r in valid if r["type"] == "retraction"]
        unseen = [r for r in retractions if not r["retracts_seen"]]
        assert len(retractions) == summary["retractions"][net] > len(unseen) == summary["retractions_of_unseen"][net] > 0
        for r in unseen:
            assert r["retracts"] not in by_id, "an unseen retraction names a record delivered later"
        undone = Counter()
        for r in retractions:
            if not r["retracts_seen"]:
                continue
            original = by_id[r["retracts"]]
            undone[original["type"]] += 1
            assert original["actor"] == r["actor"] and original["type"] in ("reaction", "share", "follow", "post")
            assert 60 <= r["ts"] - original["ts"] <= 2 * 86400 + 1
            assert original["delivered"] == original["event_day"], "a retracted record is never late"
            if net == "activitypub" and r["raw"]["type"] == "Undo":     # the embedded activity is the one undone
                embedded = r["raw"]["object"]
                assert {k: original["raw"][k] for k in ("id", "type", "actor", "object")} == embedded
        assert undone == Counter(summary["retracted_by_type"][net]), net
        assert undone["reaction"] > 0 and sum(undone.values()) < 0.1 * len(valid)
    assert sum(summary["retractions_of_unseen"].values()) < sum(summary["retractions"].values())


def test_account_links_name_dids_and_actor_uris(tiny, profiles):
    records = [json.loads(x) for f in sorted((tiny[0] / "accounts").glob("dt=*/*.gz")) for x in gzip.open(f)]
    links = Counter(r["network"] for r in records if r["record"] == "link")
    assert set(links) == set(NETWORKS)
    for r in records:
        if r.get("network") == "bluesky":
            assert DID.match(r["account_id"])
        elif r.get("network") == "activitypub":
            assert ACTOR.match(r["account_id"])
    names = [ACTOR.match(a["account_id"]).group(2) for p in profiles for a in p["accounts"] if a["network"] == "activitypub"]
    assert len(names) == len(set(names)), "activitypub names are unique per account"
    spread = Counter(frozenset(a["network"] for a in p["accounts"]) for p in profiles)
    assert any({"bluesky", "activitypub"} & nets and len(nets) >= 2 for nets in spread)   # people on several
    multi = [p for p in profiles if p["persona"] == "multi_account"
             and {a["network"] for a in p["accounts"]} & set(OPEN)]
    assert all(len(p["accounts"]) == 4 for p in multi)


def test_open_networks_carry_the_gaming_personas(profiles, audited):
    """Whoever holds an account on an open network acts there as on the others."""
    active = {(net, r["actor"]) for net in OPEN for r in audited[net]["valid"]}
    busy = ("bot", "ring", "multi_account", "celebrity", "autoposter", "kswap", "bursty")
    held = [(p["persona"], (a["network"], a["account_id"])) for p in profiles if p["persona"] in busy
            for a in p["accounts"] if a["network"] in OPEN]
    assert {"ring", "multi_account", "autoposter"} <= {persona for persona, _ in held}
    assert all(account in active for _, account in held), [h for h in held if h[1] not in active]


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
