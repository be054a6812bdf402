"""The query page of ``ccakg serve`` (kg.web.querypage) in a real Chromium, over a real server on loopback that
serves the build of the repository's example corpus. Every request the pages make is recorded; any that
does not go to the loopback server is aborted and counted."""
from __future__ import annotations

import urllib.parse

import pytest

from kg.namespaces import PREFIXES, SPARQL_PREFIXES
from kg.query import run_query
from kg.saved import load_saved, run_saved
from kg.why import open_store, reasons
from tests.conftest import REPO

pytestmark = pytest.mark.browser
SCREENSHOT = REPO / "docs" / "query-page.png"
ROWS = ".yasr table.dataTable tbody tr"
RESULT_TIMEOUT_MS = 30_000
# typed into the editor as a user would, without one PREFIX line
BARE_QUERY = 'SELECT ?agency ?name WHERE { ?agency a kgo:Agency ; skos:prefLabel ?name . FILTER(lang(?name) = "zh-hans") }'
ENTITY_LINK = ".yasr a.iri.entity"


def result_rows(page) -> int:
    """The number of result rows YASR reports for the last query (all pages of the table)."""
    page.page.wait_for_selector(ROWS, timeout=RESULT_TIMEOUT_MS)
    return page.js("() => ccakg.yasgui.getTab().getYasr().results.getBindings().length")


def assert_stayed_home(page, url: str) -> None:
    assert page.blocked == []
    assert page.requests and all(r.startswith(url + "/") for r in page.requests), page.requests
    assert page.errors == [] and page.dialogs == []
    assert [m for m in page.console if m[0] == "error"] == []


def test_browser_query_page_is_ccakgs_own(open_served, served_examples) -> None:
    url, _ = served_examples
    page = open_served(url + "/")
    assert page.page.title() == "ccakg"
    saved = page.js("() => Array.from(document.querySelectorAll('#saved-list button')).map(b => b.dataset.name)")
    assert "lead-departments" in saved and "build-diff" not in saved   # build-diff compares two stores
    assert page.js("() => ccakg.yasgui.getTab().getEndpoint()") == url + "/query"
    assert_stayed_home(page, url)


def test_browser_saved_query_from_the_list_gives_rows(open_served, served_examples) -> None:
    url, out = served_examples
    page = open_served(url + "/")
    page.page.click("#saved-list button[data-name='lead-departments']")
    rows = result_rows(page)
    _, expected, _ = run_saved(load_saved("lead-departments"), out / "store")
    assert rows == len(expected) > 0
    editor = page.js("() => ccakg.yasgui.getTab().getQuery()")
    assert editor.startswith("# Departments that lead the most tasks") and "PREFIX kgo:" in editor
    # a parameter changed in the form fills the editor again and runs it
    page.page.fill("#saved-params input[name='min_led']", "2")
    page.page.click("#saved-run")
    page.page.wait_for_function("() => ccakg.yasgui.getTab().getQuery().includes('>= 2')", timeout=RESULT_TIMEOUT_MS)
    page.page.wait_for_function(f"() => ccakg.yasgui.getTab().getYasr().results.getBindings().length < {rows}",
                                timeout=RESULT_TIMEOUT_MS)
    _, expected, _ = run_saved(load_saved("lead-departments"), out / "store", {"min_led": "2"})
    assert result_rows(page) == len(expected)
    assert_stayed_home(page, url)


def clear_editor(page) -> None:
    page.page.click(".CodeMirror")
    page.page.keyboard.press("Control+A")
    page.page.keyboard.press("Delete")


def test_browser_typing_a_prefixed_name_declares_ccakgs_prefix(open_served, served_examples) -> None:
    """The editor's prefix completion knows ccakg's prefixes (from /prefixes.json, not prefix.cc)."""
    url, _ = served_examples
    page = open_served(url + "/")
    clear_editor(page)
    page.page.keyboard.type(BARE_QUERY, delay=5)             # key by key, as a user types
    page.page.keyboard.press("Escape")
    page.page.wait_for_function("() => ccakg.yasgui.getTab().getQuery().includes('PREFIX kgo:')")
    lines = page.js("() => ccakg.yasgui.getTab().getQuery()").splitlines()
    assert sorted(lines[:2]) == [f"PREFIX kgo: <{PREFIXES['kgo']}>", f"PREFIX skos: <{PREFIXES['skos']}>"]
    assert lines[2:] == [BARE_QUERY]
    assert_stayed_home(page, url)


