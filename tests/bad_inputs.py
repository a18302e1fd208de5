"""The bad-input corpus: malformed and hostile landed input, each with the outcome silver must give.

LINES are written, in order, into one landing file per network (`corpus.jsonl.gz`); FILES are
whole landed files. An outcome is a quarantine reason code, "accepted" or "duplicate".
"""
from __future__ import annotations

import gzip
import json
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
    ("number out of range", "facepage", line(facepage(event_id="fp_1003", timestamp=1e30)), "wrong_type"),
    ("NaN", "facepage", b'{"event_id": "fp_1004", "type": "share", "timestamp": NaN}', "invalid_json"),
    ("Latin-1 bytes (mixed encodings)", "facepage",
     line(facepage(event_id="fp_1005"))[:-1] + b', "message": "caf\xe9"}', "invalid_encoding"),
    ("event id is an object, not an id", "facepage", line(facepage(event_id={"id": 1})), "invalid_id"),
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
]

# (name, file name under <network>/dt=DAY/, raw bytes, expected outcome of its line 0; None: no line)
FILES: list[tuple[str, str, bytes, str | None]] = [
    ("zero-byte gzip", "chirp/dt=2026-09-30/empty.jsonl.gz", b"", "unreadable_file"),
    ("not gzip but named .gz", "facepage/dt=2026-09-30/plain.jsonl.gz", line(facepage()) + b"\n", "unreadable_file"),
    ("gzip holding no lines", "linkup/dt=2026-09-30/nothing.jsonl.gz", gzip.compress(b""), None),
]


def write_landing(landing: Path) -> None:
    """The corpus as a landing zone for DAY: one gzip file of LINES per network, plus FILES."""
    for network in sorted({n for _, n, _, _ in LINES}):
        folder = landing / network / f"dt={DAY}"
        folder.mkdir(parents=True, exist_ok=True)
        body = b"\n".join(raw for _, n, raw, _ in LINES if n == network) + b"\n"
        (folder / "corpus.jsonl.gz").write_bytes(gzip.compress(body))
    for _, name, raw, _ in FILES:
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_bytes(raw)


def expected() -> dict[tuple[str, int], str]:
    """(source file, line number) → outcome, for every landed line the corpus holds."""
    outcome, number = {}, {}
    for _, network, _, result in LINES:
        number[network] = number.get(network, 0) + 1
        outcome[(f"{network}/dt={DAY}/corpus.jsonl.gz", number[network])] = result
    outcome.update({(name, 0): result for _, name, _, result in FILES if result})
    return outcome
