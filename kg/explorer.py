"""graph.html: an offline, self-contained explorer of the entities and the relations between them.

``graph_view`` reads the store into a networkx MultiDiGraph of entities whose edges are readable
relations (a membership becomes person -局长-> agency, not a blank fact node); ``write_html`` draws it
with pyvis and vis-network inlined in our own template (``kg/templates/explorer.html``): the page fetches
nothing, and every string from the data reaches the page escaped.

Budgets (STACK.md, headless Chromium on 2 cores): live physics up to ~500 nodes; above that positions
are computed here and physics is off; above ``max_nodes`` only the most connected entities are drawn and
the page says what was left out.
"""
from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyvis
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from pyvis.network import Network

from kg.errors import KGError
from kg.namespaces import DCT, FOAF, ORG, SCHEMA, SPARQL_PREFIXES, kgo
from kg.store import OxigraphStore

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "explorer.html"
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
PHYSICS_MAX_NODES = 500
LAYOUT_SEED = 42
FONT_STACK = '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif'


@dataclass(frozen=True)
class EntityType:
    name: str     # local name, e.g. "Agency"
    iri: str
    label: str    # zh-Hans label of the class (ontology/ccakg.ttl)
    color: str


def _kgo_type(name: str, label: str, color: str) -> EntityType:
    return EntityType(name, kgo(name), label, color)


# In priority order: an entity typed twice is drawn as the first type listed.
ENTITY_TYPES: tuple[EntityType, ...] = (
    EntityType("Person", FOAF + "Person", "人物", "#1f77b4"),
    _kgo_type("Agency", "机构", "#d62728"),
    _kgo_type("Department", "内设部门", "#ff9896"),
    _kgo_type("Organization", "组织", "#9467bd"),
    _kgo_type("UnitGroup", "单位集合", "#c49c94"),
    _kgo_type("PolicyDocument", "政策文件", "#8c564b"),
    _kgo_type("Meeting", "会议", "#e377c2"),
    _kgo_type("Initiative", "举措", "#2ca02c"),
    _kgo_type("CertificationScheme", "认证制度", "#17becf"),
    _kgo_type("Task", "工作任务", "#98df8a"),
    _kgo_type("Target", "目标", "#ffbb78"),
    _kgo_type("Statistic", "统计数据", "#ff7f0e"),
    _kgo_type("Indicator", "指标", "#c5b0d5"),
    _kgo_type("Sector", "行业领域", "#bcbd22"),
    _kgo_type("Region", "地区", "#9edae5"),
)
OTHER_TYPE = EntityType("Other", "", "其他", "#bbbbbb")
TYPES_BY_IRI = {t.iri: t for t in ENTITY_TYPES}
TYPES_BY_NAME = {t.name: t for t in ENTITY_TYPES}


@dataclass(frozen=True)
class Relation:
    """A binary predicate drawn as an edge; ``reverse`` draws it object → subject."""

    predicate: str
    label: str
    reverse: bool = False


RELATIONS: tuple[Relation, ...] = (
    Relation(kgo("leadUnit"), "牵头", reverse=True),
    Relation(kgo("supportUnit"), "协作", reverse=True),
    Relation(ORG + "unitOf", "隶属"),
    Relation(ORG + "subOrganizationOf", "隶属"),
    Relation(DCT + "publisher", "发布", reverse=True),
    Relation(kgo("speaksAt"), "出席/讲话"),
    Relation(kgo("mentions"), "提及"),
    Relation(kgo("appliesToSector"), "适用"),
    Relation(kgo("inWorkPlan"), "属于"),
    Relation(SCHEMA + "variableMeasured", "指标"),
    Relation(kgo("targetSubject"), "目标对象"),
    Relation(kgo("statedIn"), "出自"),
    Relation(SCHEMA + "location", "地点"),
)
RELATIONS_BY_PREDICATE = {r.predicate: r for r in RELATIONS}
MEMBER_LABEL = "成员"

