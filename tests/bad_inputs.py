"""The bad-input corpus: malformed and hostile landed input, each with the outcome it must get.

LINES are written, in order, into one landing file per feed (`corpus.jsonl.gz`: the networks and
the account links); FILES are whole landed files, STRAYS paths that belong to no feed. A line's
outcome is a quarantine reason code, "accepted" or "duplicate"; a file's or a path's is the
reason ops.held_files records (None: ingested).
"""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

DAY = "2026-09-30"


def chirp(**changes) -> dict:
    event = {"id_str": "1001", "kind": "retweet", "created_at": "Wed Sep 30 21:19:24 +0000 2026",
             "user": {"id_str": "11", "screen_name": "b"}, "entities": {"hashtags": [{"text": "SEO"}]},
             "ref": {"status_id_str": "1", "user_id_str": "10"}}
    return {**event, **changes}


def facepage(**changes) -> dict:
    event = {"event_id": "fp_1001", "type": "share", "timestamp": 1790803164, "actor": {"uid": 11},
             "object": {"post_id": "fp_1", "owner_uid": 10}, "tags": ["SEO"]}
    return {**event, **changes}


def linkup(**changes) -> dict:
    event = {"activityUrn": "urn:li:activity:1001", "verb": "SHARE", "actorUrn": "11",
             "createdAt": 1790803164000, "objectUrn": "urn:li:activity:1", "objectAuthorUrn": "10",
             "topics": ["SEO"]}
    return {**event, **changes}


def vidtube(**changes) -> dict:
    event = {"eventId": "vt-1001", "eventType": "share", "publishedAt": "2026-09-30T21:19:24.000Z",
             "channelId": "11", "videoId": "v1", "videoChannelId": "10", "tags": ["SEO"]}
    return {**event, **changes}


def link(**changes) -> dict:
    record = {"record": "link", "profile_id": "p0000001", "network": "chirp", "account_id": "11", "at": DAY}
    return {**record, **changes}


def line(event: dict) -> bytes:
    return json.dumps(event).encode()


NESTED = b'{"event_id": "fp_1002", "type": "share", "deep": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"

