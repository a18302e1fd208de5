"""The `window` stage's carried state (jobs/transforms/carry.py) for the run date: the previous
date's state with the day that left dropped and the run date's slice added, or, when that state
cannot be carried, the state built from the window's partials. Either way the same rows.

A state is carried only from the day before, built over the same window length, from slices
that have not been built again since (a late file refolds its delivery day: the next night
rebuilds the state) and never with late events (`include_late`: a backfill that looks past the
run date builds its state from the partials and keeps it in memory). `clout forget` deletes the
profile's accounts from the states as from the partials, so a carried state stays exact.
Two states are kept, the run date's and the day before's (a rerun of the date carries again).
"""
from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.transforms.carry import carried, window_state
from jobs.transforms.engagement import window_start
from pipelines.core.io import in_current_shape, read_table, replace_table, replace_where, table_exists
from pipelines.core.jobrun import JobContext
from schemas.ops_partial_slices import PARTIAL_SLICES
from schemas.silver_daily_partials import DAILY_PARTIALS
from schemas.silver_window_state import WINDOW_PAIRS, WINDOW_SOLO

STATES = {"pairs": WINDOW_PAIRS, "solo": WINDOW_SOLO}


def slices_built_at(ctx: JobContext, through: dt.date) -> dt.datetime | None:
    """The latest build of any delivery day's slice up to `through`."""
    if not table_exists(ctx.spark, ctx.cfg, PARTIAL_SLICES):
        return None
    return (read_table(ctx.spark, ctx.cfg, PARTIAL_SLICES).where(F.col("landing_date") <= F.lit(through))
            .agg(F.max("built_at")).first()[0])


def previous_states(ctx: JobContext) -> dict[str, DataFrame] | None:
    """The day before's states, if tonight can carry them."""
    if ctx.include_late or not all(in_current_shape(ctx.spark, ctx.cfg, spec) for spec in STATES.values()):
        return None
    day_before = ctx.run_date - dt.timedelta(days=1)
    states = {name: read_table(ctx.spark, ctx.cfg, spec).where(F.col("as_of") == F.lit(day_before))
              for name, spec in STATES.items()}
    expected = (window_start(day_before, ctx.cfg.pipeline.window_days), slices_built_at(ctx, day_before))
    for state in states.values():
        stamp = state.select("window_start", "slices_built_at").limit(1).collect()
        if not stamp or tuple(stamp[0]) != expected:
            return None
    return states


def states_of(ctx: JobContext, window_rows: DataFrame) -> tuple[dict[str, DataFrame], str]:
    """The run date's states as written (with a line saying how they were made). `window_rows`:
    the window's partial rows (jobs/window.py), read only when the state cannot be carried."""
    days = ctx.cfg.pipeline.window_days
    previous = previous_states(ctx)
    if previous is not None:
        delivered = read_table(ctx.spark, ctx.cfg, DAILY_PARTIALS).where(F.col("landing_date") == F.lit(ctx.run_date))
        states, how = carried(previous, delivered, snapshot_date=ctx.run_date, window_days=days), "carried"
    else:
        states, how = window_state(window_rows, snapshot_date=ctx.run_date, window_days=days), "built"
    stamp = F.lit(slices_built_at(ctx, ctx.run_date)).cast("timestamp")
    if ctx.include_late:
        return {name: STATES[name].conform(state.withColumn("slices_built_at", stamp)).localCheckpoint()
                for name, state in states.items()}, f"window state {how} (late events: not kept)"
    day_before = ctx.run_date - dt.timedelta(days=1)
    for name, spec in STATES.items():
        state = spec.conform(states[name].withColumn("slices_built_at", stamp))
        if not in_current_shape(ctx.spark, ctx.cfg, spec):   # first night, or a state of an older release
            replace_table(state, ctx.cfg, spec)
            continue
        # the run date's state replaced and those older than the day before dropped, in one commit
        replace_where(state, ctx.cfg, spec, f"as_of = DATE'{ctx.run_date}' OR as_of < DATE'{day_before}'")
    return ({name: read_table(ctx.spark, ctx.cfg, spec).where(F.col("as_of") == F.lit(ctx.run_date))
             for name, spec in STATES.items()}, f"window state {how}")
