"""The erasure register (ops.erasures): who asked to be forgotten, by SHA-256 only.

`clout forget` writes it; the profiles job drops registered profiles and silver withholds the
events of registered accounts, so an erased person never comes back through a late delivery.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from pipelines.core.config import Config
from pipelines.core.io import merge_insert_new, read_table, table_exists
from schemas.ops_erasures import ERASURES


def subject_hash(subject: str) -> str:
    """The register's key: SHA-256 hex, equal to Spark's sha2(col, 256)."""
    return hashlib.sha256(subject.encode()).hexdigest()


def register(spark: SparkSession, cfg: Config, profile_id: str, accounts: tuple[str, ...]) -> None:
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = [("profile", subject_hash(profile_id), now)] + [("account", subject_hash(a), now) for a in accounts]
    merge_insert_new(spark, spark.createDataFrame(rows, ERASURES.schema), cfg, ERASURES)


def erased_hashes(spark: SparkSession, cfg: Config, kind: str) -> DataFrame:
    """Hashes of forgotten profiles or accounts (column `subject_hash`); empty before any."""
    if not table_exists(spark, cfg, ERASURES):
        return spark.createDataFrame([], "subject_hash string")
    return read_table(spark, cfg, ERASURES).where(F.col("kind") == kind).select("subject_hash")
