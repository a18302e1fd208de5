from pyspark.sql import types as T

from schemas import Between, Reconcile, Suite, PersonalData, TableSpec
from schemas.gold_engagement_edges import ENGAGEMENT_EDGES

NETWORK_INFLUENCE = TableSpec(
    layer="gold",
    name="network_influence",
    schema=T.StructType([
        T.StructField("snapshot_date", T.DateType(), False),
        T.StructField("profile_id", T.StringType(), False),
        T.StructField("influence", T.DoubleType(), False),   # sums to 1 over the snapshot
        # received influence beyond the floor every vertex gets, in average-vertex units
        # (independent of the graph's size): what the score's network component reads
        T.StructField("relative_influence", T.DoubleType(), False),
        T.StructField("iterations", T.IntegerType(), False),
        T.StructField("residual", T.DoubleType(), False),    # final L1 change
    ]),
    keys=("snapshot_date", "profile_id"),
    partition_by=("snapshot_date",),
    contract="one row per profile in the engagement graph per snapshot date; influence sums to 1",
    suite=Suite(
        ranges=(Between("influence", 0.0, 1.0), Between("relative_influence", 0.0),
                Between("iterations", 1.0), Between("residual", 0.0)),
        sums=(Between("influence", 0.999, 1.001),),
        # one row per vertex of the day's graph: every engager and every author
        reconcile=Reconcile(ENGAGEMENT_EDGES, distinct_of=("engager_id", "author_id")),
        row_drift=True,
    ),
    personal=PersonalData(profile_columns=("profile_id",)),
    queryable=True,
)