# (name, network, raw line, expected outcome)
LINES: list[tuple[str, str, bytes, str]] = [
    ("byte order mark before the first line", "chirp", b"\xef\xbb\xbf" + line(chirp()), "accepted"),
    ("not JSON at all", "chirp", b"this is not json", "invalid_json"),
    ("truncated object", "chirp", b'{"id_str": "1003", "kind": "retw', "invalid_json"),
    ("missing event id", "chirp", line({k: v for k, v in chirp().items() if k != "id_str"}), "missing_field"),
    ("account id with path separators", "chirp", line(chirp(id_str="1004", user={"id_str": "../../etc/passwd"})),
     "invalid_id"),
    ("event time before 2004", "chirp", line(chirp(id_str="1005", created_at="Wed Sep 30 21:19:24 +0000 1998")),
     "too_old"),
    ("the same event delivered twice", "chirp", line(chirp()), "duplicate"),
    ("empty line", "chirp", b"", "invalid_json"),
    ("whitespace only", "chirp", b"   \t ", "invalid_json"),
    ("deeply nested JSON", "facepage", NESTED, "invalid_json"),
    ("epoch far beyond any date (1e30 s)", "facepage", line(facepage(event_id="fp_1003", timestamp=1e30)),
     "future_time"),
    ("epoch that overflows microseconds (1e17 s)", "facepage",
     line(facepage(event_id="fp_1007", timestamp=10**17)), "future_time"),
    ("far-future epoch (1e20 s)", "facepage", line(facepage(event_id="fp_1008", timestamp=1e20)), "future_time"),
    ("epoch before any date (-1e20 s)", "facepage", line(facepage(event_id="fp_1009", timestamp=-1e20)), "too_old"),
    ("an object where an id string belongs", "facepage",
     line(facepage(event_id="fp_1010", object={"post_id": {"id": "fp_1"}, "owner_uid": 10})), "wrong_type"),
    ("NaN", "facepage", b'{"event_id": "fp_1004", "type": "share", "timestamp": NaN}', "invalid_json"),
    ("Latin-1 bytes (mixed encodings)", "facepage",
     line(facepage(event_id="fp_1005"))[:-1] + b', "message": "caf\xe9"}', "invalid_encoding"),
    ("event id is an object, not an id", "facepage", line(facepage(event_id={"id": 1})), "wrong_type"),
    ("self-interaction", "facepage", line(facepage(event_id="fp_1006", object={"post_id": "fp_1", "owner_uid": 11})),
     "self_interaction"),
    ("a JSON array", "facepage", b"[1, 2, 3]", "missing_field"),
    ("a JSON number", "facepage", b"42", "missing_field"),
    ("huge string", "linkup", line(linkup(activityUrn="urn:li:activity:1002", commentary="x" * 200_000)),
     "oversized"),
    ("Infinity", "linkup", b'{"activityUrn": "urn:li:activity:1003", "verb": "SHARE", "createdAt": Infinity}',
     "invalid_json"),
    ("unknown verb", "linkup", line(linkup(activityUrn="urn:li:activity:1004", verb="TELEPORT")),
     "unknown_event_type"),
    ("SQL in an id", "linkup", line(linkup(activityUrn="urn:li:activity:1005", actorUrn="x'; DROP TABLE scores;--")),
     "invalid_id"),
    ("a well-formed share (control)", "linkup", line(linkup()), "accepted"),
    ("a list where a string belongs (an endorsement's skill)", "linkup",
     line(linkup(activityUrn="urn:li:activity:1006", verb="ENDORSE", skill=["seo", "ads"])), "wrong_type"),
    ("the same event id again with other content (a conflicting duplicate)", "linkup",
     line(linkup(verb="LIKE")), "conflicting_duplicate"),
    ("control characters in an id", "vidtube", line(vidtube(eventId="vt-1002", channelId="UC\u0000\u0007x")),
     "invalid_id"),
    ("control characters in text", "vidtube", line(vidtube(eventId="vt-1003", title="a\u0000b\u001bc\u0007")),
     "accepted"),
    ("backslash path in an id", "vidtube", line(vidtube(eventId="vt-1004", videoChannelId="C:\\Windows\\x")),
     "invalid_id"),
    ("UTF-16 with its byte order mark", "vidtube", json.dumps(vidtube(eventId="vt-1005")).encode("utf-16"),
     "invalid_encoding"),
    ("event time in 2099", "vidtube", line(vidtube(eventId="vt-1006", publishedAt="2099-01-01T00:00:00.000Z")),
     "future_time"),
    ("CRLF line ending", "vidtube", line(vidtube(eventId="vt-1007")) + b"\r", "accepted"),
    # the account-link feed: the identity layer has a contract of its own
    ("a link (control)", "accounts", line(link()), "accepted"),
    ("the same link again", "accounts", line(link()), "duplicate"),
    ("an opt-out (control)", "accounts", line({"record": "opt_out", "profile_id": "p0000002", "at": DAY}),
     "accepted"),
    ("a profile id with path separators", "accounts", line(link(profile_id="../../etc/passwd")),
     "invalid_profile_id"),
    ("a link to a network that does not exist", "accounts", line(link(network="myspace")), "unknown_network"),
    ("an unknown record type", "accounts", line(link(record="merge")), "unknown_record_type"),
    ("an account id with SQL", "accounts", line(link(account_id="x'; DROP TABLE scores;--")), "invalid_id"),
    ("a date that is no date", "accounts", line(link(account_id="12", at="2026-13-45")), "invalid_date"),
    ("a link dated in 2099", "accounts", line(link(account_id="13", at="2099-01-01")), "future_time"),
    ("a list where the profile id belongs", "accounts", line(link(profile_id=["p0000001"])), "wrong_type"),
    ("a link without its account", "accounts", line({k: v for k, v in link().items() if k != "account_id"}),
     "missing_field"),
    ("not JSON", "accounts", b"record=link profile=p1", "invalid_json"),
]

def complete(n: int = 40) -> bytes:
    """A whole gzip file of n valid chirp events (ids 2001…): what an interrupted upload cuts."""
    body = b"\n".join(line(chirp(id_str=str(2000 + i), kind="tweet")) for i in range(1, n + 1)) + b"\n"
    return gzip.compress(body, mtime=0)


