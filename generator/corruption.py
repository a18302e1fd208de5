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
    else:
        d["publishedAt"] = 1_790_000_000.5           # ISO string expected, number given


WRONG_TYPE_FIELD = {"chirp": "user", "facepage": "timestamp", "linkup": "createdAt",
                    "vidtube": "publishedAt"}


def _remove_required(network: str, d: dict, is_post: bool, rng) -> None:
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
    rows = day.take(rng.integers(0, len(day), len(kinds)))      # fancy indexing: a copy
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
    dicts = renderer.dicts(rows)
    out = []
    for i, (kind, d) in enumerate(zip(kinds, dicts)):
        is_post = int(rows.typ[i]) == C.POST
        if kind == "invalid_json":
            line = _NOT_JSON[int(rng.integers(len(_NOT_JSON)))]
        elif kind == "truncated":   # any strict prefix of a JSON object is invalid JSON
            full = dumps(d).encode()
            line = full[: int(rng.integers(len(full) // 4, len(full) - 1))]
        elif kind == "invalid_encoding":
            d[FIELDS[net]["text"]] = "Caf" + _BAD_BYTES_MARK + " menu"
            line = dumps(d).encode().replace(_BAD_BYTES_MARK.encode(), b"\xff\xfe")
        else:
            if kind == "missing_field":
                _remove_required(net, d, is_post, rng)
            elif kind == "wrong_type":
                _wrong_type(net, d)
            elif kind == "unknown_event_type":
                choices = _UNKNOWN_TYPES[net]
                d[FIELDS[net]["type"]] = choices[int(rng.integers(len(choices)))]
            elif kind == "oversized":   # valid JSON, just too big
                size = int(rng.integers(C.OVERSIZED_BYTES + 1024, 2 * C.OVERSIZED_BYTES))
                d[FIELDS[net]["text"]] = (_SPAM * (size // len(_SPAM) + 1))[:size]
            line = dumps(d).encode()
        out.append((kind, line))
    return out
