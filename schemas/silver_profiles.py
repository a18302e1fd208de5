from pyspark.sql import types as T

from schemas import TableSpec

ACCOUNTS = TableSpec(
    layer="silver",
    name="accounts",
    schema=T.StructType([
        T.StructField("account", T.StringType(), False),   # "<network>:<native account id>"
        T.StructField("network", T.StringType(), False),
        T.StructField("profile_id", T.StringType(), False),
        T.StructField("linked_at", T.DateType(), False),
    ]),
    keys=("account",),
    partition_by=(),
    contract="one row per linked network account, naming the registered profile it belongs to",
)

PROFILES = TableSpec(
    layer="silver",
    name="profiles",
    schema=T.StructType([
        T.StructField("profile_id", T.StringType(), False),
        T.StructField("accounts", T.ArrayType(T.StringType(), True), False),
        T.StructField("opted_out", T.BooleanType(), False),
        T.StructField("opted_out_at", T.DateType(), True),
    ]),
    keys=("profile_id",),
    partition_by=(),
    contract="one row per registered profile: its linked accounts and opt-out flag",
)
