"""Every table Clout writes, found in the modules of schemas/: the one list of tables.

Erasure reads `personal` (which rows name a person), analyst access reads `queryable`, the
data-quality gate and `clout dq` read `suite`. A new table module is picked up by all three.
"""
from __future__ import annotations

import importlib
import pkgutil

import schemas
from schemas import TableSpec

LAYERS = ("bronze", "silver", "gold", "ops")


def _discover() -> tuple[TableSpec, ...]:
    found: dict[str, TableSpec] = {}
    for info in pkgutil.iter_modules(schemas.__path__):
        module = importlib.import_module(f"{schemas.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, TableSpec):
                found[value.qualified_name] = value
    return tuple(sorted(found.values(), key=lambda spec: (LAYERS.index(spec.layer), spec.name)))


TABLES: tuple[TableSpec, ...] = _discover()
BY_NAME: dict[str, TableSpec] = {spec.qualified_name: spec for spec in TABLES}
QUERYABLE: dict[str, TableSpec] = {spec.name: spec for spec in TABLES if spec.queryable}
AUDITED: tuple[TableSpec, ...] = tuple(spec for spec in TABLES if spec.suite)
PERSONAL: tuple[TableSpec, ...] = tuple(spec for spec in TABLES if spec.personal)
