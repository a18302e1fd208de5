"""Bad records, one function per kind of the docs' table (duplicates are made by delivery.py).

Each bad line is cloned from a real event of the same day and network but gets a fresh serial,
so its id never collides with a good event: a bad line is only ever bad for its planted reason.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from . import config as C
from .activity import DAY_MS
from .events import EventBatch
from .networks import FIELDS, Renderer, dumps

_UNKNOWN_TYPES = {
    "chirp": ("quote", "poll_vote", "bookmark", "space_join"),
    "facepage": ("poke", "story_view", "check_in", "live"),
    "linkup": ("VIEW", "REPOST_DRAFT", "APPLY", "CELEBRATE_ANNIVERSARY"),
    "vidtube": ("dislike", "live_chat", "premiere", "short_view"),
    # collections outside the four the landing zone is fed (or an `update` of a record)
    "bluesky": ("app.bsky.feed.threadgate", "app.bsky.graph.block", "app.bsky.actor.profile",
                "app.bsky.feed.postgate", "update"),
    "activitypub": ("Bite", "EmojiReact", "Flag", "Move", "Block"),
}
_NOT_JSON = (b"<html><body><h1>502 Bad Gateway</h1></body></html>",
             b"ERROR upstream timeout while fetching page 7",
             b"kind=tweet&user=4411&text=hello",
             b"{'id': 1, 'kind': 'post'}",
             b"undefined",
             b"--- end of export ---")
_BAD_BYTES_MARK = "@@BAD_BYTES@@"
_SPAM = "Buy followers now, best price, limited offer! "
_OLD_START_MS = int(dt.datetime(1995, 1, 1, tzinfo=dt.timezone.utc).timestamp() * 1000)
_OLD_END_MS = int(dt.datetime(2003, 12, 1, tzinfo=dt.timezone.utc).timestamp() * 1000)


def _wrong_type(network: str, d: dict) -> None:
    """Swap a required field for a value of a clearly wrong JSON type (never just absent)."""
    if network == "chirp":
        d["user"] = d["user"]["id_str"]             # object expected, string given
    elif network == "facepage":
        d["timestamp"] = {"seconds": d["timestamp"]}  # integer expected, object given
    elif network == "linkup":
        d["createdAt"] = [d["createdAt"]]           # integer expected, list given
    elif network == "vidtube":
        d["publishedAt"] = 1_790_000_000.5           # ISO string expected, number given
    elif network == "bluesky":                        # integer (microseconds) expected
        d["time_us"] = d["commit"]["record"]["createdAt"]     # ... the ISO text given
    else:                                             # xsd:dateTime string expected, object given
        d["published"] = {"date": d["published"], "zone": "UTC"}


WRONG_TYPE_FIELD = {"chirp": "user", "facepage": "timestamp", "linkup": "createdAt",
                    "vidtube": "publishedAt", "bluesky": "time_us", "activitypub": "published"}


def _remove_open(network: str, d: dict, rng) -> None:
    """bluesky: the DID, time_us, the rkey, or a like/repost/follow's subject (uri);
    activitypub: actor, published or object."""
    if network == "bluesky":
        record = d["commit"]["record"]
        options = ["did", "time_us", "rkey"] + (["subject"] if "subject" in record else [])
        which = options[int(rng.integers(len(options)))]
        if which == "rkey":
            del d["commit"]["rkey"]
        elif which == "subject":
            if isinstance(record["subject"], dict):
                del record["subject"]["uri"]
            else:
                del record["subject"]
        else:
            del d[which]
    else:
        del d[("actor", "published", "object")[int(rng.integers(3))]]


def _text_holder(network: str, d: dict) -> tuple[dict, str]:
    """Where a free-text field goes (for oversized and invalid_encoding lines)."""
    if network == "bluesky":
        return d["commit"]["record"], "text"
    if network == "activitypub":
        return (d["object"], "content") if isinstance(d["object"], dict) else (d, "summary")
    return d, FIELDS[network]["text"]


def _unknown_type(network: str, d: dict, rng) -> None:
    choices = _UNKNOWN_TYPES[network]
    pick = choices[int(rng.integers(len(choices)))]
    if network == "bluesky" and pick == "update":
        d["commit"]["operation"] = "update"
    elif network == "bluesky":
        d["commit"]["collection"] = d["commit"]["record"]["$type"] = pick
    else:
        d[FIELDS[network]["type"]] = pick


def _remove_required(network: str, d: dict, is_post: bool, rng) -> None:
    if network in C.OPEN_NETWORKS:
        return _remove_open(network, d, rng)
    f = FIELDS[network]
    options = ["time", "actor"] + ([] if is_post else ["target"])
    which = options[int(rng.integers(len(options)))]
    if which == "target":
        *path, leaf = f["target"]
        holder = d
        for p in path:
            holder = holder[p]
        del holder[leaf]
    else:
        del d[f[which]]


def bad_lines(kinds: list[str], day: EventBatch, renderer: Renderer, serial_start: int,
              delivery_ms: int, rng: np.random.Generator) -> list[tuple[str, bytes]]:
    """One bad line per entry of `kinds` (no 'duplicate'), cloned from events of `day`."""
    if not kinds or len(day) == 0:
        return []
    net = renderer.network
    source = np.flatnonzero(day.typ < C.RETRACTION)   # scored events (not retractions ...)
    if len(source) == 0:
        return []
    rows = day.take(source[rng.integers(0, len(source), len(kinds))])   # fancy indexing: a copy
    rows.serial = serial_start + np.arange(len(kinds), dtype=np.int64)
    for i, kind in enumerate(kinds):
        if kind == "future_time":   # well past "delivery date + 1 day" under any reading
            rows.ts[i] = delivery_ms + int(rng.integers(3, 31)) * DAY_MS + int(rng.integers(0, DAY_MS))
        elif kind == "too_old":     # before the networks existed (< 2004-01-01)
            rows.ts[i] = int(rng.integers(_OLD_START_MS, _OLD_END_MS))
        elif kind == "self_interaction":
            if rows.typ[i] == C.POST:   # a post becomes a reaction on itself
                rows.typ[i], rows.ref[i] = C.REACTION, rows.serial[i]
            rows.target[i] = rows.actor[i]
    dicts = renderer.dicts(rows, embed_all=True)
    out = []
    for i, (kind, d) in enumerate(zip(kinds, dicts)):
        is_post = int(rows.typ[i]) == C.POST
        if kind == "invalid_json":
            line = _NOT_JSON[int(rng.integers(len(_NOT_JSON)))]
        elif kind == "truncated":   # any strict prefix of a JSON object is invalid JSON
            full = dumps(d).encode()
            line = full[: int(rng.integers(len(full) // 4, len(full) - 1))]
        elif kind == "invalid_encoding":
            holder, key = _text_holder(net, d)
            holder[key] = "Caf" + _BAD_BYTES_MARK + " menu"
            line = dumps(d).encode().replace(_BAD_BYTES_MARK.encode(), b"\xff\xfe")
        else:
            if kind == "missing_field":
                _remove_required(net, d, is_post, rng)
            elif kind == "wrong_type":
                _wrong_type(net, d)
            elif kind == "unknown_event_type":
                _unknown_type(net, d, rng)
            elif kind == "oversized":   # valid JSON, just too big
                size = int(rng.integers(C.OVERSIZED_BYTES + 1024, 2 * C.OVERSIZED_BYTES))
                holder, key = _text_holder(net, d)
                holder[key] = (_SPAM * (size // len(_SPAM) + 1))[:size]
            line = dumps(d).encode()
        out.append((kind, line))
    return out
