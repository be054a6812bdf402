"""The explorer page of the client's corpus (../shared/corpus) in a real Chromium."""
from __future__ import annotations

import struct
from pathlib import Path

import networkx as nx
import pytest

from tests.browser.conftest import page_and_graph, the

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "explorer.png"


@pytest.fixture(scope="module")
def corpus_graph(corpus_build) -> tuple[Path, nx.MultiDiGraph]:
    out, _ = corpus_build
    return page_and_graph(out)


def test_browser_corpus_page_loads_offline_without_errors(open_page, corpus_graph) -> None:
    html, _ = corpus_graph
    page = open_page(html)
    page.wait_stable()
    page.search("国家认监委")
    page.js("() => ccakg.setLang('zh-Hant')")
    assert page.errors == []
    assert [m for m in page.console if m[0] in ("error", "warning")] == []
    assert page.blocked == [] and [u for u in page.requests if not u.startswith("file://")] == []
    assert page.dialogs == []
    assert html.read_bytes().decode("utf-8")  # written as UTF-8
    assert page.js("() => document.characterSet") == "UTF-8"


def test_browser_corpus_node_count_equals_the_graph(open_page, corpus_graph) -> None:
    html, graph = corpus_graph
    page = open_page(html)
    assert page.js("() => ccakg.nodes.length") == graph.number_of_nodes() > 250
    assert page.js("() => ccakg.nodes.get({filter: n => n.hidden}).length") == 0
    assert page.js("() => document.getElementById('omitted')") is None  # all drawn, nothing left out
    legend = page.js("""() => Array.from(document.querySelectorAll('#legend .count'))
                              .reduce((sum, e) => sum + parseInt(e.textContent, 10), 0)""")
    assert legend == graph.number_of_nodes()
    assert page.js("() => ccakg.meta.physics") is True  # ~300 nodes: live physics


def test_browser_corpus_search_finds_both_scripts_at_one_node(open_page, corpus_graph) -> None:
    html, graph = corpus_graph
    cnca = the(graph, "国家认证认可监督管理委员会")
    page = open_page(html)
    assert page.search("國家認監委") == cnca
    assert page.js("() => document.getElementById('panel-title').textContent") == "国家认证认可监督管理委员会"
    page.js("() => ccakg.network.unselectAll()")
    assert page.search("认监委") == cnca
    assert page.js("() => ccakg.network.getSelectedNodes()") == [cnca]
    assert page.js("() => document.getElementById('panel-iri').textContent") == cnca
    first = page.js("() => document.querySelector('#search-results li button').textContent")
    assert first.lstrip("●■◆▲▼★⬢ ").startswith("国家认证认可监督管理委员会")   # after the type's mark
    assert page.search("cnca") == cnca  # English alias, any case


def test_browser_corpus_click_shows_evidence(open_page, corpus_graph) -> None:
    html, graph = corpus_graph
    person = the(graph, "支树平")
    page = open_page(html)
    page.wait_stable()
    x, y = page.zoom_to(person)
    page.page.mouse.click(x, y)
    page.page.wait_for_selector("#panel-title")
    assert page.js("() => ccakg.selected") == person
    assert page.js("() => document.getElementById('panel-title').textContent") == "支树平"
    quotes = page.js("() => Array.from(document.querySelectorAll('#panel-evidence mark')).map(m => m.textContent)")
    heads = page.js("() => Array.from(document.querySelectorAll('#panel-evidence .ev-head')).map(e => e.textContent)")
    sentences = page.js("() => Array.from(document.querySelectorAll('#panel-evidence blockquote'))"
                        ".map(b => b.textContent)")
    assert "国家质检总局局长支树平" in quotes
    assert any("支树平 —局长→ 国家质量监督检验检疫总局" in head for head in heads)
    assert any("出席会议并讲话" in s for s in sentences)  # the quote widened to its sentence
    item = graph.nodes[person]["evidence"][0]
    raw = Path(item["path"]).read_text(encoding="utf-8")
    text = graph.graph["texts"][item["doc"]]
    # the text named by its title and date, not by its hash id
    assert heads[0].startswith(f"{text['title'][:39]}") and f"{text['date']} [{item['start']}, {item['end']})" in heads[0]
    assert item["doc"] not in heads[0] and raw[item["start"]:item["end"]] == quotes[0]
    relations = page.js("() => document.getElementById('panel-relations').textContent")
    assert "—局长→ 国家质量监督检验检疫总局" in relations


def test_browser_corpus_double_click_collapses_and_expands(open_page, corpus_graph) -> None:
    html, graph = corpus_graph
    cnca = the(graph, "国家认证认可监督管理委员会")
    neighbours = set(nx.all_neighbors(graph, cnca))
    page = open_page(html)
    page.wait_stable()
    x, y = page.zoom_to(cnca, 1.0)
    page.page.mouse.dblclick(x, y)
    # on a loaded machine the double click is handled later: wait for it, not for a fixed time
    page.page.wait_for_function("() => ccakg.nodes.get({filter: n => n.hidden}).length > 0", timeout=15_000)
    hidden = set(page.js("() => ccakg.nodes.get({filter: n => n.hidden}).map(n => n.id)"))
    assert hidden == neighbours and cnca not in hidden
    x, y = page.node_point(cnca)
    page.page.mouse.dblclick(x, y)
    page.page.wait_for_function("() => ccakg.nodes.get({filter: n => n.hidden}).length === 0", timeout=15_000)


def test_browser_corpus_type_toggle_and_language_switch(open_page, corpus_graph) -> None:
    html, graph = corpus_graph
    cnca = the(graph, "国家认证认可监督管理委员会")
    agencies = sum(1 for _, t in graph.nodes(data="type") if t == "Agency")
    page = open_page(html)
    page.page.uncheck('#legend input[data-type="Agency"]')
    assert page.js("() => ccakg.nodes.get({filter: n => n.hidden}).length") == agencies
    page.page.check('#legend input[data-type="Agency"]')
    assert page.js("() => ccakg.nodes.get({filter: n => n.hidden}).length") == 0
    label = "(id) => ccakg.nodes.get(id).label"
    page.page.click('#langs button[data-lang="zh-Hant"]')
    assert page.js(label, cnca) == "國家認證認可監督管理委員會"
    assert page.js("() => document.querySelector('#legend .type-name[data-type=\"Agency\"]').textContent") == "機構"
    page.page.click('#langs button[data-lang="en"]')
    assert page.js(label, cnca).startswith("Certification and Accreditation")
    page.page.click('#langs button[data-lang="zh-Hans"]')
    assert page.js(label, cnca) == "国家认证认可监督管理委员会"


def test_browser_corpus_screenshot_for_the_readme(open_page, corpus_graph) -> None:
    """docs/explorer.png: the corpus graph, search focused on 国家认监委, its side panel open."""
    html, graph = corpus_graph
    page = open_page(html)
    page.wait_stable()
    assert page.search("国家认监委") == the(graph, "国家认证认可监督管理委员会")
    page.js("() => { const input = document.getElementById('search-text'); input.blur(); }")
    page.page.wait_for_timeout(800)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.page.screenshot(path=str(SCREENSHOT))
    data = SCREENSHOT.read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and (width, height) == (1400, 900) and len(data) > 50_000
