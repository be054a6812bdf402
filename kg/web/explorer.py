"""graph.html: an offline, self-contained explorer of the entities, the relations between them and their evidence.

``graph_view`` reads the store into a networkx MultiDiGraph of entities whose edges are readable
relations (a membership becomes person -局长-> agency, a task's units unit -牵头-> task, not blank fact
nodes); every node carries its names in each script, literal attributes and its evidence (source text,
offsets, quote, rule, and which fact it supports). ``write_html`` draws it with pyvis and vis-network
inlined in our own template (``kg/web/templates/explorer.html``): the page fetches nothing, and every string
from the data reaches the page escaped (JSON in ``application/json`` blocks with ``< > &`` as ``\\u``
escapes, then only ever put into the DOM as text).

The page: a legend with counts per type that toggles types; a search over every name in Simplified,
Traditional, English and aliases (the keys are made here, the page cannot run OpenCC); a 简/繁/EN switch
for the labels; a side panel with names, type, IRI, attributes, relations and evidence (the sentence
around each quote, read from the source file when it is still there); double-click collapses or expands a
node's neighbours. Time and views: a year range slider over the dates of entities and facts (``_add_dates``),
relation-type filters, the view (focus, filters, language, years) in the URL hash, PNG and SVG export, and a
sortable table of the drawn or found entities.

Budgets (STACK.md, headless Chromium on 2 cores): live physics up to ~500 nodes (it starts from the
layout computed here, comes to rest, or is stopped after a few seconds, and wakes when a node is dragged);
above that positions are computed here and physics is off; above ``max_nodes`` only the most connected entities are drawn and
the page says what was left out. ``focus``/``hops`` draw the neighbourhood of some entities instead
(``ccakg viz``).
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
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

from kg.documents import SourceTexts, sentence_bounds
from extractors.errors import KGError, StoreError
from kg.namespaces import DCT, DOC_GRAPH, FOAF, ORG, SCHEMA, SPARQL_PREFIXES, doc_id_of, kgo
from kg.normalize import S2T, to_simplified
from kg.store import OxigraphStore

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "explorer.html"
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
PHYSICS_MAX_NODES = 500
DEFAULT_MAX_NODES = 2000
LAYOUT_SEED = 42
STABILIZATION_ITERATIONS = 150  # from the networkx layout; 400 from vis-network's random start took 2.5x as long
EVIDENCE_CAP = 5        # evidence items per node on the page (the panel says how many more there are)
RELATIONS_CAP = 80      # relations listed per node on the page
ALIASES_CAP = 40
SOURCES_CAP = 12        # source texts named per node (with their evidence counts); the panel says how many
ALIAS_CHARS = 40        # an alias longer than this (a task's whole paragraph) is cut in the panel
SENTENCE_CONTEXT = 60   # characters of sentence kept on each side of a quote
QUOTE_MAX = 200         # a longer quote (a whole task paragraph) is shown cut in the middle
RESERVE_MAX = 20_000    # entities over the drawing budget kept in the page for search and paths to bring in
SOURCE_CHARS_MAX = 4_000_000  # characters of source text embedded for the source view, all texts together
PATH_MAX_LEN = 6        # the page's path finder: longest path, in steps
PATH_LIMIT = 10         # and most paths shown (all of the shortest length)
LABEL_WIDTH = 36        # canvas labels are cut at this display width (CJK counts 2); the panel has them whole
LANGS = ("zh-Hans", "zh-Hant", "en")
# The fonts the page asks for, in order; the browser falls back to its sans-serif font (Debian: fonts-noto-cjk).
FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC")
FONT_STACK = ", ".join(f'"{f}"' for f in FONTS) + ", sans-serif"


@dataclass(frozen=True)
class EntityType:
    name: str     # local name, e.g. "Agency"
    iri: str
    label: str    # zh-Hans label of the class (ontology/ccakg.ttl)
    color: str    # from the Okabe-Ito palette
    shape: str = "dot"   # vis-network shape: types that share a colour never share a shape

    @property
    def en(self) -> str:
        """The English name as a reader writes it: PolicyDocument → Policy document."""
        words = re.findall(r"[A-Z][a-z]+|[A-Z]+(?![a-z])", self.name) or [self.name]
        return " ".join([words[0]] + [w.lower() for w in words[1:]])

    @property
    def glyph(self) -> str:
        """The shape as a character, for the legend and the lists."""
        return SHAPE_GLYPHS[self.shape]


def _kgo_type(name: str, label: str, color: str, shape: str = "dot") -> EntityType:
    return EntityType(name, kgo(name), label, color, shape)


# Okabe & Ito's palette for colour-blind readers (https://jfly.uni-koeln.de/color/), without its yellow
# (too faint on white); with 15 types colours repeat, each time with another shape, so that every type
# differs from every other by colour as seen with any colour vision deficiency, or by shape
# (tests/kg/web/test_explorer.py simulates protanopia, deuteranopia and tritanopia).
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
SHAPE_GLYPHS = {"dot": "●", "square": "■", "diamond": "◆", "triangle": "▲", "triangleDown": "▼",
                "star": "★", "hexagon": "⬢"}
_C = OKABE_ITO
# In priority order: an entity typed twice is drawn as the first type listed.
ENTITY_TYPES: tuple[EntityType, ...] = (
    EntityType("Person", FOAF + "Person", "人物", _C["blue"]),
    _kgo_type("Agency", "机构", _C["vermillion"]),
    _kgo_type("Department", "内设部门", _C["orange"]),
    _kgo_type("Organization", "组织", _C["purple"]),
    _kgo_type("UnitGroup", "单位集合", _C["orange"], "triangleDown"),
    _kgo_type("PolicyDocument", "政策文件", _C["green"], "square"),
    _kgo_type("Meeting", "会议", _C["sky"], "square"),
    _kgo_type("Initiative", "举措", _C["green"], "diamond"),
    _kgo_type("CertificationScheme", "认证制度", _C["sky"], "diamond"),
    _kgo_type("Task", "工作任务", _C["blue"], "triangle"),
    _kgo_type("Target", "目标", _C["vermillion"], "triangle"),
    _kgo_type("Statistic", "统计数据", _C["purple"], "star"),
    _kgo_type("Indicator", "指标", _C["black"], "star"),
    _kgo_type("Sector", "行业领域", _C["black"], "hexagon"),
    _kgo_type("Region", "地区", _C["sky"], "triangleDown"),
)
OTHER_TYPE = EntityType("Other", "", "其他", "#999999", "dot")
TYPES_BY_IRI = {t.iri: t for t in ENTITY_TYPES}
TYPES_BY_NAME = {t.name: t for t in ENTITY_TYPES}


@dataclass(frozen=True)
class Relation:
    """A binary predicate drawn as an edge; ``reverse`` draws it object → subject."""

    predicate: str
    label: str
    en: str
    reverse: bool = False


RELATIONS: tuple[Relation, ...] = (
    Relation(kgo("leadUnit"), "牵头", "leads", reverse=True),
    Relation(kgo("supportUnit"), "协作", "supports", reverse=True),
    Relation(ORG + "unitOf", "隶属", "part of"),
    Relation(ORG + "subOrganizationOf", "隶属", "part of"),
    Relation(DCT + "publisher", "发布", "issued", reverse=True),
    Relation(kgo("speaksAt"), "出席/讲话", "speaks at"),
    Relation(kgo("mentions"), "提及", "mentions"),
    Relation(kgo("appliesToSector"), "适用", "applies to"),
    Relation(kgo("inWorkPlan"), "属于", "in work plan"),
    Relation(SCHEMA + "variableMeasured", "指标", "measures"),
    Relation(kgo("targetSubject"), "目标对象", "target subject"),
    Relation(kgo("statedIn"), "出自", "stated in"),
    Relation(SCHEMA + "location", "地点", "held in"),
)
RELATIONS_BY_PREDICATE = {r.predicate: r for r in RELATIONS}
MEMBER_LABEL, MEMBER_EN = "成员", "member"


@dataclass(frozen=True)
class Attribute:
    """A literal-valued property shown in the side panel (and named in evidence of reified triples)."""

    predicate: str
    label: str
    en: str


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(kgo("taskNumber"), "任务编号", "task number"),
    Attribute(DCT + "identifier", "文号", "document number"),
    Attribute(DCT + "issued", "发布日期", "issued"),
    Attribute(SCHEMA + "startDate", "日期", "date"),
    Attribute(SCHEMA + "value", "数值", "value"),
    Attribute(SCHEMA + "unitText", "单位", "unit"),
    Attribute(SCHEMA + "observationDate", "观测日期", "observed"),
    Attribute(kgo("changeText"), "变化", "change"),
    Attribute(kgo("goal"), "目标", "goal"),
    Attribute(kgo("horizonText"), "时限", "horizon"),
)
ATTRIBUTES_BY_PREDICATE = {a.predicate: a for a in ATTRIBUTES}

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
ATTRIBUTES_QUERY = (SPARQL_PREFIXES + "SELECT DISTINCT ?e ?p ?v WHERE { VALUES ?p { "
                    + " ".join(f"<{a.predicate}>" for a in ATTRIBUTES) + " } ?e ?p ?v FILTER(isLiteral(?v)) }")
# Facts and evidence sit in the graph of the text that states them: matching them inside one graph is
# ~100x faster than over Oxigraph's union default graph, which repeats each node once per text.
MEMBERSHIP_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?m ?person ?org ?role WHERE { GRAPH ?g {
  ?m a org:Membership ; org:member ?person ; org:organization ?org . OPTIONAL { ?m org:role ?role } } }"""
