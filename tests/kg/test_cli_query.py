"""`ccakg query --format`: CONSTRUCT/DESCRIBE as Turtle, N-Triples or JSON-LD; CSV as `export` writes it."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.export import csv_bytes

runner = CliRunner()
PERSONS = "CONSTRUCT { ?p a foaf:Person ; skos:prefLabel ?l } WHERE { ?p a foaf:Person ; skos:prefLabel ?l }"
PARSE = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


@pytest.fixture(scope="module")
def out(examples_build):
    return examples_build[0]


def query(out, *args: str):
    return runner.invoke(cli, ["query", str(out), *args])


def expected_persons(out) -> set:
    result = query(out, "SELECT DISTINCT ?p ?l ?lang WHERE { ?p a foaf:Person ; skos:prefLabel ?l BIND(lang(?l) AS ?lang) }",
                   "--format", "json")
    import json

    return {(r["p"], r["l"], r["lang"]) for r in json.loads(result.output)}


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
def test_construct_in_each_graph_format_parses_back(out, fmt):
    result = query(out, PERSONS, "--format", fmt)
    assert result.exit_code == 0, result.output
    triples = list(ox.parse(result.stdout_bytes, format=PARSE[fmt]))
    labels = {(t.subject.value, t.object.value, t.object.language) for t in triples if isinstance(t.object, ox.Literal)}
    assert labels == expected_persons(out) and len(labels) >= 6
    assert len(triples) == len(set(triples))   # each triple once, though several texts state it


def test_construct_defaults_to_turtle_with_prefixes_and_describe_honours_format(out):
    result = query(out, PERSONS)
    assert result.exit_code == 0 and "@prefix foaf: <http://xmlns.com/foaf/0.1/>" in result.output
    described = query(out, "DESCRIBE ?p WHERE { ?p a foaf:Person } LIMIT 1", "--format", "ntriples")
    assert described.exit_code == 0 and "@prefix" not in described.output
    assert all(line.endswith(" .") for line in described.output.splitlines())


def test_format_that_does_not_fit_the_query_is_bad_usage(out):
    result = query(out, PERSONS, "--format", "csv")
    assert result.exit_code == 2 and "give a graph: --format turtle, ntriples, jsonld" in result.output
    result = query(out, "SELECT ?p WHERE { ?p a foaf:Person }", "--format", "turtle")
    assert result.exit_code == 2 and "SELECT and ASK give rows" in result.output


def test_query_csv_is_the_export_csv(out):
    sparql = ('SELECT ?x ?n ?name WHERE { VALUES (?x ?n) { ("=HYPERLINK(1)" "-3.5") ("@SUM(1)" "7") } '
              '<https://w3id.org/ccakg/id/p-jxxpanxw4p> skos:prefLabel ?name FILTER(lang(?name) = "zh-hans") } ORDER BY ?x')
    result = query(out, sparql, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == csv_bytes(["x", "n", "name"], [["=HYPERLINK(1)", "-3.5", "陈立新"],
                                                                 ["@SUM(1)", "7", "陈立新"]])
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfx,n,name\r\n'=HYPERLINK(1),-3.5,")
