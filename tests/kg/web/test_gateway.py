"""The gateway's SPARQL rules (kg.web.gateway): ccakg's prefixes need no declaration, an unknown prefix gets a 400
that names it. Unit tests of the text rules, then real clients (urllib, SPARQLWrapper, curl) against a real
server on loopback over the example build."""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import urllib.parse
import urllib.request

import pytest
from SPARQLWrapper import CSV, JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from extractors.errors import QueryError
from kg.namespaces import PREFIXES, SPARQL_PREFIXES
from kg.query import run_query
from kg.web.gateway import request_with_prefixes, with_known_prefixes
from kg.web.serve import QUERY_PATH
from tests.kg.web.conftest import TIMEOUT, fetch

BARE = """SELECT DISTINCT ?agency ?name WHERE {
  ?agency a kgo:Agency ; skos:prefLabel ?name . FILTER(lang(?name) = "zh-hans")
} ORDER BY ?agency"""
UNKNOWN = "SELECT * WHERE { ?s a nope:Thing }"
FORM = "application/x-www-form-urlencoded"


# -- the rule on query texts ---------------------------------------------------------------------------


def test_known_prefixes_are_declared_on_the_first_line() -> None:
    completed = with_known_prefixes(BARE)
    assert completed.endswith(BARE)
    first_line = completed.splitlines()[0]
    assert first_line.startswith(f"PREFIX kgo: <{PREFIXES['kgo']}> PREFIX skos: <{PREFIXES['skos']}> SELECT")
    assert completed.count("\n") == BARE.count("\n")            # error positions keep their line numbers
    assert "PREFIX rdf:" not in completed                          # only what the query uses


def test_declared_prefixes_are_left_alone_even_when_they_differ() -> None:
    query = "PREFIX kg: <http://example.org/mine/>\nSELECT * WHERE { ?s a kg:Thing ; skos:prefLabel ?n }"
    assert with_known_prefixes(query) == f"PREFIX skos: <{PREFIXES['skos']}> " + query
    full = SPARQL_PREFIXES + BARE
    assert with_known_prefixes(full) == full
    assert with_known_prefixes("prefix kgo: <x:y#> ASK { ?a a kgo:Agency }").startswith("prefix kgo:")


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "nope:Thing" }',                     # a string
    "SELECT * WHERE { ?s ?p 'nope:x' . ?s ?p '''nope:y''' }",
    "SELECT * WHERE { ?s a <http://nope.example/x:y> }",         # an IRI
    "# nope:this is a comment\nASK {}",                           # a comment
    "SELECT * WHERE { _:b0 ?p ?o }",                              # a blank node
])
def test_no_prefix_is_seen_in_strings_iris_comments_or_blank_nodes(query: str) -> None:
    assert with_known_prefixes(query) == query


def test_a_local_name_may_hold_colons() -> None:
    assert with_known_prefixes("ASK { kg:a:b:c ?p ?o }") == f"PREFIX kg: <{PREFIXES['kg']}> ASK {{ kg:a:b:c ?p ?o }}"


@pytest.mark.parametrize("query,prefix", [(UNKNOWN, "nope"), ("ASK { ?s a :Thing }", ""),
                                          ("ASK { ?s ex.v2:p 资料:名称 }", "ex.v2"), ("ASK { ?s 资料:名称 ?o }", "资料")])
def test_an_unknown_prefix_is_named(query: str, prefix: str) -> None:
    with pytest.raises(QueryError, match=re.escape(f"unknown prefix {prefix}: in the query")) as error:
        with_known_prefixes(query)
    assert "kgo, kg" in str(error.value)


def test_requests_are_completed_wherever_they_carry_sparql() -> None:
    path, body = request_with_prefixes("GET", "/query?" + urllib.parse.urlencode({"query": BARE}), "", b"")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["query"] == [with_known_prefixes(BARE)]
    form = urllib.parse.urlencode({"query": BARE, "default-graph-uri": "x:y"}).encode()
    _, body = request_with_prefixes("POST", "/query", FORM + "; charset=utf-8", form)
    assert urllib.parse.parse_qs(body.decode()) == {"query": [with_known_prefixes(BARE)], "default-graph-uri": ["x:y"]}
    _, body = request_with_prefixes("POST", "/query", "application/sparql-query", BARE.encode())
    assert body.decode() == with_known_prefixes(BARE)
    _, body = request_with_prefixes("POST", "/update", "application/sparql-update",
                                    b"INSERT DATA { kg:a skos:prefLabel 'x' }")
    assert body.startswith(b"PREFIX kg: ")


