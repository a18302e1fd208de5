"""The one Spark session factory, used by jobs, the CLI and tests."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from pyspark.sql import SparkSession

from pipelines.core.config import CONF_DIR, Config
from pipelines.core.errors import UserError
from pipelines.core.jars import resolved_jars

LOG_CONFIG = CONF_DIR / "log4j2.properties"
DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"


def under_spark_submit() -> bool:
    """True when spark-submit launched this driver: then master, memory and jars are its job."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def get_spark(cfg: Config, app_name: str = "clout") -> SparkSession:
    builder = SparkSession.builder.appName(app_name)
    if not under_spark_submit():
        # Python workers (influence's block arithmetic) run this interpreter, with its numpy;
        # PySpark reads the variable, not spark.pyspark.python, when it starts the context
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        jars = resolved_jars(cfg)
        if not jars:
            raise UserError("JVM packages are not resolved: run `make setup` first")
        builder = (builder.master(cfg.spark.master)
                   .config("spark.driver.memory", cfg.spark.driver_memory)
                   .config("spark.driver.extraJavaOptions",
                           f"-Dlog4j.configurationFile={LOG_CONFIG} {cfg.spark.driver_java_options}".strip())
                   .config("spark.jars", ",".join(jars)))
    builder = (builder
               .config("spark.sql.extensions", DELTA_EXTENSION)
               .config("spark.sql.catalog.spark_catalog", DELTA_CATALOG)
               .config("spark.sql.shuffle.partitions", str(cfg.spark.shuffle_partitions))
               .config("spark.ui.showConsoleProgress", str(sys.stderr.isatty()).lower())
               # reliable influence checkpoints go with the DataFrames that no longer need them
               .config("spark.cleaner.referenceTracking.cleanCheckpoints", "true")
               # PySpark's DataFrame debugging records the calling line of every column function in
               # the JVM (a stack walk and three py4j calls each): a nightly builds tens of thousands
               # of them, and the record only decorates error messages. Off, the test sample's
               # second night takes 52.6 s instead of 57.9 (docs/capacity.md, tuning table)
               .config("spark.python.sql.dataFrameDebugging.enabled", "false"))
    for key, value in cfg.spark.resolved_conf().items():
        builder = builder.config(key, value)
    if cfg.paths.spark_events:
        cfg.paths.spark_events.mkdir(parents=True, exist_ok=True)
        builder = (builder.config("spark.eventLog.enabled", "true")
                   .config("spark.eventLog.dir", cfg.paths.spark_events.as_uri()))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    if not under_spark_submit():
        cfg.paths.checkpoints.mkdir(parents=True, exist_ok=True)
    spark.sparkContext.setCheckpointDir(str(cfg.paths.checkpoints))
    return spark


@contextmanager
def session_conf(spark: SparkSession, settings: dict[str, str]):
    """Set runtime SQL settings for the actions inside the block, then restore them."""
    previous = {k: spark.conf.get(k, None) for k in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            spark.conf.unset(key) if value is None else spark.conf.set(key, value)
