"""kg.endpoint and `ccakg query --endpoint`: the same commands against a real `ccakg serve` (Oxigraph) and a real
Virtuoso on loopback, with the same output as a query on the build folder."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from extractors.errors import QueryError
from kg.cli import cli
from kg.endpoint import run_endpoint, run_saved_endpoint
from kg.saved import load_saved
from kg.web.gateway import QUERY_PATH

runner = CliRunner()

SELECT = "SELECT ?name WHERE { ?a a kgo:Agency ; skos:prefLabel ?name FILTER(langMatches(lang(?name), 'zh-Hans')) } ORDER BY ?name"
CONSTRUCT = "CONSTRUCT { ?a a kgo:Agency } WHERE { ?a a kgo:Agency }"


def local(out, *args: str) -> str:
    result = runner.invoke(cli, ["query", str(out), *args])
    assert result.exit_code == 0, result.output
    return result.output


def remote(url: str, *args: str) -> str:
    result = runner.invoke(cli, ["query", "--endpoint", url, *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def endpoints(served_examples, published_examples):
    """{name: endpoint URL} of ccakg serve and Virtuoso, both holding the example build, and the build folder."""
    url, out = served_examples
    running, _, _ = published_examples
    return {"ccakg serve": url + QUERY_PATH, "virtuoso": running.sparql}, out


@pytest.mark.parametrize("engine", ["ccakg serve", "virtuoso"])
def test_query_text_file_and_saved_print_what_the_build_folder_prints(endpoints, engine, tmp_path):
    urls, out = endpoints
    url = urls[engine]
    for fmt in ("table", "csv", "tsv", "json"):
        assert remote(url, SELECT, "--format", fmt) == local(out, SELECT, "--format", fmt)
    query_file = tmp_path / "q.rq"
    query_file.write_text(SELECT, encoding="utf-8")
    assert remote(url, "--file", str(query_file)) == local(out, SELECT)
    saved = ["--saved", "posts-by-year", "--param", "person=林國平"]
    assert remote(url, *saved) == local(out, *saved)
    assert "林国平" in remote(url, *saved)
    assert remote(url, "ASK { ?a a kgo:Agency }") == local(out, "ASK { ?a a kgo:Agency }")
    assert sorted(remote(url, CONSTRUCT, "--format", "ntriples").splitlines()) == sorted(
        local(out, CONSTRUCT, "--format", "ntriples").splitlines())


def test_build_diff_cannot_run_on_an_endpoint(endpoints):
    urls, _ = endpoints
    with pytest.raises(QueryError, match="cannot run on --endpoint"):
        run_saved_endpoint(load_saved("build-diff"), urls["ccakg serve"], {"other": "x"})


def test_errors_name_the_endpoint(endpoints):
    urls, out = endpoints
    with pytest.raises(QueryError, match="--endpoint http://127.0.0.1:1/sparql: cannot reach it"):
        run_endpoint("http://127.0.0.1:1/sparql", SELECT, timeout=5)
    with pytest.raises(QueryError, match="expected an http"):
        run_endpoint("ftp://example.org/sparql", SELECT)
    for url in urls.values():
        with pytest.raises(QueryError, match=r"answered 400"):
            run_endpoint(url, "SELECT ?x WHERE { ?x ?y }")
    result = runner.invoke(cli, ["query", str(out), "--endpoint", urls["virtuoso"], SELECT])
    assert result.exit_code == 2 and "not both" in result.output
