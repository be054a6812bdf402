"""Tests of kg.explorer: the networkx view of the store and the offline, escaped HTML page."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from kg import explorer
from kg.explorer import graph_view, layout_positions, most_connected, numpy_spring_layout, script_json, write_html
from kg.namespaces import DCT, ENTITY_GRAPH, FOAF, KG, KGO, ORG, RDF, SCHEMA, SKOS, XSD, doc_graph
from kg.store import OxigraphStore

HOSTILE = "<script>alert(1)</script>"
ENTITIES = ox.NamedNode(ENTITY_GRAPH)
DOC_A = ox.NamedNode(doc_graph("001_a"))
DOC_B = ox.NamedNode(doc_graph("002_b"))
EXTERNAL_LOAD = re.compile(r"""(?:\bsrc|\bhref)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?\s*(?:https?:)?//""",
                           re.IGNORECASE)


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def q(s: ox.NamedNode | ox.BlankNode, p: str, o: object, g: ox.NamedNode = DOC_A) -> ox.Quad:
    return ox.Quad(s, n(p), o, g)


def entity(name: str, type_iri: str, zh: str, *, hant: str | None = None, en: str | None = None,
           aliases: tuple[str, ...] = ()) -> list[ox.Quad]:
    """Labels and type in the entities graph, as the contract puts them."""
    node = n(KG + name)
    quads = [q(node, RDF + "type", n(type_iri), ENTITIES),
             q(node, SKOS + "prefLabel", ox.Literal(zh, language="zh-Hans"), ENTITIES)]
    quads += [q(node, SKOS + "prefLabel", ox.Literal(hant, language="zh-Hant"), ENTITIES)] if hant else []
    quads += [q(node, SKOS + "prefLabel", ox.Literal(en, language="en"), ENTITIES)] if en else []
    quads += [q(node, SKOS + "altLabel", ox.Literal(a, language="zh-Hans"), ENTITIES) for a in aliases]
    return quads


def contract_quads() -> list[ox.Quad]:
    """A person, an agency, a membership with role 局长, a task with a lead unit, and a few more facts."""
    person, agency, role = n(KG + "p_zhang"), n(KG + "a_cnca"), n(KG + "role_director")
    task, doc, meeting, region = n(KG + "t_1"), n(KG + "d_plan"), n(KG + "m_1"), n(KG + "r_bj")
    membership = ox.BlankNode("mem1")
    quads = (
        entity("p_zhang", FOAF + "Person", "张三", hant="張三")
        + entity("a_cnca", KGO + "Agency", "国家认证认可监督管理委员会", hant="國家認證認可監督管理委員會",
                 en="CNCA", aliases=("认监委", "国家认监委"))
        + entity("t_1", KGO + "Task", "完善认证认可法规体系")
        + entity("d_plan", KGO + "PolicyDocument", "2018年认证认可工作要点")
        + entity("m_1", KGO + "Meeting", "全国认证认可工作会议")
        + entity("r_bj", KGO + "Region", "北京")
        + entity("x_evil", KGO + "Organization", HOSTILE, aliases=("</script><b>x</b>", "a & b"))
        + [q(role, SKOS + "prefLabel", ox.Literal("局长", language="zh-Hans"), ENTITIES),
           q(role, SKOS + "prefLabel", ox.Literal("Director", language="en"), ENTITIES)]
    )
    facts = [
        q(membership, RDF + "type", n(ORG + "Membership")),
        q(membership, ORG + "member", person),
        q(membership, ORG + "organization", agency),
        q(membership, ORG + "role", role),
        q(task, KGO + "taskNumber", ox.Literal("1", datatype=n(XSD + "integer"))),
        q(task, KGO + "inWorkPlan", doc),
        q(task, KGO + "leadUnit", agency),
        q(doc, DCT + "publisher", agency),
        q(person, KGO + "speaksAt", meeting),
        q(meeting, SCHEMA + "location", region),
        q(task, KGO + "mentions", n(KG + "not_an_entity")),
    ]
    # the same facts stated again by a second text: the union graph must not double them
    return quads + facts + [ox.Quad(f.subject, f.predicate, f.object, DOC_B) for f in facts]


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    with OxigraphStore() as s:
        s.add(contract_quads())
        yield s