ROLE_LABELS_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?role ?label (lang(?label) AS ?lang) WHERE { VALUES ?role { %s } ?role skos:prefLabel ?label }"""
STATEMENTS_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?st ?s ?p ?o WHERE { GRAPH ?g {
  ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } }"""
# Every evidence node with its body, cheap even on millions of quads; the details (offsets, quote, source)
# are read only for the few items a page shows, one query each with the IRIs as constants (a VALUES join
# over the same patterns is ~60x slower in Oxigraph).
EVIDENCE_BODIES_QUERY = SPARQL_PREFIXES + "SELECT ?g ?ev ?body WHERE { GRAPH ?g { ?ev oa:hasBody ?body } }"
EVIDENCE_DETAIL_QUERY = SPARQL_PREFIXES + """
SELECT ?doc ?path ?start ?end ?quote ?rule WHERE {{ GRAPH {graph} {{
  <{ev}> oa:hasTarget ?t . OPTIONAL {{ <{ev}> kgo:rule ?rule }}
  ?t oa:hasSource ?src ; oa:hasSelector ?ps, ?qs .
  ?ps oa:start ?start ; oa:end ?end . ?qs oa:exact ?quote .
  ?src dct:identifier ?doc . OPTIONAL {{ ?src kgo:sourcePath ?path }} }} }} LIMIT 1"""
TEXTS_QUERY = SPARQL_PREFIXES + """
SELECT ?doc ?title ?date ?path WHERE { GRAPH ?g { ?src a kgo:SourceText ; dct:identifier ?doc .
  OPTIONAL { ?src dct:title ?title } OPTIONAL { ?src dct:issued ?date } OPTIONAL { ?src kgo:sourcePath ?path } } }"""
RE_TAG = re.compile(r"<[^>]*>")
RE_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
RE_TASK_LABEL = re.compile(r"^(?P<plan>.*\S)\s+任务(?P<n>\d+)$")


class ExplorerError(KGError):
    """The explorer page cannot be built or written."""


def open_store(store_dir: Path) -> OxigraphStore:
    """The store of a build, read-only (no lock: a build or a server may hold it), or a clear error."""
    store_dir = Path(store_dir)
    if not (store_dir / "CURRENT").is_file():
        raise StoreError(f"{store_dir}: no store there (build one with `ccakg build CORPUS --out DIR`, "
                         f"then pass DIR/store)")
    return OxigraphStore.open_read_only(store_dir)


# -- the networkx view ------------------------------------------------------------------------------


def graph_view(store: OxigraphStore, *, evidence: bool = True,
               evidence_cap: int | None = EVIDENCE_CAP) -> nx.MultiDiGraph:
    """Read the entities, the readable relations between them and their evidence from ``store``.

    Nodes are entity IRIs with ``type``, ``type_label``, ``label`` (zh-Hans), ``labels`` (per script),
    ``names`` ([(kind, name, lang, is_zh_hans)]), ``title``, ``attributes`` ([(label, en, value)]),
    ``evidence`` ([{doc, path, start, end, quote, rule, about}], ``about`` empty for a mention, else the
    fact it supports; at most ``evidence_cap`` items, facts first, one source text after another; all
    with ``evidence_cap=None``), ``evidence_total`` and ``evidence_docs`` ({doc id: items}, all of them).
    Edges carry ``label`` (e.g. 局长, 牵头), ``labels`` (per script) and ``relation`` (the predicate IRI,
    or ``org:Membership``), keyed by label; with ``evidence``, also ``evidence``: one item ({doc, path,
    start, end, quote, rule}) for the fact the edge draws — its reifier's or membership's evidence, or for
    a task's, statistic's or target's own relations the evidence of that node — or None.
    ``graph.graph["texts"]`` maps each source text's id to {title, date, path}. Time (:func:`_add_dates`):
    nodes carry ``dates`` (their own and those of the texts that mention them), edges ``docs`` and
    ``dates`` (of the texts that state them).
    """
    graph = nx.MultiDiGraph()
    _add_entities(graph, store)
    _add_attributes(graph, store)
    _add_relations(graph, store)
    memberships = _add_memberships(graph, store)
    graph.graph["texts"] = source_texts(store)
    if evidence:
        _add_evidence(graph, store, memberships, evidence_cap)
    _add_dates(graph, store, memberships)
    log.info("explorer view: %d entities, %d relations", graph.number_of_nodes(), graph.number_of_edges())
    return graph


