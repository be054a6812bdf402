"""Networks for Gephi (GEXF, GraphML): the explorer's entity graph, ready to look at when it is opened.

Nodes are entity IRIs with ``label`` (zh-Hans), ``type`` (Agency …), ``type_zh`` (机构 …), ``name_zh_hant``,
``name_en``, ``aliases``, ``texts`` (how many texts name it) and ``mentions`` (its evidence items). Each
carries the explorer's colour of its type, a position from a seeded force-directed layout and a size that
grows with its mentions: in GEXF as ``viz:color``/``viz:position``/``viz:size``, in GraphML as the ``r``,
``g``, ``b``, ``x``, ``y`` and ``size`` attributes Gephi's GraphML import reads. One edge per ordered pair
of entities: ``label`` (发布, 局长 …; several joined by 、), ``label_en``, ``relation`` (issued, leads,
membership …) and ``weight``, the number of texts that state it. Time: a node or edge lives from January 1
of the first year of the texts behind it (and, for an entity, of its own dates: a document's issue, a
meeting's start, a statistic's observation) to December 31 of the last (``start``/``end``; GEXF mode
dynamic), so Gephi's timeline plays the graph year by year; without a date it is always there.

``bipartite``: the text–entity network for co-mention analysis instead: text nodes (``type`` Text, the
title as label, ``doc_id``) and entity nodes (``bipartite`` 0 and 1), an edge text → entity weighted by the
entity's mentions in that text.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.namespaces import SPARQL_PREFIXES, doc_id_of
from kg.store import OxigraphStore

TEXT_TYPE, TEXT_TYPE_ZH, TEXT_COLOR = "Text", "文本", "#555555"
MEMBERSHIP = "membership"
DATES_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?e ?date WHERE { ?e dct:issued|schema:startDate|schema:observationDate ?date }"""
TEXTS_QUERY = SPARQL_PREFIXES + """
SELECT ?g ?src ?title ?issued WHERE { GRAPH ?g { ?src a kgo:SourceText .
  OPTIONAL { ?src dct:title ?title } OPTIONAL { ?src dct:issued ?issued } } }"""


@dataclass(frozen=True)
class Text:
    iri: str
    doc_id: str
    title: str
    year: int | None


def network(store: OxigraphStore, *, bipartite: bool = False) -> nx.DiGraph:
    """The entity network (or the text–entity network) with colours, positions, sizes, weights and time."""
    from kg.web.explorer import graph_view

    view = graph_view(store)
    texts = source_texts(store)
    dates = own_years(store)
    graph = nx.DiGraph(name="ccakg texts and entities" if bipartite else "ccakg entities")
    for node in sorted(view.nodes):
        graph.add_node(node, **_entity_attributes(view.nodes[node], texts, dates.get(node, []), bipartite))
    if bipartite:
        _add_texts(graph, view, texts)
    else:
        _add_relations(graph, view, store, texts)
    _place(graph)
    return graph


def source_texts(store: OxigraphStore) -> dict[str, Text]:
    """doc id → the text's IRI, title and year (from dct:issued)."""
    texts = {}
    for graph_iri, source, title, issued in store.select(TEXTS_QUERY)[1]:
        doc_id = doc_id_of(graph_iri)
        year = int(issued[:4]) if issued and issued[:4].isdigit() else None
        texts[doc_id] = Text(source, doc_id, title or doc_id, year)
    return texts


def own_years(store: OxigraphStore) -> dict[str, list[int]]:
    """entity → the years of its own dates: a document's issue, a meeting's start, a statistic's observation."""
    years: dict[str, list[int]] = defaultdict(list)
    for entity, date in store.select(DATES_QUERY)[1]:
        if date and date[:4].isdigit():
            years[entity].append(int(date[:4]))
    return years


def _entity_attributes(attrs: dict[str, Any], texts: dict[str, Text], years: list[int],
                       bipartite: bool) -> dict[str, Any]:
    from kg.export import entity_names
    from kg.web.explorer import OTHER_TYPE, TYPES_BY_NAME

    kind = TYPES_BY_NAME.get(attrs.get("type", ""), OTHER_TYPE)
    names = entity_names(attrs.get("names", []))
    docs = attrs.get("evidence_docs", {})
    out = {"label": attrs.get("label", ""), "type": kind.name, "type_zh": kind.label,
           "name_zh_hant": names["name_zh_hant"], "name_en": names["name_en"], "aliases": names["aliases"],
           "texts": len(docs), "mentions": int(attrs.get("evidence_total", 0)), "color": kind.color,
           **_time(years + [texts[d].year for d in docs if d in texts])}
    if bipartite:
        out["bipartite"] = 1
    return out