_TYPE_VALUES = " ".join(f"<{t.iri}>" for t in ENTITY_TYPES)
ENTITIES_QUERY = SPARQL_PREFIXES + f"SELECT DISTINCT ?e ?type WHERE {{ VALUES ?type {{ {_TYPE_VALUES} }} ?e a ?type }}"
NAMES_QUERY = SPARQL_PREFIXES + f"""
SELECT DISTINCT ?e ?kind ?name (lang(?name) AS ?lang) (langMatches(lang(?name), "zh-Hans") AS ?zh) WHERE {{
  VALUES ?type {{ {_TYPE_VALUES} }}
  ?e a ?type .
  {{ ?e skos:prefLabel ?name BIND("pref" AS ?kind) }} UNION {{ ?e skos:altLabel ?name BIND("alt" AS ?kind) }}
}}"""
RELATIONS_QUERY = (SPARQL_PREFIXES + "SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?p { "
                   + " ".join(f"<{r.predicate}>" for r in RELATIONS) + " } ?s ?p ?o }")
MEMBERSHIP_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?person ?org ?role ?roleLabel WHERE {
  ?m a org:Membership ; org:member ?person ; org:organization ?org .
  OPTIONAL { ?m org:role ?role .
             OPTIONAL { ?role skos:prefLabel ?roleLabel FILTER(langMatches(lang(?roleLabel), "zh-Hans")) } }
}"""


class ExplorerError(KGError):
    """The explorer page cannot be built or written."""


# -- the networkx view ------------------------------------------------------------------------------


def graph_view(store: OxigraphStore) -> nx.MultiDiGraph:
    """Read the entities and the readable relations between them from ``store``.

    Nodes are entity IRIs with ``type``, ``type_label``, ``label``, ``names`` and ``title``; edges carry
    ``label`` (e.g. 局长, 牵头) and ``relation`` (the predicate IRI, or ``org:Membership``), keyed by label.
    """
    graph = nx.MultiDiGraph()
    _add_entities(graph, store)
    _add_relations(graph, store)
    _add_memberships(graph, store)
    log.info("explorer view: %d entities, %d relations", graph.number_of_nodes(), graph.number_of_edges())
    return graph


def _add_entities(graph: nx.MultiDiGraph, store: OxigraphStore) -> None:
    types: dict[str, EntityType] = {}
    for entity, type_iri in store.select(ENTITIES_QUERY)[1]:
        candidate = TYPES_BY_IRI[type_iri]
        if entity not in types or ENTITY_TYPES.index(candidate) < ENTITY_TYPES.index(types[entity]):
            types[entity] = candidate
    names = _names_by_entity(store)
    for entity, entity_type in types.items():
        entity_names = names.get(entity, [])
        label = _pick_label(entity, entity_names)
        graph.add_node(entity, type=entity_type.name, type_label=entity_type.label, label=label,
                       names=entity_names, title=_hover_text(entity, entity_type, entity_names))


def _names_by_entity(store: OxigraphStore) -> dict[str, list[tuple[str, str, str, bool]]]:
    """entity → [(kind, name, lang, is_zh_hans)], prefLabels first, in a stable order."""
    names: dict[str, list[tuple[str, str, str, bool]]] = defaultdict(list)
    for entity, kind, name, lang, zh in store.select(NAMES_QUERY)[1]:
        names[entity].append((kind or "", name or "", lang or "", zh == "true"))
    for entity_names in names.values():
        entity_names.sort(key=lambda n: (n[0] != "pref", not n[3], n[2], n[1]))
    return names


def _pick_label(entity: str, names: list[tuple[str, str, str, bool]]) -> str:
    """The zh-Hans prefLabel; else any prefLabel; else the IRI's last segment."""
    prefs = [n for n in names if n[0] == "pref"]
    for kind, name, lang, zh in prefs:
        if zh:
            return name
    return prefs[0][1] if prefs else _local_name(entity)


def _hover_text(entity: str, entity_type: EntityType, names: list[tuple[str, str, str, bool]]) -> str:
    """Plain text (vis-network shows a string title with innerText): type, every name, aliases, IRI."""
    lines = [f"{entity_type.label} ({entity_type.name})"]
    lines += [f"{name} [{lang or '-'}]" for kind, name, lang, _ in names if kind == "pref"]
    aliases = [name for kind, name, _, _ in names if kind == "alt"]
    if aliases:
        lines.append("别名: " + "；".join(aliases))
    lines.append(entity)
    return "\n".join(lines)


