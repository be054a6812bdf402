"""How is A connected to B: the shortest paths between two entities of a build, with the evidence of each step.

The graph is the explorer's entity graph (:func:`kg.web.explorer.graph_view`: readable relations such as
person —局长→ agency, unit —牵头→ task), searched with networkx ignoring the direction of edges; each step
says which way its relations point and carries one evidence item (quote, source text, offsets, rule).
Names are resolved as ``ccakg lookup`` resolves them (any script, English, or the IRI).
"""
from __future__ import annotations

import itertools
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from extractors.errors import QueryError

DEFAULT_MAX_LEN = 6     # steps
DEFAULT_LIMIT = 10      # paths shown, all of the shortest length
QUOTE_WIDTH = 120       # characters of a quote printed per step


@dataclass
class Step:
    """One step of a path: from ``source`` to ``target`` (path order) over one or more relations."""

    source: str
    target: str
    relations: list[dict[str, Any]] = field(default_factory=list)  # {label, labels, relation, forward, evidence}


@dataclass
class PathResult:
    """The shortest paths from any entity named A to any entity named B (``paths`` empty: none)."""

    sources: list[str]
    targets: list[str]
    max_len: int
    paths: list[list[Step]] = field(default_factory=list)
    distance: int | None = None     # the shortest distance when it is longer than max_len, else None
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph, repr=False)

    @property
    def length(self) -> int:
        return len(self.paths[0]) if self.paths else 0


def resolve(store: Any, graph: nx.MultiDiGraph, name: str) -> list[str]:
    """The entities of ``graph`` that ``name`` names, as ``ccakg lookup`` finds them.

    Raises:
        QueryError: no entity has that name (or only things that are not drawn as entities, e.g. a role).
    """
    from kg.lookup import find

    found = [f.iri for f in find(store, name)]
    nodes = [iri for iri in found if iri in graph]
    if not nodes:
        what = f" (it names {', '.join(found)}, which are not entities of the graph)" if found else ""
        raise QueryError(f"no entity named {name!r}{what}; names are matched whole, in either script, "
                         f"in English, or as an IRI (try `ccakg lookup`)")
    return nodes


def shortest_paths(graph: nx.Graph, sources: list[Hashable], targets: list[Hashable], *,
                   max_len: int = DEFAULT_MAX_LEN, limit: int = DEFAULT_LIMIT) -> list[list[Hashable]]:
    """Up to ``limit`` shortest paths (node lists) from any source to any target, at most ``max_len``
    steps, edges taken in either direction; the paths in a stable order (by the labels along them)."""
    undirected = _simple_undirected(graph)
    best: list[list[Hashable]] = []
    length = max_len
    for source, target in itertools.product(sources, targets):
        if source == target:
            return [[source]]
        try:
            d = nx.shortest_path_length(undirected, source, target)
        except nx.NetworkXNoPath:
            continue
        if d > length or (d == length and len(best) >= limit * 20):
            continue
        found = list(itertools.islice(nx.all_shortest_paths(undirected, source, target), limit * 20))
        best = found if d < length or not best else best + found
        length = d
    label = lambda node: str(graph.nodes[node].get("label") or node)  # noqa: E731
    return sorted(best, key=lambda path: ([label(n) for n in path], [str(n) for n in path]))[:limit]


