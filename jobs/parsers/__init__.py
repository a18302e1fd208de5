"""One parser per network: native record shape → the normalised silver.events columns.

A parser declares its fields (JSON path, type, when required) and how to read its timestamp;
`jobs.parsers.common.parse` does the rest with Spark's variant JSON functions (no Python UDFs).
"""
from jobs.parsers import chirp, facepage, linkup, vidtube

PARSERS = {module.NETWORK: module for module in (chirp, facepage, linkup, vidtube)}
