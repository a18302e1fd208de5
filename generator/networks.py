"""Render abstract events into each network's native JSON shape (docs/landing-formats.md).

Good lines are built from string templates: ~20x faster than json encoding, which matters at
tens of millions of lines. That is safe because every string value comes from fixed ASCII
tables or id encoders and contains no quote, backslash or control character (checked at import
by _assert_plain); tests check each line is exactly json.dumps(json.loads(line)) in compact form.
Corruption works on json.loads(line) dicts and re-encodes with `dumps`.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np

from . import config as C
from . import ids
from .activity import N_TEXTS
from schemas.ontology import Ontology

_WORDS = ("data team launch growth insight story market signal model review thread update "
          "lesson guide tip trend question answer research result report video demo build "
          "ship learn share today week idea plan strategy tool workflow playbook case study "
          "scale quality metric audience community event talk panel podcast live new big "
          "quick simple honest practical deep first final open hard real better faster "
          "smarter what why how we you they this our my great early key hidden").split()
REPLIES = ("Totally agree.", "Great point!", "Thanks for sharing.", "Interesting take.",
           "Not sure about this one.", "Saving this for later.", "Well said.", "This is gold.",
           "Can you share the source?", "Love it.", "Strong disagree, but good thread.",
           "Exactly what I needed today.", "Ha, so true.", "Following for updates.",
           "Nice work!", "Bookmarked.")
REACTIONS = ("LIKE", "LIKE", "LIKE", "LOVE", "LOVE", "HAHA", "WOW", "SAD", "CARE", "ANGRY")
LINK = " https://feeds.example.net/item/"


def _sentences(n: int) -> tuple[str, ...]:
    # A constant table (fixed seed, not the run seed): text is decoration, not signal.
    rng = np.random.default_rng(20260930)
    out = []
    for _ in range(n):
        words = [_WORDS[i] for i in rng.integers(0, len(_WORDS), int(rng.integers(5, 13)))]
        out.append(" ".join(words).capitalize() + ".")
    return tuple(out)


_PLAIN = re.compile(r'[\x20-\x7e]*')   # printable ASCII, then no quote or backslash


def _assert_plain(strings) -> None:
    joined = "".join(strings)
    if not _PLAIN.fullmatch(joined) or '"' in joined or "\\" in joined:
        raise ValueError("a string is unsafe for JSON templates")


SENTENCES = _sentences(N_TEXTS)
_assert_plain(SENTENCES + REPLIES + REACTIONS + (LINK,))
_EPOCH = dt.date(1970, 1, 1)
_WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HMS = tuple(f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86400))
dumps = json.JSONEncoder(separators=(",", ":")).encode   # compact, ASCII: same as templates


class _Days:
    """Per-day date strings, cached (a batch spans a day or two, bad records a few more)."""

    def __init__(self):
        self.cache: dict[int, tuple[str, str]] = {}

    def __call__(self, day: int) -> tuple[str, str]:
        got = self.cache.get(day)
        if got is None:
            d = _EPOCH + dt.timedelta(days=day)   # English names whatever the C locale
            got = self.cache[day] = (f"{_WEEKDAY[d.weekday()]} {_MONTH[d.month - 1]} {d.day:02d}",
                                     d.isoformat())
        return got


class Renderer:
    """Native lines of one network. Account ids are precomputed once per run."""

    def __init__(self, network: str, n_accounts: int, onto: Ontology):
        self.network = network
        idx = np.arange(n_accounts)
        acc = ids.account_ids(network, idx)
        if network == "facepage":
            acc = [str(a) for a in acc]           # integers: rendered unquoted
        _assert_plain(acc)
        self.account = np.array(acc, dtype=object)
        self.screen = np.array(ids.screen_names(idx), dtype=object) if network == "chirp" else None
        self.native = [C.NATIVE_TYPES[network].get(t, "") for t in range(len(C.EVENT_TYPES))]
        self.slugs = onto.slugs
        self.keywords = onto.keywords
        self.n_kw = np.array([len(k) for k in onto.keywords] + [1], dtype=np.int64)  # [-1] -> 1
        self.days = _Days()
        self._frag: dict[tuple, tuple[str, str, str, str]] = {}
        self._render = {"chirp": self._chirp, "facepage": self._facepage,
                        "linkup": self._linkup, "vidtube": self._vidtube}[network]

    def lines(self, b) -> list[bytes]:
        return self._render(b)

    def dicts(self, b) -> list[dict]:
        return [json.loads(line) for line in self._render(b)]

    # ---- shared columns ----
    def _fragments(self, b) -> list[tuple[str, str, str, str]]:
        """Per event: (' #a #b' hashtags, chirp entities, tags JSON list, topics JSON list)."""
        k0 = b.kw.astype(np.int64) % self.n_kw[b.t0]
        k1 = (b.kw.astype(np.int64) >> 8) % self.n_kw[b.t1]
        t1 = np.where(b.t1 == b.t0, -1, b.t1)
        frag, out = self._frag, []
        for key in zip(b.t0.tolist(), k0.tolist(), t1.tolist(), k1.tolist()):
            got = frag.get(key)
            if got is None:
                got = frag[key] = self._fragment(*key)
            out.append(got)
        return out

    def _fragment(self, t0, k0, t1, k1):
        tags = [self.keywords[t][k] for t, k in ((t0, k0), (t1, k1)) if t >= 0]
        slugs = [self.slugs[t] for t in (t0, t1) if t >= 0]
        return ("".join(" #" + t for t in tags),
                '{"hashtags":[' + ",".join('{"text":"%s"}' % t for t in tags) + "]}",
                "[" + ",".join('"%s"' % t for t in tags) + "]",
                "[" + ",".join('"%s"' % s for s in slugs) + "]")

    def _times(self, ts: np.ndarray, iso: bool) -> list[str]:
        sec = ts // 1000
        day, r = (sec // 86400).tolist(), (sec % 86400).tolist()
        if iso:     # 2026-10-01T20:19:24.123Z
            return [f"{self.days(d)[1]}T{_HMS[x]}.{m:03d}Z" for d, x, m in zip(day, r, (ts % 1000).tolist())]
        return [f"{self.days(d)[0]} {_HMS[x]} +0000 {self.days(d)[1][:4]}" for d, x in zip(day, r)]

    def _texts(self, b, frags) -> list[str]:
        """Post-like text: a sentence, the hashtags, and a feed link for autoposters."""
        link = b.link.tolist()
        serial = (b.serial % 1_000_000_007).tolist()
        return [SENTENCES[t] + f[0] + (LINK + str(s) if lk else "")
                for t, f, lk, s in zip(b.text.tolist(), frags, link, serial)]

    # ---- one renderer per network ----
    def _chirp(self, b) -> list[bytes]:
        own, ref = ids.chirp_status(b.serial), ids.chirp_status(np.maximum(b.ref, 0))
        uid, tid = self.account[b.actor].tolist(), self.account[np.maximum(b.target, 0)].tolist()
        name, tname = self.screen[b.actor].tolist(), self.screen[np.maximum(b.target, 0)].tolist()
        frags = self._fragments(b)
        texts = self._texts(b, frags)
        times = self._times(b.ts, iso=False)
        out = []
        for i, (typ, rnd) in enumerate(zip(b.typ.tolist(), b.rnd.tolist())):
            s = (f'{{"id_str":"{own[i]}","kind":"{self.native[typ]}","created_at":"{times[i]}",'
                 f'"user":{{"id_str":"{uid[i]}","screen_name":"{name[i]}"}}')
            if typ == C.POST:
                s += f',"text":"{texts[i]}","entities":{frags[i][1]}}}'
            else:
                if typ == C.SHARE:
                    s += f',"text":"RT @{tname[i]}: {texts[i]}","entities":{frags[i][1]}'
                elif typ == C.REPLY:
                    s += f',"text":"@{tname[i]} {REPLIES[rnd % len(REPLIES)]}{frags[i][0]}","entities":{frags[i][1]}'
                elif typ == C.MENTION:
                    s += f',"text":"@{tname[i]} {texts[i]}","entities":{frags[i][1]}'
                if typ in (C.SHARE, C.REPLY, C.REACTION):
                    s += f',"ref":{{"status_id_str":"{ref[i]}","user_id_str":"{tid[i]}"}}}}'
                else:
                    s += f',"ref":{{"user_id_str":"{tid[i]}"}}}}'
            out.append(s.encode())
        return out

    def _facepage(self, b) -> list[bytes]:
        own, ref = ids.facepage_hex(b.serial), ids.facepage_hex(np.maximum(b.ref, 0))
        uid, tid = self.account[b.actor].tolist(), self.account[np.maximum(b.target, 0)].tolist()
        frags = self._fragments(b)
        texts = self._texts(b, frags)
        out = []
        for i, (typ, ts, rnd) in enumerate(zip(b.typ.tolist(), (b.ts // 1000).tolist(), b.rnd.tolist())):
            s = f'{{"event_id":"fp_{own[i]}","type":"{self.native[typ]}","timestamp":{ts},"actor":{{"uid":{uid[i]}}}'
            if typ != C.POST:
                s += f',"object":{{"post_id":"fp_post_{ref[i]}","owner_uid":{tid[i]}}}'
            if typ == C.POST:
                msg = f'"{texts[i]}"'
            elif typ == C.REPLY:
                msg = f'"{REPLIES[rnd % len(REPLIES)]}"'
            elif typ == C.SHARE and rnd % 2:
                msg = f'"{SENTENCES[rnd % N_TEXTS]}"'
            else:
                msg = "null"
            react = f'"{REACTIONS[rnd % len(REACTIONS)]}"' if typ == C.REACTION else "null"
            out.append(f'{s},"message":{msg},"reaction":{react},"tags":{frags[i][2]}}}'.encode())
        return out

    def _linkup(self, b) -> list[bytes]:
        own, ref = ids.linkup_activity(b.serial), ids.linkup_activity(np.maximum(b.ref, 0))
        uid, tid = self.account[b.actor].tolist(), self.account[np.maximum(b.target, 0)].tolist()
        frags = self._fragments(b)
        plain = self._texts(b, [("",) * 4] * len(b))     # linkup carries topics, not hashtags
        out = []
        for i, (typ, ts, rnd, t0) in enumerate(zip(b.typ.tolist(), b.ts.tolist(), b.rnd.tolist(), b.t0.tolist())):
            s = f'{{"activityUrn":"{own[i]}","verb":"{self.native[typ]}","actorUrn":"{uid[i]}","createdAt":{ts}'
            if typ in (C.SHARE, C.REPLY, C.REACTION):
                s += f',"objectUrn":"{ref[i]}"'
            if typ != C.POST:
                s += f',"objectAuthorUrn":"{tid[i]}"'
            if typ == C.ENDORSE:
                s += f',"skill":"{self.slugs[t0]}"'
            s += f',"topics":{frags[i][3]}'
            if typ in (C.POST, C.SHARE, C.MENTION):
                s += f',"commentary":"{plain[i]}"'
            elif typ == C.REPLY:
                s += f',"commentary":"{REPLIES[rnd % len(REPLIES)]}"'
            out.append((s + "}").encode())
        return out

    def _vidtube(self, b) -> list[bytes]:
        own, video = ids.vidtube_event(b.serial), ids.vidtube_video(b.serial)
        ref_video = ids.vidtube_video(np.maximum(b.ref, 0))
        uid, tid = self.account[b.actor].tolist(), self.account[np.maximum(b.target, 0)].tolist()
        frags = self._fragments(b)
        plain = self._texts(b, [("",) * 4] * len(b))
        times = self._times(b.ts, iso=True)
        out = []
        for i, (typ, rnd) in enumerate(zip(b.typ.tolist(), b.rnd.tolist())):
            s = f'{{"eventId":"{own[i]}","eventType":"{self.native[typ]}","publishedAt":"{times[i]}","channelId":"{uid[i]}"'
            if typ == C.POST:
                s += f',"videoId":"{video[i]}","title":"{plain[i]}","tags":{frags[i][2]}}}'
            elif typ == C.FOLLOW:
                s += f',"videoChannelId":"{tid[i]}"}}'
            else:
                s += f',"videoId":"{ref_video[i]}","videoChannelId":"{tid[i]}"'
                if typ == C.REPLY:
                    s += f',"title":"{REPLIES[rnd % len(REPLIES)]}"'
                s += f',"tags":{frags[i][2]}}}'
            out.append(s.encode())
        return out


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