def _add_entities(graph: nx.MultiDiGraph, store: OxigraphStore) -> None:
    types: dict[str, EntityType] = {}
    for entity, type_iri in store.select(ENTITIES_QUERY)[1]:
        candidate = TYPES_BY_IRI[type_iri]
        if entity not in types or ENTITY_TYPES.index(candidate) < ENTITY_TYPES.index(types[entity]):
            types[entity] = candidate
    names = _names_by_entity(store)
    english = lexicon_english()
    for entity, entity_type in types.items():
        entity_names = names.get(entity, [])
        label = _pick_label(entity, entity_names)
        labels = _labels_by_script(label, entity_names)
        labels["en"] = labels["en"] or english.get((entity_type.name, label), "")
        graph.add_node(entity, type=entity_type.name, type_label=entity_type.label, label=label,
                       labels=labels, names=entity_names,
                       title=_hover_text(entity, entity_type, entity_names), attributes=[], evidence=[],
                       evidence_total=0, evidence_docs={})


@lru_cache(maxsize=1)
def lexicon_english() -> dict[tuple[str, str], str]:
    """(type, canonical zh-Hans name) → the lexicon's reviewed English name: the explorer's EN labels for
    entities and roles whose store labels have no English (a role's label, an entity found by a rule)."""
    from extractors.lexicon import load_lexicon

    return {(entry.type, entry.name): entry.en for entry in load_lexicon().entries.values() if entry.en}


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


def _labels_by_script(label: str, names: list[tuple[str, str, str, bool]]) -> dict[str, str]:
    """{zh-Hans, zh-Hant, en}: the prefLabel in each script (zh-Hant converted when missing, en may be "")."""
    prefs = {lang.lower(): name for kind, name, lang, _ in reversed(names) if kind == "pref"}
    return {"zh-Hans": label, "zh-Hant": prefs.get("zh-hant") or S2T.convert(label), "en": prefs.get("en", "")}


def _hover_text(entity: str, entity_type: EntityType, names: list[tuple[str, str, str, bool]]) -> str:
    """Plain text (vis-network shows a string title with innerText): type, every name, aliases, IRI."""
    lines = [f"{entity_type.label} ({entity_type.name})"]
    lines += [f"{name} [{lang or '-'}]" for kind, name, lang, _ in names if kind == "pref"]
    aliases = [_clip(name, 40) for kind, name, _, _ in names if kind == "alt"]
    if aliases:
        shown = aliases[:12]
        lines.append("别名: " + "；".join(shown) + (f" …（另 {len(aliases) - len(shown)} 个）" if len(aliases) > 12 else ""))
    lines.append(entity)
    return "\n".join(lines)


def _add_attributes(graph: nx.MultiDiGraph, store: OxigraphStore) -> None:
    order = {a.predicate: i for i, a in enumerate(ATTRIBUTES)}
    found: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for entity, predicate, value in store.select(ATTRIBUTES_QUERY)[1]:
        if entity in graph and value is not None:
            found[entity].add((order[predicate], value))
    for entity, values in found.items():
        graph.nodes[entity]["attributes"] = [(ATTRIBUTES[i].label, ATTRIBUTES[i].en, value)
                                             for i, value in sorted(values)]


def _add_relations(graph: nx.MultiDiGraph, store: OxigraphStore) -> None:
    skipped = 0
    for subject, predicate, obj in store.select(RELATIONS_QUERY)[1]:
        relation = RELATIONS_BY_PREDICATE[predicate]
        source, target = (obj, subject) if relation.reverse else (subject, obj)
        labels = {"zh-Hans": relation.label, "zh-Hant": S2T.convert(relation.label), "en": relation.en}
        skipped += not _add_edge(graph, source, target, labels, predicate)
    if skipped:
        log.debug("explorer: %d relations skipped (an end is not an entity)", skipped)


def _add_memberships(graph: nx.MultiDiGraph, store: OxigraphStore) -> dict[str, tuple[str, str, str]]:
    """Draw person -role-> organization; return membership node → (person, organization, role label)."""
    rows = store.select(MEMBERSHIP_QUERY)[1]
    role_labels = _role_labels(store, sorted({role for *_, role in rows if role and not role.startswith("_:")}))
    roles: dict[tuple[str, str, str], tuple[str, str]] = {}
    nodes: dict[str, tuple[str, str, str]] = {}
    for m, person, org, role in rows:
        key = (person, org, role or "")
        labels = role_labels.get(role or "", {})
        label = labels.get("zh-hans") or (_local_name(role) if role else MEMBER_LABEL)
        en = labels.get("en") or lexicon_english().get(("Role", label)) or ("" if role else MEMBER_EN)
        roles[key] = min(roles.get(key, (label, en)), (label, en))  # one label per role, however many it has
        nodes[m] = (person, org, label)
    for (person, org, _), (label, en) in sorted(roles.items()):
        _add_edge(graph, person, org, {"zh-Hans": label, "zh-Hant": S2T.convert(label), "en": en}, ORG + "Membership")
    return nodes


