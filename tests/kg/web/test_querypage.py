"""The pages ``ccakg serve`` answers itself (kg.web.querypage), read over HTTP from a real server on loopback
that serves the example build: the query page, its assets, the saved queries, the entity pages, the explorer."""
from __future__ import annotations

import html
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.namespaces import KG, PREFIXES
from kg.query import run_query
from kg.saved import list_saved, load_saved, run_saved
from kg.web.querypage import ASSET_DIR, MAX_EVIDENCE, QueryPages, asset_names
from kg.why import open_store, reasons
from tests.kg.web.conftest import fetch

CNCA = "国家认证认可监督管理委员会"


def get(url: str, method: str = "GET") -> tuple[int, dict, bytes]:
    return fetch(urllib.request.Request(url, method=method))


def entity_iri(out: Path, name: str) -> str:
    rows = run_query(out / "store", f"""PREFIX skos: <{PREFIXES['skos']}>
        SELECT DISTINCT ?e WHERE {{ ?e skos:prefLabel "{name}"@zh-Hans }}""")[1]
    [(iri,)] = rows
    return iri


def test_the_query_page_is_ccakgs_and_loads_only_from_the_server(served_examples) -> None:
    url, _ = served_examples
    status, headers, body = get(url + "/")
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>ccakg</title>" in page and "Oxigraph" not in page
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "script-src 'self'" in policy
    assert "prefix.cc" not in page
    for link in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert link.startswith("/") or link.startswith("data:"), link        # nothing from another host
        if link.startswith("/assets/"):
            assert get(url + link)[0] == 200, link


def test_the_page_carries_the_prefixes_and_the_saved_queries(served_examples) -> None:
    url, _ = served_examples
    page = get(url + "/")[2].decode("utf-8")
    config = json.loads(re.search(r'<script type="application/json" id="ccakg-config">(.*?)</script>', page, re.S)[1])
    assert config["prefixes"] == PREFIXES
    assert [q["name"] for q in config["saved"]] == [q.name for q in list_saved() if q.runner == "sparql"]
    lead = next(q for q in config["saved"] if q["name"] == "lead-departments")
    assert lead["params"] == [{"name": "min_led", "description": "show only units leading at least this many tasks",
                               "default": "0", "integer": True}]
    assert json.loads(get(url + "/prefixes.json")[2]) == PREFIXES


def test_a_saved_query_comes_filled_in_and_runs(served_examples) -> None:
    url, out = served_examples
    status, headers, body = get(url + "/saved/lead-departments?min_led=2")
    text = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-query")
    assert text.startswith("# Departments that lead the most tasks\n# For every unit")
    assert f"PREFIX kgo: <{PREFIXES['kgo']}>\n" in text and ">= 2)" in text and "$min_led" not in text
    rows = run_query(out / "store", text)[1]                                     # standalone: runs anywhere
    assert rows == run_saved(load_saved("lead-departments"), out / "store", {"min_led": "2"})[1]


@pytest.mark.parametrize("path,message", [
    ("/saved/lead-departments?min_led=many", "parameter min_led must be an integer"),
    ("/saved/lead-departments?nope=1", "has no parameter 'nope'"),
    ("/saved/no-such-query", "no saved query named 'no-such-query'"),
    ("/saved/build-diff", "runs on two stores"),
])
def test_a_bad_saved_query_request_is_400_with_the_reason(served_examples, path: str, message: str) -> None:
    url, _ = served_examples
    status, _, body = get(url + path)
    assert status == 400 and message in body.decode("utf-8")


def test_an_entity_page_shows_names_type_and_every_evidence_sentence(served_examples) -> None:
    url, out = served_examples
    iri = entity_iri(out, CNCA)
    status, headers, body = get(url + "/entity?" + urllib.parse.urlencode({"iri": iri}))
    page = html.unescape(body.decode("utf-8"))
    assert status == 200 and "default-src 'none'" in headers["Content-Security-Policy"]
    assert f'<h2 id="entity-name">{CNCA}</h2>' in page
    assert "kgo:Agency" in page and "國家認證認可監督管理委員會" in page
    store = open_store(out / "store")
    try:
        expected = reasons(store, iri)
    finally:
        store.close()
    marks = re.findall(r"<mark>(.*?)</mark>", page, re.S)
    assert len(marks) == min(len(expected), MAX_EVIDENCE) > 5
    assert marks == [r.quote for r in expected[:MAX_EVIDENCE]]
    assert f"Evidence: {len(expected)} places" in page
    first = expected[0]
    assert f"characters {first.start}–{first.end}" in page and first.doc_id in page


def test_entity_page_evidence_is_cut_at_its_offsets(tmp_path: Path) -> None:
    """The sentence is split at the evidence's own start and end, not at the first equal text."""
    from kg.documents import SourceTexts
    from kg.web.querypage import _evidence
    from kg.why import Reason

    raw = "认证部负责。认证部和注册部合作。\n"
    path = tmp_path / "sentence.txt"
    path.write_text(raw, encoding="utf-8")
    start = raw.index("认证部", 3)
    shown = _evidence(SourceTexts(), Reason("mentioned", "t", str(path), start, start + 3, "认证部", "r", ""))
    assert (shown.before, shown.quote, shown.after) == ("", "认证部", "和注册部合作。")


@pytest.mark.parametrize("query,status,message", [
    ("", 400, "/entity needs ?iri="),
    ("iri=" + urllib.parse.quote(KG + "no-such-entity"), 404, "no entity and no evidence"),
    ("iri=not%20an%20iri", 400, "is not a valid IRI"),
])
def test_entity_page_errors(served_examples, query: str, status: int, message: str) -> None:
    url, _ = served_examples
    got, _, body = get(url + "/entity?" + query)
    assert got == status and message in body.decode("utf-8")


def test_the_explorer_is_served_and_a_store_without_one_says_so(served_examples, tmp_path: Path) -> None:
    url, out = served_examples
    status, headers, body = get(url + "/explorer")
    assert status == 200 and body == (out / "graph.html").read_bytes()
    assert "Content-Security-Policy" not in headers      # the page's own meta element sets it
    missing = QueryPages(tmp_path / "store", explorer=tmp_path / "graph.html").respond("GET", "/explorer")
    assert missing[0] == 404 and b"graph.html is not beside the store" in missing[2]


def test_assets_are_only_the_vendored_files(served_examples) -> None:
    url, _ = served_examples
    assert {"yasgui.min.js", "yasgui.min.css", "yasgui.LICENSE.txt", "query-page.js"} <= asset_names()
    status, headers, body = get(url + "/assets/yasgui.min.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert body == (ASSET_DIR / "yasgui.min.js").read_bytes()
    for path in ("/assets/../querypage.py", "/assets/%2E%2E/querypage.py", "/assets/nope.js", "/assets/"):
        assert get(url + path)[0] == 404, path


def test_our_pages_answer_get_only_and_other_paths_go_to_the_endpoint(served_examples) -> None:
    url, _ = served_examples
    assert get(url + "/", method="POST")[0] == 405
    assert get(url + "/query?" + urllib.parse.urlencode({"query": "ASK {}"}))[0] == 200
