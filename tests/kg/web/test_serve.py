"""The SPARQL endpoint (``ccakg serve``): a real Oxigraph server on 127.0.0.1, queried with SPARQLWrapper.

Every request has a timeout and every server is stopped, whatever the test does.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper

from kg.cli import cli
from kg.namespaces import SPARQL_PREFIXES
from kg.query import run_query
from kg.web.gateway import Gateway, GatewayOptions
from kg.web.serve import (QUERY_PATH, UPDATE_PATH, ServeError, check_host, is_loopback, running_server,
                      server_binary, server_command)
from tests.conftest import sigint_default

TIMEOUT = 10  # seconds, for every HTTP request
TEXTS = {
    "001_a.txt": "国家认证认可监督管理委员会发布《认证认可检验检测发展“十三五”规划》。\n",
    "002_b.txt": "2018年1月，国家质检总局局长支树平出席全国认证认可工作会议并讲话。\n",
}
LABELS_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?e ?name WHERE { ?e skos:prefLabel ?name FILTER(lang(?name) = "zh-hans") } ORDER BY ?e ?name"""
CONSTRUCT_QUERY = SPARQL_PREFIXES + """
CONSTRUCT { ?e skos:prefLabel ?name } WHERE { ?e a kgo:Agency ; skos:prefLabel ?name }"""


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    """A store built from two short texts of our own."""
    from kg.pipeline import build

    root = tmp_path_factory.mktemp("serve")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in TEXTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    report = build([corpus], root / "out", html=False)
    assert len(report.documents) == 2
    return root / "out" / "store"


@pytest.fixture(scope="module")
def endpoint(store_dir: Path) -> Iterator[str]:
    """Base URL of a read-only server over ``store_dir``, stopped after the module."""
    with running_server(store_dir, timeout=10) as url:
        yield url


def sparql(url: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(url + QUERY_PATH, updateEndpoint=url + UPDATE_PATH)
    client.setTimeout(TIMEOUT)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def local_rows(store_dir: Path, query: str) -> list[tuple]:
    return run_query(store_dir, query)[1]


def http_get(url: str, headers: dict[str, str] | None = None):
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=TIMEOUT)


# -- the command line of the server --------------------------------------------------------------------


def test_server_binary_is_the_oxigraph_server() -> None:
    version = subprocess.run([server_binary(), "--version"], capture_output=True, text=True, timeout=TIMEOUT)
    assert version.returncode == 0 and version.stdout.startswith("oxigraph 0.5")


def test_server_command_is_read_only_loopback_union_without_cors_or_timeout(tmp_path: Path) -> None:
    """A backend's own options: CORS, the time limit and SERVICE are the gateway's."""
    command = server_command(tmp_path, "127.0.0.1", 7878)
    assert command[1] == "serve-read-only"
    assert command[command.index("--location") + 1] == str(tmp_path)
    assert command[command.index("--bind") + 1] == "127.0.0.1:7878"
    assert "--union-default-graph" in command
    assert "--cors" not in command and "--timeout-s" not in command
    assert server_command(tmp_path, "::1", 7878, read_write=True)[1:5] == ["serve", "--location", str(tmp_path),
                                                                           "--bind"]
    assert "[::1]:7878" in server_command(tmp_path, "::1", 7878)


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                           ("127.1.2.3", True), ("0.0.0.0", False), ("::", False),
                                           ("192.168.1.5", False), ("example.org", False)])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_non_loopback_host_needs_allow_remote() -> None:
    with pytest.raises(ServeError, match="--allow-remote"):
        check_host("0.0.0.0", allow_remote=False)
    check_host("0.0.0.0", allow_remote=True)


def test_cli_refuses_a_non_loopback_host_and_says_why(store_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--store", str(store_dir), "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "refusing to listen on 0.0.0.0" in result.output and "no authentication" in result.output
    assert "--allow-remote" in result.output


def test_cli_refuses_a_folder_that_is_not_a_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path)])
    assert result.exit_code == 1 and "not an Oxigraph store" in result.output


def test_cli_help_names_the_endpoints_and_the_defaults() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for text in ("/query", "/update", "7878", "127.0.0.1", "--allow-remote", "--read-write", "--timeout"):
        assert text in result.output


# -- a real server, a real client ----------------------------------------------------------------------


def test_select_json(endpoint: str, store_dir: Path) -> None:
    result = sparql(endpoint, LABELS_QUERY, JSON).query().convert()
    rows = [(b["e"]["value"], b["name"]["value"]) for b in result["results"]["bindings"]]
    assert rows == local_rows(store_dir, LABELS_QUERY)
    names = {name for _, name in rows}
    assert {"国家认证认可监督管理委员会", "支树平", "全国认证认可工作会议"} <= names
    assert all(b["name"]["xml:lang"] == "zh-hans" for b in result["results"]["bindings"])


