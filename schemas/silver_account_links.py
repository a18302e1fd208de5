from pyspark.sql import types as T

from schemas import PersonalData, TableSpec

RECORD_TYPES = ("link", "opt_out")
# registered profiles (public-only ids, `pub:…`, have no owner to link or opt out)
PROFILE_ID_PATTERN = r"^p[0-9]{1,12}$"

ACCOUNT_LINKS = TableSpec(
    layer="silver",
    name="account_links",
    schema=T.StructType([
        T.StructField("link_id", T.StringType(), False),      # SHA-256 of the record's fields
        T.StructField("record", T.StringType(), False),       # link | opt_out
        T.StructField("profile_id", T.StringType(), False),
        T.StructField("network", T.StringType(), True),       # link records only
        T.StructField("account_id", T.StringType(), True),
        T.StructField("account", T.StringType(), True),       # "<network>:<account id>"
        T.StructField("at", T.DateType(), False),
        T.StructField("landing_date", T.DateType(), False),
        T.StructField("source_file", T.StringType(), False),
        T.StructField("line_number", T.LongType(), False),
        T.StructField("ingest_run_id", T.StringType(), False),
    ]),
    keys=("link_id",),
    partition_by=("landing_date",),
    contract="one row per distinct valid account-link or opt-out record, as first delivered; "
             "the profiles job reads those delivered by its run date",
    personal=PersonalData(profile_columns=("profile_id",), account_columns=("account",)),
    queryable=True,
)