def _add_relations(graph: nx.MultiDiGraph, store: OxigraphStore) -> None:
    skipped = 0
    for subject, predicate, obj in store.select(RELATIONS_QUERY)[1]:
        relation = RELATIONS_BY_PREDICATE[predicate]
        source, target = (obj, subject) if relation.reverse else (subject, obj)
        skipped += not _add_edge(graph, source, target, relation.label, predicate)
    if skipped:
        log.debug("explorer: %d relations skipped (an end is not an entity)", skipped)


def _add_memberships(graph: nx.MultiDiGraph, store: OxigraphStore) -> None:
    roles: dict[tuple[str, str, str], str] = {}
    for person, org, role, role_label in store.select(MEMBERSHIP_QUERY)[1]:
        key = (person, org, role or "")
        label = role_label or (_local_name(role) if role else MEMBER_LABEL)
        roles[key] = min(roles.get(key, label), label)  # one label per role, however many it has
    for (person, org, _), label in sorted(roles.items()):
        _add_edge(graph, person, org, label, ORG + "Membership")


def _add_edge(graph: nx.MultiDiGraph, source: str, target: str, label: str, relation: str) -> bool:
    if source not in graph or target not in graph:
        return False
    graph.add_edge(source, target, key=label, label=label, relation=relation)
    return True


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


# -- selecting and placing what is drawn --------------------------------------------------------------


def most_connected(graph: nx.MultiDiGraph, max_nodes: int) -> nx.MultiDiGraph:
    """The subgraph of the ``max_nodes`` nodes of highest degree (ties by label, then id), or ``graph``."""
    if graph.number_of_nodes() <= max_nodes:
        return graph
    ranked = sorted(graph.nodes, key=lambda n: (-graph.degree(n), str(graph.nodes[n].get("label", n)), str(n)))
    return graph.subgraph(ranked[:max(max_nodes, 0)]).copy()


def layout_positions(graph: nx.Graph, *, seed: int = LAYOUT_SEED) -> dict[Hashable, tuple[float, float]]:
    """Pixel positions from a force-directed layout (networkx; a numpy fallback without scipy)."""
    simple = nx.Graph(graph)
    if simple.number_of_nodes() == 0:
        return {}
    try:
        raw = nx.spring_layout(simple, seed=seed, iterations=50)
    except ImportError:  # networkx needs scipy for 500+ nodes; scipy is not a dependency of ccakg
        raw = numpy_spring_layout(simple, seed=seed)
    return _to_pixels(raw, simple.number_of_nodes())


def numpy_spring_layout(graph: nx.Graph, *, seed: int = LAYOUT_SEED, iterations: int = 50,
                        chunk: int = 1024) -> dict[Hashable, tuple[float, float]]:
    """Fruchterman-Reingold in numpy, O(n²) per iteration in row chunks (~0.8 s for 2,000 nodes)."""
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in graph.edges if u != v], dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    xy = rng.random((len(nodes), 2), dtype=np.float32)
    k = np.float32(1.0 / math.sqrt(len(nodes)))
    temperature, cooling = 0.1, 0.1 / (iterations + 1)
    for _ in range(iterations):
        force = _repulsion(xy, k, chunk) + _attraction(xy, edges, k)
        length = np.maximum(np.sqrt((force * force).sum(axis=1)), 0.01)
        xy += force * (temperature / length)[:, None]
        temperature -= cooling
    return {node: (float(xy[i, 0]), float(xy[i, 1])) for i, node in enumerate(nodes)}