def test_requests_that_need_nothing_pass_unchanged() -> None:
    path = "/query?query=ASK%20%7B%7D&default-graph-uri=http%3A%2F%2Fa"
    assert request_with_prefixes("GET", path, "", b"") == (path, b"")
    assert request_with_prefixes("GET", "/store?default", "", b"") == ("/store?default", b"")
    body = "query=ASK+%7B%7D".encode()
    assert request_with_prefixes("POST", "/query", FORM, body) == ("/query", body)


# -- real clients against a real server ----------------------------------------------------------------


@pytest.fixture(scope="module")
def endpoint(served_examples) -> str:
    return served_examples[0] + QUERY_PATH


@pytest.fixture(scope="module")
def expected(examples_build) -> list[tuple]:
    out, _ = examples_build
    rows = run_query(out / "store", SPARQL_PREFIXES + BARE)[1]
    assert len(rows) > 3
    return [tuple(str(v) for v in row) for row in rows]


def csv_rows(data: bytes) -> list[tuple]:
    return [tuple(row) for row in list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]]


def requests_for(endpoint: str, query: str) -> dict[str, urllib.request.Request]:
    """The same query the three ways the SPARQL protocol allows, asking for CSV."""
    accept = {"Accept": "text/csv"}
    return {
        "GET": urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": query}), headers=accept),
        "POST form": urllib.request.Request(endpoint, data=urllib.parse.urlencode({"query": query}).encode(),
                                            headers={**accept, "Content-Type": FORM}),
        "POST sparql-query": urllib.request.Request(endpoint, data=query.encode(),
                                                    headers={**accept, "Content-Type": "application/sparql-query"}),
    }


@pytest.mark.parametrize("way", ["GET", "POST form", "POST sparql-query"])
def test_urllib_query_without_prefix_lines_works(endpoint: str, expected: list[tuple], way: str) -> None:
    status, _, data = fetch(requests_for(endpoint, BARE)[way])
    assert status == 200
    assert csv_rows(data) == expected


@pytest.mark.parametrize("way", ["GET", "POST form", "POST sparql-query"])
def test_urllib_unknown_prefix_is_400_naming_it(endpoint: str, way: str) -> None:
    status, _, data = fetch(requests_for(endpoint, UNKNOWN)[way])
    assert status == 400
    message = data.decode("utf-8")
    assert message.startswith("unknown prefix nope: in the query: declare it (PREFIX nope: <...>)")
    assert "Prefix not found" not in message


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_query_without_prefix_lines_works(endpoint: str, expected: list[tuple], method: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setTimeout(TIMEOUT)
    client.setMethod(method)
    client.setQuery(BARE)
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]
    assert [(b["agency"]["value"], b["name"]["value"]) for b in bindings] == expected
    client.setReturnFormat(CSV)
    assert csv_rows(client.queryAndConvert()) == expected


def test_sparqlwrapper_unknown_prefix_says_which(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setTimeout(TIMEOUT)
    client.setQuery(UNKNOWN)
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed, match="unknown prefix nope:"):
        client.queryAndConvert()


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on PATH")
def test_curl_query_without_prefix_lines_works(endpoint: str, expected: list[tuple]) -> None:
    result = subprocess.run(["curl", "-sS", "--max-time", str(TIMEOUT), "-H", "Accept: text/csv",
                             "--data-urlencode", f"query={BARE}", endpoint],
                            capture_output=True, timeout=TIMEOUT + 5, check=True)
    assert csv_rows(result.stdout) == expected
    result = subprocess.run(["curl", "-sS", "--max-time", str(TIMEOUT), "-w", "%{http_code}",
                             "--data-urlencode", f"query={UNKNOWN}", endpoint],
                            capture_output=True, timeout=TIMEOUT + 5, check=True)
    assert result.stdout.decode().endswith("400") and b"unknown prefix nope:" in result.stdout


def test_results_are_the_same_with_or_without_prefix_lines(endpoint: str) -> None:
    with_lines = fetch(requests_for(endpoint, SPARQL_PREFIXES + BARE)["GET"])
    without = fetch(requests_for(endpoint, BARE)["GET"])
    assert with_lines[0] == without[0] == 200 and with_lines[2] == without[2]
