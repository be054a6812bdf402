"""GEXF and GraphML for Gephi, read back with networkx and ElementTree from a build of examples/corpus:
colours of the explorer's palette, a layout, sizes, edge weights (texts stating a fact), time, readable
labels, no junk columns, and the text–entity bipartite network (issue 14)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.export import export, open_build, relation_docs
from kg.gephi import rgb, source_texts
from kg.web.explorer import TYPES_BY_NAME, graph_view

CNCA = "国家认证认可监督管理委员会"
GEXF = "{http://www.gexf.net/1.2draft}"
VIZ = "{http://www.gexf.net/1.2draft/viz}"
NODE_COLUMNS = {"type", "type_zh", "name_zh_hant", "name_en", "aliases", "texts", "mentions"}
EDGE_COLUMNS = {"label_en", "relation"}


@pytest.fixture(scope="module")
def build_dir(examples_build) -> Path:
    return examples_build[0]


@pytest.fixture(scope="module")
def view(build_dir: Path) -> nx.MultiDiGraph:
    with open_build(build_dir) as store:
        return graph_view(store)


@pytest.fixture(scope="module")
def gexf(build_dir: Path, tmp_path_factory) -> Path:
    return export(build_dir, "gexf", tmp_path_factory.mktemp("gephi") / "graph.gexf")


@pytest.fixture(scope="module")
def texts_of(build_dir: Path) -> dict:
    """(source, target) → ids of the texts that state a relation between them."""
    pairs: dict = {}
    with open_build(build_dir) as store:
        for (source, _, target, _), docs in relation_docs(store).items():
            pairs.setdefault((source, target), set()).update(docs)
    return pairs


def columns(root: ET.Element, kind: str) -> set[str]:
    return {a.get("title") for c in root.iter(f"{GEXF}attributes") if c.get("class") == kind
            for a in c.iter(f"{GEXF}attribute")}


def test_gexf_nodes_carry_the_explorer_colours_a_layout_and_sizes(gexf: Path, view) -> None:
    root = ET.parse(gexf).getroot()
    nodes = list(root.iter(f"{GEXF}node"))
    assert {n.get("id") for n in nodes} == set(view.nodes)
    positions = set()
    for node in nodes:
        color = node.find(f"{VIZ}color")
        kind = TYPES_BY_NAME[view.nodes[node.get("id")]["type"]]
        assert (int(color.get("r")), int(color.get("g")), int(color.get("b"))) == rgb(kind.color)
        position = node.find(f"{VIZ}position")
        positions.add((float(position.get("x")), float(position.get("y"))))
        assert float(node.find(f"{VIZ}size").get("value")) >= 8
    assert len(positions) == len(nodes)          # a real layout: no two nodes on one spot
    graph = nx.read_gexf(gexf)
    sizes = {graph.nodes[n]["label"]: graph.nodes[n]["viz"]["size"] for n in graph.nodes}
    mentions = {graph.nodes[n]["label"]: graph.nodes[n]["mentions"] for n in graph.nodes}
    most = max(mentions, key=mentions.get)
    least = min(mentions, key=mentions.get)
    assert mentions[most] > mentions[least] and sizes[most] > sizes[least]


def test_gexf_edges_are_weighted_by_the_texts_that_state_them(gexf: Path, view, texts_of) -> None:
    graph = nx.read_gexf(gexf)
    assert set(graph.edges) == {(s, t) for s, t in view.edges()}       # one edge per ordered pair
    weights = {(s, t): a["weight"] for s, t, a in graph.edges(data=True)}
    for pair, weight in weights.items():
        assert weight == max(1, len(texts_of.get(pair, set()) - {""}))
    assert max(weights.values()) >= 2                                  # some fact is stated by several texts


def test_gexf_is_dynamic_with_the_years_of_the_texts_and_dates(gexf: Path, build_dir: Path) -> None:
    root = ET.parse(gexf).getroot()
    graph_element = root.find(f"{GEXF}graph")
    assert graph_element.get("mode") == "dynamic" and graph_element.get("timeformat") == "date"
    with open_build(build_dir) as store:
        years = {t.doc_id: t.year for t in source_texts(store).values()}
    assert years["2019-conference"] == 2019 and years["work-points"] is None   # a text without a date
    graph = nx.read_gexf(gexf)
    cnca = next(n for n in graph.nodes if graph.nodes[n]["label"] == CNCA)
    assert (graph.nodes[cnca]["start"], graph.nodes[cnca]["end"]) == ("2019-01-01", "2019-12-31")
    spans = {(a.get("start"), a.get("end")) for _, a in graph.nodes(data=True)}
    assert ("2018-01-01", "2019-12-31") in spans       # a document issued in 2018, named by texts of 2019
    dated = [a for _, _, a in graph.edges(data=True) if "start" in a]
    assert dated and all(a["start"] <= a["end"] for a in dated)


def test_gexf_labels_are_readable_and_there_are_no_junk_columns(gexf: Path) -> None:
    root = ET.parse(gexf).getroot()
    assert columns(root, "node") == NODE_COLUMNS
    assert columns(root, "edge") == EDGE_COLUMNS
    graph = nx.read_gexf(gexf)
    cnca = next(n for n in graph.nodes if graph.nodes[n]["label"] == CNCA)
    attrs = graph.nodes[cnca]
    assert (attrs["type"], attrs["type_zh"], attrs["name_zh_hant"]) == ("Agency", "机构", "國家認證認可監督管理委員會")
    assert "认监委" in attrs["aliases"].split(" | ")
    edges = [a for _, _, a in graph.edges(data=True)]
    relations = Counter(r for a in edges for r in a["relation"].split(", "))
    assert {"issued", "speaks at", "membership"} <= set(relations)
    assert not any(":" in r or "http" in r for r in relations)
    issued = next(a for a in edges if a["relation"] == "issued")
    assert (issued["label"], issued["label_en"]) == ("发布", "issued")


def test_graphml_carries_colour_position_size_and_weight_as_gephi_reads_them(build_dir: Path, tmp_path: Path,
                                                                          view) -> None:
    path = export(build_dir, "graphml", tmp_path / "graph.graphml")
    graph = nx.read_graphml(path)
    assert set(graph.nodes) == set(view.nodes) and graph.is_directed()
    for node, attrs in graph.nodes(data=True):
        assert (attrs["r"], attrs["g"], attrs["b"]) == rgb(TYPES_BY_NAME[attrs["type"]].color)
        assert isinstance(attrs["x"], float) and isinstance(attrs["y"], float) and attrs["size"] >= 8
    assert all(a["weight"] >= 1 for _, _, a in graph.edges(data=True))
    root = ET.parse(path).getroot()
    ids = [e.get("id") for e in root.iter("{http://graphml.graphdrawing.org/xmlns}edge")]
    assert ids and len(ids) == len(set(ids)) and None not in ids
    keys = {k.get("attr.name") for k in root.iter("{http://graphml.graphdrawing.org/xmlns}key")}
    assert not keys & {"id", "key", "predicate", "color", "viz"}


def test_bipartite_network_links_texts_to_the_entities_they_mention(build_dir: Path, tmp_path: Path, view) -> None:
    result = CliRunner().invoke(cli, ["export", str(build_dir), "--format", "gexf", "--bipartite",
                                      "-o", str(tmp_path / "texts.gexf")])
    assert result.exit_code == 0, result.output
    graph = nx.read_gexf(tmp_path / "texts.gexf")
    texts = {n for n, a in graph.nodes(data=True) if a["bipartite"] == 0}
    entities = {n for n, a in graph.nodes(data=True) if a["bipartite"] == 1}
    assert len(texts) == 5 and entities == set(view.nodes)
    assert all(graph.nodes[t]["type"] == "Text" and graph.nodes[t]["label"] for t in texts)
    assert all(s in texts and t in entities for s, t in graph.edges)       # text → entity only
    cnca = next(n for n in entities if graph.nodes[n]["label"] == CNCA)
    into = {graph.nodes[s]["doc_id"]: a["weight"] for s, _, a in graph.in_edges(cnca, data=True)}
    assert into == view.nodes[cnca]["evidence_docs"] and sum(into.values()) == graph.nodes[cnca]["mentions"]
    assert len(into) >= 2
    for text, _, attrs in graph.in_edges(cnca, data=True):      # an edge lives when its text does
        assert attrs.get("start") == graph.nodes[text].get("start")
    assert graph.nodes[next(t for t in texts if graph.nodes[t]["doc_id"] == "2019-conference")]["start"] == "2019-01-01"


def test_bipartite_is_only_for_network_formats(build_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", str(build_dir), "--format", "ttl", "--bipartite",
                                      "-o", str(tmp_path / "x.ttl")])
    assert result.exit_code == 1 and "bipartite" in result.output and "graphml or gexf" in result.output


def test_layout_beyond_the_limit_places_every_node_next_to_a_neighbour():
    import math

    import networkx as nx

    from kg.gephi import layout

    graph = nx.DiGraph()
    for hub in range(10):                     # ten hubs with 30 leaves each, and two loose nodes
        for leaf in range(30):
            graph.add_edge(f"h{hub}", f"h{hub}-l{leaf}")
    graph.add_nodes_from(["loose-a", "loose-b"])
    positions = layout(graph, limit=50)
    assert set(positions) == set(graph.nodes)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in positions.values())
    for node in graph.nodes:
        neighbours = list(graph.to_undirected().neighbors(node))
        if node.startswith("h") and "-l" in node and neighbours:
            hub = positions[neighbours[0]]
            assert math.dist(positions[node], hub) <= 20.001 or node in _core(graph, 50)
    assert positions["loose-a"] != positions["loose-b"]


def _core(graph, limit):
    undirected = graph.to_undirected()
    return set(sorted(undirected.nodes, key=lambda n: (-undirected.degree(n), str(n)))[:limit])
