"""A columnar batch of abstract (network-independent) events, and the recent-post buffer."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, fields

import numpy as np


@dataclass
class EventBatch:
    typ: np.ndarray      # int8 normalised type (config.POST ...)
    ts: np.ndarray       # int64 event time, epoch milliseconds UTC
    actor: np.ndarray    # int64 account index (within the network)
    target: np.ndarray   # int64 account index acted upon, -1 for posts
    ref: np.ndarray      # int64 serial of the post acted upon, -1 if none
    t0: np.ndarray       # int16 topic id (posts and what refers to them; endorse skill), -1
    t1: np.ndarray       # int16 second topic id, -1
    kw: np.ndarray       # int32 keyword variant, inherited by shares so hashtags match
    text: np.ndarray     # int32 sentence id, inherited by shares
    rnd: np.ndarray      # int32 fresh randomness for rendering choices (reaction kind ...)
    link: np.ndarray     # bool: text carries a feed link (autoposters)
    serial: np.ndarray   # int64 unique id seed, see ids.py
    orig: np.ndarray     # int64 retraction: serial of the retracted event (PHANTOM_BIT: never created), -1
    otyp: np.ndarray     # int8 retraction: type of the retracted event, -1

    def __len__(self) -> int:
        return len(self.typ)

    def take(self, idx) -> "EventBatch":
        return EventBatch(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    @staticmethod
    def concat(batches: list["EventBatch"]) -> "EventBatch":
        return EventBatch(**{f.name: np.concatenate([getattr(b, f.name) for b in batches])
                             for f in fields(EventBatch)})

    @staticmethod
    def make(typ: int, ts, actor, target=None, ref=None, t0=None, t1=None, kw=None, text=None,
             rnd=None, link=None, orig=None, otyp=None) -> "EventBatch":
        n = len(ts)

        def col(v, dtype, fill):
            return np.full(n, fill, dtype=dtype) if v is None else np.asarray(v, dtype=dtype)
        return EventBatch(
            typ=np.full(n, typ, dtype=np.int8) if np.isscalar(typ) else np.asarray(typ, np.int8),
            ts=col(ts, np.int64, 0), actor=col(actor, np.int64, -1),
            target=col(target, np.int64, -1), ref=col(ref, np.int64, -1),
            t0=col(t0, np.int16, -1), t1=col(t1, np.int16, -1), kw=col(kw, np.int32, 0),
            text=col(text, np.int32, 0), rnd=col(rnd, np.int32, 0),
            link=col(link, bool, False), serial=np.full(n, -1, dtype=np.int64),
            orig=col(orig, np.int64, -1), otyp=col(otyp, np.int8, -1))


@dataclass
class PostChunk:
    day: int
    posts: EventBatch
    mu: np.ndarray       # expected lifetime engagements per post


class PostBuffer:
    """Posts of the last len(DECAY) days: all that engagement on earlier content needs, so
    memory stays bounded however long the run."""

    def __init__(self, max_age: int):
        self.chunks: deque[PostChunk] = deque()
        self.max_age = max_age

    def push(self, chunk: PostChunk) -> None:
        self.chunks.append(chunk)
        while self.chunks and chunk.day - self.chunks[0].day >= self.max_age:
            self.chunks.popleft()
