from pyspark.sql import types as T

from schemas import TableSpec

ERASURES = TableSpec(
    layer="ops",
    name="erasures",
    schema=T.StructType([
        T.StructField("kind", T.StringType(), False),          # profile | account
        # SHA-256 (hex) of the profile id or "<network>:<account id>": the register itself must
        # not hold the ids it promises to forget
        T.StructField("subject_hash", T.StringType(), False),
        T.StructField("requested_at", T.TimestampType(), False),
    ]),
    keys=("kind", "subject_hash"),
    partition_by=(),
    contract="one row per forgotten profile and per account of it, by hash only: the profiles "
             "job drops the profile, silver withholds the accounts' events, for good",
)
