"""What a build holds, counted from its store: distinct entities and facts, and the texts with their counts.

A fact that several texts state is one fact here (``build`` and ``report.json`` print these numbers, not
sums over texts); a text's own counts are what its named graph says. Counting from the store makes the
numbers describe the whole build after ``add`` and ``remove`` too.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from kg.namespaces import DOC_GRAPH, ENTITY_GRAPH, SPARQL_PREFIXES, doc_id_of
from kg.rdf import CLASSES
from kg.store import OxigraphStore

# The entity types a text's extraction counts (roles, indicators and target subjects are parts of facts).
ENTITY_TYPES = {classes[0]: name for name, classes in CLASSES.items() if name not in ("Role", "Indicator", "Concept")}

# One row (?kind, ?key) per fact in a text's graph: a fact's key is the same in every text stating it.
STATEMENT_KINDS = {"kgo:speaksAt": "speaks_at", "dct:publisher": "issued", "dct:identifier": "doc_id",
                   "schema:startDate": "meeting_date", "org:unitOf": "sub_organization",
                   "org:subOrganizationOf": "sub_organization", "kgo:appliesToSector": "applies_to"}
LINK_KINDS = {"kgo:leadUnit": "task_lead", "kgo:supportUnit": "task_support", "kgo:mentions": "task_mentions"}
FACTS = " UNION ".join([
    '{ ?key a org:Membership BIND("membership" AS ?kind) }',
    "{ ?key a rdf:Statement ; rdf:predicate ?p VALUES (?p ?kind) { "
    + " ".join(f'({p} "{k}")' for p, k in STATEMENT_KINDS.items()) + " } }",
    '{ ?key kgo:taskNumber ?number BIND("task" AS ?kind) }',
    '{ ?key schema:variableMeasured ?indicator BIND("statistic" AS ?kind) }',
    '{ ?key kgo:targetSubject ?subject BIND("target" AS ?kind) }',
    "{ ?x ?p ?y VALUES (?p ?kind) { " + " ".join(f'({p} "{k}")' for p, k in LINK_KINDS.items())
    + ' } BIND(CONCAT(STR(?x), " ", STR(?y)) AS ?key) }',
])
IN_TEXT = f'FILTER(STRSTARTS(STR(?g), "{DOC_GRAPH}"))'


@dataclass
class Text:
    """One text of a build: what its source node says and what its graph holds."""

    doc_id: str
    title: str = ""
    date: str = ""
    path: str = ""
    mentions: int = 0
    entities: int = 0
    facts: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Totals:
    """Distinct entities by type and facts by kind over the whole build, and the mentions of all texts."""

    mentions: int = 0
    entities: Counter = field(default_factory=Counter)
    facts: Counter = field(default_factory=Counter)


def totals(store: OxigraphStore, listed: list[Text] | None = None) -> Totals:
    """Distinct entities (by their main type) and distinct facts (by kind) in the store; every mention
    (summed over ``listed``, the store's :func:`texts`, when the caller has them already)."""
    found = Totals()
    _, rows = store.select(SPARQL_PREFIXES + f"""SELECT ?kind (COUNT(DISTINCT ?key) AS ?n) WHERE {{
        GRAPH ?g {{ {FACTS} }} {IN_TEXT} }} GROUP BY ?kind""")
    found.facts.update({kind: int(n) for kind, n in rows})
    _, rows = store.select(SPARQL_PREFIXES + f"""SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        GRAPH <{ENTITY_GRAPH}> {{ ?e a ?type }} VALUES ?type {{ {' '.join(f'<{c}>' for c in ENTITY_TYPES)} }}
        }} GROUP BY ?type""")
    found.entities.update({ENTITY_TYPES[type_]: int(n) for type_, n in rows})
    found.mentions = sum(t.mentions for t in (texts(store) if listed is None else listed))
    return found


def texts(store: OxigraphStore) -> list[Text]:
    """Every text of the build, by id: title, date and file from its source node; mentions, entities
    mentioned and facts stated in its graph."""
    _, rows = store.select(SPARQL_PREFIXES + f"""SELECT ?g ?id ?title ?date ?path WHERE {{
        GRAPH ?g {{ ?src a kgo:SourceText ; dct:identifier ?id
          OPTIONAL {{ ?src dct:title ?title }} OPTIONAL {{ ?src dct:issued ?date }}
          OPTIONAL {{ ?src kgo:sourcePath ?path }} }} {IN_TEXT} }}""")
    found = {g: Text(doc_id or doc_id_of(g), title or "", date or "", path or "") for g, doc_id, title, date, path in rows}
    _, rows = store.select(SPARQL_PREFIXES + f"""SELECT ?g (COUNT(DISTINCT ?ev) AS ?m) (COUNT(DISTINCT ?body) AS ?e)
        WHERE {{ GRAPH ?g {{ ?ev oa:motivatedBy oa:identifying ; oa:hasBody ?body }} {IN_TEXT} }} GROUP BY ?g""")
    for g, mentions, entities in rows:
        if g in found:
            found[g].mentions, found[g].entities = int(mentions), int(entities)
    _, rows = store.select(SPARQL_PREFIXES + f"""SELECT ?g (COUNT(DISTINCT ?key) AS ?n) WHERE {{
        GRAPH ?g {{ {FACTS} }} {IN_TEXT} }} GROUP BY ?g""")
    for g, n in rows:
        if g in found:
            found[g].facts = int(n)
    return sorted(found.values(), key=lambda t: t.doc_id)