def _role_labels(store: OxigraphStore, roles: list[str]) -> dict[str, dict[str, str]]:
    """role → {lowercased language tag: the first prefLabel in it}."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(roles), 500):
        values = " ".join(f"<{role}>" for role in roles[start:start + 500])
        for role, label, lang in sorted(store.select(ROLE_LABELS_QUERY % values)[1]):
            labels[role].setdefault((lang or "").lower(), label)
    return labels


def _add_edge(graph: nx.MultiDiGraph, source: str, target: str, labels: dict[str, str], relation: str) -> bool:
    if source not in graph or target not in graph:
        return False
    label = labels["zh-Hans"]
    graph.add_edge(source, target, key=label, label=label, labels=labels, relation=relation)
    return True


def _add_evidence(graph: nx.MultiDiGraph, store: OxigraphStore,
                  memberships: dict[str, tuple[str, str, str]], cap: int | None) -> None:
    """Attach evidence to the entities it is about: its body, or the ends of the fact it supports."""
    statements = {st: (s, p, o) for st, s, p, o in store.select(STATEMENTS_QUERY)[1]}
    refs: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)   # entity → evidence IRI → ref
    fact_refs: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)  # drawn edge → refs
    for graph_iri, ev, body in store.select(EVIDENCE_BODIES_QUERY)[1]:
        ref = {"ev": ev, "graph": graph_iri, "doc": _doc_of(graph_iri)}
        if body in graph:
            about, entities = "", (body,)
        elif body in memberships:
            person, org, role = memberships[body]
            about, entities = f"{_label_of(graph, person)} —{role}→ {_label_of(graph, org)}", (person, org)
            fact_refs[(person, org, role)].append(ref)
        elif body in statements:
            about, entities = _describe_statement(graph, *statements[body])
            if (edge := _statement_edge(*statements[body])) is not None:
                fact_refs[edge].append(ref)
        else:
            continue
        for entity in entities:
            if entity in graph:
                refs[entity].setdefault(ev, {**ref, "about": about})
    details: dict[tuple[str, str], dict[str, Any] | None] = {}
    _add_edge_evidence(graph, store, fact_refs, refs, details)
    for entity, by_ev in refs.items():
        items = sorted(by_ev.values(), key=lambda r: (r["about"] == "", r["doc"], r["ev"], r["about"]))
        attrs = graph.nodes[entity]
        attrs["evidence_total"] = len(items)
        attrs["evidence_docs"] = dict(Counter(r["doc"] for r in items))
        chosen = items if cap is None else _pick_evidence(items, cap)
        full = []
        for ref in chosen:
            key = (ref["graph"], ref["ev"])
            if key not in details:
                details[key] = _evidence_detail(store, *key)
            if details[key] is not None:
                full.append({**details[key], "about": ref["about"]})
        attrs["evidence"] = sorted(full, key=lambda e: (e["about"] == "", e["doc"], e["start"], e["end"], e["about"]))


def _statement_edge(subject: str, predicate: str, obj: str) -> tuple[str, str, str] | None:
    """The drawn edge (source, target, label) of a reified triple, if it is drawn as one."""
    relation = RELATIONS_BY_PREDICATE.get(predicate)
    if relation is None:
        return None
    return (obj, subject, relation.label) if relation.reverse else (subject, obj, relation.label)


def _add_edge_evidence(graph: nx.MultiDiGraph, store: OxigraphStore,
                       fact_refs: dict[tuple[str, str, str], list[dict[str, str]]],
                       refs: dict[str, dict[str, dict[str, str]]],
                       details: dict[tuple[str, str], dict[str, Any] | None]) -> None:
    """One evidence item per edge: its fact's, else (a task's units, a statistic's indicator) the fact node's."""
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        candidates = fact_refs.get((source, target, key))
        if not candidates:
            relation = RELATIONS_BY_PREDICATE.get(attrs.get("relation", ""))
            subject = target if relation is not None and relation.reverse else source
            candidates = [r for r in refs.get(subject, {}).values() if not r["about"]]
        attrs["evidence"] = None
        for ref in sorted(candidates, key=lambda r: (r["doc"], r["ev"])):
            cache_key = (ref["graph"], ref["ev"])
            if cache_key not in details:
                details[cache_key] = _evidence_detail(store, *cache_key)
            if details[cache_key] is not None:
                attrs["evidence"] = details[cache_key]
                break


def source_texts(store: OxigraphStore) -> dict[str, dict[str, str]]:
    """Every source text of the store: id → {title, date, path} (empty strings where unknown); the date is
    the text's own, else that of the meeting it reports (:func:`_text_dates`)."""
    texts: dict[str, dict[str, str]] = {}
    dates = _text_dates(store)
    for doc, title, date, path in sorted(store.select(TEXTS_QUERY)[1], key=lambda r: tuple(v or "" for v in r)):
        if doc:
            texts.setdefault(doc, {"title": title or "", "date": date or dates.get(doc, ""), "path": path or ""})
    return texts


def _doc_of(graph_iri: str) -> str:
    """The doc id of a text's named graph (kg.namespaces.doc_graph), else the graph IRI's last segment."""
    return doc_id_of(graph_iri) if graph_iri.startswith(DOC_GRAPH) else _local_name(graph_iri)


def _evidence_detail(store: OxigraphStore, graph_iri: str, ev: str) -> dict[str, Any] | None:
    graph = "?g" if graph_iri.startswith("_:") else f"<{graph_iri}>"
    rows = store.select(EVIDENCE_DETAIL_QUERY.format(graph=graph, ev=ev))[1]
    if not rows:
        return None
    doc, path, start, end, quote, rule = rows[0]
    return {"doc": doc or _doc_of(graph_iri), "path": path or "", "start": int(start or 0), "end": int(end or 0),
            "quote": quote or "", "rule": rule or ""}


def _describe_statement(graph: nx.Graph, subject: str, predicate: str, obj: str) -> tuple[str, tuple[str, ...]]:
    """A readable line for a reified triple (支树平 —出席/讲话→ 会议; 文件 发布日期：2018-01-01) and its entities."""
    relation = RELATIONS_BY_PREDICATE.get(predicate)
    if relation is not None:
        source, target = (obj, subject) if relation.reverse else (subject, obj)
        return f"{_label_of(graph, source)} —{relation.label}→ {_label_of(graph, target)}", (subject, obj)
    attribute = ATTRIBUTES_BY_PREDICATE.get(predicate)
    name = attribute.label if attribute else _local_name(predicate)
    value = _label_of(graph, obj) if obj in graph else obj
    return f"{_label_of(graph, subject)} {name}：{value}", (subject,) + ((obj,) if obj in graph else ())


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def _label_of(graph: nx.Graph, node: Hashable) -> str:
    if node not in graph:
        return _local_name(str(node))
    return str(graph.nodes[node].get("label") or node)


# -- time: the dates of entities and facts -----------------------------------------------------------

OWN_DATES = (DCT + "issued", SCHEMA + "startDate", SCHEMA + "observationDate")
TEXT_DATES_QUERY = SPARQL_PREFIXES + "SELECT ?g ?d WHERE { GRAPH ?g { ?src a kgo:SourceText ; dct:issued ?d } }"
# a text that gives no date of its own is dated by the meeting it reports (the latest it dates)
TEXT_MEETING_DATES_QUERY = SPARQL_PREFIXES + """
SELECT ?g (MAX(STR(?d)) AS ?date) WHERE { GRAPH ?g { ?m schema:startDate ?d } } GROUP BY ?g"""
FACT_GRAPHS_QUERY = (SPARQL_PREFIXES + "SELECT DISTINCT ?g ?s ?p ?o WHERE { VALUES ?p { "
                     + " ".join(f"<{r.predicate}>" for r in RELATIONS) + " } GRAPH ?g { ?s ?p ?o } }")
MEMBERSHIP_GRAPHS_QUERY = SPARQL_PREFIXES + "SELECT DISTINCT ?g ?m WHERE { GRAPH ?g { ?m a org:Membership } }"
RE_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_OWN_DATE_NAMES = {a.en for a in ATTRIBUTES if a.predicate in OWN_DATES}
POST_KIND, POST_KIND_EN = "职务", "post"    # the relation-type filter of every post (局长, 副主任 …)