@pytest.fixture
def page(store: OxigraphStore, tmp_path: Path) -> tuple[str, dict]:
    path = tmp_path / "graph.html"
    summary = write_html(store, path, title="认证认可知识图谱")
    return path.read_bytes().decode("utf-8"), summary


def embedded(html: str, block_id: str) -> list | dict:
    match = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S)
    assert match, block_id
    return json.loads(match.group(1))


# -- graph_view -------------------------------------------------------------------------------------


def test_explorer_graph_view_nodes_are_the_typed_entities(store: OxigraphStore) -> None:
    graph = graph_view(store)
    assert set(graph.nodes) == {KG + x for x in ("p_zhang", "a_cnca", "t_1", "d_plan", "m_1", "r_bj", "x_evil")}
    assert graph.nodes[KG + "a_cnca"]["type"] == "Agency"
    assert graph.nodes[KG + "p_zhang"]["type"] == "Person"


def test_explorer_graph_view_label_is_the_zh_hans_preflabel(store: OxigraphStore) -> None:
    graph = graph_view(store)
    assert graph.nodes[KG + "a_cnca"]["label"] == "国家认证认可监督管理委员会"
    assert graph.nodes[KG + "p_zhang"]["label"] == "张三"


def test_explorer_graph_view_title_has_type_and_every_name(store: OxigraphStore) -> None:
    title = graph_view(store).nodes[KG + "a_cnca"]["title"]
    for text in ("机构", "Agency", "国家认证认可监督管理委员会", "國家認證認可監督管理委員會", "CNCA", "认监委", "国家认监委"):
        assert text in title


@pytest.mark.parametrize("source,target,label", [
    ("p_zhang", "a_cnca", "局长"),
    ("a_cnca", "t_1", "牵头"),
    ("a_cnca", "d_plan", "发布"),
    ("t_1", "d_plan", "属于"),
    ("p_zhang", "m_1", "出席/讲话"),
    ("m_1", "r_bj", "地点"),
])
def test_explorer_graph_view_edges_read_as_relations(store: OxigraphStore, source: str, target: str, label: str) -> None:
    graph = graph_view(store)
    assert graph.has_edge(KG + source, KG + target, key=label)


def test_explorer_graph_view_counts_each_relation_once_across_graphs(store: OxigraphStore) -> None:
    graph = graph_view(store)
    assert graph.number_of_edges() == 6  # the second text restates the same facts; mentions → non-entity dropped


def test_explorer_graph_view_membership_without_role_is_member() -> None:
    with OxigraphStore() as s:
        m = ox.BlankNode("m")
        s.add(entity("p", FOAF + "Person", "李四") + entity("o", KGO + "Organization", "中国合格评定国家认可委员会")
              + [q(m, RDF + "type", n(ORG + "Membership")), q(m, ORG + "member", n(KG + "p")),
                 q(m, ORG + "organization", n(KG + "o"))])
        graph = graph_view(s)
    assert graph.has_edge(KG + "p", KG + "o", key="成员")


def test_explorer_graph_view_without_zh_hans_label_falls_back() -> None:
    with OxigraphStore() as s:
        node = n(KG + "s_food")
        s.add([q(node, RDF + "type", n(KGO + "Sector"), ENTITIES),
               q(node, SKOS + "prefLabel", ox.Literal("Food", language="en"), ENTITIES),
               q(n(KG + "r_x"), RDF + "type", n(KGO + "Region"), ENTITIES)])
        graph = graph_view(s)
    assert graph.nodes[KG + "s_food"]["label"] == "Food"
    assert graph.nodes[KG + "r_x"]["label"] == "r_x"


def test_explorer_graph_view_empty_store() -> None:
    with OxigraphStore() as s:
        assert graph_view(s).number_of_nodes() == 0


