"""The explorer page of the repository's example corpus (examples/corpus) in a real Chromium: what a
user's clone can check without ../shared."""
from __future__ import annotations


import pytest

from kg.documents import read_document
from tests.browser.conftest import the

pytestmark = pytest.mark.browser
CNCA = "国家认证认可监督管理委员会"


def test_browser_examples_page_loads_offline_and_draws_every_node(open_page, examples_graph) -> None:
    html, graph = examples_graph
    page = open_page(html)
    page.wait_stable()
    assert page.errors == [] and page.dialogs == []
    assert [m for m in page.console if m[0] in ("error", "warning")] == []
    assert page.blocked == [] and [u for u in page.requests if not u.startswith("file://")] == []
    assert page.js("() => ccakg.nodes.length") == graph.number_of_nodes() > 50


def test_browser_examples_search_finds_both_scripts_at_one_node(open_page, examples_graph) -> None:
    html, graph = examples_graph
    cnca = the(graph, CNCA)
    page = open_page(html)
    assert page.search("國家認監委") == cnca
    assert page.search("国家认监委") == cnca
    assert page.js("() => document.getElementById('panel-title').textContent") == CNCA


def test_browser_examples_search_by_pinyin_initials_puts_the_obvious_entity_first(open_page, examples_graph) -> None:
    html, graph = examples_graph
    cnca = the(graph, CNCA)
    page = open_page(html)
    assert page.js("(q) => ccakg.search(q)[0]", "gjrjw") == cnca      # 国家认监委, as `ccakg lookup gjrjw`
    assert page.js("(q) => ccakg.search(q)[0]", "认监委") == cnca      # a whole alias before names holding it


def test_browser_examples_click_shows_evidence_in_the_raw_text(open_page, examples_graph) -> None:
    html, graph = examples_graph
    person = the(graph, "陈立新")
    page = open_page(html)
    page.wait_stable()
    x, y = page.zoom_to(person)
    page.page.mouse.click(x, y)
    page.page.wait_for_selector("#panel-title")
    assert page.js("() => document.getElementById('panel-title').textContent") == "陈立新"
    quotes = page.js("() => Array.from(document.querySelectorAll('#panel-evidence mark')).map(m => m.textContent)")
    assert "国家认监委副主任陈立新" in quotes and "國家認監委副主任陳立新" in quotes   # Simplified and Traditional texts
    for item in graph.nodes[person]["evidence"]:
        raw = read_document(item["path"]).raw_text
        assert raw[item["start"]:item["end"]] in quotes
