"""One parser per network: native record shape → the normalised silver.events columns.

A parser declares its fields (JSON path, type, when required) and how to read its timestamp;
`jobs.parsers.common.parse` does the rest with Spark's variant JSON functions (no Python UDFs).
Adding a network is one module here and its entry below (docs/landing-formats.md says how).
"""
from jobs.parsers import activitypub, bluesky, chirp, facepage, linkup, vidtube

PARSERS = {module.NETWORK: module for module in (chirp, facepage, linkup, vidtube, bluesky, activitypub)}
