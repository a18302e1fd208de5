"""Spark jobs: one module per job, each `read → pure transforms → write`."""
