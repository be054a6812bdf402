"""Run a SPARQL query against a built store, read-only."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.store import OxigraphStore


def run_query(store_dir: Path, sparql: str) -> tuple[list[str], list[tuple], str | None]:
    """(columns, rows, None) for SELECT/ASK; ([], [], Turtle text) for CONSTRUCT/DESCRIBE."""
    store = OxigraphStore.open_read_only(store_dir)
    try:
        result = store.query(sparql)
        if isinstance(result, ox.QueryBoolean):
            return ["result"], [(bool(result),)], None
        if isinstance(result, ox.QuerySolutions):
            columns = [v.value for v in result.variables]
            return columns, [tuple(_value(solution[v]) for v in columns) for solution in result], None
        return [], [], ox.serialize(result, format=ox.RdfFormat.TURTLE).decode("utf-8")
    finally:
        store.close()


def _value(term) -> object:
    return None if term is None else term.value
