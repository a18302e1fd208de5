"""Pure transforms: DataFrame in, DataFrame out. No reads, writes, clocks or session config."""
