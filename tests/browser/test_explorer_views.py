"""The explorer's year slider, relation filters, the view in the URL hash, PNG/SVG export and the table, in a
real Chromium, on a build of invented texts of different years (YEARS_TEXTS in tests/conftest.py)."""
from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pytest

from kg.web.explorer import POST_KIND
from tests.browser.conftest import page_and_graph, the

pytestmark = pytest.mark.browser
SERIES = "全国蓝莓检测工作会议"
CNCA = "国家认证认可监督管理委员会"


@pytest.fixture(scope="module")
def years_page(years_build: Path) -> tuple[Path, nx.MultiDiGraph]:
    return page_and_graph(years_build)


def years_of(graph: nx.MultiDiGraph, node: str) -> set[int]:
    return {int(d[:4]) for d in graph.nodes[node]["dates"]}


def slide(page, low: int, high: int) -> None:
    """Move the two ends of the year slider as a user does (input events on the range inputs)."""
    for box, value in (("#year-from", low), ("#year-to", high)):
        page.page.eval_on_selector(box, "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
                                   str(value))


def visible(page) -> set[str]:
    return set(page.js("() => ccakg.visibleNodes()"))


def test_browser_years_slider_hides_entities_and_facts_of_other_years(open_page, years_page) -> None:
    html, graph = years_page
    page = open_page(html)
    assert visible(page) == set(graph.nodes)
    assert page.js("() => [document.getElementById('year-from').min, document.getElementById('year-to').max]") == \
        ["2013", "2021"]
    slide(page, 2013, 2013)
    expected = {n for n in graph.nodes if not years_of(graph, n) or 2013 in years_of(graph, n)}
    assert visible(page) == expected
    shown = visible(page)
    assert the(graph, f"2013年{SERIES}") in shown and the(graph, f"2018年{SERIES}") not in shown
    assert the(graph, "钱二青") not in shown and the(graph, "物流") in shown        # undated: stays
    organic, food = the(graph, "有机产品认证"), the(graph, "食品")                 # both shown in 2013 …
    assert {organic, food} <= shown
    edges = page.js("() => ccakg.visibleEdges().map(e => [e.from, e.to])")
    assert [organic, food] not in edges                                           # … the fact is of 2021
    assert page.js("() => document.getElementById('years-label').textContent") == "2013"
    assert "Undated entities and facts stay visible" in page.js("() => document.getElementById('years-undated').textContent")
    slide(page, 2016, 2021)
    assert the(graph, f"2013年{SERIES}") not in visible(page) and [organic, food] in \
        page.js("() => ccakg.visibleEdges().map(e => [e.from, e.to])")
    slide(page, 2013, 2021)
    assert visible(page) == set(graph.nodes) and page.errors == []


def test_browser_url_hash_restores_the_view_and_follows_changes(open_page, years_page) -> None:
    html, graph = years_page
    person = the(graph, "郑一鸣")
    state = f"focus={quote(person, safe='')}&hide=Sector&rels={quote(POST_KIND, safe='')}&lang=en&years=2013-2018"
    page = open_page(html, state)
    assert page.js("() => ccakg.selected") == person
    assert page.js("() => document.documentElement.lang") == "en"
    assert page.js("() => document.querySelector('#legend input[data-type=\"Sector\"]').checked") is False
    assert page.js(f"() => document.querySelector('#relation-filters input[data-kind=\"{POST_KIND}\"]').checked") is False
    assert page.js("() => [document.getElementById('year-from').value, document.getElementById('year-to').value]") == \
        ["2013", "2018"]
    assert the(graph, "食品") not in visible(page) and the(graph, "有机产品认证推进方案") not in visible(page)
    assert page.js("() => location.hash") == "#" + state                        # the same state, written back
    page.page.uncheck('#legend input[data-type="Agency"]')
    page.page.click('#langs button[data-lang="zh-Hant"]')
    changed = page.js("() => location.hash")
    assert "hide=Agency,Sector" in changed and "lang=zh-Hant" in changed and f"focus={quote(person, safe='')}" in changed
    again = open_page(html, changed.lstrip("#"))                                   # a shared link opens the same view
    assert again.js("() => ccakg.stateHash()") == changed.lstrip("#")
    assert again.js("() => ccakg.visibleNodes().sort()") == page.js("() => ccakg.visibleNodes().sort()")
    again.js("() => { location.hash = 'lang=en&years=2018-2021'; }")                # a hash edited by hand
    again.page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert again.js("() => [ccakg.selected, ccakg.stateHash()]") == [None, "lang=en&years=2018-2021"]
    assert the(graph, f"2013年{SERIES}") not in visible(again)
    assert page.errors == [] and again.errors == []


