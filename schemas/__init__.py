"""One module per table: its Spark schema, keys, partitioning and written contract.

Jobs import the spec of every table they write; `TableSpec.conform` is the schema contract
applied as the last step of a transform chain.
"""
from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T


@dataclass(frozen=True)
class TableSpec:
    layer: str
    name: str
    schema: T.StructType
    keys: tuple[str, ...]
    partition_by: tuple[str, ...]
    contract: str

    @property
    def qualified_name(self) -> str:
        return f"{self.layer}.{self.name}"

    def conform(self, df: DataFrame) -> DataFrame:
        """Select exactly the declared columns, cast to the declared types, in declared order."""
        missing = [f.name for f in self.schema.fields if f.name not in df.columns]
        if missing:
            raise ValueError(f"{self.qualified_name}: transform output lacks {missing}")
        return df.select([F.col(f.name).cast(f.dataType).alias(f.name) for f in self.schema.fields])
