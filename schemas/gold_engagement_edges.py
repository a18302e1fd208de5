from pyspark.sql import types as T

from schemas import Between, Suite, PersonalData, TableSpec

ENGAGEMENT_EDGES = TableSpec(
    layer="gold",
    name="engagement_edges",
    schema=T.StructType([
        T.StructField("snapshot_date", T.DateType(), False),
        T.StructField("engager_id", T.StringType(), False),
        T.StructField("author_id", T.StringType(), False),
        T.StructField("interactions", T.LongType(), False),
        # the engager's quality in the window (jobs.transforms.engagement.engager_quality), the
        # same on each of its edges: computed once a night, read by the scores and topics jobs
        T.StructField("engager_quality", T.DoubleType(), False),
        # type × recency × engager quality, summed: before the anti-gaming discounts
        T.StructField("raw_weight", T.DoubleType(), False),
        # raw_weight damped for bursts, then × ring_factor × automation_factor
        T.StructField("weight", T.DoubleType(), False),
        T.StructField("burst_factor", T.DoubleType(), False),       # (0, 1]: burst weeks damped
        T.StructField("ring_factor", T.DoubleType(), False),        # < 1: mutual edge inside a ring
        T.StructField("automation_factor", T.DoubleType(), False),  # < 1: the author posts like a machine
    ]),
    keys=("snapshot_date", "engager_id", "author_id"),
    partition_by=("snapshot_date",),
    contract="one row per engager profile → author profile pair per snapshot date; never a self-edge",
    suite=Suite(ranges=(Between("interactions", 1.0), Between("engager_quality", 0.0, 1.0),
                        Between("raw_weight", 0.0), Between("weight", 0.0),
                        Between("burst_factor", 0.0, 1.0), Between("ring_factor", 0.0, 1.0),
                        Between("automation_factor", 0.0, 1.0)),
                row_drift=True),
    personal=PersonalData(profile_columns=("engager_id", "author_id")),
    queryable=True,
)
