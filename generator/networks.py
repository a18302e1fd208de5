"""Render abstract events into each network's native JSON shape (docs/landing-formats.md).

Good lines are built from string templates: ~20x faster than json encoding, which matters at
tens of millions of lines. That is safe because every string value comes from fixed ASCII
tables or id encoders and contains no quote, backslash or control character (checked at import
by _assert_plain); tests check each line is exactly json.dumps(json.loads(line)) in compact form.
(ActivityPub notes' HTML `content` therefore quotes its attributes with single quotes.)
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
from .ids import mix48, serial_base
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

# ---- bluesky (Jetstream) and activitypub (ActivityStreams 2.0) constants ----
BSKY_POST, BSKY_REPOST, BSKY_LIKE, BSKY_FOLLOW = ("app.bsky.feed.post", "app.bsky.feed.repost",
                                                  "app.bsky.feed.like", "app.bsky.graph.follow")
_REV_SALT, _MICRO_SALT, _STYLE_SALT, _TAGS_SALT = 0x2E7, 0x05EC, 0x5A4E, 0x7A65
_HANDLE_FORMS = ("{}.com", "{}.dev", "{}.xyz", "{}.social", "{}-studio.bsky.social",
                 "{}-writes.bsky.social", "{}.net", "{}-official.bsky.social")
_IMG_SIZES = tuple(range(48_000, 980_000, 7_919))
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
AS_PUBLIC = AS_CONTEXT + "#Public"
_LIKE_SALT, _FOLLOW_SALT = 0x11CE, 0xF011
_assert_plain(_HANDLE_FORMS)


def bluesky_share_style(serial: np.ndarray) -> np.ndarray:
    """How a bluesky share of this serial is rendered: 0 repost (70%), 1 quote post (20%),
    2 quote post with images (10%). A function of the serial, so a delete can name it."""
    h = mix48(serial, _STYLE_SALT) % np.uint64(10)
    return np.where(h < 7, 0, np.where(h < 9, 1, 2)).astype(np.int8)


def bluesky_collections(typ: np.ndarray, serial: np.ndarray) -> list[str]:
    """The collection a record of (type, serial) was created in."""
    style = bluesky_share_style(np.maximum(serial, 0)).tolist()
    table = {C.REACTION: BSKY_LIKE, C.FOLLOW: BSKY_FOLLOW}
    return [BSKY_REPOST if t == C.SHARE and st == 0 else table.get(t, BSKY_POST)
            for t, st in zip(np.asarray(typ).tolist(), style)]


def _where(mask: np.ndarray, encode, values: np.ndarray) -> list:
    """encode(values) where mask holds, None elsewhere (ids cost: compute only those used)."""
    out = [None] * len(values)
    at = np.flatnonzero(mask)
    for i, v in zip(at.tolist(), encode(values[at])):
        out[i] = v
    return out


def _firehose_seq(serial: np.ndarray) -> list[int]:
    s = np.asarray(serial, dtype=np.int64)
    return (4_100_000_000 + (s >> 32) * 50_000_000 + (s & 0xFFFFFFFF)).tolist()


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

    def __init__(self, network: str, n_accounts: int, onto: Ontology,
                 embed_authors: np.ndarray | None = None):
        """embed_authors (activitypub): accounts whose notes are always embedded where a Like,
        Announce or reply names them (authors whose Create silver may withhold: opted out)."""
        self.network = network
        idx = np.arange(n_accounts)
        acc = ids.account_ids(network, idx)
        if network == "facepage":
            acc = [str(a) for a in acc]           # integers: rendered unquoted
        _assert_plain(acc)
        self.account = np.array(acc, dtype=object)
        self.screen = (np.array(ids.screen_names(idx), dtype=object)
                       if network in ("chirp", "bluesky") else None)
        if network == "bluesky":
            self.handle = np.array(ids.bluesky_handles(idx), dtype=object)
        if network == "activitypub":
            self.host = np.array(ids.activitypub_hosts(idx), dtype=object)
            self.name = np.array(ids.activitypub_names(idx), dtype=object)
            self.embed_author = (np.zeros(n_accounts, bool) if embed_authors is None
                                 else np.asarray(embed_authors, bool))
        self.native = [C.NATIVE_TYPES[network].get(t, "") for t in range(len(C.EVENT_TYPES))]
        self.slugs = onto.slugs
        self.keywords = onto.keywords
        self.n_kw = np.array([len(k) for k in onto.keywords] + [1], dtype=np.int64)  # [-1] -> 1
        self.days = _Days()
        self._frag: dict[tuple, tuple[str, str, str, str, tuple[str, ...]]] = {}
        self._render = {"chirp": self._chirp, "facepage": self._facepage,
                        "linkup": self._linkup, "vidtube": self._vidtube,
                        "bluesky": self._bluesky, "activitypub": self._activitypub}[network]

    def lines(self, b, *, embed_all: bool = False) -> list[bytes]:
        """embed_all (activitypub): embed every note named (bad lines, whose notes may never
        have been created, still resolve to an author and fail only for their planted reason)."""
        if self.network == "activitypub":
            return self._activitypub(b, embed_all)
        return self._render(b)

    def dicts(self, b, *, embed_all: bool = False) -> list[dict]:
        return [json.loads(line) for line in self.lines(b, embed_all=embed_all)]

    # ---- shared columns ----
    def _fragments(self, b) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
        """Per event: (' #a #b' hashtags, chirp entities, tags JSON list, topics JSON list,
        the hashtags)."""
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
                "[" + ",".join('"%s"' % s for s in slugs) + "]",
                tuple(tags))

    def _times(self, ts: np.ndarray, iso: bool | str) -> list[str]:
        sec = ts // 1000
        day, r = (sec // 86400).tolist(), (sec % 86400).tolist()
        if iso == "seconds":    # 2026-10-01T20:19:24Z
            return [f"{self.days(d)[1]}T{_HMS[x]}Z" for d, x in zip(day, r)]
        if iso:     # 2026-10-01T20:19:24.123Z
            return [f"{self.days(d)[1]}T{_HMS[x]}.{m:03d}Z" for d, x, m in zip(day, r, (ts % 1000).tolist())]
        return [f"{self.days(d)[0]} {_HMS[x]} +0000 {self.days(d)[1][:4]}" for d, x in zip(day, r)]

    def _links(self, b) -> list[str | None]:
        """The feed link an autoposter's post carries (None for other events)."""
        serial = (b.serial % 1_000_000_007).tolist()
        return [LINK[1:] + str(x) if lk else None for lk, x in zip(b.link.tolist(), serial)]

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

    def _bluesky(self, b) -> list[bytes]:
        """Jetstream events: commits creating posts, reposts, likes and follows; delete commits
        (retractions, naming the record's collection and rkey); identity and account events."""
        serial, tgt = b.serial, np.maximum(b.target, 0)
        ref, orig = np.maximum(b.ref, 0), np.maximum(b.orig, 0)
        did, tdid = self.account[b.actor].tolist(), self.account[tgt].tolist()
        thandle, screen = self.handle[tgt].tolist(), self.screen[b.actor].tolist()
        rkey, rev, cid = ids.tid(serial), ids.tid(serial, _REV_SALT), ids.bluesky_cids(serial)
        ref_rkey, ref_cid = _where(b.ref >= 0, ids.tid, ref), _where(b.ref >= 0, ids.bluesky_cids, ref)
        orig_rkey = _where(b.typ == C.RETRACTION, ids.tid, orig)
        time_us = (b.ts * 1000 + (mix48(serial, _MICRO_SALT) % np.uint64(1000)).astype(np.int64)).tolist()
        times = self._times(b.ts, iso=True)
        style = bluesky_share_style(serial).tolist()
        collection = bluesky_collections(b.typ, serial)
        deleted = bluesky_collections(b.otyp, orig)
        with_tags = ((mix48(serial, _TAGS_SALT) & np.uint64(3)) == 0).tolist()
        seq = _firehose_seq(serial)
        frags = self._fragments(b)
        links = self._links(b)
        blob = None
        out = []
        for i, (typ, rnd, text) in enumerate(zip(b.typ.tolist(), b.rnd.tolist(), b.text.tolist())):
            head = f'{{"did":"{did[i]}","time_us":{time_us[i]},"kind":'
            if typ == C.RETRACTION:
                out.append(f'{head}"commit","commit":{{"rev":"{rev[i]}","operation":"delete",'
                           f'"collection":"{deleted[i]}","rkey":"{orig_rkey[i]}"}}}}'.encode())
                continue
            if typ == C.IDENTITY:
                handle = _HANDLE_FORMS[rnd % len(_HANDLE_FORMS)].format(screen[i])
                out.append(f'{head}"identity","identity":{{"did":"{did[i]}","handle":"{handle}",'
                           f'"seq":{seq[i]},"time":"{times[i]}"}}}}'.encode())
                continue
            if typ == C.ACCOUNT:
                state = ('"active":true' if rnd % 1000 < C.REACTIVATE_SHARE * 1000 else '"active":false')
                status = '' if state == '"active":true' else ',"status":"deactivated"'
                out.append(f'{head}"account","account":{{{state},"did":"{did[i]}","seq":{seq[i]}'
                           f'{status},"time":"{times[i]}"}}}}'.encode())
                continue
            coll = collection[i]
            s = (f'{head}"commit","commit":{{"rev":"{rev[i]}","operation":"create","collection":"{coll}",'
                 f'"rkey":"{rkey[i]}","cid":"{cid[i]}","record":{{"$type":"{coll}","createdAt":"{times[i]}"')
            if coll != BSKY_POST:
                if typ == C.FOLLOW:
                    s += f',"subject":"{tdid[i]}"}}}}}}'
                else:       # like, repost
                    s += (f',"subject":{{"uri":"at://{tdid[i]}/{BSKY_POST}/{ref_rkey[i]}",'
                          f'"cid":"{ref_cid[i]}"}}}}}}}}')
                out.append(s.encode())
                continue
            # a post: plain, a reply, a mention, or a quote (a share)
            prefix = f"@{thandle[i]} " if typ == C.MENTION else ""
            if typ == C.REPLY:
                body = REPLIES[rnd % len(REPLIES)]
            elif typ == C.SHARE:
                body = SENTENCES[rnd % N_TEXTS]
            else:
                body = SENTENCES[text]
            facets = []
            if prefix:
                facets.append(f'{{"index":{{"byteStart":0,"byteEnd":{len(prefix) - 1}}},"features":'
                              f'[{{"$type":"app.bsky.richtext.facet#mention","did":"{tdid[i]}"}}]}}')
            pos = len(prefix) + len(body)       # ASCII text: characters are bytes
            for tag in frags[i][4]:
                facets.append(f'{{"index":{{"byteStart":{pos + 1},"byteEnd":{pos + 2 + len(tag)}}},"features":'
                              f'[{{"$type":"app.bsky.richtext.facet#tag","tag":"{tag}"}}]}}')
                pos += 2 + len(tag)
            link = links[i] if typ == C.POST else None
            if link:
                facets.append(f'{{"index":{{"byteStart":{pos + 1},"byteEnd":{pos + 1 + len(link)}}},"features":'
                              f'[{{"$type":"app.bsky.richtext.facet#link","uri":"{link}"}}]}}')
            s += f',"langs":["en"],"text":"{prefix}{body}{frags[i][0]}{" " + link if link else ""}"'
            if facets:
                s += ',"facets":[' + ",".join(facets) + "]"
            if with_tags[i] and frags[i][4]:
                s += f',"tags":{frags[i][3]}'
            if typ in (C.REPLY, C.SHARE):      # a strong ref {uri, cid} to the post acted on
                strong = f'{{"uri":"at://{tdid[i]}/{BSKY_POST}/{ref_rkey[i]}","cid":"{ref_cid[i]}"}}'
            if typ == C.REPLY:
                s += f',"reply":{{"root":{strong},"parent":{strong}}}'
            elif typ == C.SHARE and style[i] == 1:
                s += f',"embed":{{"$type":"app.bsky.embed.record","record":{strong}}}'
            elif typ == C.SHARE:
                if blob is None:
                    blob = ids.bluesky_blob_cids(serial)
                s += (f',"embed":{{"$type":"app.bsky.embed.recordWithMedia","record":{{"$type":"app.bsky.embed.record",'
                      f'"record":{strong}}},"media":{{"$type":"app.bsky.embed.images","images":[{{"alt":"",'
                      f'"image":{{"$type":"blob","ref":{{"$link":"{blob[i]}"}},"mimeType":"image/jpeg",'
                      f'"size":{_IMG_SIZES[rnd % len(_IMG_SIZES)]}}}}}]}}}}')
            out.append((s + "}}}").encode())
        return out

    def _activitypub(self, b, embed_all: bool = False) -> list[bytes]:
        """ActivityStreams activities: Create of a Note (post, reply, mention), Announce, Like,
        Follow; Undo of a Like/Announce/Follow and Delete of a note (retractions). A note named
        by a Like, Announce or reply is embedded with its author (attributedTo) where its Create
        is not in the landing zone (burn-in days), where the author opted out, or embed_all."""
        serial, tgt = b.serial, np.maximum(b.target, 0)
        ref, orig = np.maximum(b.ref, 0), np.maximum(b.orig, 0)
        actor, tact = self.account[b.actor].tolist(), self.account[tgt].tolist()
        host, tname, thost = self.host[b.actor].tolist(), self.name[tgt].tolist(), self.host[tgt].tolist()
        status, ref_status = ids.activitypub_status(serial), ids.activitypub_status(ref)
        orig_status = ids.activitypub_status(orig)
        like_n, follow_n = ids.activitypub_number(serial, _LIKE_SALT), ids.activitypub_number(serial, _FOLLOW_SALT)
        orig_like, orig_follow = ids.activitypub_number(orig, _LIKE_SALT), ids.activitypub_number(orig, _FOLLOW_SALT)
        embed = ((b.ref >= 0) & ((b.ref < serial_base(0)) | self.embed_author[tgt] | embed_all)).tolist()
        times = self._times(b.ts, iso="seconds")
        frags = self._fragments(b)
        links = self._links(b)
        out = []
        for i, (typ, rnd, text, otyp) in enumerate(zip(b.typ.tolist(), b.rnd.tolist(), b.text.tolist(),
                                                        b.otyp.tolist())):
            a = actor[i]
            head = f'{{"@context":"{AS_CONTEXT}","id":"'
            when = f'"actor":"{a}","published":"{times[i]}"'
            note = f"{tact[i]}/statuses/{ref_status[i]}"            # the note acted on
            named = (f'{{"id":"{note}","type":"Note","attributedTo":"{tact[i]}"}}' if embed[i]
                     else f'"{note}"')
            if typ == C.REACTION:
                out.append(f'{head}{a}#likes/{like_n[i]}","type":"Like",{when},"object":{named}}}'.encode())
            elif typ == C.SHARE:
                out.append(f'{head}{a}/statuses/{status[i]}/activity","type":"Announce",{when},'
                           f'"to":["{AS_PUBLIC}"],"cc":["{tact[i]}","{a}/followers"],"object":{named}}}'.encode())
            elif typ == C.FOLLOW:
                out.append(f'{head}{a}#follows/{follow_n[i]}","type":"Follow",{when},"object":"{tact[i]}"}}'.encode())
            elif typ == C.RETRACTION and otyp == C.POST:
                gone = f"{a}/statuses/{orig_status[i]}"
                out.append(f'{head}{gone}#delete","type":"Delete",{when},"to":["{AS_PUBLIC}"],'
                           f'"object":{{"id":"{gone}","type":"Tombstone"}}}}'.encode())
            elif typ == C.RETRACTION:
                # the undone activity as it was sent (its note embedded or not, as there)
                if otyp == C.REACTION:
                    undone, kind, obj = f"{a}#likes/{orig_like[i]}", "Like", named
                elif otyp == C.SHARE:
                    undone, kind, obj = f"{a}/statuses/{orig_status[i]}/activity", "Announce", named
                else:
                    undone, kind, obj = f"{a}#follows/{orig_follow[i]}", "Follow", f'"{tact[i]}"'
                out.append(f'{head}{undone}/undo","type":"Undo",{when},"object":{{"id":"{undone}",'
                           f'"type":"{kind}","actor":"{a}","object":{obj}}}}}'.encode())
            else:       # Create of a Note: post, reply, mention
                own = f"{a}/statuses/{status[i]}"
                mention = typ in (C.REPLY, C.MENTION)
                html = (f"<span class='h-card'><a href='{tact[i]}' class='u-url mention'>@<span>"
                        f"{tname[i]}</span></a></span> " if mention else "")
                tags = ([f'{{"type":"Mention","href":"{tact[i]}","name":"@{tname[i]}@{thost[i]}"}}']
                        if mention else [])
                html += REPLIES[rnd % len(REPLIES)] if typ == C.REPLY else SENTENCES[text]
                for tag in frags[i][4]:
                    url = f"https://{host[i]}/tags/{tag}"
                    html += f" <a href='{url}' class='mention hashtag' rel='tag'>#<span>{tag}</span></a>"
                    tags.append(f'{{"type":"Hashtag","href":"{url}","name":"#{tag}"}}')
                link = links[i] if typ == C.POST else None
                if link:
                    html += f" <a href='{link}' rel='nofollow noopener' target='_blank'>{link}</a>"
                cc = f'"{a}/followers","{tact[i]}"' if mention else f'"{a}/followers"'
                reply = f',"inReplyTo":{named}' if typ == C.REPLY else ""
                out.append(f'{head}{own}/activity","type":"Create",{when},"to":["{AS_PUBLIC}"],"cc":[{cc}],'
                           f'"object":{{"id":"{own}","type":"Note","attributedTo":"{a}","published":"{times[i]}"'
                           f'{reply},"content":"<p>{html}</p>","tag":[{",".join(tags)}]}}}}'.encode())
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
    # the open networks' bad records are built by corruption.py's own functions for them
    "bluesky": dict(type=("commit", "collection"), time="time_us", actor="did",
                    target=("commit", "record", "subject"), text=("commit", "record", "text")),
    "activitypub": dict(type="type", time="published", actor="actor", target=("object",),
                        text=("object", "content")),
}
