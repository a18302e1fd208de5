"""Progress you can watch: one line per stage start/end; JSON lines when not on a terminal."""
from __future__ import annotations

import datetime as dt
import json
import sys


def log_event(event: str, **fields) -> None:
    stream = sys.stderr
    if stream.isatty():
        detail = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        print(f"[clout] {event:<7} {detail}", file=stream, flush=True)
    else:
        record = {"ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  "event": event, **{k: v for k, v in fields.items() if v is not None}}
        print(json.dumps(record, default=str), file=stream, flush=True)
