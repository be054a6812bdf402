"""A text whose entity names are markup: the page shows them as text and runs nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.web.explorer import open_store, graph_view

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__pwned=1;alert(1)</script>管理办法"
IMG = "<img src=x onerror=window.__pwned=2>实施细则"
CLOSE = "</script><img src=x onerror=alert(2)>认证规则"
QUOTED = "“</script>”工程"
BOLD = "“<b id=injected>粗</b>”行动"
HOSTILE_TEXT = f"""国家认证认可监督管理委员会发布《{SCRIPT}》。
国家认监委印发《{CLOSE}》。
国家认监委印发《{IMG}》。
会议要求全面实施“</script>”工程，推进“<b id=injected>粗</b>”行动。
"""
NAMES = (SCRIPT, IMG, CLOSE, QUOTED, BOLD)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory) -> tuple[Path, dict]:
    """A tiny store built from one text whose 《》 titles and “…”工程 names hold markup."""
    from kg.pipeline import build

    folder = tmp_path_factory.mktemp("hostile")
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "001_hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    out = folder / "out"
    build([corpus], out)
    graph = graph_view(open_store(out / "store"))
    ids = {label: node for node, label in graph.nodes(data="label")}
    return out / "graph.html", ids


def test_browser_hostile_fixture_makes_the_names_entities(hostile_build) -> None:
    html, ids = hostile_build
    assert set(NAMES) <= set(ids)
    text = html.read_text(encoding="utf-8")
    for name in NAMES:
        assert name not in text  # every one escaped in the file


def test_browser_hostile_names_run_nothing_and_show_as_text(open_page, hostile_build) -> None:
    html, ids = hostile_build
    page = open_page(html)
    page.wait_stable()
    for name in NAMES:
        node = ids[name]
        assert page.js("(id) => ccakg.nodes.get(id).labels['zh-Hans']", node) == name
        assert page.search(name) == node
        assert page.js("() => document.getElementById('panel-title').textContent") == name
        names = page.js("() => document.getElementById('panel-names').textContent")
        assert name in names
        evidence = page.js("() => document.getElementById('panel-evidence').textContent")
        if name.endswith(("管理办法", "实施细则", "认证规则")):
            assert name in evidence  # the sentence that states it, as text
    # hover: vis-network's tooltip shows the title as text
    x, y = page.zoom_to(ids[IMG])
    page.page.mouse.move(x, y)
    page.page.wait_for_selector("div.vis-tooltip", state="visible")
    assert IMG in page.js("() => document.querySelector('div.vis-tooltip').textContent")
    page.page.wait_for_timeout(300)
    assert page.js("() => window.__pwned") is None
    assert page.dialogs == []
    assert page.js("() => document.images.length") == 0
    assert page.js("() => document.getElementById('injected')") is None
    assert page.js("() => document.querySelectorAll('script').length") == 7  # the page's own, nothing added
    assert page.errors == [] and [m for m in page.console if m[0] in ("error", "warning")] == []
    assert page.blocked == [] and [u for u in page.requests if not u.startswith("file://")] == []
