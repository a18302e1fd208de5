"""Deterministic gzip JSONL files and the atomic swap of a whole landing zone."""
from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

COMPRESS_LEVEL = 3     # ~3x faster than gzip's default 9 for ~15% larger files
_CHUNK = 20_000


def part_path(root: Path, dataset: str, day_iso: str) -> Path:
    return root / dataset / f"dt={day_iso}" / "part-00000.jsonl.gz"


def write_lines(path: Path, lines: list[bytes]) -> None:
    """One line per record, '\\n'-terminated. mtime=0 and no file name in the gzip header, so
    identical lines give identical bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                compresslevel=COMPRESS_LEVEL) as gz:
        for i in range(0, len(lines), _CHUNK):
            gz.write(b"\n".join(lines[i:i + _CHUNK]) + b"\n")


def staging_dir(out: Path) -> Path:
    """A fresh build directory beside `out` (same file system, so the final rename is atomic)."""
    out = Path(out).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Left behind by a crashed run: only directories whose process is gone.
    for pattern in (f".{out.name}.generating-*", f".{out.name}.old-*"):
        for stale in out.parent.glob(pattern):
            if not _alive(stale.name.rsplit("-", 1)[-1]):
                shutil.rmtree(stale, ignore_errors=True)
    tmp = out.parent / f".{out.name}.generating-{os.getpid()}"
    tmp.mkdir()
    return tmp


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def check_replaceable(out: Path) -> None:
    """Refuse to delete a directory that is not a previous generator output (or empty)."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "_truth" / "truth.json").exists())):
        raise ValueError(f"{out} exists and is not a generator landing zone; refusing to overwrite it")


def swap_into_place(tmp: Path, out: Path) -> None:
    """Replace `out` by `tmp`: readers see the old zone or the new one, never half of one."""
    out = Path(out).absolute()
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
    os.rename(tmp, out)
    if old is not None:
        shutil.rmtree(old)