def test_browser_query_without_prefix_lines_in_the_editor_runs(open_served, served_examples) -> None:
    url, out = served_examples
    page = open_served(url + "/")
    clear_editor(page)
    page.page.keyboard.insert_text(BARE_QUERY)               # pasted: the editor adds nothing
    assert page.js("() => ccakg.yasgui.getTab().getQuery()") == BARE_QUERY
    page.page.keyboard.press("Control+Enter")
    _, expected, _ = run_query(out / "store", SPARQL_PREFIXES + BARE_QUERY)
    assert result_rows(page) == len(expected) > 0
    names = page.js("() => ccakg.yasgui.getTab().getYasr().results.getBindings().map(b => b.name.value)")
    assert sorted(names) == sorted(row[1] for row in expected)
    assert_stayed_home(page, url)


def test_browser_unknown_prefix_shows_the_message(open_served, served_examples) -> None:
    url, _ = served_examples
    page = open_served(url + "/")
    page.js("() => { ccakg.yasgui.getTab().setQuery('SELECT * WHERE { ?s a nope:Thing }'); }")
    page.js("() => { ccakg.yasgui.getTab().query().catch(() => {}); }")
    page.page.wait_for_selector(".yasr .errorResult", timeout=RESULT_TIMEOUT_MS)
    assert "unknown prefix nope:" in page.page.inner_text(".yasr .errorResult")


def test_browser_entity_iri_in_the_results_opens_its_evidence(open_served, served_examples) -> None:
    url, out = served_examples
    page = open_served(url + "/")
    page.page.click("#saved-list button[data-name='lead-departments']")
    result_rows(page)
    first = page.page.locator(ENTITY_LINK).first
    iri = page.js("() => ccakg.yasgui.getTab().getYasr().results.getBindings()[0].iri.value")
    unit = page.js("() => ccakg.yasgui.getTab().getYasr().results.getBindings()[0].unit.value")
    assert first.get_attribute("href") == "/entity?iri=" + urllib.parse.quote(iri, safe="")
    with page.page.context.expect_page() as opened:
        first.click()
    entity = opened.value
    entity.wait_for_load_state()
    assert entity.url == url + "/entity?iri=" + urllib.parse.quote(iri, safe="")
    assert entity.inner_text("#entity-name") == unit
    assert entity.inner_text("#entity-iri") == iri
    store = open_store(out / "store")
    try:
        expected = [r.quote for r in reasons(store, iri)]
    finally:
        store.close()
    assert entity.locator("#evidence mark").all_text_contents() == expected
    assert any(unit in quote for quote in expected)
    entity.click("#explorer-focus")                          # the same entity, focused in the explorer
    entity.wait_for_function("(iri) => window.ccakgReady === true && ccakg.selected === iri", arg=iri,
                             timeout=RESULT_TIMEOUT_MS)
    assert entity.url.startswith(url + "/explorer#focus=")
    assert_stayed_home(page, url)


def test_browser_query_page_and_explorer_link_to_each_other(open_served, served_examples) -> None:
    url, out = served_examples
    page = open_served(url + "/")
    page.page.click("#explorer-link")
    page.page.wait_for_function("() => window.ccakgReady === true && window.ccakg.network !== undefined",
                                timeout=RESULT_TIMEOUT_MS)
    assert page.page.url == url + "/explorer"
    assert page.js("() => document.getElementById('query-page-link').href") == url + "/"
    page.page.click("#query-page-link")
    page.page.wait_for_function("() => window.ccakgReady === true && window.ccakg.yasgui !== undefined",
                                timeout=RESULT_TIMEOUT_MS)
    assert page.page.url == url + "/"
    assert_stayed_home(page, url)


def test_browser_explorer_file_links_to_the_default_server(open_page, served_examples) -> None:
    _, out = served_examples
    page = open_page(out / "graph.html")
    assert page.js("() => document.getElementById('query-page-link').href") == "http://127.0.0.1:7878/"


def test_browser_query_page_screenshot_for_the_readme(open_served, served_examples) -> None:
    """docs/query-page.png: a saved query run from the list on the example build."""
    url, _ = served_examples
    page = open_served(url + "/")
    page.page.click("#saved-list button[data-name='lead-departments']")
    result_rows(page)
    page.page.wait_for_timeout(300)
    page.page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