def _repulsion(xy: np.ndarray, k: np.float32, chunk: int) -> np.ndarray:
    force = np.empty_like(xy)
    for start in range(0, len(xy), chunk):
        dx = xy[start:start + chunk, None, 0] - xy[None, :, 0]
        dy = xy[start:start + chunk, None, 1] - xy[None, :, 1]
        weight = np.maximum(dx * dx + dy * dy, 1e-6)
        np.divide(k * k, weight, out=weight)
        force[start:start + chunk, 0] = (dx * weight).sum(axis=1)
        force[start:start + chunk, 1] = (dy * weight).sum(axis=1)
    return force


def _attraction(xy: np.ndarray, edges: np.ndarray, k: np.float32) -> np.ndarray:
    force = np.zeros_like(xy)
    if len(edges):
        delta = xy[edges[:, 0]] - xy[edges[:, 1]]
        pull = delta * (np.sqrt((delta * delta).sum(axis=1)) / k)[:, None]
        np.add.at(force, edges[:, 0], -pull)
        np.add.at(force, edges[:, 1], pull)
    return force


def _to_pixels(raw: dict[Hashable, Any], n: int) -> dict[Hashable, tuple[float, float]]:
    """Rescale to a square of side ~80 px per √node, centred on 0 (vis-network canvas units)."""
    xy = np.array([raw[node] for node in raw], dtype=np.float64).reshape(-1, 2)
    xy -= xy.mean(axis=0)
    extent = float(np.abs(xy).max()) or 1.0
    side = 80.0 * math.sqrt(n)
    xy *= side / 2 / extent
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in zip(raw, xy)}


# -- the page -------------------------------------------------------------------------------------------


def write_html(store_or_graph: OxigraphStore | nx.Graph, path: Path, *, max_nodes: int = 2000,
               title: str = "ccakg") -> dict[str, Any]:
    """Write the explorer page to ``path`` (UTF-8, atomically); return a summary of what it shows.

    Returns:
        ``{"nodes", "edges", "omitted", "omitted_edges", "physics", "types"}`` — drawn node and edge
        counts, entities and relations left out above ``max_nodes``, whether physics runs live, and
        the drawn entities per type.
    """
    graph = store_or_graph if isinstance(store_or_graph, nx.Graph) else graph_view(store_or_graph)
    shown = most_connected(graph, max_nodes)
    physics = shown.number_of_nodes() <= PHYSICS_MAX_NODES
    positions = {} if physics else layout_positions(shown)
    page = _page_context(graph, shown, title, physics)
    html = _render(_make_network(shown, positions, physics), page)
    _write_text_atomically(Path(path), html)
    summary = {"nodes": shown.number_of_nodes(), "edges": shown.number_of_edges(),
               "omitted": page["omitted"]["nodes"], "omitted_edges": page["omitted"]["edges"],
               "physics": physics, "types": {e["name"]: e["shown"] for e in page["legend"]}}
    log.info("wrote %s: %s", path, summary)
    return summary


def _entity_type(attrs: dict[str, Any]) -> EntityType:
    return TYPES_BY_NAME.get(attrs.get("type", ""), OTHER_TYPE)


def _make_network(graph: nx.Graph, positions: dict[Hashable, tuple[float, float]], physics: bool) -> Network:
    net = Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    net.options = _vis_options(physics, graph.number_of_nodes())
    for node, attrs in graph.nodes(data=True):
        net.add_node(_node_id(node), **_node_options(node, attrs, graph.degree(node), positions.get(node)))
    for (source, target), labels in _merged_edges(graph).items():
        text = "、".join(labels)
        edge = {"title": f"{_label_of(graph, source)} → {_label_of(graph, target)}：{text}"}
        if physics:  # labels on 500+ edges are unreadable and slow to draw; the hover keeps them
            edge["label"] = text
        net.add_edge(_node_id(source), _node_id(target), **edge)
    return net


def _node_id(node: Hashable) -> str | int:
    return node if isinstance(node, (str, int)) else str(node)


def _label_of(graph: nx.Graph, node: Hashable) -> str:
    return str(graph.nodes[node].get("label") or node)


