"""profiles: bronze lines of the `accounts` feed → silver.account_links (+ silver.quarantine), then
silver.account_links delivered by D → silver.accounts and silver.profiles as of D (atomic).

Account links are the identity layer: they get the events' contract (jobs/transforms/links.py):
every failing record is quarantined with its reason, valid ones are MERGEd once per record
(`link_id`), a re-delivered record is a duplicate, and each file reconciles exactly
(jobs/reconcile.py).

Link records name which registered profile owns each network account; opt-out records flag a
profile whose events must not be scored; a forgotten profile (ops.erasures) is left out
altogether. Each run date's view is its own partition (`as_of`),
rebuilt whole: a backfill of a past date and today's nightly never read each other's view.
"""
from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.landing import inventory
from jobs.reconcile import (PendingFile, batch_rows, in_batch, ingest_in_batches, outcome_counts, pending_files,
                            with_outcome)
from jobs.transforms.events import quarantined
from jobs.transforms.identity import linked_accounts, profiles
from jobs.transforms.links import accepted_links, parse_links
from pipelines.core.erasures import erased_hashes
from pipelines.core.io import drop_table, merge_insert_new, read_table, replace_where, table_exists, table_path
from pipelines.core.jobrun import JobContext, JobResult, submit_main
from schemas.ops_ingested_files import INGESTED_FILES
from schemas.silver_account_links import ACCOUNT_LINKS
from schemas.silver_events import LINKS_FEED, NETWORKS
from schemas.silver_profiles import ACCOUNTS, PROFILES
from schemas.silver_quarantine import QUARANTINE

JOB = "profiles"


def landed_links(spark, landing: Path, cfg_ingest, up_to: dt.date | None,
                 skip: Collection[str] = frozenset()) -> DataFrame:
    """The valid link and opt-out records landed with delivery dates up to `up_to` (None: all),
    read straight from the landing zone (damaged files: what could be read) and checked with
    the link contract — for what must not wait for ingest: silver's opt-out withholding and
    erasure's search for a profile's accounts. `skip`: files (as the landing zone names them,
    `accounts/dt=…/…`) not to read."""
    found = inventory(landing, up_to or dt.date.max)
    paths = [str(landing.resolve() / f) for f in found.files if f.startswith(f"{LINKS_FEED}/") and f not in skip]
    if not paths:
        return spark.createDataFrame([], ACCOUNT_LINKS.schema)
    raw = (spark.read.option("lineSep", "\n").option("ignoreCorruptFiles", "true").text(paths)
           .select(F.col("value").cast("binary").alias("payload"),
                   F.to_date(F.regexp_extract(F.col("_metadata.file_path"), r"/dt=([0-9-]+)/", 1))
                   .alias("landing_date")))
    return checked_links(raw, cfg_ingest).where(F.col("reason").isNull()).withColumnRenamed("link_network", "network")


def checked_links(raw: DataFrame, ingest) -> DataFrame:
    """Raw account-link lines checked with the link contract under the env's ingest settings."""
    return parse_links(raw, networks=NETWORKS, max_payload_bytes=ingest.max_payload_bytes,
                       oldest_date=ingest.oldest_event_date, future_tolerance_days=ingest.future_tolerance_days)


def ingest_links(ctx: JobContext) -> JobResult:
    """Validate, quarantine and MERGE the account-link lines landed up to the run date."""
    pending = pending_files(ctx, (LINKS_FEED,))
    if not pending:
        return JobResult(rows_in=0, rows_out=0, quarantined=0, duplicates=0,
                         message="no account-link files waiting to be parsed")
    return ingest_in_batches(ctx, JOB, pending, ctx.cfg.ingest.max_batch_lines,
                             lambda batch: ingest_link_batch(ctx, batch))


def ingest_link_batch(ctx: JobContext, batch: list[PendingFile]) -> dict[str, dict[str, int]]:
    """One batch of account-link files into silver: its lines' outcomes per file."""
    validated = checked_links(batch_rows(ctx, batch), ctx.cfg.ingest).withColumn("withheld", F.lit(False)).persist()
    try:
        merge_insert_new(ctx.spark, quarantined(validated), ctx.cfg, QUARANTINE, extra_condition=in_batch(batch))
        merge_insert_new(ctx.spark, accepted_links(validated), ctx.cfg, ACCOUNT_LINKS)
        known = read_table(ctx.spark, ctx.cfg, ACCOUNT_LINKS)
        return outcome_counts(with_outcome(validated, known, ["link_id"]))
    finally:
        validated.unpersist()


def links_as_of(ctx: JobContext) -> DataFrame:
    """silver.account_links delivered by the run date (validated, once per record)."""
    if not table_exists(ctx.spark, ctx.cfg, ACCOUNT_LINKS):
        return ctx.spark.createDataFrame([], ACCOUNT_LINKS.schema)
    return read_table(ctx.spark, ctx.cfg, ACCOUNT_LINKS).where(F.col("landing_date") <= F.lit(ctx.run_date))


def run(ctx: JobContext) -> JobResult:
    """Ingest the landed account links, then rebuild the account → profile links known up to
    the run date."""
    ingested = ingest_links(ctx)
    forgotten = F.broadcast(erased_hashes(ctx.spark, ctx.cfg, "profile"))
    records = (links_as_of(ctx)
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
    return replace(ingested, message=f"{ingested.message}; {n} accounts linked as of {ctx.run_date}")


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
    return opted_out_of(every_link_record(ctx.spark, ctx.cfg, ingested_link_files(ctx.spark, ctx.cfg)))


def opted_out_of(records: DataFrame) -> DataFrame:
    """Link and opt-out records → the accounts linked to a profile that has opted out (account)."""
    opted_out = records.where(F.col("record") == "opt_out").select("profile_id").distinct()
    links = records.where(F.col("record") == "link").select("profile_id", "account")
    return links.join(opted_out, "profile_id").select("account").distinct()


def ingested_link_files(spark, cfg) -> set[str]:
    """The link files the profiles job has ingested (ops.ingested_files): one name per file."""
    if not table_exists(spark, cfg, INGESTED_FILES):
        return set()
    return {r.source_file for r in read_table(spark, cfg, INGESTED_FILES)
            .where(F.col("source_file").startswith(f"{LINKS_FEED}/")).select("source_file").collect()}


def every_link_record(spark, cfg, ingested: set[str]) -> DataFrame:
    """Every valid link and opt-out record landed so far (record, profile_id, account, perhaps
    twice): silver.account_links, where the profiles job parsed its files once, and the landed
    link files not among the `ingested` ones (delivered after the run date: a backfill's; or not
    ingested yet) parsed from the landing zone. A night reads one link table, not every link file
    ever landed (at 100,000 profiles, 158,240 records parsed twice: ~40 s of a night's silver ingest)."""
    fields = ["record", "profile_id", "account"]
    landed = landed_links(spark, cfg.paths.landing, cfg.ingest, None, skip=ingested).select(*fields)
    if not table_exists(spark, cfg, ACCOUNT_LINKS):
        return landed
    return read_table(spark, cfg, ACCOUNT_LINKS).select(*fields).unionByName(landed)


if __name__ == "__main__":
    sys.exit(submit_main(JOB, run))
