"""profiles: landing/accounts/dt<=D → silver.accounts and silver.profiles as of D (atomic).

Link records name which registered profile owns each network account; opt-out records flag a
profile whose events must not be scored; a forgotten profile (ops.erasures) is left out
altogether. Each run date's view is its own partition (`as_of`),
rebuilt whole: a backfill of a past date and today's nightly never read each other's view.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from jobs.transforms.identity import account_of_link, linked_accounts, profiles
from pipelines.core.erasures import erased_hashes
from pipelines.core.io import drop_table, read_table, replace_where, table_exists, table_path
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from schemas.silver_profiles import ACCOUNTS, PROFILES

JOB = "profiles"

LINK_RECORD = T.StructType([
    T.StructField("record", T.StringType()),
    T.StructField("profile_id", T.StringType()),
    T.StructField("network", T.StringType()),
    T.StructField("account_id", T.StringType()),
    T.StructField("at", T.StringType()),
])


def link_record_files(landing: Path, up_to: dt.date | None) -> list[str]:
    """Landed account-link files of delivery dates up to `up_to` (None: all of them)."""
    root = landing / "accounts"
    days = sorted(p for p in root.glob("dt=*") if up_to is None or p.name[3:] <= str(up_to)) if root.is_dir() else []
    return [str(f) for d in days for f in sorted(d.glob("*.jsonl.gz"))]


def link_records(spark, landing: Path, up_to: dt.date | None) -> tuple[DataFrame, int]:
    """The landed link records of delivery dates up to `up_to` (None: all), and the file count."""
    paths = link_record_files(landing, up_to)
    records = (spark.read.schema(LINK_RECORD).option("mode", "FAILFAST").json(paths) if paths
               else spark.createDataFrame([], LINK_RECORD))
    return records, len(paths)


def run(ctx: JobContext) -> JobResult:
    """Rebuild the account → profile links known up to the run date."""
    records, files = link_records(ctx.spark, ctx.cfg.paths.landing, ctx.run_date)
    forgotten = F.broadcast(erased_hashes(ctx.spark, ctx.cfg, "profile"))
    records = (records.where(F.col("profile_id").isNotNull())
               .join(forgotten, F.sha2(F.col("profile_id"), 256) == forgotten.subject_hash, "left_anti")
               .persist())
    accounts = linked_accounts(records, ctx.run_date).persist()
    for spec in (ACCOUNTS, PROFILES):
        drop_older_layout(ctx, spec)
    this_date = f"as_of = DATE'{ctx.run_date}'"
    replace_where(accounts, ctx.cfg, ACCOUNTS, this_date)
    replace_where(profiles(accounts, records), ctx.cfg, PROFILES, this_date)
    n = accounts.count()
    accounts.unpersist()
    records.unpersist()
    return JobResult(rows_in=n, rows_out=n, message=f"{files} account files")


def drop_older_layout(ctx: JobContext, spec) -> None:
    """Before one partition per run date (`as_of`), these tables held one view: they are derived
    from the landed links alone, so a table of the older layout is dropped and rebuilt."""
    if table_exists(ctx.spark, ctx.cfg, spec) and "as_of" not in read_table(ctx.spark, ctx.cfg, spec).columns:
        drop_table(ctx.spark, table_path(ctx.cfg, spec))


def accounts_as_of(ctx: JobContext) -> DataFrame:
    """silver.accounts as the run date's profiles job left it."""
    return read_table(ctx.spark, ctx.cfg, ACCOUNTS).where(F.col("as_of") == F.lit(ctx.run_date)).drop("as_of")


def profiles_as_of(ctx: JobContext) -> DataFrame:
    """silver.profiles as the run date's profiles job left it."""
    return read_table(ctx.spark, ctx.cfg, PROFILES).where(F.col("as_of") == F.lit(ctx.run_date)).drop("as_of")


def opted_out_accounts(ctx: JobContext) -> DataFrame:
    """Accounts of every profile that has opted out in any landed link record, whatever the run
    date: an opt-out is forever, and silver's admission must not depend on which run (a backfill
    of a past date or tonight's) happens to ingest a file first."""
    records, _ = link_records(ctx.spark, ctx.cfg.paths.landing, None)
    opted_out = records.where(F.col("record") == "opt_out").select("profile_id").distinct()
    links = records.where(F.col("record") == "link").select("profile_id", account_of_link().alias("account"))
    return links.join(opted_out, "profile_id").select("account").distinct()


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
