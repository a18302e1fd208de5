"""The landing zone's inventory: every path under it is a feed file to ingest or a path that does
not belong, with its reason — nothing landed goes unaccounted for.

Driver-side and by name only (the files are read by Spark; a gzip file's first two and last four
bytes are read here). Layout: `<landing>/<feed>/dt=YYYY-MM-DD/<name>.jsonl.gz`, a feed being a
network or the account-link feed. Entries whose names start with `_` or `.` (the generator's
`_truth`, an uploader's temporary files) are hidden by the usual Hadoop convention: reported,
never read. A symlink is followed only when it leads to a place inside the landing zone.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from pipelines.core.errors import UserError
from schemas.silver_events import FEEDS

LANDED_SUFFIX = ".jsonl.gz"
HIDDEN_PREFIXES = ("_", ".")


@dataclass(frozen=True)
class Stray:
    """A landed path that is not a feed file: reported and recorded, never read."""
    path: str            # under the landing root
    reason: str          # unknown_feed | not_a_feed_folder | not_a_delivery_folder | not_a_feed_file
                         # | hidden | symlink_outside_landing
    landing_date: dt.date | None = None


@dataclass(frozen=True)
class Inventory:
    files: tuple[str, ...]       # feed files of delivery dates up to the run date, under the root
    strays: tuple[Stray, ...]


def readable(folder: Path) -> bool:
    """True for a folder Clout may list and read (False if it does not exist); a folder it may
    not read is an operator's problem to fix, not data to skip silently: UserError."""
    if folder.exists() and not os.access(folder, os.R_OK | os.X_OK):
        raise UserError(f"landing folder not readable: {folder} (check its permissions)")
    return folder.is_dir()


def delivery_date(name: str) -> dt.date | None:
    """The delivery date of a `dt=YYYY-MM-DD` folder name, or None."""
    if not name.startswith("dt="):
        return None
    try:
        return dt.date.fromisoformat(name[3:])
    except ValueError:
        return None


def _escapes(path: Path, root: Path) -> bool:
    """A symlink (at any depth of `path`) leading outside the landing root."""
    return not path.resolve().is_relative_to(root)


def _all_below(folder: Path, root: Path, reason: str) -> list[Stray]:
    """Every file below a folder that does not belong (symlinks not followed), or the folder."""
    found = [Stray(str(p.relative_to(root)), reason) for p in sorted(folder.rglob("*"))
             if p.is_file() and not p.is_symlink()]
    return found or [Stray(str(folder.relative_to(root)), reason)]


def inventory(landing: Path, run_date: dt.date) -> Inventory:
    """Sort every path under `landing` into feed files due by `run_date` and strays.

    Delivery folders dated after the run date are not due yet: neither read nor reported.
    Raises UserError when the landing folder is missing or unreadable.
    """
    if not landing.is_dir():
        raise UserError(f"landing folder not found: {landing}")
    readable(landing)
    root = landing.resolve()
    files: list[str] = []
    strays: list[Stray] = []

    def stray(path: Path, reason: str, day: dt.date | None = None) -> None:
        strays.append(Stray(str(path.relative_to(landing)), reason, day))

    for top in sorted(landing.iterdir()):
        if top.is_symlink() and _escapes(top, root):
            stray(top, "symlink_outside_landing")
        elif top.name.startswith(HIDDEN_PREFIXES):
            stray(top, "hidden")
        elif not top.is_dir():
            stray(top, "not_a_feed_folder")
        elif top.name not in FEEDS:
            strays.extend(_all_below(top, landing, "unknown_feed"))
        elif readable(top):
            for day_dir in sorted(top.iterdir()):
                day = delivery_date(day_dir.name)
                if day_dir.is_symlink() and _escapes(day_dir, root):
                    stray(day_dir, "symlink_outside_landing")
                elif day is None or not day_dir.is_dir():
                    strays.extend(_all_below(day_dir, landing, "not_a_delivery_folder") if day_dir.is_dir()
                                  else [Stray(str(day_dir.relative_to(landing)), "not_a_delivery_folder")])
                elif day <= run_date and readable(day_dir):
                    for entry in sorted(day_dir.iterdir()):
                        if entry.is_symlink() and _escapes(entry, root):
                            stray(entry, "symlink_outside_landing", day)
                        elif entry.name.startswith(HIDDEN_PREFIXES):
                            stray(entry, "hidden", day)
                        elif entry.is_file() and entry.name.endswith(LANDED_SUFFIX):
                            files.append(str(entry.relative_to(landing)))
                        elif entry.is_dir():
                            strays.extend(_all_below(entry, landing, "not_a_feed_file"))
                        else:
                            stray(entry, "not_a_feed_file", day)
    return Inventory(tuple(files), tuple(strays))


def require_delivery(landing: Path, run_date: dt.date) -> None:
    """UserError unless some feed (a network or the account links) delivered the run date."""
    if not any((landing / feed / f"dt={run_date}").is_dir() for feed in FEEDS):
        raise UserError(f"no landed files for {run_date} under {landing}")
