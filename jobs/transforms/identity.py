"""Account links → accounts and profiles; accounts → profile ids (pure)."""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from schemas.silver_profiles import ACCOUNTS, PROFILES

PUBLIC_PREFIX = "pub:"


def account_of_link():
    """A link record's account as Clout names it: "<network>:<account id>"."""
    return F.concat_ws(":", "network", "account_id")


def linked_accounts(link_records: DataFrame, as_of) -> DataFrame:
    """`link` records known on `as_of` → one row per account, the latest link winning."""
    links = (link_records.where(F.col("record") == "link")
             .select(account_of_link().alias("account"), "network",
                     "profile_id", F.to_date("at").alias("linked_at")))
    latest = links.groupBy("account").agg(F.max_by(F.struct("network", "profile_id", "linked_at"),
                                                   "linked_at").alias("l"))
    return ACCOUNTS.conform(latest.select("account", "l.*", F.lit(as_of).alias("as_of")))


def profiles(accounts: DataFrame, link_records: DataFrame) -> DataFrame:
    """One row per registered profile with its accounts and opt-out state."""
    opt_outs = (link_records.where(F.col("record") == "opt_out")
                .groupBy("profile_id").agg(F.min(F.to_date("at")).alias("opted_out_at")))
    registered = accounts.groupBy("profile_id", "as_of").agg(F.sort_array(F.collect_set("account")).alias("accounts"))
    return PROFILES.conform(
        registered.join(opt_outs, "profile_id", how="left")
        .withColumn("opted_out", F.col("opted_out_at").isNotNull()))


def resolve_profile(events: DataFrame, accounts: DataFrame, *, account_col: str, profile_col: str) -> DataFrame:
    """Add `profile_col`: the registered profile owning `account_col`, else a stable public id."""
    lookup = accounts.select(F.col("account").alias(account_col), F.col("profile_id").alias(profile_col))
    return (events.join(lookup, account_col, how="left")
            .withColumn(profile_col, F.coalesce(F.col(profile_col),
                                                F.concat(F.lit(PUBLIC_PREFIX), F.col(account_col)))))
