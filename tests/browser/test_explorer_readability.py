"""Readability of the explorer page of the example corpus in a real Chromium: English mode, relation labels
only where they are read, labels clear of other entities at the focus zoom, fit and reflow."""
from __future__ import annotations

import re

import networkx as nx
import pytest

from tests.browser.conftest import the

pytestmark = pytest.mark.browser
CNCA, CHEN = "国家认证认可监督管理委员会", "陈立新"
CJK = re.compile(r"[\u3400-\u9fff]")

# every label of the chosen entity and its neighbours against every other entity drawn in view
OVERLAPS = """() => {
  const net = ccakg.network, id = ccakg.selected, pos = net.getPositions();
  const near = new Set([id, ...net.getConnectedNodes(id)]), frame = document.getElementById('network');
  const view = net.getViewPosition(), scale = net.getScale();
  const inView = ccakg.nodes.getIds().filter(o => !ccakg.nodes.get(o).hidden
      && Math.abs(pos[o].x - view.x) < frame.clientWidth / scale / 2
      && Math.abs(pos[o].y - view.y) < frame.clientHeight / scale / 2);
  const shape = o => { const s = net.body.nodes[o].options.size;
                       return {left: pos[o].x - s, right: pos[o].x + s, top: pos[o].y - s, bottom: pos[o].y + s}; };
  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const found = [];
  for (const a of near) {
    if (!inView.includes(a)) continue;
    for (const b of inView) {
      if (a !== b && hit(net.getBoundingBox(a), near.has(b) ? net.getBoundingBox(b) : shape(b)))
        found.push([ccakg.nodes.get(a).label, ccakg.nodes.get(b).label]);
    }
  }
  return found;
}"""
IN_VIEW = """() => { const net = ccakg.network, frame = document.getElementById('network');
  const shown = ccakg.nodes.getIds().filter(o => !ccakg.nodes.get(o).hidden), pos = net.getPositions(shown);
  return shown.filter(o => { const p = net.canvasToDOM(pos[o]);
    return p.x >= 0 && p.y >= 0 && p.x <= frame.clientWidth && p.y <= frame.clientHeight; }).length; }"""


def test_browser_english_mode_names_entities_roles_types_and_headers(open_page, examples_graph) -> None:
    html, graph = examples_graph
    cnca, chen = the(graph, CNCA), the(graph, CHEN)
    page = open_page(html)
    assert page.search(CHEN) == chen
    assert page.js("() => document.getElementById('panel-evidence-head').textContent").startswith("证据（")
    page.page.click('#langs button[data-lang="en"]')
    english = {node: labels["en"] for node, labels in graph.nodes(data="labels") if labels["en"]}
    assert len(english) > 40
    labels = page.js("(ids) => ids.map(id => ccakg.nodes.get(id).label)", sorted(english))
    assert all(not CJK.search(label) for label in labels)   # every English name the build or lexicon gives
    assert page.js("(id) => ccakg.nodes.get(id).label", cnca).startswith("Certification and Accreditation")
    # the chosen entity's relations are labelled, in English: the role too
    edge = page.js("([a, b]) => ccakg.edges.get({filter: e => e.from === a && e.to === b})[0].label", [chen, cnca])
    assert edge == "Deputy Director"
    for head in ("panel-evidence-head", "panel-relations-head", "panel-type"):
        text = page.js(f"() => document.getElementById('{head}').textContent")
        assert not CJK.search(text), text
    assert page.js("() => document.getElementById('panel-evidence-head').textContent").startswith("Evidence (")
    legend = page.js("() => document.querySelector('#legend .type-name[data-type=\"PolicyDocument\"]').textContent")
    assert legend == "Policy document"
    page.page.click('#langs button[data-lang="zh-Hant"]')
    assert page.js("() => document.getElementById('panel-evidence-head').textContent").startswith("證據（")
    assert page.errors == []


def test_browser_relation_labels_only_on_the_chosen_entitys_edges(open_page, examples_graph) -> None:
    html, graph = examples_graph
    cnca = the(graph, CNCA)
    page = open_page(html)
    page.wait_stable()
    assert page.js("() => ccakg.edges.get({filter: e => !!e.label}).length") == 0   # nothing piles up on hubs
    page.search(CNCA)
    page.page.wait_for_function("(id) => ccakg.highlighted === id", arg=cnca)
    labelled = page.js("() => ccakg.edges.get({filter: e => !!e.label}).map(e => [e.from, e.to])")
    assert labelled and all(cnca in pair for pair in labelled)
    assert len(labelled) == len({frozenset((u, v)) for u, v in nx.Graph(graph.to_undirected()).edges(cnca)})


def test_browser_labels_do_not_overlap_entities_at_the_focus_zoom(open_page, examples_graph) -> None:
    html, graph = examples_graph
    page = open_page(html)
    page.wait_stable()
    for name in (CNCA, CHEN, "国家市场监督管理总局"):
        node = the(graph, name)
        page.search(name)
        page.page.wait_for_function("(id) => ccakg.decluttered === id", arg=node)
        page.page.wait_for_timeout(300)   # drawn where it was put
        assert page.js(OVERLAPS) == [], name


def test_browser_fit_and_reflow_after_filtering(open_page, examples_graph) -> None:
    html, graph = examples_graph
    page = open_page(html)
    page.wait_stable()
    page.search(CNCA)
    page.page.wait_for_timeout(600)
    assert page.js(IN_VIEW) < graph.number_of_nodes()   # zoomed in on one entity
    page.page.click("#fit")
    page.page.wait_for_function(f"() => ({IN_VIEW})() === {graph.number_of_nodes()}", timeout=10_000)
    scale = page.js("() => ccakg.network.getScale()")
    for kind in ("Sector", "Initiative", "CertificationScheme", "Region"):
        page.page.uncheck(f'#legend input[data-type="{kind}"]')
    shown = page.js("() => ccakg.nodes.get({filter: n => !n.hidden}).length")
    assert shown < graph.number_of_nodes()
    # the view refits what is left
    page.page.wait_for_function(f"() => ccakg.network.getScale() !== {scale} && ({IN_VIEW})() === {shown}",
                                timeout=10_000)
