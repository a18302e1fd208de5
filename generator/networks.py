"""Render abstract events into each network's native JSON shape (docs/landing-formats.md).

A Renderer turns an EventBatch into dicts (so corruption.py can damage them field by field)
and into compact JSON lines. All text is ASCII from fixed tables, so lines are pure ASCII.
"""
from __future__ import annotations

import datetime as dt
import json

import numpy as np

from . import config as C
from . import ids
from .activity import N_TEXTS
from .topics import Ontology

_WORDS = ("data team launch growth insight story market signal model review thread update "
          "lesson guide tip trend question answer research result report video demo build "
          "ship learn share today week idea plan strategy tool workflow playbook case study "
          "scale quality metric audience community event talk panel podcast live new big "
          "quick simple honest practical deep first final open hard real better faster "
          "smarter what why how we you they this our my great early key hidden").split()
_REPLIES = ("Totally agree.", "Great point!", "Thanks for sharing.", "Interesting take.",
            "Not sure about this one.", "Saving this for later.", "Well said.", "This is gold.",
            "Can you share the source?", "Love it.", "Strong disagree, but good thread.",
            "Exactly what I needed today.", "Ha, so true.", "Following for updates.",
            "Nice work!", "Bookmarked.")
_REACTIONS = ("LIKE", "LIKE", "LIKE", "LOVE", "LOVE", "HAHA", "WOW", "SAD", "CARE", "ANGRY")


def _sentences(n: int) -> tuple[str, ...]:
    # A constant table (fixed seed, not the run seed): text is decoration, not signal.
    rng = np.random.default_rng(20260930)
    out = []
    for _ in range(n):
        words = [_WORDS[i] for i in rng.integers(0, len(_WORDS), int(rng.integers(5, 13)))]
        out.append(" ".join(words).capitalize() + ".")
    return tuple(out)


SENTENCES = _sentences(N_TEXTS)
_DUMPS = json.JSONEncoder(separators=(",", ":")).encode
_EPOCH = dt.date(1970, 1, 1)


def dumps(obj) -> str:
    return _DUMPS(obj)