def test_select_csv(endpoint: str, store_dir: Path) -> None:
    body = sparql(endpoint, LABELS_QUERY, CSV).query().convert()
    table = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert table[0] == ["e", "name"]
    assert [tuple(row) for row in table[1:]] == local_rows(store_dir, LABELS_QUERY)


def test_construct_turtle(endpoint: str, store_dir: Path) -> None:
    body = sparql(endpoint, CONSTRUCT_QUERY, TURTLE).query().convert()
    graph = rdflib.Graph().parse(data=body, format="turtle")
    local = rdflib.Graph().parse(data=run_query(store_dir, CONSTRUCT_QUERY)[2], format="turtle")
    assert len(graph) == len(local) > 0
    assert set(graph) == set(local)
    assert rdflib.Literal("国家认证认可监督管理委员会", lang="zh-Hans") in set(graph.objects())


def test_queries_see_the_union_of_the_named_graphs(endpoint: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with_graph = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    count = lambda q: int(sparql(endpoint, q, JSON).query().convert()["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert count(query) == count(with_graph) > 0


def test_update_is_refused_with_403(endpoint: str, store_dir: Path) -> None:
    client = SPARQLWrapper(endpoint + QUERY_PATH, updateEndpoint=endpoint + UPDATE_PATH)
    client.setTimeout(TIMEOUT)
    client.setMethod(POST)
    client.setQuery("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> "
                    "<http://example.org/p> \"写入\" } }")
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403
    assert "read-only" in refused.value.read().decode("utf-8")
    ask = "ASK { <http://example.org/s> ?p ?o }"
    assert sparql(endpoint, ask, JSON).query().convert()["boolean"] is False


def test_no_cors_headers_by_default(endpoint: str) -> None:
    """Any web page a user visits could otherwise read the local endpoint."""
    url = endpoint + QUERY_PATH + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    with http_get(url, {"Origin": "https://example.org", "Accept": "application/sparql-results+json"}) as response:
        assert response.headers["Access-Control-Allow-Origin"] is None
        assert json.load(response)["boolean"] is True


def test_embedded_readers_work_while_the_server_runs(endpoint: str, store_dir: Path) -> None:
    """The read-only server takes no lock: `ccakg query` (pyoxigraph Store.read_only) still opens the store."""
    assert local_rows(store_dir, LABELS_QUERY)
    result = CliRunner().invoke(cli, ["query", "--store", str(store_dir), "--format", "csv", LABELS_QUERY])
    assert result.exit_code == 0 and "支树平" in result.output


def test_running_server_stops_the_server(store_dir: Path) -> None:
    with running_server(store_dir) as url:
        with http_get(url + QUERY_PATH + "?query=ASK%7B%7D") as response:
            assert response.status == 200
    with pytest.raises(urllib.error.URLError):
        http_get(url + QUERY_PATH + "?query=ASK%7B%7D")


def test_read_write_server_accepts_updates(store_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(store_dir, copy)
    with running_server(copy, read_write=True) as url:
        client = SPARQLWrapper(url + QUERY_PATH, updateEndpoint=url + UPDATE_PATH)
        client.setTimeout(TIMEOUT)
        client.setMethod(POST)
        client.setQuery("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> "
                        "<http://example.org/p> \"写入\" } }")
        client.query()
        ask = "ASK { <http://example.org/s> <http://example.org/p> \"写入\" }"
        assert sparql(url, ask, JSON).query().convert()["boolean"] is True
        # the read-write server holds the lock; read-only readers still work
        assert run_query(copy, ask)[1] == [(True,)]
        with pytest.raises(OSError, match="(?i)lock"):
            ox.Store(str(copy))


def test_cli_serve_prints_the_urls_and_stops_on_ctrl_c(store_dir: Path) -> None:
    from kg.web.serve import _free_port

    port = _free_port("127.0.0.1")
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store_dir), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=sigint_default)
    lines: list[str] = []
    def read_stderr() -> None:
        for line in process.stderr:
            lines.append(line)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            text = "".join(lines)
            if "(read-only)" in text:
                break
            time.sleep(0.05)
        assert f"ccakg: query UI        http://127.0.0.1:{port}/" in "".join(lines)
        assert f"http://127.0.0.1:{port}/query (read-only)" in "".join(lines)
        with http_get(f"http://127.0.0.1:{port}{QUERY_PATH}?query=ASK%7B%7D") as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=5)
        process.stderr.close()
    with pytest.raises(urllib.error.URLError):
        http_get(f"http://127.0.0.1:{port}{QUERY_PATH}?query=ASK%7B%7D")


def test_cli_reports_a_port_in_use(endpoint: str, store_dir: Path) -> None:
    port = urllib.parse.urlsplit(endpoint).port
    result = CliRunner().invoke(cli, ["serve", "--store", str(store_dir), "--port", str(port)])
    assert result.exit_code == 1 and f"cannot listen on http://127.0.0.1:{port}" in result.output


# -- the gateway: time limit, bounded workers, SERVICE, CORS for one origin -------------------------------

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def http_status(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def query_url(url: str, query: str) -> str:
    return url + QUERY_PATH + "?" + urllib.parse.urlencode({"query": query})


def test_a_runaway_query_gets_504_and_its_worker_is_killed(store_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store"          # a location of its own, to find this test's worker processes by
    shutil.copytree(store_dir, copy)
    with running_server(copy, options=GatewayOptions(timeout=2, workers=1)) as url:
        workers = _worker_pids(copy)
        assert len(workers) == 1
        started = time.monotonic()
        status, body = http_status(query_url(url, RUNAWAY))
        took = time.monotonic() - started
        assert status == 504, body
        assert "time limit" in body.decode("utf-8")
        assert took < 10
        assert not Path(f"/proc/{workers[0]}").exists() or _is_zombie(workers[0])
        deadline = time.monotonic() + 20        # the worker is started again and answers
        while time.monotonic() < deadline:
            status, body = http_status(query_url(url, "ASK {}"))
            if status == 200:
                break
        assert status == 200 and json.loads(body)["boolean"] is True


def _worker_pids(location: Path) -> list[int]:
    """Running Oxigraph servers over ``location``, read from /proc."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if proc.name.isdigit() and str(location).encode() in argv and b"serve-read-only" in argv:
            pids.append(int(proc.name))
    return pids


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def test_a_result_larger_than_the_cap_is_507_not_a_cut_body(store_dir: Path) -> None:
    with running_server(store_dir, options=GatewayOptions(timeout=10, max_result_bytes=500)) as url:
        status, body = http_status(query_url(url, "SELECT * WHERE { ?s ?p ?o }"))
        assert status == 507 and b"LIMIT" in body
        assert http_status(query_url(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1"))[0] == 200


def test_no_free_worker_before_the_deadline_is_503() -> None:
    """Every worker busy (the pool's queue empty) until the deadline: 503, the request never runs."""
    gateway = Gateway(lambda port: ["false"], "127.0.0.1", 0, GatewayOptions(timeout=0.3), pool_size=1)
    started = time.monotonic()
    status, headers, body = gateway.forward("GET", "/query?query=ASK%7B%7D", {}, b"")
    assert status == 503 and b"busy" in body
    assert 0.25 < time.monotonic() - started < 3


@pytest.mark.parametrize("query,refused", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", True),
    ("select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", True),
    ('SELECT * WHERE { ?s ?p "SERVICE <http://x>" } LIMIT 1', False),
    ("SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } LIMIT 1  # SERVICE in a comment", False),
])
def test_service_is_refused_unless_allowed(endpoint: str, query: str, refused: bool) -> None:
    for status, body in (
            http_status(query_url(endpoint, query)),
            http_status(endpoint + QUERY_PATH, urllib.parse.urlencode({"query": query}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"}),
            http_status(endpoint + QUERY_PATH, query.encode("utf-8"), {"Content-Type": "application/sparql-query"})):
        assert (status == 400 and b"SERVICE is refused" in body) is refused, (status, body)
        if not refused:
            assert status == 200


def test_allow_service_lets_service_through(store_dir: Path) -> None:
    query = "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with running_server(store_dir, options=GatewayOptions(timeout=10, allow_service=True)) as url:
        status, body = http_status(query_url(url, query), headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and "results" in json.loads(body)


def test_cors_only_for_the_origin_given(store_dir: Path) -> None:
    origin = "http://localhost:8080"
    with running_server(store_dir, options=GatewayOptions(timeout=10, cors_origin=origin)) as url:
        ask = query_url(url, "ASK {}")
        with http_get(ask, {"Origin": origin}) as response:
            assert response.headers["Access-Control-Allow-Origin"] == origin
        with http_get(ask, {"Origin": "https://evil.example"}) as response:
            assert response.headers["Access-Control-Allow-Origin"] is None
        preflight = urllib.request.Request(url + QUERY_PATH, method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST"})
        with urllib.request.urlopen(preflight, timeout=TIMEOUT) as response:
            assert response.status == 204
            assert response.headers["Access-Control-Allow-Origin"] == origin
            assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_cli_serve_has_the_guard_options() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    for option in ("--cors ORIGIN", "--allow-service", "--workers", "--timeout"):
        assert option in result.output
