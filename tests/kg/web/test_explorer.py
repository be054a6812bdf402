"""Tests of kg.web.explorer: the networkx view of the store and the offline, escaped HTML page."""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.web import explorer
from kg.cli import cli
from extractors.errors import StoreError
from kg.web.explorer import (ExplorerError, find_nodes, graph_view, layout_positions, most_connected, neighbourhood,
                         numpy_spring_layout, open_store, script_json, write_html)
from kg.namespaces import DCT, ENTITY_GRAPH, FOAF, KG, KGO, OA, ORG, RDF, SCHEMA, SKOS, SRC, XSD, doc_graph
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
    edges = {(e["from"], e["to"]): e["labels"]["zh-Hans"] for e in embedded(html, "kg-edges")}
    assert edges[(KG + "p_zhang", KG + "a_cnca")] == "局长"
    assert edges[(KG + "a_cnca", KG + "t_1")] == "牵头"


def test_explorer_page_hostile_names_are_escaped(page: tuple[str, dict]) -> None:
    html, _ = page
    assert HOSTILE not in html
    assert "</script><b>" not in html
    own_html = html.replace(str(explorer._vis_assets()[0]), "")  # vis-network's JS holds a "<script>" string
    assert own_html.count("<script") == own_html.count("</script>") == 7
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
    start = html.index('<ul id="legend">')
    legend = html[start:html.index("</ul>", start)]
    assert "机构" in legend and "人物" in legend and explorer.TYPES_BY_NAME["Agency"].color in legend


def test_explorer_page_small_graph_has_live_physics(page: tuple[str, dict]) -> None:
    html, summary = page
    options = embedded(html, "kg-options")
    assert summary["physics"] is True and options["physics"]["enabled"] is True
    assert "CJK" in options["nodes"]["font"]["face"]
    assert options["physics"]["stabilization"]["enabled"] is True
    # physics settles from the networkx layout (faster than vis-network's random start, the same each time)
    assert all(isinstance(node["x"], float) for node in embedded(html, "kg-nodes"))
    # relation labels in every script; the page shows them for the chosen entity's edges only
    assert all("label" not in edge and edge["labels"]["en"] for edge in embedded(html, "kg-edges"))


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
    assert all("label" not in edge and edge["title"] for edge in embedded(html, "kg-edges"))  # hover titles


def test_explorer_page_merges_parallel_edges(tmp_path: Path) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("a", type="Person", label="甲")
    graph.add_node("b", type="Agency", label="乙")
    graph.add_edge("a", "b", key="局长", label="局长")
    graph.add_edge("a", "b", key="党组书记", label="党组书记")
    path = tmp_path / "graph.html"
    summary = write_html(graph, path)
    edges = embedded(path.read_text(encoding="utf-8"), "kg-edges")
    assert summary["edges"] == 2 and len(edges) == 1 and edges[0]["labels"]["zh-Hans"] == "局长、党组书记"


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


# -- evidence, names, search keys and the side panel's data -----------------------------------------

RAW_A = "标题\n国家质检总局局长张三出席会议并讲话。国家认监委牵头完善认证认可法规体系。\n"


def evidence_quads(body: ox.NamedNode | ox.BlankNode, doc_id: str, quote: str, raw: str, rule: str,
                   path: str = "") -> list[ox.Quad]:
    """A kgo:Evidence with source, position and quote selectors, as kg.rdf writes it."""
    start = raw.index(quote)
    ev = n(KG + f"ev-{doc_id}-{start}-{abs(hash((str(body), quote))) % 10**8}")
    target, pos, sel, src = n(ev.value + "-t"), n(ev.value + "-p"), n(ev.value + "-q"), n(SRC + doc_id)
    g = ox.NamedNode(doc_graph(doc_id))
    integer = n(XSD + "integer")
    quads = [q(ev, RDF + "type", n(KGO + "Evidence"), g), q(ev, OA + "hasBody", body, g),
             q(ev, OA + "hasTarget", target, g), q(ev, KGO + "rule", ox.Literal(rule), g),
             q(target, OA + "hasSource", src, g), q(target, OA + "hasSelector", pos, g),
             q(target, OA + "hasSelector", sel, g),
             q(pos, OA + "start", ox.Literal(str(start), datatype=integer), g),
             q(pos, OA + "end", ox.Literal(str(start + len(quote)), datatype=integer), g),
             q(sel, OA + "exact", ox.Literal(quote), g),
             q(src, DCT + "identifier", ox.Literal(doc_id), g)]
    if path:
        quads.append(q(src, KGO + "sourcePath", ox.Literal(path), g))
    return quads


