"""The window carried across nights (jobs/transforms/carry.py): integer states by account."""
from pyspark.sql import types as T

from schemas import PersonalData, TableSpec
from schemas.silver_events import SCORED_TYPES

_INTERACTIONS = T.StructType([T.StructField(t, T.LongType(), True) for t in SCORED_TYPES if t != "post"])
_ACTIONS = T.StructType([T.StructField(t, T.LongType(), True) for t in SCORED_TYPES])

_STAMP = [
    T.StructField("as_of", T.DateType(), False),           # the window ends here ...
    T.StructField("window_start", T.DateType(), False),    # ... and starts here
    # the latest build of a delivery day's slice (ops.partial_slices) the state reflects: the next
    # night carries it only if no slice up to its date has been built again since
    T.StructField("slices_built_at", T.TimestampType(), True),
]

WINDOW_PAIRS = TableSpec(
    layer="silver",
    name="window_pairs",
    schema=T.StructType([
        *_STAMP,
        T.StructField("actor_account", T.StringType(), False),
        T.StructField("target_account", T.StringType(), False),
        # (event day, the interactions of the day by type), in day order; no day of zero
        T.StructField("days", T.ArrayType(T.StructType([T.StructField("event_date", T.DateType(), True),
                                                    T.StructField("n", _INTERACTIONS, True)]), True), False),
    ]),
    keys=("as_of", "actor_account", "target_account"),
    partition_by=("as_of",),
    contract="per window end date, one row per engager account → author account that interacted "
             "in the window (events delivered by that date), with its interactions per event day and "
             "type: the previous date's state with the day that left dropped and the new slice added",
    personal=PersonalData(account_columns=("actor_account", "target_account")),
)

WINDOW_SOLO = TableSpec(
    layer="silver",
    name="window_solo",
    schema=T.StructType([
        *_STAMP,
        T.StructField("actor_account", T.StringType(), False),
        # (event day, its actions by type that are no interaction with an account: posts, actions
        # on content of no known account), in day order
        T.StructField("days", T.ArrayType(T.StructType([T.StructField("event_date", T.DateType(), True),
                                                    T.StructField("n", _ACTIONS, True)]), True), False),
    ]),
    keys=("as_of", "actor_account"),
    partition_by=("as_of",),
    contract="per window end date, one row per account with actions in the window that are not "
             "interactions with an account (posts, actions on unknown content), counted per event day and type",
    personal=PersonalData(account_columns=("actor_account",)),
)
