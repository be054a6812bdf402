"""Run a SPARQL query against a built store, read-only."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError, StoreError
from kg.namespaces import SPARQL_PREFIXES


def with_prefixes(sparql: str) -> str:
    """Prepend the project's prefixes unless the query declares them itself."""
    return sparql if "PREFIX" in sparql.upper().split("SELECT")[0] else SPARQL_PREFIXES + sparql


def run_query(store_dir: Path, sparql: str) -> tuple[list[str], list[tuple], str | None]:
    """(columns, rows, None) for SELECT/ASK; ([], [], N-Triples text) for CONSTRUCT/DESCRIBE."""
    try:
        store = ox.Store.read_only(str(store_dir))
    except OSError as exc:
        raise StoreError(f"{store_dir}: cannot open the store read-only ({exc})") from exc
    try:
        result = store.query(with_prefixes(sparql), use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"bad SPARQL query: {exc}") from exc
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        return ["result"], [(bool(result),)], None
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        rows = [tuple(_value(solution[v]) for v in columns) for solution in result]
        return columns, rows, None
    text = ox.serialize(result, format=ox.RdfFormat.TURTLE).decode("utf-8")
    return [], [], text


def _value(term) -> object:
    if term is None:
        return None
    return term.value