@pytest.fixture
def evidence_store(tmp_path: Path) -> Iterator[OxigraphStore]:
    """The contract plus evidence: mentions, a membership, a reified triple; one source file is readable."""
    raw_path = tmp_path / "001_a.txt"
    raw_path.write_text(RAW_A, encoding="utf-8")
    membership = ox.BlankNode("mem1")
    statement = n(KG + "st_speaks")
    person, agency, meeting = n(KG + "p_zhang"), n(KG + "a_cnca"), n(KG + "m_1")
    quads = contract_quads() + [
        q(statement, RDF + "type", n(RDF + "Statement")), q(statement, RDF + "subject", person),
        q(statement, RDF + "predicate", n(KGO + "speaksAt")), q(statement, RDF + "object", meeting),
        q(n(KG + "d_plan"), DCT + "identifier", ox.Literal("国认监〔2018〕1号")),
    ]
    quads += evidence_quads(membership, "001_a", "国家质检总局局长张三", RAW_A, "rx:post", str(raw_path))
    quads += evidence_quads(statement, "001_a", "张三出席会议", RAW_A, "rx:speaks", str(raw_path))
    quads += evidence_quads(agency, "001_a", "国家认监委", RAW_A, "agency:cnca", str(raw_path))
    for i in range(7):  # more mentions than the page lists, in a text that is gone
        quads += evidence_quads(agency, f"00{i + 2}_gone", "认监委", "x" * i + "认监委", "agency:cnca",
                                f"/nonexistent/00{i + 2}_gone.txt")
    with OxigraphStore() as s:
        s.add(quads)
        yield s


def node_data(html: str, iri: str) -> dict:
    return next(node for node in embedded(html, "kg-nodes") if node["id"] == iri)


def test_explorer_graph_view_labels_per_script(store: OxigraphStore) -> None:
    graph = graph_view(store)
    assert graph.nodes[KG + "a_cnca"]["labels"] == {"zh-Hans": "国家认证认可监督管理委员会",
                                                  "zh-Hant": "國家認證認可監督管理委員會", "en": "CNCA"}
    # no zh-Hant prefLabel in the store: converted with OpenCC; no English: empty (the page falls back)
    assert graph.nodes[KG + "r_bj"]["labels"] == {"zh-Hans": "北京", "zh-Hant": "北京", "en": ""}
    assert graph.nodes[KG + "t_1"]["labels"]["zh-Hant"] == "完善認證認可法規體系"


def test_explorer_graph_view_membership_edge_carries_role_in_every_script(store: OxigraphStore) -> None:
    edge = graph_view(store).edges[KG + "p_zhang", KG + "a_cnca", "局长"]
    assert edge["labels"] == {"zh-Hans": "局长", "zh-Hant": "局長", "en": "Director"}


def test_explorer_graph_view_attaches_evidence_to_the_entities_a_fact_is_about(evidence_store: OxigraphStore) -> None:
    graph = graph_view(evidence_store)
    person = graph.nodes[KG + "p_zhang"]["evidence"]
    abouts = {item["about"] for item in person}
    assert abouts == {"张三 —局长→ 国家认证认可监督管理委员会", "张三 —出席/讲话→ 全国认证认可工作会议"}
    meeting = graph.nodes[KG + "m_1"]["evidence"]
    assert [item["quote"] for item in meeting] == ["张三出席会议"]
    agency = graph_view(evidence_store, evidence_cap=None).nodes[KG + "a_cnca"]["evidence"]
    assert len(agency) == 1 + 1 + 7  # the membership, its own mention in 001_a, seven mentions elsewhere
    mention = next(item for item in agency if item["doc"] == "001_a" and item["about"] == "")
    assert (mention["quote"], mention["rule"]) == ("国家认监委", "agency:cnca")
    assert RAW_A[mention["start"]:mention["end"]] == "国家认监委"