def _node_options(node: Hashable, attrs: dict[str, Any], degree: int,
                  position: tuple[float, float] | None) -> dict[str, Any]:
    entity_type = _entity_type(attrs)
    options: dict[str, Any] = {
        "label": str(attrs.get("label") or node),
        "title": str(attrs.get("title") or f"{entity_type.label}\n{node}"),
        "color": entity_type.color,
        "value": degree + 1,
        "type": entity_type.name,
    }
    if position is not None:
        options["x"], options["y"] = position
    return options


def _merged_edges(graph: nx.Graph) -> dict[tuple[Hashable, Hashable], list[str]]:
    """One drawn edge per ordered pair, carrying every relation label between them."""
    merged: dict[tuple[Hashable, Hashable], list[str]] = defaultdict(list)
    for source, target, attrs in graph.edges(data=True):
        label = str(attrs.get("label") or "")
        if label not in merged[(source, target)]:
            merged[(source, target)].append(label)
    return merged


def _vis_options(physics: bool, n_nodes: int) -> dict[str, Any]:
    return {
        "nodes": {"shape": "dot", "scaling": {"min": 8, "max": 36},
                  "font": {"face": FONT_STACK, "size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "color": {"color": "#9aa5b1", "highlight": "#334e68", "hover": "#334e68"},
                  "font": {"face": FONT_STACK, "size": 11, "align": "middle", "color": "#52606d"},
                  "smooth": {"type": "dynamic"} if physics else False},
        "physics": {"enabled": physics, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120},
                    "stabilization": {"enabled": physics, "iterations": 400}},
        "layout": {"improvedLayout": physics and n_nodes <= 100, "randomSeed": LAYOUT_SEED},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": not physics},
    }


def _page_context(graph: nx.Graph, shown: nx.Graph, title: str, physics: bool) -> dict[str, Any]:
    total = Counter(_entity_type(a).name for _, a in graph.nodes(data=True))
    drawn = Counter(_entity_type(a).name for _, a in shown.nodes(data=True))
    order = [t.name for t in ENTITY_TYPES] + [OTHER_TYPE.name]
    legend = [{"name": name, "label": _type_named(name).label, "color": _type_named(name).color,
               "shown": drawn[name], "total": total[name]} for name in order if total[name]]
    omitted_by_type = [{"label": e["label"], "count": e["total"] - e["shown"]}
                       for e in legend if e["total"] > e["shown"]]
    return {
        "title": title,
        "physics": physics,
        "font_stack": FONT_STACK,
        "legend": legend,
        "stats": {"nodes": shown.number_of_nodes(), "edges": shown.number_of_edges(),
                  "total_nodes": graph.number_of_nodes(), "total_edges": graph.number_of_edges()},
        "omitted": {"nodes": graph.number_of_nodes() - shown.number_of_nodes(),
                    "edges": graph.number_of_edges() - shown.number_of_edges(),
                    "by_type": omitted_by_type},
    }


def _type_named(name: str) -> EntityType:
    return TYPES_BY_NAME.get(name, OTHER_TYPE)


def script_json(value: Any) -> Markup:
    """JSON safe inside a <script> element: ``<``, ``>``, ``&`` and U+2028/9 as \\u escapes."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return Markup(text)


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[Markup, Markup]:
    """vis-network's JS and CSS as shipped inside pyvis, checked to be safe to inline."""
    try:
        js = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
        css = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    except OSError as e:
        raise ExplorerError(f"vis-network is missing from the pyvis package ({VIS_DIR}): {e}; "
                            f"reinstall pyvis 0.3.2") from e
    if "</script" in js.lower() or "</style" in css.lower():
        raise ExplorerError(f"vis-network in {VIS_DIR} cannot be inlined: it contains a closing tag")
    return Markup(js), Markup(css)


def _render(net: Network, page: dict[str, Any]) -> str:
    """Render through pyvis's generate_html with our template (autoescaped, no CDN links)."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["script_json"] = script_json
    vis_js, vis_css = _vis_assets()
    env.globals.update(page=page, vis_js=vis_js, vis_css=vis_css, vis_options=net.options)
    net.templateEnv = env
    net.path = TEMPLATE_NAME
    return net.generate_html()


def _write_text_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException as e:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise ExplorerError(f"cannot write {path}: {e}") from e
        raise

