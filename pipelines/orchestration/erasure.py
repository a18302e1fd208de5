"""Erasure (`clout forget PROFILE`): people who leave, leave for good.

`forget` is rerunnable at any point (each step is idempotent):
1. find the profile's accounts (silver.accounts, every run date, and the landed link records);
2. register the profile and each account in ops.erasures by SHA-256 only: from then on the
   profiles job drops the profile and silver withholds its accounts' events (opt-out for good);
3. DELETE its rows from every table: bronze and quarantine lines whose raw bytes name one of its
   accounts, silver events by or towards its accounts, its links, every gold row about it (as a
   profile, an engager or an author), published history included;
4. VACUUM: files the DELETEs left behind go once older than `privacy.retention_hours` (time travel
   keeps working until then), with what earlier runs left as old: reliable checkpoints (influence's, a
   crashed ingest_silver's parsed batch) and snapshots staged for a gate.

The next nightly therefore neither scores the profile nor lets its past engagement count for
anybody: its events are gone from silver, so no edge, reach or +K can come from them.
Landed files (the networks' drop zone, outside the warehouse) are not rewritten: what lands
later for the accounts is withheld by hash at silver; its raw lines stay in bronze until the next
`forget` sweep of the same profile (docs/reliability.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F

from pipelines.core.config import Config
from pipelines.core.errors import UserError
from pipelines.core.erasures import register, subject_hash
from pipelines.core.io import read_table, retrying_conflicts, table_exists, table_path
from pipelines.core.log import log_event
from pipelines.orchestration.upkeep import vacuum
from schemas import TableSpec
from schemas.registry import PERSONAL
from schemas.silver_account_links import ACCOUNT_LINKS
from schemas.silver_events import LINKS_FEED
from schemas.silver_profiles import ACCOUNTS

PROFILE_ID = re.compile(r"^p\d{1,12}$")   # registered profiles (public-only ids have no owner to ask)


@dataclass(frozen=True)
class Erased:
    profile_id: str
    accounts: tuple[str, ...]
    rows_deleted: dict[str, int]
    files_vacuumed: int


def check_profile_id(profile_id: str) -> str:
    if not PROFILE_ID.match(profile_id):
        raise UserError(f"forget: '{profile_id}' is not a registered profile id (like p0000123)")
    return profile_id


def accounts_of(spark: SparkSession, cfg: Config, profile_id: str) -> tuple[str, ...]:
    """Every account ever linked to the profile: in silver (any run date) or in the landed links."""
    from jobs.profiles import landed_links

    linked = [read_table(spark, cfg, spec).where(F.col("profile_id") == profile_id).select("account")
              for spec in (ACCOUNTS, ACCOUNT_LINKS) if table_exists(spark, cfg, spec)]
    landed = landed_links(spark, cfg.paths.landing, cfg.ingest, None)
    linked.append(landed.where((F.col("profile_id") == profile_id) & (F.col("record") == "link")).select("account"))
    found = {r.account for frame in linked for r in frame.distinct().collect() if r.account}
    return tuple(sorted(found))


def _token(values: list[str]) -> str:
    """A regex matching any of `values` as a whole token (quoted string or bare number alike)."""
    return rf"(?<![A-Za-z0-9_]){'(?:' + '|'.join(re.escape(v) for v in values) + ')'}(?![A-Za-z0-9_])"


def names_an_account(profile_id: str, accounts: tuple[str, ...]) -> Column:
    """A raw line (bronze, quarantine) of an account's network naming one of its native ids, or
    of the account-link feed naming the profile or one of its native ids."""
    by_network: dict[str, list[str]] = {}
    for account in accounts:
        network, native = account.split(":", 1)
        by_network.setdefault(network, []).append(native)
    text = F.col("payload").cast("string")  # no validation: invalid UTF-8 lines are searched too
    natives = sorted({n for values in by_network.values() for n in values})
    match = (F.col("network") == LINKS_FEED) & text.rlike(_token([profile_id, *natives]))
    for network, values in sorted(by_network.items()):
        match = match | ((F.col("network") == network) & text.rlike(_token(values)))
    return match


def about(spec: TableSpec, profile_id: str, accounts: tuple[str, ...]) -> Column:
    """The rows of `spec` that name the profile or one of its accounts (its `personal` columns)."""
    personal = spec.personal
    match = F.lit(False)
    for column in personal.profile_columns:
        match = match | (F.col(column) == F.lit(profile_id))
    for column in personal.account_columns if accounts else ():
        match = match | F.col(column).isin(list(accounts))
    if personal.raw_payload:
        match = match | names_an_account(profile_id, accounts)
    return match


def delete_rows(spark: SparkSession, cfg: Config, spec: TableSpec, condition: Column) -> int:
    if not table_exists(spark, cfg, spec):
        return 0
    target = DeltaTable.forPath(spark, table_path(cfg, spec))
    retrying_conflicts(lambda: target.delete(condition), spec.qualified_name)
    last = target.history(1).select("operation", "operationMetrics").first()
    return int((last.operationMetrics or {}).get("numDeletedRows", 0)) if last.operation == "DELETE" else 0


def forget(spark: SparkSession, cfg: Config, profile_id: str) -> Erased:
    """Erase one registered profile from every table, then VACUUM (see the module's text)."""
    check_profile_id(profile_id)
    accounts = accounts_of(spark, cfg, profile_id)
    if not accounts:
        raise UserError(f"forget: no profile '{profile_id}' (no linked account in silver.accounts "
                        f"or the landed account links): nothing changed")
    register(spark, cfg, profile_id, accounts)
    deleted = {spec.qualified_name: delete_rows(spark, cfg, spec, about(spec, profile_id, accounts))
               for spec in PERSONAL}
    log_event("forget", profile_hash=subject_hash(profile_id)[:12], accounts=len(accounts),
              rows_deleted=sum(deleted.values()))
    touched = tuple(spec for spec in PERSONAL if deleted.get(spec.qualified_name))
    return Erased(profile_id, accounts, deleted, vacuum(spark, cfg, touched))