def corrupted(data: bytes) -> bytes:
    """A gzip file with bytes flipped mid-stream (its header still valid)."""
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 16]) + data[middle + 16:]


TRUNCATED = "chirp/dt=2026-09-30/upload.jsonl.gz"
LINKS = gzip.compress(b"\n".join(line(link(account_id=str(100 + i))) for i in range(50)), mtime=0)
# (name, file name under <feed>/dt=DAY/, raw bytes, ops.held_files reason; None: ingested)
FILES: list[tuple[str, str, bytes, str | None]] = [
    ("zero-byte gzip", "chirp/dt=2026-09-30/empty.jsonl.gz", b"", "empty_file"),
    ("not gzip but named .gz", "facepage/dt=2026-09-30/plain.jsonl.gz", line(facepage()) + b"\n", "not_gzip"),
    ("gzip holding no lines", "linkup/dt=2026-09-30/nothing.jsonl.gz", gzip.compress(b""), None),
    ("gzip stream cut short (an interrupted upload)", TRUNCATED, complete()[: len(complete()) * 3 // 4],
     "truncated_gzip"),
    ("gzip stream with corrupt bytes mid-way", "vidtube/dt=2026-09-30/bitrot.jsonl.gz",
     corrupted(complete()), "corrupt_gzip"),
    ("account links cut short", "accounts/dt=2026-09-30/links.jsonl.gz", LINKS[: len(LINKS) // 2],
     "truncated_gzip"),
]

# (name, path under the landing root, what it is, ops.held_files reason)
STRAYS: list[tuple[str, str, str, str]] = [
    ("a folder for a network nobody configured (a typo)", "chrip/dt=2026-09-30/part-00000.jsonl.gz", "gzip",
     "unknown_feed"),
    ("a file that is not a .jsonl.gz", "chirp/dt=2026-09-30/notes.txt", "text", "not_a_feed_file"),
    ("a folder that is not a delivery date", "chirp/backup/old.jsonl.gz", "gzip", "not_a_delivery_folder"),
    ("a file at the top of the landing zone", "README", "text", "not_a_feed_folder"),
    ("a symlink leading outside the landing zone", "vidtube/dt=2026-09-30/outside.jsonl.gz", "symlink",
     "symlink_outside_landing"),
    ("a hidden upload in progress", "facepage/dt=2026-09-30/.part-00001.jsonl.gz.tmp", "text", "hidden"),
]


def write_landing(landing: Path, outside: Path) -> None:
    """The corpus as a landing zone for DAY: one gzip file of LINES per feed, FILES and STRAYS
    (the symlink leads to `outside`, a file beyond the landing zone)."""
    for network in sorted({n for _, n, _, _ in LINES}):
        folder = landing / network / f"dt={DAY}"
        folder.mkdir(parents=True, exist_ok=True)
        body = b"\n".join(raw for _, n, raw, _ in LINES if n == network) + b"\n"
        (folder / "corpus.jsonl.gz").write_bytes(gzip.compress(body))
    for _, name, raw, _ in FILES:
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_bytes(raw)
    outside.write_bytes(gzip.compress(line(vidtube(eventId="vt-9999")) + b"\n"))
    for _, path, kind, _ in STRAYS:
        (landing / path).parent.mkdir(parents=True, exist_ok=True)
        if kind == "symlink":
            os.symlink(outside, landing / path)
        else:
            (landing / path).write_bytes(gzip.compress(line(chirp()) + b"\n") if kind == "gzip" else b"hello\n")


def expected() -> dict[tuple[str, int], str]:
    """(source file, line number) → outcome, for every line the corpus lands in bronze."""
    outcome, number = {}, {}
    for _, network, _, result in LINES:
        number[network] = number.get(network, 0) + 1
        outcome[(f"{network}/dt={DAY}/corpus.jsonl.gz", number[network])] = result
    return outcome


def held() -> dict[str, str]:
    """Landed path → the reason ops.held_files must give it."""
    return {**{name: reason for _, name, _, reason in FILES if reason},
            **{path: reason for _, path, _, reason in STRAYS}}
