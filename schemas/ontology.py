"""The topic ontology (conf/topics.yaml): topics with parents and the tags that name them.

One loader for the generator (which tags content with it) and the pipeline (which maps tags
back to topics in jobs/transforms/topics.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "conf" / "topics.yaml"
_TAG = re.compile(r"^[a-z0-9_]+$")   # hashtag-safe: renders as #tag without escaping


@dataclass(frozen=True)
class Ontology:
    version: int
    slugs: tuple[str, ...]             # index = topic id used in numpy columns
    parent: tuple[int, ...]            # parent topic id, -1 for top-level
    keywords: tuple[tuple[str, ...], ...]  # per topic: slug first, then its keywords
    top_level: tuple[int, ...]
    children: dict[int, tuple[int, ...]]   # top-level id -> child ids

    @property
    def leaves(self) -> tuple[int, ...]:
        return tuple(i for i, p in enumerate(self.parent) if p >= 0)

    def tags(self) -> list[tuple[str, str, str | None]]:
        """(tag, topic slug, parent slug or None) for every slug and keyword."""
        return [(word, self.slugs[i], self.slugs[self.parent[i]] if self.parent[i] >= 0 else None)
                for i, words in enumerate(self.keywords) for word in words]


def load_ontology(path: Path = DEFAULT_PATH) -> Ontology:
    doc = yaml.safe_load(Path(path).read_text())
    if not isinstance(doc, dict) or not isinstance(doc.get("version"), int):
        raise ValueError(f"{path}: expected a mapping with an integer 'version'")
    entries = doc.get("topics")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: 'topics' must be a non-empty list")
    slugs = [e["slug"] for e in entries]
    index = {s: i for i, s in enumerate(slugs)}
    if len(index) != len(slugs):
        raise ValueError(f"{path}: duplicate topic slug")
    seen: dict[str, str] = {}
    parent, keywords = [], []
    for e in entries:
        slug, par = e["slug"], e.get("parent")
        if par is not None and par not in index:
            raise ValueError(f"{path}: topic {slug!r} has unknown parent {par!r}")
        if par is not None and entries[index[par]].get("parent") is not None:
            raise ValueError(f"{path}: topic {slug!r}: parents must be top-level")
        words = (slug, *e.get("keywords", []))
        for w in words:
            if not _TAG.match(w):
                raise ValueError(f"{path}: topic {slug!r}: keyword {w!r} is not [a-z0-9_]+")
            if w in seen:
                raise ValueError(f"{path}: keyword {w!r} used by {seen[w]!r} and {slug!r}")
            seen[w] = slug
        parent.append(-1 if par is None else index[par])
        keywords.append(words)
    top = tuple(i for i, p in enumerate(parent) if p < 0)
    children = {t: tuple(i for i, p in enumerate(parent) if p == t) for t in top}
    if any(not c for c in children.values()):
        raise ValueError(f"{path}: every top-level topic needs at least one child")
    return Ontology(doc["version"], tuple(slugs), tuple(parent), tuple(keywords), top, children)
