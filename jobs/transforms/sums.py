"""Order-independent sums of doubles.

Floating-point addition is not associative: a shuffle that delivers rows in another order (a
rerun, another partition count, a cluster) changes the last bits of a double sum, and a rerun
must publish the same bytes. Each term is rounded to a fixed-point long first; long addition
is exact, so the sum is the same in any order.
"""
from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

WEIGHT_SCALE = 1e9    # interaction weights, reach: nano-units, sums up to ~9e9
SHARE_SCALE = 1e18    # probabilities and ranks (≤ 1 each, sums ≤ ~9): 1e-18 resolution


def fixed_point(value: Column | str, scale: float = WEIGHT_SCALE) -> Column:
    """`value` rounded to 1/scale, as a long: a term that sums exactly (a sum of such terms may be
    summed again, e.g. per group first, and gives the same long)."""
    col = F.col(value) if isinstance(value, str) else value
    return F.round(col * F.lit(scale)).cast("long")


def exact_sum(value: Column | str, scale: float = WEIGHT_SCALE) -> Column:
    """Sum of `value` rounded to 1/scale per term, identical whatever the row order."""
    return fixed_point_sum(fixed_point(value, scale), scale)


def fixed_point_sum(units: Column | str, scale: float = WEIGHT_SCALE) -> Column:
    """The sum of fixed_point terms (or of their sums), back to a double."""
    return F.sum(units) / F.lit(scale)