def test_browser_export_png_downloads_a_valid_png(open_page, years_page) -> None:
    html, _ = years_page
    page = open_page(html)
    with page.page.expect_download() as download:
        page.page.click("#export-png")
    path = download.value.path()
    data = Path(path).read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    canvas = page.js("() => { const c = document.querySelector('#network canvas'); return [c.width, c.height]; }")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and [width, height] == canvas and len(data) > 5_000
    assert download.value.suggested_filename.endswith(".png") and page.blocked == []


def test_browser_export_svg_is_xml_with_the_drawn_nodes(open_page, years_page) -> None:
    html, graph = years_page
    page = open_page(html)
    slide(page, 2018, 2021)
    with page.page.expect_download() as download:
        page.page.click("#export-svg")
    root = ET.parse(download.value.path()).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    drawn = {g.get("data-id") for g in root.findall(".//s:g[@class='node']", ns)}
    assert drawn == visible(page) and the(graph, f"2013年{SERIES}") not in drawn
    labels = {t.text for t in root.findall(".//s:g[@class='node']/s:text", ns)}
    assert f"{SERIES}（2018）" in labels and "钱二青" in labels
    assert len(root.findall(".//s:g[@class='node']/s:circle", ns)) == len(drawn)
    assert len(root.findall(".//s:g[@class='edges']/s:g", ns)) == len(page.js("() => ccakg.visibleEdges()"))
    assert download.value.suggested_filename.endswith(".svg")


def test_browser_table_sorts_by_header_and_a_row_focuses_the_entity(open_page, years_page) -> None:
    html, graph = years_page
    page = open_page(html)
    page.page.click("#table-toggle")
    rows = "() => Array.from(document.querySelectorAll('#entity-table tbody tr')).map(r => r.dataset.id)"
    assert set(page.js(rows)) == set(graph.nodes)
    cells = "(i) => Array.from(document.querySelectorAll('#entity-table tbody tr')).map(r => r.cells[i].textContent)"
    page.page.click("#entity-table th[data-key=first]")
    firsts = [d for d in page.js(cells, 3) if d]
    assert firsts == sorted(firsts) and page.js(cells, 3)[-1] == ""                # undated last
    page.page.click("#entity-table th[data-key=first]")
    firsts = [d for d in page.js(cells, 3) if d]
    assert firsts == sorted(firsts, reverse=True)
    page.page.click("#entity-table th[data-key=texts]")
    texts = [int(t) for t in page.js(cells, 2)]
    assert texts == sorted(texts, reverse=True) and texts[0] == 4                   # the agency of four texts
    slide(page, 2021, 2021)
    assert set(page.js(rows)) == visible(page)                                       # the table follows the filter
    person = the(graph, "郑一鸣")
    slide(page, 2013, 2021)
    page.page.click(f'#entity-table tbody tr[data-id="{person}"]')
    assert page.js("() => ccakg.selected") == person
    assert page.js("() => document.getElementById('panel-title').textContent") == "郑一鸣"
    page.page.fill("#search-text", SERIES)
    assert sorted(page.js(cells, 1)) == [f"{SERIES}（{y}）" for y in (2013, 2016, 2018)]   # the found entities


def test_browser_relation_filter_hides_edges(open_page, years_page) -> None:
    html, graph = years_page
    page = open_page(html)
    posts = "() => ccakg.visibleEdges().filter(e => e.kinds.indexOf('" + POST_KIND + "') >= 0).length"
    assert page.js(posts) == 3
    total = len(page.js("() => ccakg.visibleEdges()"))
    page.page.uncheck(f'#relation-filters input[data-kind="{POST_KIND}"]')
    assert page.js(posts) == 0 and len(page.js("() => ccakg.visibleEdges()")) == total - 3
    assert visible(page) == set(graph.nodes)                                         # entities stay
    assert f"rels={quote(POST_KIND, safe='')}" in page.js("() => location.hash")
    page.page.check(f'#relation-filters input[data-kind="{POST_KIND}"]')
    assert page.js(posts) == 3


SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "explorer-years.png"


def test_browser_years_screenshot_for_the_readme(open_page, corpus_build) -> None:
    """docs/explorer-years.png: the client corpus filtered to 2013, with the table of what is drawn."""
    out, _ = corpus_build
    html, graph = page_and_graph(out)
    conference = the(graph, "2013年全国认证认可工作会议")
    page = open_page(html)
    page.wait_stable()
    slide(page, 2013, 2013)
    shown = visible(page)
    assert conference in shown and the(graph, "2018年全国认证认可工作会议") not in shown
    assert all(not years_of(graph, n) or 2013 in years_of(graph, n) for n in shown)
    page.page.click("#table-toggle")
    page.page.click("#entity-table th[data-key=first]")
    page.page.wait_for_timeout(300)
    page.zoom_to(conference, 0.8)
    page.page.wait_for_timeout(500)
    page.page.screenshot(path=str(SCREENSHOT))
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1400, 900)