def _add_dates(graph: nx.MultiDiGraph, store: OxigraphStore, memberships: dict[str, tuple[str, str, str]]) -> None:
    """``dates`` of each node: its own (issued, held, observed) and those of the texts that mention it; ``docs``
    and ``dates`` of each edge: the texts that state it and their dates (:func:`_text_dates`)."""
    text_dates = _text_dates(store)
    for node, attrs in graph.nodes(data=True):
        own = {value for _, en, value in attrs.get("attributes", ()) if en in _OWN_DATE_NAMES and RE_DATE.match(value)}
        texts = {text_dates[doc] for doc in attrs.get("evidence_docs") or {} if doc in text_dates}
        attrs["dates"] = sorted(own | texts)
    stated: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for graph_iri, subject, predicate, obj in store.select(FACT_GRAPHS_QUERY)[1]:
        relation = RELATIONS_BY_PREDICATE[predicate]
        source, target = (obj, subject) if relation.reverse else (subject, obj)
        stated[(source, target, relation.label)].add(_doc_of(graph_iri))
    for graph_iri, membership in store.select(MEMBERSHIP_GRAPHS_QUERY)[1]:
        if membership in memberships:
            person, org, label = memberships[membership]
            stated[(person, org, label)].add(_doc_of(graph_iri))
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        docs = stated.get((source, target, key), set())
        attrs["docs"] = sorted(docs)
        attrs["dates"] = sorted({text_dates[doc] for doc in docs if doc in text_dates})


def _text_dates(store: OxigraphStore) -> dict[str, str]:
    """doc id → the text's date: its own (dct:issued), else the latest date of a meeting it reports."""
    dates = {_doc_of(g): d for g, d in store.select(TEXT_MEETING_DATES_QUERY)[1] if d and RE_DATE.match(d)}
    dates.update({_doc_of(g): d for g, d in store.select(TEXT_DATES_QUERY)[1] if d and RE_DATE.match(d)})
    return dates


def _years(dates: Iterable[str]) -> list[int]:
    return sorted({int(d[:4]) for d in dates if RE_DATE.match(d)})


def relation_kind(attrs: dict[str, Any]) -> str:
    """The relation-type filter an edge belongs to: its relation's label (隶属, 牵头 …), or 职务 for a post."""
    return POST_KIND if attrs.get("relation") == ORG + "Membership" else str(attrs.get("label") or "")


def _edge_facets(shown: nx.Graph, source: Hashable, target: Hashable) -> dict[str, Any]:
    """What the year slider and the relation filters need of a drawn edge: its years and relation kinds."""
    data = shown.get_edge_data(source, target) or {}
    relations = data.values() if shown.is_multigraph() else [data]
    dates = {d for attrs in relations for d in attrs.get("dates", ())}
    return {"years": _years(dates), "kinds": sorted({relation_kind(attrs) for attrs in relations})}


def _node_facets(node: Hashable, attrs: dict[str, Any]) -> dict[str, Any]:
    """What the year slider and the table need of a node: years, first and last date, number of texts; a
    meeting that is one edition of a series is labelled with its year."""
    dates = [d for d in attrs.get("dates", ()) if RE_DATE.match(d)]
    facets: dict[str, Any] = {"years": _years(dates), "first": dates[0] if dates else "",
                              "last": dates[-1] if dates else "", "texts": len(attrs.get("evidence_docs") or {})}
    year = _edition_year(attrs)
    if year:
        display = _display_labels(node, attrs)
        facets["display"] = {lang: f"{text}（{year}）" for lang, text in display.items()}
        facets["label"] = facets["display"]["zh-Hans"]
        facets["edition"] = year
    return facets


def _edition_year(attrs: dict[str, Any]) -> str:
    """The year of a meeting that is one edition of a series: it has the alias 2018年<its name>."""
    label = str(attrs.get("label") or "")
    if attrs.get("type") != "Meeting" or not label:
        return ""
    for kind, name, _, _ in attrs.get("names", ()):
        if kind == "alt" and name.endswith("年" + label) and re.fullmatch(r"\d{4}", name[:-len(label) - 1]):
            return name[:4]
    return ""


def _time_context(graph: nx.Graph, shown: nx.Graph) -> dict[str, Any]:
    """The page's year range, what stays undated, and the relation kinds with their counts (drawn edges)."""
    years = [y for _, attrs in shown.nodes(data=True) for y in _years(attrs.get("dates", ()))]
    years += [y for *_, attrs in shown.edges(data=True) for y in _years(attrs.get("dates", ()))]
    undated_nodes = sum(1 for _, attrs in shown.nodes(data=True) if not _years(attrs.get("dates", ())))
    kinds: Counter[str] = Counter()
    en: dict[str, str] = {}
    for (source, target) in _merged_edges(shown):
        for kind in _edge_facets(shown, source, target)["kinds"]:
            kinds[kind] += 1
    for *_, attrs in graph.edges(data=True):
        kind = relation_kind(attrs)
        en[kind] = POST_KIND_EN if kind == POST_KIND else (attrs.get("labels") or {}).get("en", "")
    return {"years": [min(years), max(years)] if years else [], "undated_nodes": undated_nodes,
            "relation_kinds": [{"name": k, "hant": S2T.convert(k), "en": en.get(k, ""), "count": n}
                               for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))]}


# -- finding entities and neighbourhoods -------------------------------------------------------------


def _name_key(text: str) -> str:
    return to_simplified(text).strip().casefold()


def find_nodes(graph: nx.Graph, name: str) -> list[Hashable]:
    """The nodes carrying ``name`` (in any script, any case) as a name, or whose id is ``name``.

    Raises:
        ExplorerError: no node has that name (the message suggests names that contain it).
    """
    wanted = _name_key(name)
    found = [node for node, attrs in graph.nodes(data=True)
             if str(node) == name or any(_name_key(n[1]) == wanted for n in attrs.get("names", ()))
             or _name_key(str(attrs.get("label", ""))) == wanted]
    if found:
        return sorted(found, key=lambda n: (-graph.degree(n), str(n)))
    near = sorted({str(attrs.get("label") or node) for node, attrs in graph.nodes(data=True)
                   if wanted and any(wanted in _name_key(n[1]) for n in attrs.get("names", ()))}, key=len)
    hint = f"; names containing it: {'、'.join(near[:8])}" if near else ""
    raise ExplorerError(f"no entity named {name!r} (names are matched whole, in any script){hint}")


def neighbourhood(graph: nx.Graph, focus: Iterable[Hashable], hops: int) -> dict[Hashable, int]:
    """node → distance from the nearest focus node, up to ``hops``, ignoring the direction of edges."""
    undirected = graph.to_undirected(as_view=True)
    distances: dict[Hashable, int] = {}
    for node in focus:
        for other, d in nx.single_source_shortest_path_length(undirected, node, cutoff=max(hops, 0)).items():
            distances[other] = min(d, distances.get(other, d))
    return distances


# -- selecting and placing what is drawn --------------------------------------------------------------


