"""`clout`: the command line. Bad operator input ends with one line on stderr and exit code 2."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from pipelines.core.errors import UserError, guarded

DESCRIPTION = """Clout: a nightly 1–100 influence score for every social profile.

Typical use:
  clout generate --scale small --out data/landing     # make a realistic sample landing zone
  clout nightly --date 2026-09-30                      # ingest → graph → scores → publish
  clout query "SELECT * FROM scores ORDER BY score DESC LIMIT 10"
"""


def _date(text: str) -> dt.date:
    from pipelines.core.jobrun import parse_date   # pulls in Spark: not for `clout --help`
    try:
        return parse_date(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _pin(text: str) -> tuple[str, int]:
    name, _, version = text.partition("=")
    if not name or not version.isdigit():
        raise argparse.ArgumentTypeError(f"expected TABLE=VERSION (e.g. scores=3), got {text!r}")
    return name, int(version)


def _timestamp(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO time like 2026-11-26T10:00:00, got {text!r}") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage too)
        print(f"clout: error: {message}", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="clout", description=DESCRIPTION,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--env", default="local", help="config environment in conf/ (default: local)")
        p.add_argument("--data-root", default=None, help="override the env's data folder (landing, tables)")
        return p

    g = command("generate", "write a generated multi-network landing zone with planted ground truth")
    g.add_argument("--scale", default=None, help="tiny | small | medium | large (sets profiles and days)")
    g.add_argument("--profiles", type=int, help="number of profiles (overrides --scale)")
    g.add_argument("--days", type=int, help="number of days ending at --end-date (overrides --scale)")
    g.add_argument("--seed", type=int, default=7, help="random seed (default 7): same seed, same bytes")
    g.add_argument("--end-date", type=_date, default=dt.date(2026, 9, 30), help="last day (default 2026-09-30)")
    g.add_argument("--out", type=Path, default=None, help="landing folder (default: the env's landing path)")

    n = command("nightly", "score one snapshot date end to end: ingest → graph → scores → publish")
    n.add_argument("--date", type=_date, required=True, help="snapshot date, YYYY-MM-DD")
    n.add_argument("--include-late", action="store_true",
                   help="also count events of the window delivered after --date (rerun of a past date)")
    n.add_argument("--shadow-model", default=None, metavar="VERSION",
                   help="also score with this candidate model into gold.scores_shadow and print the shift")
    n.add_argument("--no-resume", action="store_true",
                   help="after a crash, run every stage again (default: resume at the first stage "
                        "the crashed attempt did not complete)")

    b = command("backfill", "run the nightly for every date from --start to --end, in order; dates "
                            "already completed with the same model, config and inputs are skipped")
    b.add_argument("--start", type=_date, required=True, help="first date, YYYY-MM-DD")
    b.add_argument("--end", type=_date, required=True, help="last date, YYYY-MM-DD")
    b.add_argument("--force", action="store_true",
                   help="rerun dates the ledger says are complete, every stage (no resume)")
    b.add_argument("--include-late", action="store_true",
                   help="let each snapshot count events delivered after its date (late data)")
    b.add_argument("--shadow-model", default=None, metavar="VERSION",
                   help="score every date with this candidate model too (completed dates: shadow only)")

    q = command("query", "read-only SQL over the published tables (DuckDB + delta-rs, no JVM)")
    q.add_argument("sql", help='e.g. "SELECT * FROM scores ORDER BY score DESC LIMIT 10"')
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("--version", type=_pin, action="append", default=[], metavar="TABLE=N",
                   help="read TABLE as of Delta version N (time travel; repeatable)")
    q.add_argument("--as-of", type=_timestamp, default=None, metavar="TIMESTAMP",
                   help="read every table as it was at this UTC time, e.g. 2026-11-26T10:00:00")

    sq = command("sql", "the same read-only SQL through Spark SQL (tables registered as views)")
    sq.add_argument("sql", help='e.g. "SELECT style, count(*) FROM scores GROUP BY style"')
    sq.add_argument("--limit", type=int, default=100, help="rows to show (default 100)")

    e = command("explain", "say in words why a profile scores what it does on a date")
    e.add_argument("profile", help="profile id, e.g. p0000123 or pub:chirp:4411")
    e.add_argument("--date", type=_date, default=None,
                   help="snapshot date, YYYY-MM-DD (default: the latest published snapshot)")
    e.add_argument("--json", action="store_true", help="the same facts as JSON, for machines")

    r = command("report", "write an HTML report of one snapshot")
    r.add_argument("--date", type=_date, default=None,
                   help="snapshot date, YYYY-MM-DD (default: the latest published snapshot)")
    r.add_argument("--out", type=Path, default=None, help="report file (default: <data_root>/reports/)")

    v = command("validate", "predictive validity: does the score of --date foretell the engagement of the "
                            "days after it better than naive rankings? (needs the nightly of date + horizon)")
    v.add_argument("--date", type=_date, required=True, help="snapshot date, YYYY-MM-DD")
    v.add_argument("--horizon", type=int, default=14, help="days after --date to look at (default 14)")
    v.add_argument("--shadow-model", default=None, metavar="VERSION",
                   help="also evaluate this candidate's snapshot in gold.scores_shadow, side by side")
    v.add_argument("--resamples", type=int, default=200, help="bootstrap resamples (default 200)")
    v.add_argument("--sample", type=int, default=200_000,
                   help="at most this many posting profiles for the rank statistics (default 200,000)")

    d = command("dq", "re-validate published tables for a date with their data-quality suites "
                      "(an audit: nothing is published); exit 1 if any check fails")
    d.add_argument("--date", type=_date, required=True, help="snapshot date, YYYY-MM-DD")
    d.add_argument("--table", action="append", default=None,
                   help="only this table, e.g. gold.scores (repeatable; default: every suite)")

    f = command("forget", "erase a profile on request (right to be forgotten)")
    f.add_argument("profile", help="profile id to erase")

    c = command("compact", "rewrite each table's small files into few (Delta OPTIMIZE); rows unchanged")
    c.add_argument("--table", action="append", default=None,
                   help="only this table, e.g. silver.events (repeatable; default: every table)")

    command("vacuum", "remove files older than privacy.retention_hours that deletes and replaced snapshots left, "
                      "and stored validation results older than dq.docs_keep_days")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pipelines.orchestration import commands
    return guarded(lambda: getattr(commands, args.command)(args))


if __name__ == "__main__":
    sys.exit(main())
