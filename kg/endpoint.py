"""Run a query on any SPARQL 1.1 endpoint over HTTP (``ccakg query --endpoint URL``): Virtuoso, ``ccakg serve``,
Oxigraph server, Fuseki, QLever.

The query is sent as the SPARQL 1.1 Protocol says (POST, form-encoded) with the ccakg prefixes it uses and does
not declare (:func:`kg.web.gateway.with_known_prefixes`); rows come back as SPARQL JSON results and are given as
:func:`kg.query.run_query` gives them (each term's value), graphs as N-Triples, written out like a local result.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from extractors.errors import QueryError
from kg.query import serialize_graph
from kg.web.gateway import RE_NOT_KEYWORDS, with_known_prefixes

ROWS_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.5"
RE_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.IGNORECASE)
GRAPH_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
               "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML}
VIRTUOSO_ASK = "__ASK_RETVAL"
PARTIAL = "X-SQL-State"           # Virtuoso's "anytime" answer: the rows found before its time limit
TRUNCATED = "X-SPARQL-MaxRows"   # Virtuoso's header when ResultSetMaxRows cut the result


def run_endpoint(url: str, sparql: str, graph_format: str = "turtle",
                 timeout: float = 120) -> tuple[list[str], list[tuple], str | None]:
    """(columns, rows, None) for SELECT/ASK; ([], [], graph text) for CONSTRUCT/DESCRIBE, from ``url``."""
    body, content_type, headers = _post(url, with_known_prefixes(sparql), _accept(sparql), timeout)
    if headers.get(PARTIAL):
        raise QueryError(f"--endpoint {url} stopped the query at its time limit and sent a partial result "
                         f"({headers.get('X-SQL-Message', headers[PARTIAL])}); ask the server's administrator "
                         f"for a longer MaxQueryExecutionTime, or narrow the query")
    if headers.get(TRUNCATED):
        raise QueryError(f"--endpoint {url} cut the result at {headers[TRUNCATED]} rows (Virtuoso's "
                         f"ResultSetMaxRows); raise it in the server's virtuoso.ini or add a LIMIT")
    if content_type in ("application/sparql-results+json", "application/json"):
        return _rows(url, body)
    if content_type in GRAPH_TYPES:
        try:
            triples = [quad.triple for quad in ox.parse(body, format=GRAPH_TYPES[content_type])]
        except SyntaxError as exc:
            raise QueryError(f"--endpoint {url}: the graph it sent cannot be read: {exc}") from None
        return [], [], serialize_graph(triples, graph_format)
    raise QueryError(f"--endpoint {url} answered {content_type or 'without a content type'}, "
                     f"not SPARQL results; is it a SPARQL endpoint?")


def _accept(sparql: str) -> str:
    """What to ask for: SPARQL JSON results for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE."""
    form = RE_FORM.search(RE_NOT_KEYWORDS.sub(" ", sparql))
    return GRAPH_ACCEPT if form and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE") else ROWS_ACCEPT


def _post(url: str, sparql: str, accept: str, timeout: float) -> tuple[bytes, str, dict]:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise QueryError(f"--endpoint {url!r}: expected an http:// or https:// URL (e.g. http://host:8890/sparql)")
    request = urllib.request.Request(url, data=urllib.parse.urlencode({"query": sparql}).encode("utf-8"),
                                     headers={"Accept": accept,
                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout or None) as response:
            kind = response.headers.get_content_type()
            return response.read(), kind, dict(response.headers)
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", errors="replace").strip()
        raise QueryError(f"--endpoint {url} answered {exc.code} {exc.reason}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise QueryError(f"--endpoint {url}: cannot reach it ({reason})") from None


def _rows(url: str, body: bytes) -> tuple[list[str], list[tuple], None]:
    try:
        result = json.loads(body)
        if "boolean" in result:
            return ["result"], [(bool(result["boolean"]),)], None
        columns = result["head"]["vars"]
        bindings = result["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as exc:
        raise QueryError(f"--endpoint {url}: its answer is not SPARQL JSON results ({exc})") from None
    if columns == [VIRTUOSO_ASK]:   # Virtuoso answers ASK as one row of one column
        return ["result"], [(bool(bindings) and bindings[0][VIRTUOSO_ASK]["value"] == "1",)], None
    return columns, [tuple(_value(row.get(column)) for column in columns) for row in bindings], None


def _value(term: dict | None) -> str | None:
    return None if term is None else term["value"]


def run_saved_endpoint(saved, url: str, params: dict[str, str] | None = None, graph_format: str = "turtle",
                       timeout: float = 120) -> tuple[list[str], list[tuple], str | None]:
    """A saved query (:mod:`kg.saved`) on ``url``; ``build-diff`` needs two build folders, not an endpoint."""
    from kg.saved import render

    if saved.runner != "sparql":
        raise QueryError(f"saved query {saved.name} compares two build folders and cannot run on --endpoint; "
                         f"run it on the builds: ccakg query NEW --saved {saved.name} --param other=OLD")
    return run_endpoint(url, render(saved, params), graph_format, timeout)