# -- the page ---------------------------------------------------------------------------------------


def test_explorer_page_loads_nothing_from_the_network(page: tuple[str, dict]) -> None:
    html, _ = page
    assert EXTERNAL_LOAD.findall(html) == []
    assert "<link" not in html and "bootstrap" not in html.lower()
    assert "default-src 'none'" in html  # the page's CSP forbids any fetch as well


@pytest.mark.parametrize("snippet", ['src="https://x/y.js"', "href='http://x/y.css'", "@import 'a.css'",
                                     "url(https://x/f.woff)", 'src="//cdn.example/x.js"'])
def test_explorer_external_load_pattern_catches_loads(snippet: str) -> None:
    assert EXTERNAL_LOAD.search(snippet)


def test_explorer_page_is_utf8_with_cjk_labels(page: tuple[str, dict]) -> None:
    html, _ = page
    assert '<meta charset="utf-8">' in html
    for text in ("国家认证认可监督管理委员会", "张三", "局长", "牵头", "认证认可知识图谱", "Noto Sans CJK SC"):
        assert text in html


def test_explorer_page_node_count_equals_entity_count(store: OxigraphStore, page: tuple[str, dict]) -> None:
    html, summary = page
    _, rows = store.select("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?t FILTER(?t IN (foaf:Person, kgo:Agency,"
                           " kgo:Task, kgo:PolicyDocument, kgo:Meeting, kgo:Region, kgo:Organization)) }")
    entities = int(rows[0][0])
    assert len(embedded(html, "kg-nodes")) == summary["nodes"] == entities == 7
    assert summary["edges"] == 6 and summary["omitted"] == 0


def test_explorer_page_edges_carry_relation_labels(page: tuple[str, dict]) -> None:
    html, _ = page
    edges = {(e["from"], e["to"]): e["label"] for e in embedded(html, "kg-edges")}
    assert edges[(KG + "p_zhang", KG + "a_cnca")] == "局长"
    assert edges[(KG + "a_cnca", KG + "t_1")] == "牵头"


def test_explorer_page_hostile_names_are_escaped(page: tuple[str, dict]) -> None:
    html, _ = page
    assert HOSTILE not in html
    assert "</script><b>" not in html
    own_html = html.replace(str(explorer._vis_assets()[0]), "")  # vis-network's JS holds a "<script>" string
    assert own_html.count("<script") == own_html.count("</script>") == 5
    nodes = embedded(html, "kg-nodes")
    evil = next(node for node in nodes if node["id"] == KG + "x_evil")
    assert evil["label"] == HOSTILE  # shown as text: vis-network draws labels on a canvas
    assert "</script><b>x</b>" in evil["title"] and "a & b" in evil["title"]
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html