def _add_relations(graph: nx.DiGraph, view: nx.MultiDiGraph, store: OxigraphStore, texts: dict[str, Text]) -> None:
    """One edge per ordered pair: its labels joined, weighted by the texts that state any of them."""
    from kg.export import relation_docs
    from kg.web.explorer import RELATIONS_BY_PREDICATE

    docs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (source, _, target, _), in_docs in relation_docs(store).items():
        docs[(source, target)] |= in_docs
    pairs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for source, target, attrs in view.edges(data=True):
        pairs[(source, target)].append(attrs)
    for i, ((source, target), edges) in enumerate(sorted(pairs.items())):
        edges.sort(key=lambda a: a["label"])
        kinds = [RELATIONS_BY_PREDICATE[a["relation"]].en if a["relation"] in RELATIONS_BY_PREDICATE else MEMBERSHIP
                 for a in edges]
        in_docs = docs.get((source, target), set()) - {""}
        graph.add_edge(source, target, id=f"e{i}", label="、".join(a["label"] for a in edges),
                       label_en=", ".join(a["labels"]["en"] or a["label"] for a in edges),
                       relation=", ".join(dict.fromkeys(kinds)), weight=max(1, len(in_docs)),
                       **_time([texts[d].year for d in in_docs if d in texts]))


def _add_texts(graph: nx.DiGraph, view: nx.MultiDiGraph, texts: dict[str, Text]) -> None:
    """Text nodes, and an edge text → entity weighted by the entity's mentions in the text."""
    for text in sorted(texts.values(), key=lambda t: t.doc_id):
        graph.add_node(text.iri, label=text.title, type=TEXT_TYPE, type_zh=TEXT_TYPE_ZH, doc_id=text.doc_id,
                       mentions=0, color=TEXT_COLOR, bipartite=0, **_time([text.year]))
    edges = sorted((texts[doc].iri, entity, count) for entity, attrs in view.nodes(data=True)
                   for doc, count in attrs.get("evidence_docs", {}).items() if doc in texts)
    for i, (text, entity, count) in enumerate(edges):
        graph.nodes[text]["mentions"] += count
        graph.add_edge(text, entity, id=f"e{i}", label="提及", label_en="mentions", relation="mentions",
                       weight=count, **{k: v for k, v in graph.nodes[text].items() if k in ("start", "end")})


def _time(years: list[int | None]) -> dict[str, str]:
    """start and end (dates) spanning the years, or nothing without a year."""
    known = [y for y in years if y]
    return {"start": f"{min(known):04d}-01-01", "end": f"{max(known):04d}-12-31"} if known else {}


LAYOUT_LIMIT = 2_000   # the force layout costs O(n²) per step: above this, only the best-connected get it


def _place(graph: nx.DiGraph) -> None:
    """Positions from the explorer's seeded layout; sizes from mentions."""
    positions = layout(graph)
    for node, attrs in graph.nodes(data=True):
        x, y = positions.get(node, (0.0, 0.0))
        attrs.update(x=x, y=y, size=round(8 + 4 * math.sqrt(attrs.get("mentions", 0)), 1))


def layout(graph: nx.DiGraph, limit: int = LAYOUT_LIMIT) -> dict:
    """The explorer's force layout for the ``limit`` best-connected nodes; every other node next to its first
    placed neighbour (a seeded offset), else on a ring around them: linear beyond the limit, so that a
    large build exports in time (Gephi's own ForceAtlas2 then refines it)."""
    from kg.web.explorer import layout_positions

    if graph.number_of_nodes() <= limit:
        return layout_positions(graph)
    undirected = graph.to_undirected(as_view=True)
    core = sorted(undirected.nodes, key=lambda n: (-undirected.degree(n), str(n)))[:limit]
    positions = dict(layout_positions(undirected.subgraph(core)))
    radius = max((math.hypot(x, y) for x, y in positions.values()), default=1.0) * 1.2
    rest = [n for n in sorted(undirected.nodes, key=str) if n not in positions]
    for i, node in enumerate(rest):
        anchor = next((positions[m] for m in undirected.neighbors(node) if m in positions), None)
        angle = 2 * math.pi * ((i * 0.618033988749895) % 1.0)   # golden-ratio spread, deterministic
        if anchor is None:
            positions[node] = (radius * math.cos(angle), radius * math.sin(angle))
        else:
            positions[node] = (anchor[0] + 20 * math.cos(angle), anchor[1] + 20 * math.sin(angle))
    return positions


def rgb(color: str) -> tuple[int, int, int]:
    """#rrggbb → (r, g, b)."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def for_gexf(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy with colour, position and size as GEXF viz elements (and no such attribute columns)."""
    out = graph.copy()
    for attrs in out.nodes.values():
        r, g, b = rgb(attrs.pop("color"))
        attrs["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0},
                        "position": {"x": attrs.pop("x"), "y": attrs.pop("y"), "z": 0.0}, "size": attrs.pop("size")}
    return out


def for_graphml(graph: nx.DiGraph) -> nx.MultiDiGraph:
    """A copy with the colour as the r, g, b attributes Gephi's GraphML import reads; edge ids as keys (networkx
    writes a multigraph's keys as edge ids, not as an attribute column)."""
    out = nx.MultiDiGraph(name=graph.graph["name"])
    for node, attrs in graph.nodes(data=True):
        r, g, b = rgb(attrs["color"])
        out.add_node(node, **{k: v for k, v in attrs.items() if k != "color"}, r=r, g=g, b=b)
    for source, target, attrs in graph.edges(data=True):
        out.add_edge(source, target, key=attrs["id"], **{k: v for k, v in attrs.items() if k != "id"})
    return out