def most_connected(graph: nx.MultiDiGraph, max_nodes: int, *,
                   priority: dict[Hashable, int] | None = None) -> nx.MultiDiGraph:
    """The subgraph of the first ``max_nodes`` nodes of :func:`budget_order`, or ``graph`` if it fits."""
    if graph.number_of_nodes() <= max_nodes:
        return graph
    return graph.subgraph(budget_order(graph, priority)[:max(max_nodes, 0)]).copy()


def budget_order(graph: nx.Graph, priority: dict[Hashable, int] | None = None) -> list[Hashable]:
    """The nodes in the order a drawing budget keeps them: each type keeps its share.

    Within a type nodes are ranked by degree; the types are interleaved by rank fraction (the 10th of 100
    persons comes with the 1st of 10 documents), so leaves such as persons and documents are not all
    dropped for the hubs. Isolated nodes come last. With ``priority`` (e.g. distance from a focus node),
    nodes of lower priority value come first.
    """
    rank = priority or {}
    label = lambda n: str(graph.nodes[n].get("label", n))  # noqa: E731
    by_type: dict[str, list[Hashable]] = defaultdict(list)
    for node in sorted(graph.nodes, key=lambda n: (-graph.degree(n), label(n), str(n))):
        by_type[_entity_type(graph.nodes[node]).name].append(node)
    fraction = {node: i / len(nodes) for nodes in by_type.values() for i, node in enumerate(nodes)}
    return sorted(graph.nodes, key=lambda n: (rank.get(n, 0), graph.degree(n) == 0, fraction[n],
                                              -graph.degree(n), label(n), str(n)))


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


def write_html(store_or_graph: OxigraphStore | nx.Graph, path: Path, *,
               max_nodes: int = DEFAULT_MAX_NODES, title: str = "ccakg", focus: Iterable[Hashable] = (),
               hops: int = 2) -> dict[str, Any]:
    """Write the explorer page to ``path`` (UTF-8, atomically); return a summary of what it shows.

    With ``focus`` (node ids) only their neighbourhood of ``hops`` is drawn (nearest nodes first when it
    is over ``max_nodes``), and the page opens on the first of them.

    Returns:
        ``{"nodes", "edges", "omitted", "omitted_edges", "physics", "types", "focus"}`` — drawn node and
        edge counts, entities and relations left out (of the whole graph, or of the neighbourhood) above
        ``max_nodes``, whether physics runs live, the drawn entities per type and the focus nodes.
    """
    graph = store_or_graph if isinstance(store_or_graph, nx.Graph) else graph_view(store_or_graph)
    focus = [node for node in focus if node in graph]
    if focus:
        distances = neighbourhood(graph, focus, hops)
        scope: nx.Graph = graph.subgraph(distances).copy()
        shown = most_connected(scope, max_nodes, priority=distances)
    else:
        scope = graph
        shown = most_connected(graph, max_nodes)
    physics = shown.number_of_nodes() <= PHYSICS_MAX_NODES
    positions = layout_positions(shown)  # with physics on, the start it settles from (faster, the same each time)
    page = _page_context(graph, scope, shown, title, physics, focus, hops)
    page["time"] = _time_context(graph, shown)
    page["meta"]["time"] = page["time"]
    sources = _Sources()
    net = _make_network(graph, shown, positions, physics, focus, sources)
    page["reserve"] = _reserve(graph, scope, shown, sources)
    page["texts"], page["sources"] = _texts_on_page(graph, scope, shown, page["reserve"], sources)
    html = _render(net, page)
    _write_text_atomically(Path(path), html)
    summary = {"nodes": shown.number_of_nodes(), "edges": shown.number_of_edges(),
               "omitted": page["omitted"]["nodes"], "omitted_edges": page["omitted"]["edges"],
               "physics": physics, "types": {e["name"]: e["shown"] for e in page["legend"]},
               "focus": [str(node) for node in focus]}
    log.info("wrote %s: %s", path, summary)
    return summary


def _entity_type(attrs: dict[str, Any]) -> EntityType:
    return TYPES_BY_NAME.get(attrs.get("type", ""), OTHER_TYPE)