def test_explorer_page_hostile_title_is_escaped(store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    write_html(store, path, title=HOSTILE)
    html = path.read_text(encoding="utf-8")
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_explorer_page_legend_counts_types(page: tuple[str, dict]) -> None:
    html, summary = page
    assert summary["types"] == {"Person": 1, "Agency": 1, "Organization": 1, "PolicyDocument": 1, "Meeting": 1,
                                "Task": 1, "Region": 1}
    legend = html[html.index('<ul id="legend">'):html.index("</ul>")]
    assert "机构" in legend and "人物" in legend and "#d62728" in legend


def test_explorer_page_small_graph_has_live_physics(page: tuple[str, dict]) -> None:
    html, summary = page
    options = embedded(html, "kg-options")
    assert summary["physics"] is True and options["physics"]["enabled"] is True
    assert "CJK" in options["nodes"]["font"]["face"]
    assert all("x" not in node for node in embedded(html, "kg-nodes"))


def star_graph(leaves: int) -> nx.MultiDiGraph:
    """A hub with ``leaves`` spokes, plus isolated nodes of another type."""
    graph = nx.MultiDiGraph()
    graph.add_node("hub", type="Agency", label="枢纽", title="机构")
    for i in range(leaves):
        graph.add_node(f"p{i}", type="Person", label=f"人{i}", title="人物")
        graph.add_edge(f"p{i}", "hub", key="局长", label="局长")
    for i in range(5):
        graph.add_node(f"lone{i}", type="Region", label=f"地{i}")
    return graph


def test_explorer_page_above_max_nodes_keeps_most_connected(tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    summary = write_html(star_graph(20), path, max_nodes=10)
    html = path.read_text(encoding="utf-8")
    ids = {node["id"] for node in embedded(html, "kg-nodes")}
    assert len(ids) == summary["nodes"] == 10 and "hub" in ids and not any(i.startswith("lone") for i in ids)
    assert summary["omitted"] == 16 and summary["omitted_edges"] == 11
    notice = html[html.index('id="omitted"'):]
    assert "16" in notice and "11" in notice and "地区 5" in notice


def test_explorer_page_large_graph_precomputes_layout_without_physics(tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    summary = write_html(star_graph(600), path)
    html = path.read_text(encoding="utf-8")
    nodes = embedded(html, "kg-nodes")
    assert summary["physics"] is False and embedded(html, "kg-options")["physics"]["enabled"] is False
    assert len(nodes) == 606 and all(isinstance(node["x"], float) and isinstance(node["y"], float) for node in nodes)
    assert all("label" not in edge for edge in embedded(html, "kg-edges"))  # hover titles only


def test_explorer_page_merges_parallel_edges(tmp_path: Path) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("a", type="Person", label="甲")
    graph.add_node("b", type="Agency", label="乙")
    graph.add_edge("a", "b", key="局长", label="局长")
    graph.add_edge("a", "b", key="党组书记", label="党组书记")
    path = tmp_path / "graph.html"
    summary = write_html(graph, path)
    edges = embedded(path.read_text(encoding="utf-8"), "kg-edges")
    assert summary["edges"] == 2 and len(edges) == 1 and edges[0]["label"] == "局长、党组书记"


def test_explorer_page_accepts_a_plain_networkx_graph(tmp_path: Path) -> None:
    summary = write_html(nx.path_graph(3), tmp_path / "graph.html")
    assert summary["nodes"] == 3 and summary["types"] == {"Other": 3}


def test_explorer_page_does_not_write_into_the_cwd(store: OxigraphStore, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    write_html(store, tmp_path / "out" / "graph.html")
    assert list(cwd.iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["graph.html"]


def test_explorer_script_json_escapes_markup() -> None:
    text = str(script_json({"a": "</script>&<!--", "b": "\u2028"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script>&<!--", "b": "\u2028"}


# -- selection and layout ---------------------------------------------------------------------------


def test_explorer_most_connected_is_identity_below_the_limit() -> None:
    graph = star_graph(3)
    assert most_connected(graph, 100) is graph


def test_explorer_layout_positions_are_deterministic_and_spread() -> None:
    graph = nx.barabasi_albert_graph(600, 2, seed=1)
    first, second = layout_positions(graph), layout_positions(graph)
    assert first == second and set(first) == set(graph.nodes)
    xs = [x for x, _ in first.values()]
    assert max(xs) - min(xs) > 1000


def test_explorer_layout_falls_back_to_numpy_without_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_scipy(*args: object, **kwargs: object) -> None:
        raise ImportError("scipy")

    monkeypatch.setattr(explorer.nx, "spring_layout", no_scipy)
    graph = nx.barabasi_albert_graph(600, 2, seed=1)
    positions = layout_positions(graph)
    assert set(positions) == set(graph.nodes) and len(set(positions.values())) == 600


def test_explorer_numpy_spring_layout_pulls_neighbours_together() -> None:
    graph = nx.Graph([(0, 1)])
    graph.add_nodes_from(range(2, 40))
    pos = numpy_spring_layout(graph, chunk=7)
    dist = {v: ((pos[0][0] - pos[v][0]) ** 2 + (pos[0][1] - pos[v][1]) ** 2) ** 0.5 for v in graph if v}
    assert dist[1] < sorted(dist.values())[len(dist) // 2]
