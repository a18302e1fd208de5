"""One module per table: its Spark schema, keys, partitioning and written contract.

Jobs import the spec of every table they write; `TableSpec.conform` is the schema contract
applied as the last step of a transform chain. A published table's `suite` declares its
data-quality expectations as data; pipelines/quality/dq.py turns them into a Great Expectations
suite. `schemas.registry.TABLES` finds every spec here: erasure (`personal`), analyst access
(`queryable`) and the quality gate (`suite`) read it, so no list of tables is kept by hand.
"""
from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T


@dataclass(frozen=True)
class Between:
    """Every value of `column` lies in [low, high]; None leaves that side open."""
    column: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class OneOf:
    """Every value of `column` is one of `values`."""
    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Reconcile:
    """The snapshot has as many rows as `upstream`'s snapshot of the same date has distinct
    values over `distinct_of` (a union of id columns), or rows when `distinct_of` is empty."""
    upstream: TableSpec
    distinct_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suite:
    """A table's data-quality expectations for one date (the first partition column's value).

    Always checked, so not declared: at least one row, every row of the run date, keys not
    null and unique, and every column the schema declares non-nullable not null.
    """
    ranges: tuple[Between, ...] = ()
    allowed: tuple[OneOf, ...] = ()
    sums: tuple[Between, ...] = ()           # the column's total over the snapshot
    reconcile: Reconcile | None = None
    row_drift: bool = False                  # rows ≥ dq.min_row_ratio × the previous snapshot's
    mean_drift: str | None = None            # this column's mean moves ≤ dq.max_mean_shift


@dataclass(frozen=True)
class PersonalData:
    """Where a table's rows name a person, for `clout forget`: columns holding a registered
    profile id, columns holding an account ("<network>:<native id>"), or raw landed lines
    (searched for the accounts' native ids)."""
    profile_columns: tuple[str, ...] = ()
    account_columns: tuple[str, ...] = ()
    raw_payload: bool = False


@dataclass(frozen=True)
class TableSpec:
    layer: str
    name: str
    schema: T.StructType
    keys: tuple[str, ...]
    partition_by: tuple[str, ...]
    contract: str
    suite: Suite | None = None   # published tables: the data-quality gate's expectations
    personal: PersonalData | None = None   # rows about a person: erased by `clout forget`
    queryable: bool = False      # analysts read it by `name` (clout query / clout sql)

    @property
    def qualified_name(self) -> str:
        return f"{self.layer}.{self.name}"

    def conform(self, df: DataFrame) -> DataFrame:
        """Select exactly the declared columns, cast to the declared types, in declared order."""
        missing = [f.name for f in self.schema.fields if f.name not in df.columns]
        if missing:
            raise ValueError(f"{self.qualified_name}: transform output lacks {missing}")
        return df.select([F.col(f.name).cast(f.dataType).alias(f.name) for f in self.schema.fields])