class _Sources(SourceTexts):
    """Raw source texts, read once per page, to widen a quote to its sentence."""

    def sentence(self, item: dict[str, Any]) -> tuple[str, str, str]:
        """(before, quote, after): the sentence around the quote, trimmed to ``SENTENCE_CONTEXT`` a side."""
        quote, start, end = item["quote"], item["start"], item["end"]
        document = self.get(item["path"])
        if len(quote) > QUOTE_MAX:
            quote = quote[:QUOTE_MAX // 2] + " … " + quote[-QUOTE_MAX // 2:]
        if document is None or document.raw_text[start:end] != item["quote"]:
            return "", quote, ""
        raw = document.raw_text
        left, right = sentence_bounds(raw, start, end)
        before, after = raw[left:start], raw[end:right]
        if document.media_type == "text/html":
            before, after = RE_TAG.sub("", before), RE_TAG.sub("", after)
        before, after = before.lstrip(), after.rstrip()
        if len(before) > SENTENCE_CONTEXT:
            before = "…" + before[-SENTENCE_CONTEXT:]
        if len(after) > SENTENCE_CONTEXT:
            after = after[:SENTENCE_CONTEXT] + "…"
        return before, quote, after


def _make_network(graph: nx.Graph, shown: nx.Graph, positions: dict[Hashable, tuple[float, float]],
                  physics: bool, focus: list[Hashable], sources: _Sources) -> Network:
    net = Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    net.options = _vis_options(physics, shown.number_of_nodes())
    for node, attrs in shown.nodes(data=True):
        options = _node_options(node, attrs, shown.degree(node), positions.get(node))
        options.update(_node_details(graph, shown, node, attrs, sources))
        options.update(_node_facets(node, attrs))
        if node in focus:
            options.update(borderWidth=4, focus=True)
        net.add_node(_node_id(node), **options)
    for (source, target), labels in _merged_edges(shown).items():
        edge = _edge_record(shown, source, target, labels, sources)
        net.add_edge(edge.pop("from"), edge.pop("to"), **edge)
    return net


def _edge_record(graph: nx.Graph, source: Hashable, target: Hashable, labels: list[dict[str, str]],
                 sources: _Sources) -> dict[str, Any]:
    """A drawn edge: its relation labels per script (the page shows them for the chosen entity's edges,
    not all at once), a hover title, and one evidence item per relation (``ev``) for the path view."""
    text = {lang: ("、" if lang != "en" else ", ").join(label[lang] or label["zh-Hans"] for label in labels)
            for lang in LANGS}
    evidence = []
    for key, attrs in sorted((graph.get_edge_data(source, target) or {}).items(), key=lambda kv: str(kv[0])):
        item = attrs.get("evidence") if isinstance(attrs, dict) else None
        if item:
            before, quote, after = sources.sentence(item)
            evidence.append({"label": str(attrs.get("label") or key), "doc": item["doc"], "start": item["start"],
                             "end": item["end"], "before": before, "quote": quote, "after": after,
                             "rule": item["rule"]})
    return {"from": _node_id(source), "to": _node_id(target), "arrows": "to", "labels": text, "ev": evidence,
            "title": f"{_label_of(graph, source)} → {_label_of(graph, target)}：{text['zh-Hans']}",
            **_edge_facets(graph, source, target)}


def _reserve(graph: nx.Graph, scope: nx.Graph, shown: nx.Graph, sources: _Sources) -> dict[str, list[dict[str, Any]]]:
    """The entities of ``scope`` over the drawing budget and their edges, for search and paths to bring in.

    Up to ``RESERVE_MAX`` entities (in budget order); each as the page's drawn nodes are, without a position.
    """
    left_out = [n for n in budget_order(scope) if n not in shown][:RESERVE_MAX]
    if not left_out:
        return {"nodes": [], "edges": []}
    nodes = []
    for node in left_out:
        attrs = scope.nodes[node]
        record = {"id": _node_id(node), **_node_options(node, attrs, scope.degree(node), None)}
        record.update(_node_details(graph, shown, node, attrs, sources))
        record.update(_node_facets(node, attrs))
        nodes.append(record)
    kept = set(shown) | set(left_out)
    edges = [_edge_record(scope, source, target, labels, sources)
             for (source, target), labels in _merged_edges(scope).items()
             if source in kept and target in kept and not (source in shown and target in shown)]
    return {"nodes": nodes, "edges": edges}


def _texts_on_page(graph: nx.Graph, scope: nx.Graph, shown: nx.Graph, reserve: dict[str, list[dict[str, Any]]],
                   sources: _Sources) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """The texts the page's evidence cites: {id: {title, date}}, and their raw text for the source view
    (HTML tags blanked to spaces, so offsets still hold) while the page stays under ``SOURCE_CHARS_MAX``."""
    known = graph.graph.get("texts", {})
    on_page = {str(r["id"]) for r in reserve["nodes"]} | {str(_node_id(n)) for n in shown}
    paths: dict[str, str] = {}   # the texts quoted on the page
    named: set[str] = set()      # and those named in its lists of sources
    for node, attrs in scope.nodes(data=True):
        if str(_node_id(node)) in on_page:
            for item in attrs.get("evidence", ()):
                paths.setdefault(item["doc"], item.get("path", ""))
            named.update(attrs.get("evidence_docs") or ())
    for _, _, attrs in scope.edges(data=True):
        if isinstance(attrs, dict) and attrs.get("evidence"):
            paths.setdefault(attrs["evidence"]["doc"], attrs["evidence"].get("path", ""))
    texts = {doc: {"title": known.get(doc, {}).get("title", ""), "date": known.get(doc, {}).get("date", "")}
             for doc in sorted(named | set(paths))}
    bodies: dict[str, str] = {}
    budget = SOURCE_CHARS_MAX
    for doc in sorted(paths):
        document = sources.get(paths[doc] or known.get(doc, {}).get("path", ""))
        if document is not None and len(document.raw_text) <= budget:
            bodies[doc] = source_view_text(document.raw_text, document.media_type)
            budget -= len(document.raw_text)
    return texts, bodies


def source_view_text(raw: str, media_type: str) -> str:
    """The raw text as the source view shows it: for HTML, markup, scripts and styles blanked with spaces
    (newlines kept), so that evidence offsets into the raw text still point at the quote."""
    if media_type != "text/html":
        return raw
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731
    return RE_TAG.sub(blank, RE_SCRIPT_STYLE.sub(blank, raw))


def _node_id(node: Hashable) -> str | int:
    return node if isinstance(node, (str, int)) else str(node)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2e7f else 1 for ch in text)