def test_explorer_graph_view_caps_evidence_and_counts_all(evidence_store: OxigraphStore) -> None:
    attrs = graph_view(evidence_store).nodes[KG + "a_cnca"]
    assert len(attrs["evidence"]) == explorer.EVIDENCE_CAP and attrs["evidence_total"] == 9
    assert attrs["evidence_docs"] == {"001_a": 2, **{f"00{i + 2}_gone": 1 for i in range(7)}}
    assert attrs["evidence"][0]["about"]  # facts first
    assert len({item["doc"] for item in attrs["evidence"]}) == explorer.EVIDENCE_CAP  # one text after another


def test_explorer_graph_view_reads_literal_attributes(evidence_store: OxigraphStore) -> None:
    graph = graph_view(evidence_store)
    assert ("任务编号", "task number", "1") in graph.nodes[KG + "t_1"]["attributes"]
    assert graph.nodes[KG + "d_plan"]["attributes"] == [("文号", "document number", "国认监〔2018〕1号")]


def test_explorer_graph_view_without_evidence(evidence_store: OxigraphStore) -> None:
    assert graph_view(evidence_store, evidence=False).nodes[KG + "a_cnca"]["evidence"] == []


def test_explorer_page_node_has_names_search_keys_and_type(evidence_store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    write_html(evidence_store, path)
    cnca = node_data(path.read_text(encoding="utf-8"), KG + "a_cnca")
    assert cnca["type"] == "Agency" and cnca["labels"]["zh-Hant"] == "國家認證認可監督管理委員會"
    keys = cnca["search"].split("\n")
    # Simplified and Traditional forms of every name, Latin case-folded: the page matches either script
    for key in ("国家认监委", "國家認監委", "认监委", "認監委", "cnca", "国家认证认可监督管理委员会", "國家認證認可監督管理委員會"):
        assert key in keys
    assert ["alt", "zh-hans", "认监委"] in cnca["names"] or ["alt", "zh-Hans", "认监委"] in cnca["names"]


def test_explorer_page_evidence_widens_the_quote_to_its_sentence(evidence_store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    write_html(evidence_store, path)
    person = node_data(path.read_text(encoding="utf-8"), KG + "p_zhang")
    post = next(item for item in person["evidence"] if item["about"].endswith("国家认证认可监督管理委员会"))
    assert (post["before"], post["quote"], post["after"]) == ("", "国家质检总局局长张三", "出席会议并讲话。")
    assert post["doc"] == "001_a" and RAW_A[post["start"]:post["end"]] == post["quote"]
    assert person["sources"] == [["001_a", 2]] and person["evidence_total"] == 2


def test_explorer_page_evidence_is_capped_and_says_how_many(evidence_store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    write_html(evidence_store, path)
    cnca = node_data(path.read_text(encoding="utf-8"), KG + "a_cnca")
    assert len(cnca["evidence"]) == explorer.EVIDENCE_CAP and cnca["evidence_total"] == 9
    assert cnca["evidence"][0]["about"]  # facts first
    assert len({item["doc"] for item in cnca["evidence"]}) == explorer.EVIDENCE_CAP  # one text after another
    gone = next(item for item in cnca["evidence"] if item["doc"].endswith("_gone"))
    assert (gone["before"], gone["quote"], gone["after"]) == ("", "认监委", "")  # the file is gone: the quote
    assert len(cnca["sources"]) == cnca["sources_total"] == 8 and cnca["sources"][0] == ["001_a", 2]


def test_explorer_page_relations_list_neighbours_with_labels(store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    write_html(store, path)
    cnca = node_data(path.read_text(encoding="utf-8"), KG + "a_cnca")
    assert ["in", "局长", KG + "p_zhang", "张三", True] in cnca["rel"]
    assert ["out", "牵头", KG + "t_1", "完善认证认可法规体系", True] in cnca["rel"]
    assert cnca["rel_total"] == 3
    terms = embedded(path.read_text(encoding="utf-8"), "kg-meta")["terms"]
    assert terms["牵头"] == {"zh-Hant": "牽頭", "en": "leads"} and terms["局长"]["en"] == "Director"


def test_explorer_page_task_of_a_plan_is_drawn_by_its_number(tmp_path: Path) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("t9", type="Task", label="2017年认证认可工作要点 任务9")
    path = tmp_path / "graph.html"
    write_html(graph, path)
    node = embedded(path.read_text(encoding="utf-8"), "kg-nodes")[0]
    assert node["label"] == "任务9" and node["display"] == {"zh-Hans": "任务9", "zh-Hant": "任務9", "en": "Task 9"}


def test_explorer_page_long_labels_are_cut_on_the_canvas_only(tmp_path: Path) -> None:
    graph = nx.MultiDiGraph()
    long = "构建统一管理、共同实施、权威公信、通用互认的质量认证体系"
    graph.add_node("t", type="Target", label=long)
    path = tmp_path / "graph.html"
    write_html(graph, path)
    node = embedded(path.read_text(encoding="utf-8"), "kg-nodes")[0]
    assert node["label"].endswith("…") and len(node["label"]) <= 18 and node["labels"]["zh-Hans"] == long


def test_explorer_page_names_the_fonts(page: tuple[str, dict]) -> None:
    html, _ = page
    assert 'font-family: "Noto Sans CJK SC", ' in html and "sans-serif;" in html
    assert "&#34;" not in html[:html.index("</style>", html.index("font-family"))]


# -- neighbourhoods and ccakg viz --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["国家认监委", "國家認監委", "认监委", "cnca", "国家认证认可监督管理委员会", KG + "a_cnca"])
def test_explorer_find_nodes_in_any_script(store: OxigraphStore, name: str) -> None:
    assert find_nodes(graph_view(store), name) == [KG + "a_cnca"]


def test_explorer_find_nodes_unknown_name_suggests(store: OxigraphStore) -> None:
    with pytest.raises(ExplorerError, match=r"no entity named '认监'.*国家认证认可监督管理委员会"):
        find_nodes(graph_view(store), "认监")


def test_explorer_neighbourhood_ignores_direction(store: OxigraphStore) -> None:
    graph = graph_view(store)
    assert neighbourhood(graph, [KG + "r_bj"], 0) == {KG + "r_bj": 0}
    assert neighbourhood(graph, [KG + "r_bj"], 1) == {KG + "r_bj": 0, KG + "m_1": 1}  # m_1 → r_bj
    two = neighbourhood(graph, [KG + "r_bj"], 2)
    assert two[KG + "p_zhang"] == 2 and KG + "a_cnca" not in two


def test_explorer_page_focus_draws_the_neighbourhood(store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    graph = graph_view(store)
    summary = write_html(graph, path, focus=[KG + "m_1"], hops=1)
    html = path.read_text(encoding="utf-8")
    assert {node["id"] for node in embedded(html, "kg-nodes")} == {KG + "m_1", KG + "p_zhang", KG + "r_bj"}
    assert summary["focus"] == [KG + "m_1"] and summary["omitted"] == 0
    assert embedded(html, "kg-meta")["focus"] == [KG + "m_1"]
    assert 'id="scope"' in html and "1 跳以内" in html
    # the panel still lists relations to entities outside the neighbourhood, marked as not drawn
    zhang = node_data(html, KG + "p_zhang")
    assert ["out", "局长", KG + "a_cnca", "国家认证认可监督管理委员会", False] in zhang["rel"]


def test_explorer_page_focus_over_budget_keeps_the_nearest(tmp_path: Path) -> None:
    graph = star_graph(20)
    graph.add_node("far", type="Region", label="远")
    graph.add_edge("p0", "far", key="地点", label="地点")
    path = tmp_path / "graph.html"
    summary = write_html(graph, path, focus=["p0"], hops=2, max_nodes=3)
    ids = {node["id"] for node in embedded(path.read_text(encoding="utf-8"), "kg-nodes")}
    assert "p0" in ids and "hub" in ids and "far" in ids and len(ids) == 3
    assert summary["omitted"] == 19


def test_explorer_open_store_refuses_a_folder_that_is_no_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store there"):
        open_store(tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing was created


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    with OxigraphStore(folder) as s:
        s.add(contract_quads())
    return folder


def test_cli_viz_draws_a_neighbourhood(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cnca.html"
    result = CliRunner().invoke(cli, ["viz", "--store", str(store_dir), "--focus", "國家認監委", "--hops", "1",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"focus: 国家认证认可监督管理委员会  [Agency]  {KG}a_cnca" in result.output
    ids = {node["id"] for node in embedded(out.read_text(encoding="utf-8"), "kg-nodes")}
    assert ids == {KG + "a_cnca", KG + "p_zhang", KG + "t_1", KG + "d_plan"}


def test_cli_viz_whole_store_with_a_budget(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.html"
    result = CliRunner().invoke(cli, ["viz", "--store", str(store_dir), "--max-nodes", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 entities" in result.output and "4 entities and" in result.output and 'id="omitted"' in out.read_text()


def test_cli_viz_unknown_name_fails_clearly(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    result = CliRunner().invoke(cli, ["viz", "--store", str(store_dir), "--focus", "不存在", "-o", str(out)])
    assert result.exit_code == 1 and "no entity named '不存在'" in result.output and not out.exists()


def test_cli_viz_missing_store_fails_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["viz", "--store", str(tmp_path / "nope"), "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "nope" in result.output and "does not exist" in result.output


# -- evidence of relations, texts, the budget and what is left over it --------------------------------


def test_explorer_graph_view_gives_each_relation_its_evidence(evidence_store: OxigraphStore) -> None:
    graph = graph_view(evidence_store)
    post = graph.edges[KG + "p_zhang", KG + "a_cnca", "局长"]["evidence"]
    speaks = graph.edges[KG + "p_zhang", KG + "m_1", "出席/讲话"]["evidence"]
    assert (post["quote"], post["rule"], post["doc"]) == ("国家质检总局局长张三", "rx:post", "001_a")
    assert RAW_A[speaks["start"]:speaks["end"]] == speaks["quote"] == "张三出席会议"
    assert graph.edges[KG + "a_cnca", KG + "t_1", "牵头"]["evidence"] is None  # the task has no evidence here


def test_explorer_graph_view_reads_the_texts_titles_and_dates(evidence_store: OxigraphStore) -> None:
    src = n(KG + "src-001_a")
    evidence_store.add([q(src, RDF + "type", n(KGO + "SourceText")), q(src, DCT + "identifier", ox.Literal("001_a")),
                        q(src, DCT + "title", ox.Literal("标题", language="zh-Hans")),
                        q(src, DCT + "issued", ox.Literal("2018-01-16", datatype=n(XSD + "date")))])
    assert graph_view(evidence_store).graph["texts"]["001_a"] == {"title": "标题", "date": "2018-01-16", "path": ""}


def typed_star(persons: int, hubs: int) -> nx.MultiDiGraph:
    """``hubs`` agencies linked to each other, and ``persons`` persons each with one post at the first hub."""
    graph = nx.MultiDiGraph()
    for i in range(hubs):
        graph.add_node(f"a{i}", type="Agency", label=f"机构{i}")
        for j in range(i):
            graph.add_edge(f"a{i}", f"a{j}", key="隶属", label="隶属")
    for i in range(persons):
        graph.add_node(f"p{i}", type="Person", label=f"人{i}")
        graph.add_edge(f"p{i}", "a0", key="局长", label="局长")
    return graph


def test_explorer_budget_keeps_each_types_share_so_leaves_are_not_dropped_first() -> None:
    graph = typed_star(persons=30, hubs=30)   # every agency has a higher degree than every person
    shown = most_connected(graph, 20)
    types = Counter(graph.nodes[node]["type"] for node in shown)
    assert types == {"Agency": 10, "Person": 10}
    assert "a0" in shown  # the most connected of each type first


def test_explorer_page_over_budget_keeps_the_rest_in_reserve_for_search_and_paths(tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    summary = write_html(typed_star(persons=30, hubs=30), path, max_nodes=20)
    html = path.read_text(encoding="utf-8")
    drawn = {node["id"] for node in embedded(html, "kg-nodes")}
    reserve = embedded(html, "kg-extra")["reserve"]
    spare = {node["id"] for node in reserve["nodes"]}
    assert len(spare) == summary["omitted"] == 40 and not spare & drawn
    assert all(node["search"] and node["labels"] and "x" not in node for node in reserve["nodes"])
    # every edge with an end in reserve is there once, none between two drawn entities
    pairs = {(e["from"], e["to"]) for e in reserve["edges"]}
    assert len(pairs) == len(reserve["edges"]) == summary["omitted_edges"]
    assert all(e["from"] in spare or e["to"] in spare for e in reserve["edges"])


def test_explorer_page_names_the_texts_and_embeds_them_for_the_source_view(evidence_store: OxigraphStore,
                                                                             tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    write_html(evidence_store, path)
    extra = embedded(path.read_text(encoding="utf-8"), "kg-extra")
    assert set(extra["texts"]) == {"001_a"} | {f"00{i + 2}_gone" for i in range(7)}
    assert extra["sources"] == {"001_a": RAW_A}  # the texts that are gone cannot be shown
    edge = next(e for e in embedded(path.read_text(encoding="utf-8"), "kg-edges") if e["to"] == KG + "m_1")
    [item] = edge["ev"]
    assert (item["label"], item["quote"], item["after"]) == ("出席/讲话", "张三出席会议", "并讲话。")


def test_explorer_source_view_text_blanks_html_markup_and_keeps_offsets() -> None:
    raw = '<html><head><style>p { color: red }</style><script>var x = "<b>";</script></head>\n<p>国家<b>认监委</b></p>'
    text = explorer.source_view_text(raw, "text/html")
    assert len(text) == len(raw) and text.index("认监委") == raw.index("认监委")
    assert "<" not in text and "color" not in text and "var" not in text and text.count("\n") == 1
    assert explorer.source_view_text(raw, "text/plain") == raw


# -- readability: colours for colour-blind readers, English names ---------------------------------------

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB
CVD = {"protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
       "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
       "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
       "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1))}


def lab(color: str, matrix) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour as seen through a colour vision deficiency ``matrix``."""
    srgb = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb]
    r, g, b = (min(1.0, max(0.0, sum(m * c for m, c in zip(row, linear)))) for row in matrix)
    xyz = (0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           0.0193 * r + 0.1192 * g + 0.9505 * b)
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (xyz[0] / 0.95047, xyz[1], xyz[2] / 1.08883)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def test_explorer_types_differ_by_colour_for_colour_blind_readers_or_by_shape() -> None:
    types = explorer.ENTITY_TYPES
    assert len({(t.color, t.shape) for t in types}) == len(types)
    assert {t.color.upper() for t in types} <= {c.upper() for c in explorer.OKABE_ITO.values()}
    for vision, matrix in CVD.items():
        for i, a in enumerate(types):
            for b in types[i + 1:]:
                if a.shape == b.shape:
                    delta = math.dist(lab(a.color, matrix), lab(b.color, matrix))
                    assert delta > 12, f"{a.name} and {b.name} look alike with {vision} (ΔE {delta:.1f})"


def test_explorer_type_names_read_as_english() -> None:
    assert explorer.TYPES_BY_NAME["PolicyDocument"].en == "Policy document"
    assert explorer.TYPES_BY_NAME["CertificationScheme"].en == "Certification scheme"
    assert explorer.TYPES_BY_NAME["Person"].en == "Person"


def test_explorer_graph_view_takes_english_names_from_the_lexicon() -> None:
    role, agency = n(KG + "role_deputy"), n(KG + "a_nsc")
    membership = ox.BlankNode("m")
    quads = (entity("p_li", FOAF + "Person", "李四") + entity("a_nsc", KGO + "Agency", "国家认证认可监督管理委员会")
             + [q(role, SKOS + "prefLabel", ox.Literal("副局长", language="zh-Hans"), ENTITIES),
                q(membership, RDF + "type", n(ORG + "Membership")), q(membership, ORG + "member", n(KG + "p_li")),
                q(membership, ORG + "organization", agency), q(membership, ORG + "role", role)])
    with OxigraphStore() as s:
        s.add(quads)
        graph = graph_view(s)
    # neither has an English label in the store: the lexicon's reviewed names are used
    assert graph.nodes[KG + "a_nsc"]["labels"]["en"].startswith("Certification and Accreditation Administration")
    assert graph.edges[KG + "p_li", KG + "a_nsc", "副局长"]["labels"]["en"] == "Deputy Director"
    assert graph.nodes[KG + "p_li"]["labels"]["en"] == ""   # nothing to give: the page falls back to Chinese