def _simple_undirected(graph: nx.Graph) -> nx.Graph:
    """The graph without directions and parallel edges, nodes and edges added in sorted order."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes, key=str))
    simple.add_edges_from(sorted(((u, v) for u, v in graph.edges() if u != v), key=lambda e: (str(e[0]), str(e[1]))))
    return simple


def steps_of(graph: nx.MultiDiGraph, path: list[Hashable]) -> list[Step]:
    """The steps along ``path``: every relation between each pair of consecutive nodes, either way."""
    steps = []
    for source, target in zip(path, path[1:]):
        step = Step(str(source), str(target))
        for u, v, forward in ((source, target, True), (target, source, False)):
            for key, attrs in sorted((graph.get_edge_data(u, v) or {}).items(), key=lambda kv: str(kv[0])):
                step.relations.append({"label": str(attrs.get("label") or key), "labels": attrs.get("labels") or {},
                                       "relation": attrs.get("relation", ""), "forward": forward,
                                       "evidence": attrs.get("evidence")})
        steps.append(step)
    return steps


def find_paths(store_dir: Path, name_a: str, name_b: str, *, max_len: int = DEFAULT_MAX_LEN,
               limit: int = DEFAULT_LIMIT) -> PathResult:
    """The shortest paths between the entities named ``name_a`` and ``name_b`` in the store of a build."""
    from kg.web.explorer import graph_view, open_store

    if max_len < 1:
        raise QueryError(f"--max-len must be at least 1 (got {max_len})")
    with open_store(Path(store_dir)) as store:
        graph = graph_view(store, evidence_cap=0)
        sources, targets = resolve(store, graph, name_a), resolve(store, graph, name_b)
    result = PathResult(sources, targets, max_len, graph=graph)
    result.paths = [steps_of(graph, path) for path in
                    shortest_paths(graph, sources, targets, max_len=max_len, limit=limit)]
    if not result.paths:
        result.distance = distance(graph, sources, targets)
    return result


def distance(graph: nx.Graph, sources: list[Hashable], targets: list[Hashable]) -> int | None:
    """The number of steps between the nearest source and target (directions ignored), or None."""
    lengths = nx.multi_source_dijkstra_path_length(graph.to_undirected(as_view=True), set(sources))
    found = [lengths[t] for t in targets if t in lengths]
    return int(min(found)) if found else None


def no_path_message(result: PathResult, name_a: str, name_b: str) -> str:
    """Why no path is shown: none at all, or only longer than ``max_len``."""
    if result.distance is None:
        return f"no path between {name_a!r} and {name_b!r}: they are in separate parts of the graph"
    return (f"no path of at most {result.max_len} steps between {name_a!r} and {name_b!r}; the shortest has "
            f"{result.distance} steps (raise --max-len)")


def _node(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    attrs = graph.nodes[node]
    labels = attrs.get("labels") or {}
    return {"iri": node, "label": str(attrs.get("label") or node), "en": labels.get("en", ""),
            "type": attrs.get("type", "")}


def _evidence(graph: nx.MultiDiGraph, item: dict[str, Any] | None) -> dict[str, Any] | None:
    if not item:
        return None
    text = graph.graph.get("texts", {}).get(item["doc"], {})
    return {"doc": item["doc"], "title": text.get("title", ""), "date": text.get("date", ""),
            "path": item.get("path") or text.get("path", ""), "start": item["start"], "end": item["end"],
            "quote": item["quote"], "rule": item["rule"]}


def as_dict(result: PathResult) -> dict[str, Any]:
    """The result as JSON-ready data: endpoints, length and each path's nodes and steps."""
    graph = result.graph
    paths = []
    for steps in result.paths:
        nodes = [steps[0].source] + [s.target for s in steps] if steps else result.sources[:1]
        paths.append({"nodes": [_node(graph, n) for n in nodes],
                      "steps": [{"from": s.source, "to": s.target,
                                 "relations": [{"label": r["label"], "en": r["labels"].get("en", ""),
                                                "relation": r["relation"], "forward": r["forward"],
                                                "evidence": _evidence(graph, r["evidence"])}
                                               for r in s.relations]} for s in steps]})
    return {"from": [_node(graph, n) for n in result.sources], "to": [_node(graph, n) for n in result.targets],
            "length": result.length, "max_len": result.max_len, "paths": paths}


def format_text(result: PathResult) -> str:
    """Each path as a numbered list of steps: the relation with its direction, then one evidence quote."""
    graph = result.graph
    label = lambda node: str(graph.nodes[node].get("label") or node)  # noqa: E731
    count = len(result.paths)
    lines = [f"{label(result.sources[0])} → {label(result.targets[0])}: {count} shortest "
             f"path{'s' * (count != 1)} of {result.length} step{'s' * (result.length != 1)}"]
    for i, steps in enumerate(result.paths, 1):
        nodes = [steps[0].source] + [s.target for s in steps] if steps else result.sources[:1]
        lines += ["", f"path {i}: " + " · ".join(label(n) for n in nodes)]
        for j, step in enumerate(steps, 1):
            for k, relation in enumerate(step.relations):
                ends = (step.source, step.target) if relation["forward"] else (step.target, step.source)
                lines.append(f"  {f'{j}.' if k == 0 else '  '} {label(ends[0])} —{relation['label']}→ {label(ends[1])}")
                lines.append("       " + _evidence_line(graph, relation["evidence"]))
    return "\n".join(lines) + "\n"


def _evidence_line(graph: nx.MultiDiGraph, item: dict[str, Any] | None) -> str:
    evidence = _evidence(graph, item)
    if evidence is None:
        return "(no evidence)"
    quote = evidence["quote"].replace("\n", " ")
    if len(quote) > QUOTE_WIDTH:
        quote = quote[:QUOTE_WIDTH - 1] + "…"
    title = evidence["title"] or evidence["doc"]
    if len(title) > 40:
        title = title[:39] + "…"
    date = f", {evidence['date']}" if evidence["date"] else ""
    return (f"“{quote}” — {title}{date} ({evidence['doc']} [{evidence['start']}, {evidence['end']}), "
            f"rule {evidence['rule']})")