def _clip(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` cut to ``width`` display columns (CJK count 2), with an ellipsis when cut."""
    if _display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0x2e7f else 1
        if used > width - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def _display_labels(node: Hashable, attrs: dict[str, Any]) -> dict[str, str]:
    """Canvas labels per script: a task of a plan as 任务9 (its plan is the neighbour it belongs to)."""
    labels = attrs.get("labels") or {}
    zh = str(attrs.get("label") or labels.get("zh-Hans") or node)
    if attrs.get("type") == "Task" and (match := RE_TASK_LABEL.match(zh)):
        n = match.group("n")
        return {"zh-Hans": f"任务{n}", "zh-Hant": f"任務{n}", "en": f"Task {n}"}
    return {"zh-Hans": _clip(zh), "zh-Hant": _clip(labels.get("zh-Hant") or zh),
            "en": _clip(labels.get("en") or zh)}


def _node_options(node: Hashable, attrs: dict[str, Any], degree: int,
                  position: tuple[float, float] | None) -> dict[str, Any]:
    entity_type = _entity_type(attrs)
    display = _display_labels(node, attrs)
    options: dict[str, Any] = {
        "label": display["zh-Hans"],
        "display": display,
        "title": str(attrs.get("title") or f"{entity_type.label}\n{node}"),
        "color": entity_type.color,
        "shape": entity_type.shape,
        "degree": degree,
        "size": node_size(degree),
        "type": entity_type.name,
    }
    if position is not None:
        options["x"], options["y"] = position
    return options


def node_size(degree: int) -> float:
    """The drawn radius: 8 px for a lone entity, growing with the square root of its degree up to 36 px.

    Computed here, not by vis-network from a ``value``: its value scaling runs over every node on each
    data update, which made a click on a 2,000-node page take most of a second.
    """
    return round(min(36.0, 8.0 + 4.0 * math.sqrt(max(degree, 0))), 1)


def _node_details(graph: nx.Graph, shown: nx.Graph, node: Hashable, attrs: dict[str, Any],
                  sources: _Sources) -> dict[str, Any]:
    """What the side panel and the search need: names, search keys, attributes, relations, evidence."""
    label = str(attrs.get("label") or node)
    labels = dict(attrs.get("labels") or {"zh-Hans": label, "zh-Hant": S2T.convert(label), "en": ""})
    names = [(kind, lang, name) for kind, name, lang, _ in attrs.get("names", ())]
    aliases = [(kind, lang, _clip(name, 2 * ALIAS_CHARS)) for kind, lang, name in names if kind == "alt"]
    relations = _relations(graph, shown, node)
    evidence = list(attrs.get("evidence", ()))
    chosen = _pick_evidence(evidence, EVIDENCE_CAP)
    per_doc = Counter(attrs.get("evidence_docs") or Counter(item["doc"] for item in evidence))
    items = []
    for item in chosen:
        before, quote, after = sources.sentence(item)
        items.append({"doc": item["doc"], "start": item["start"], "end": item["end"], "before": before,
                      "quote": quote, "after": after, "about": item["about"], "rule": item["rule"]})
    return {
        "labels": labels,
        "names": [n for n in names if n[0] == "pref"] + aliases[:ALIASES_CAP],
        "aliases_total": len(aliases),
        "search": _search_keys(label, labels, names),
        "attrs": [list(a) for a in attrs.get("attributes", ())],
        "rel": relations[:RELATIONS_CAP],
        "rel_total": len(relations),
        "evidence": items,
        "evidence_total": max(int(attrs.get("evidence_total") or 0), len(evidence)),
        "sources": sorted(per_doc.items(), key=lambda kv: (-kv[1], kv[0]))[:SOURCES_CAP],
        "sources_total": len(per_doc),
    }


def _search_keys(label: str, labels: dict[str, str], names: list[tuple[str, str, str]]) -> str:
    """Every name in Simplified and Traditional form, case-folded, one a line (the page matches its input)."""
    keys: dict[str, None] = {}
    for text in [label, *labels.values(), *(name for _, _, name in names)]:
        if not text:
            continue
        for form in (text, to_simplified(text), S2T.convert(text)):
            keys.setdefault(form.strip().casefold(), None)
        for form in _initials_keys(text):          # gjrjw finds 国家认监委, as `ccakg lookup` does
            keys.setdefault(form, None)
    return "\n".join(k for k in keys if k)


INITIALS_VARIANTS = 4   # readings of polyphonic characters spelled out, at most this many per name


def _initials_keys(name: str) -> list[str]:
    """The pinyin initials of a Chinese name as plain strings (每种读音; 银行 → yh, yx), for the page's search."""
    from kg.lookup import initials

    if not any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return []
    forms = [""]
    for letters in initials(name):
        forms = [form + letter for form in forms for letter in letters][:INITIALS_VARIANTS]
    return [form for form in forms if len(form) >= 2]


def _relations(graph: nx.Graph, shown: nx.Graph, node: Hashable) -> list[list[Any]]:
    """[direction, relation label, neighbour id, neighbour zh-Hans label, neighbour drawn?], sorted."""
    rows: set[tuple[str, str, str, str, bool]] = set()
    if graph.is_directed():
        ends = [("out", v, d) for _, v, d in graph.out_edges(node, data=True)]
        ends += [("in", u, d) for u, _, d in graph.in_edges(node, data=True)]
    else:
        ends = [("out", v, d) for _, v, d in graph.edges(node, data=True)]
    for direction, other, data in ends:
        rows.add((direction, str(data.get("label") or ""), str(_node_id(other)), _label_of(graph, other),
                  other in shown))
    return [list(r) for r in sorted(rows, key=lambda r: (r[0] != "out", r[1], r[3], r[2]))]


def _pick_evidence(evidence: list[dict[str, Any]], cap: int) -> list[dict[str, Any]]:
    """Up to ``cap`` items, facts before bare mentions, taking one source text after another."""
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in evidence:
        by_doc[item["doc"]].append(item)
    queues = [items for _, items in sorted(by_doc.items(), key=lambda kv: (kv[1][0]["about"] == "", kv[0]))]
    chosen: list[dict[str, Any]] = []
    depth = 0
    while len(chosen) < cap and any(depth < len(q) for q in queues):
        chosen += [q[depth] for q in queues if depth < len(q)][:cap - len(chosen)]
        depth += 1
    return chosen


def _merged_edges(graph: nx.Graph) -> dict[tuple[Hashable, Hashable], list[dict[str, str]]]:
    """One drawn edge per ordered pair, carrying every relation label between them (per script)."""
    merged: dict[tuple[Hashable, Hashable], list[dict[str, str]]] = defaultdict(list)
    for source, target, attrs in graph.edges(data=True):
        label = str(attrs.get("label") or "")
        labels = attrs.get("labels") or {"zh-Hans": label, "zh-Hant": S2T.convert(label), "en": ""}
        if all(label != known["zh-Hans"] for known in merged[(source, target)]):
            merged[(source, target)].append(labels)
    return merged


def _vis_options(physics: bool, n_nodes: int) -> dict[str, Any]:
    return {
        "nodes": {"shape": "dot", "scaling": {"min": 8, "max": 36},
                  "font": {"face": FONT_STACK, "size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "color": {"color": "#9aa5b1", "highlight": "#334e68", "hover": "#334e68"},
                  "font": {"face": FONT_STACK, "size": 11, "align": "middle", "color": "#52606d"},
                  "smooth": {"type": "continuous"} if physics else False},
        "physics": {"enabled": physics, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120, "damping": 0.8},
                    "minVelocity": 1.0,
                    "stabilization": {"enabled": physics, "iterations": STABILIZATION_ITERATIONS}},
        "layout": {"improvedLayout": physics and n_nodes <= 100, "randomSeed": LAYOUT_SEED},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": not physics},
    }


def _page_context(graph: nx.Graph, scope: nx.Graph, shown: nx.Graph, title: str, physics: bool,
                  focus: list[Hashable], hops: int) -> dict[str, Any]:
    total = Counter(_entity_type(a).name for _, a in scope.nodes(data=True))
    drawn = Counter(_entity_type(a).name for _, a in shown.nodes(data=True))
    order = [t.name for t in ENTITY_TYPES] + [OTHER_TYPE.name]
    legend = [{"name": name, "label": _type_named(name).label, "label_hant": S2T.convert(_type_named(name).label),
               "en": _type_named(name).en, "glyph": _type_named(name).glyph,
               "color": _type_named(name).color, "shown": drawn[name], "total": total[name]}
              for name in order if total[name]]
    omitted_by_type = [{"label": e["label"], "count": e["total"] - e["shown"]}
                       for e in legend if e["total"] > e["shown"]]
    terms = {}
    for _, _, attrs in graph.edges(data=True):
        labels = attrs.get("labels")
        if labels:
            terms[labels["zh-Hans"]] = {"zh-Hant": labels["zh-Hant"], "en": labels["en"]}
    return {
        "title": title,
        "physics": physics,
        "font_stack": FONT_STACK,
        "legend": legend,
        "focus": [{"id": str(_node_id(n)), "label": _label_of(graph, n)} for n in focus],
        "hops": hops,
        "stats": {"nodes": shown.number_of_nodes(), "edges": shown.number_of_edges(),
                  "total_nodes": scope.number_of_nodes(), "total_edges": scope.number_of_edges(),
                  "graph_nodes": graph.number_of_nodes()},
        "omitted": {"nodes": scope.number_of_nodes() - shown.number_of_nodes(),
                    "edges": scope.number_of_edges() - shown.number_of_edges(),
                    "by_type": omitted_by_type},
        "meta": {"physics": physics, "focus": [str(_node_id(n)) for n in focus], "terms": terms,
                 "evidence_cap": EVIDENCE_CAP, "path_max_len": PATH_MAX_LEN, "path_limit": PATH_LIMIT,
                 "types": {e["name"]: {"zh-Hans": e["label"], "zh-Hant": e["label_hant"], "en": e["en"],
                                       "color": e["color"], "glyph": e["glyph"]} for e in legend}},
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
