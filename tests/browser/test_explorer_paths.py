"""Paths and evidence in the explorer page of the example corpus, in a real Chromium: how is A connected to
B, each step with its evidence; the texts named by title and date; the source view at the quote."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.documents import read_document
from kg.paths import shortest_paths
from tests.browser.conftest import the

pytestmark = pytest.mark.browser
CHEN, SAMR = "陈立新", "国家市场监督管理总局"


def test_browser_path_between_two_entities_picked_in_the_panel(open_page, examples_graph) -> None:
    html, graph = examples_graph
    chen, samr = the(graph, CHEN), the(graph, SAMR)
    page = open_page(html)
    page.wait_stable()
    assert page.search("陳立新") == chen
    page.page.click("#path-from")
    assert CHEN in page.js("() => document.getElementById('path-bar-text').textContent")
    assert page.search(SAMR) == samr
    page.page.click("#path-to")
    page.page.wait_for_selector("#path-title")
    # the same paths as `ccakg path` finds
    expected = shortest_paths(graph, [chen], [samr])
    assert len(expected) == 3 and page.js("() => ccakg.paths") == expected
    assert page.js("() => document.getElementById('path-summary').textContent") == "3 条最短路径，每条 3 步"
    rows = page.js("() => Array.from(document.querySelectorAll('#path-list .path-nodes')).map(e => e.textContent)")
    assert rows[0] == f"1. {CHEN} · 全国认证认可工作会议 · 林国平 · {SAMR}"
    steps = page.js("() => Array.from(document.querySelectorAll('#path-list .step-rel')).map(e => e.textContent)")
    assert f"{CHEN} —出席/讲话→ 全国认证认可工作会议" in steps and f"林国平 —副局长→ {SAMR}" in steps
    # every step with a quote that is in the raw text at its offsets, under the text's title and date
    items = page.js("""() => Array.from(document.querySelectorAll('#path-list .step')).map(step => [
        step.querySelector('.ev-title').textContent, step.querySelector('.ev-head').textContent,
        step.querySelector('mark').textContent])""")
    assert len(items) == 9
    raw = read_document(Path(graph.graph["texts"]["2019-conference"]["path"])).raw_text
    for title, head, quote in items:
        assert title == "2019年全国认证认可工作会议在京召开 · 2019-01-17"
        start, end = (int(x) for x in head.split("[")[1].split(")")[0].split(", "))
        assert raw[start:end] == quote
    # the path stands out: its entities keep their colour, the rest fade
    on_path = {node for path in expected for node in path}
    faded = set(page.js("() => ccakg.nodes.get({filter: n => n.color === '#e4e7eb'}).map(n => n.id)"))
    assert faded and not faded & on_path and len(faded) == graph.number_of_nodes() - len(on_path)
    assert page.errors == [] and [m for m in page.console if m[0] in ("error", "warning")] == []


def test_browser_path_none_within_reach_says_so(open_page, examples_graph) -> None:
    html, graph = examples_graph
    page = open_page(html)
    found = page.js("([a, b]) => ccakg.showPaths(a, b)", [the(graph, CHEN), the(graph, "国务院")])
    assert found == []
    assert page.js("() => document.getElementById('path-summary').textContent") == "6 步以内没有路径"


def test_browser_evidence_names_the_text_and_opens_it_at_the_quote(open_page, examples_graph) -> None:
    html, graph = examples_graph
    page = open_page(html)
    assert page.search(CHEN) == the(graph, CHEN)
    heads = page.js("() => Array.from(document.querySelectorAll('#panel-evidence .ev-title')).map(e => e.textContent)")
    titles = {f"{t['title']} · {t['date']}" for t in graph.graph["texts"].values()}
    assert heads and set(heads) <= titles
    quote = page.js("() => document.querySelector('#panel-evidence mark').textContent")
    page.page.click("#panel-evidence .ev-source")
    page.page.wait_for_selector("#source-view", state="visible")
    assert page.js("() => document.getElementById('source-mark').textContent") == quote
    # scrolled to the quote: the mark is inside the visible part of the source text
    assert page.js("""() => { const box = document.getElementById('source-text').getBoundingClientRect(),
                                    mark = document.getElementById('source-mark').getBoundingClientRect();
                              return mark.top >= box.top && mark.bottom <= box.bottom; }""")
    page.page.keyboard.press("Escape")
    assert page.js("() => document.getElementById('source-view').hidden") is True


def test_browser_source_view_of_an_html_text_shows_no_markup(open_page, examples_graph) -> None:
    html, graph = examples_graph
    doc = "world-accreditation-day"
    item = next(item for _, _, item in graph.edges(data="evidence") if item and item["doc"] == doc)
    page = open_page(html)
    assert page.js("([doc, s, e]) => ccakg.openSource(doc, s, e)", [doc, item["start"], item["end"]]) is True
    assert page.js("() => document.getElementById('source-mark').textContent") == item["quote"]
    text = page.js("() => document.getElementById('source-text').textContent")
    assert "<" not in text and "</" not in text


def test_browser_path_screenshot_for_the_readme(open_page, examples_graph) -> None:
    """docs/explorer-path.png: how 陈立新 is connected to 国家市场监督管理总局 in the example corpus."""
    import struct

    html, graph = examples_graph
    page = open_page(html)
    page.wait_stable()
    page.js("([a, b]) => ccakg.showPaths(a, b)", [the(graph, CHEN), the(graph, SAMR)])
    page.page.wait_for_timeout(900)   # the view fits the paths
    shot = Path(__file__).resolve().parents[2] / "docs" / "explorer-path.png"
    page.page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1400, 900) and len(data) > 50_000
