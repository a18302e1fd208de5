from pyspark.sql import types as T

from schemas import PersonalData, TableSpec

ACCOUNTS = TableSpec(
    layer="silver",
    name="accounts",
    schema=T.StructType([
        T.StructField("account", T.StringType(), False),   # "<network>:<native account id>"
        T.StructField("network", T.StringType(), False),
        T.StructField("profile_id", T.StringType(), False),
        T.StructField("linked_at", T.DateType(), False),
        T.StructField("as_of", T.DateType(), False),       # the run date whose view this is
    ]),
    keys=("as_of", "account"),
    partition_by=("as_of",),
    contract="per run date: one row per network account linked by then, naming the registered "
             "profile it belongs to (each date its own partition, so a backfill of a past date "
             "never changes what today's nightly reads)",
    personal=PersonalData(profile_columns=("profile_id",), account_columns=("account",)),
    queryable=True,
)

PROFILES = TableSpec(
    layer="silver",
    name="profiles",
    schema=T.StructType([
        T.StructField("profile_id", T.StringType(), False),
        T.StructField("accounts", T.ArrayType(T.StringType(), True), False),
        T.StructField("opted_out", T.BooleanType(), False),
        T.StructField("opted_out_at", T.DateType(), True),
        T.StructField("as_of", T.DateType(), False),
    ]),
    keys=("as_of", "profile_id"),
    partition_by=("as_of",),
    contract="per run date: one row per registered profile, its linked accounts and opt-out flag",
    personal=PersonalData(profile_columns=("profile_id",)),
    queryable=True,
)
