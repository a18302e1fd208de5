"""profiles: landing/accounts/dt<=D → silver.accounts and silver.profiles (full rebuild, atomic).

Link records name which registered profile owns each network account; opt-out records flag a
profile whose events must not be scored.
"""
from __future__ import annotations

import sys

from pyspark.sql import functions as F
from pyspark.sql import types as T

from jobs.transforms.identity import linked_accounts, profiles
from pipelines.io import replace_where
from pipelines.jobrun import JobContext, JobResult, submit_main
from schemas.silver_profiles import ACCOUNTS, PROFILES

JOB = "profiles"

LINK_RECORD = T.StructType([
    T.StructField("record", T.StringType()),
    T.StructField("profile_id", T.StringType()),
    T.StructField("network", T.StringType()),
    T.StructField("account_id", T.StringType()),
    T.StructField("at", T.StringType()),
])


def run(ctx: JobContext) -> JobResult:
    """Rebuild the account → profile links known up to the run date."""
    root = ctx.cfg.paths.landing / "accounts"
    days = sorted(p for p in root.glob("dt=*") if p.name[3:] <= str(ctx.run_date)) if root.is_dir() else []
    paths = [str(f) for d in days for f in sorted(d.glob("*.jsonl.gz"))]
    records = (ctx.spark.read.schema(LINK_RECORD).option("mode", "FAILFAST").json(paths) if paths
               else ctx.spark.createDataFrame([], LINK_RECORD))
    records = records.where(F.col("profile_id").isNotNull()).persist()
    accounts = linked_accounts(records).persist()
    replace_where(accounts, ctx.cfg, ACCOUNTS, "true")
    replace_where(profiles(accounts, records), ctx.cfg, PROFILES, "true")
    n = accounts.count()
    accounts.unpersist()
    records.unpersist()
    return JobResult(rows_in=n, rows_out=n, message=f"{len(paths)} account files")


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