class _Clock:
    """Fast per-day formatting of event times (every line needs one)."""

    def __init__(self):
        self.days: dict[int, tuple[str, str, str]] = {}

    def _day(self, day: int) -> tuple[str, str, str]:
        parts = self.days.get(day)
        if parts is None:
            d = _EPOCH + dt.timedelta(days=day)
            parts = (d.strftime("%a %b %d"), str(d.year), d.isoformat())
            self.days[day] = parts
        return parts

    def chirp(self, ms: int) -> str:          # Wed Oct 01 20:19:24 +0000 2026
        s = ms // 1000
        prefix, year, _ = self._day(s // 86400)
        r = s % 86400
        return f"{prefix} {r // 3600:02d}:{r % 3600 // 60:02d}:{r % 60:02d} +0000 {year}"

    def iso(self, ms: int) -> str:            # 2026-10-01T20:19:24.123Z
        s = ms // 1000
        _, _, date = self._day(s // 86400)
        r = s % 86400
        return f"{date}T{r // 3600:02d}:{r % 3600 // 60:02d}:{r % 60:02d}.{ms % 1000:03d}Z"


class Renderer:
    """Native shapes of one network. Account ids are precomputed once per run."""

    def __init__(self, network: str, n_accounts: int, onto: Ontology):
        self.network = network
        self.native = C.NATIVE_TYPES[network]
        idx = np.arange(n_accounts)
        self.account = ids.account_ids(network, idx)
        self.screen = ids.screen_names(idx) if network == "chirp" else None
        self.slugs = onto.slugs
        self.keywords = onto.keywords
        self.clock = _Clock()
        self.fill = {"chirp": self._chirp, "facepage": self._facepage,
                     "linkup": self._linkup, "vidtube": self._vidtube}[network]

    # ---- shared pieces ----
    def _tags(self, t0: int, t1: int, kw: int) -> list[str]:
        out = []
        if t0 >= 0:
            words = self.keywords[t0]
            out.append(words[kw % len(words)])
        if t1 >= 0 and t1 != t0:
            words = self.keywords[t1]
            out.append(words[(kw >> 8) % len(words)])
        return out

    def dicts(self, b) -> list[dict]:
        cols = (b.typ.tolist(), b.ts.tolist(), b.actor.tolist(), b.target.tolist(),
                b.t0.tolist(), b.t1.tolist(), b.kw.tolist(), b.text.tolist(), b.rnd.tolist(),
                b.link.tolist(), b.serial.tolist())
        own, ref = self._event_ids(b.serial), self._event_ids(np.maximum(b.ref, 0))
        return [self.fill(*row, own[i], ref[i]) for i, row in enumerate(zip(*cols))]

    def lines(self, b) -> list[bytes]:
        return [_DUMPS(d).encode() for d in self.dicts(b)]

    def _event_ids(self, serial: np.ndarray) -> list:
        if self.network == "chirp":
            return ids.chirp_status(serial)
        if self.network == "facepage":
            return ids.facepage_hex(serial)
        if self.network == "linkup":
            return ids.linkup_activity(serial)
        return list(zip(ids.vidtube_event(serial), ids.vidtube_video(serial)))

    def _post_text(self, tags, text, link, serial) -> str:
        body = SENTENCES[text] + "".join(" #" + t for t in tags)
        return body + f" https://feeds.example.net/item/{serial % 1_000_000_007}" if link else body

    # ---- one function per network: (abstract row, own id, referenced post id) -> dict ----
    def _chirp(self, typ, ts, actor, target, t0, t1, kw, text, rnd, link, serial, own, ref):
        d = {"id_str": own, "kind": self.native[typ], "created_at": self.clock.chirp(ts),
             "user": {"id_str": self.account[actor], "screen_name": self.screen[actor]}}
        tags = self._tags(t0, t1, kw)
        if typ == C.POST:
            d["text"] = self._post_text(tags, text, link, serial)
        elif typ == C.SHARE:
            d["text"] = f"RT @{self.screen[target]}: " + self._post_text(tags, text, link, serial)
        elif typ == C.REPLY:
            d["text"] = f"@{self.screen[target]} {_REPLIES[rnd % len(_REPLIES)]}" + "".join(" #" + t for t in tags)
        elif typ == C.MENTION:
            d["text"] = f"@{self.screen[target]} " + self._post_text(tags, text, False, serial)
        if "text" in d:
            d["entities"] = {"hashtags": [{"text": t} for t in tags]}
        if typ != C.POST:
            r = {"status_id_str": ref} if typ in (C.SHARE, C.REPLY, C.REACTION) else {}
            r["user_id_str"] = self.account[target]
            d["ref"] = r
        return d

    def _facepage(self, typ, ts, actor, target, t0, t1, kw, text, rnd, link, serial, own, ref):
        d = {"event_id": "fp_" + own, "type": self.native[typ], "timestamp": ts // 1000,
             "actor": {"uid": self.account[actor]}}
        if typ != C.POST:
            d["object"] = {"post_id": "fp_post_" + ref, "owner_uid": self.account[target]}
        tags = self._tags(t0, t1, kw)
        if typ == C.POST:
            message = self._post_text(tags, text, link, serial)
        elif typ == C.REPLY:
            message = _REPLIES[rnd % len(_REPLIES)]
        elif typ == C.SHARE and rnd % 2:
            message = SENTENCES[rnd % N_TEXTS]
        else:
            message = None
        d["message"] = message
        d["reaction"] = _REACTIONS[rnd % len(_REACTIONS)] if typ == C.REACTION else None
        d["tags"] = tags
        return d

    def _linkup(self, typ, ts, actor, target, t0, t1, kw, text, rnd, link, serial, own, ref):
        d = {"activityUrn": own, "verb": self.native[typ], "actorUrn": self.account[actor],
             "createdAt": ts}
        if typ in (C.SHARE, C.REPLY, C.REACTION):
            d["objectUrn"] = ref
        if typ != C.POST:
            d["objectAuthorUrn"] = self.account[target]
        if typ == C.ENDORSE:
            d["skill"] = self.slugs[t0]
        d["topics"] = [self.slugs[t] for t in dict.fromkeys((t0, t1)) if t >= 0]
        if typ in (C.POST, C.SHARE, C.MENTION):
            d["commentary"] = self._post_text([], text, link, serial)
        elif typ == C.REPLY:
            d["commentary"] = _REPLIES[rnd % len(_REPLIES)]
        return d

    def _vidtube(self, typ, ts, actor, target, t0, t1, kw, text, rnd, link, serial, own, ref):
        d = {"eventId": own[0], "eventType": self.native[typ], "publishedAt": self.clock.iso(ts),
             "channelId": self.account[actor]}
        if typ == C.POST:
            d["videoId"] = own[1]
        elif typ != C.FOLLOW:
            d["videoId"] = ref[1]
        if typ != C.POST:
            d["videoChannelId"] = self.account[target]
        if typ == C.POST:
            d["title"] = self._post_text([], text, link, serial)
        elif typ == C.REPLY:
            d["title"] = _REPLIES[rnd % len(_REPLIES)]
        if typ != C.FOLLOW:
            d["tags"] = self._tags(t0, t1, kw)
        return d


# Where corruption.py finds each network's fields (names from docs/landing-formats.md).
FIELDS = {
    "chirp": dict(type="kind", time="created_at", actor="user", target=("ref", "user_id_str"),
                  text="text"),
    "facepage": dict(type="type", time="timestamp", actor="actor", target=("object", "owner_uid"),
                     text="message"),
    "linkup": dict(type="verb", time="createdAt", actor="actorUrn", target=("objectAuthorUrn",),
                   text="commentary"),
    "vidtube": dict(type="eventType", time="publishedAt", actor="channelId",
                    target=("videoChannelId",), text="title"),
}
