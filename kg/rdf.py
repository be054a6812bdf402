"""Entities, facts and evidence → quads: one named graph per source text, plus the shared entities graph."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator

import opencc
import pyoxigraph as ox

from kg.model import DocResult, Entity, EntityRef, Fact, Provenance, SourceInfo
from kg.namespaces import (DCT, ENTITY_GRAPH, FOAF, KG, OA, ORG, PROV, RDF, RDFS, SCHEMA, SKOS, SRC, XSD,
                           doc_graph, iri_path, kgo, node)
from kg.registry import active_registry, entity_iri, mint

_S2T = opencc.OpenCC("s2t")
_T2S = opencc.OpenCC("t2s")
TYPE = node(RDF + "type")
# N-Triples / Turtle string escapes: the only characters a quoted literal may not hold as they are
LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
PREF, ALT, LABEL = node(SKOS + "prefLabel"), node(SKOS + "altLabel"), node(RDFS + "label")
CLASSES = {
    "Agency": (kgo("Agency"), ORG + "FormalOrganization"),
    "Department": (kgo("Department"), ORG + "OrganizationalUnit"),
    "Organization": (kgo("Organization"), ORG + "FormalOrganization"),
    "UnitGroup": (kgo("UnitGroup"), ORG + "Organization"),
    "Person": (FOAF + "Person", SCHEMA + "Person"),
    "Initiative": (kgo("Initiative"), SKOS + "Concept"),
    "CertificationScheme": (kgo("CertificationScheme"), SKOS + "Concept"),
    "Sector": (kgo("Sector"), SKOS + "Concept"),
    "Region": (kgo("Region"), SCHEMA + "AdministrativeArea"),
    "PolicyDocument": (kgo("PolicyDocument"), SCHEMA + "Legislation"),
    "Meeting": (kgo("Meeting"), SCHEMA + "Event"),
    "Statistic": (kgo("Statistic"), SCHEMA + "Observation"),
    "Target": (kgo("Target"), PROV + "Entity"),
    "Task": (kgo("Task"), SCHEMA + "Action"),
    "Indicator": (kgo("Indicator"), SKOS + "Concept"),
    "Role": (ORG + "Role", SKOS + "Concept"),
    "Concept": (SKOS + "Concept",),
}


@lru_cache(maxsize=65536)
def traditional(text: str) -> str:
    """The zh-Hant form of a Simplified name (OpenCC s2t)."""
    return _S2T.convert(text)


def lit(value: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def typed(value: object) -> ox.Literal:
    """A number, or a date as xsd:date / xsd:gYearMonth / xsd:gYear / xsd:gMonthDay."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
        kind = {10: "date", 7: "gYearMonth", 4: "gYear"}.get(len(text), "gMonthDay" if text.startswith("--") else None)
        return ox.Literal(text, datatype=node(XSD + kind)) if kind else ox.Literal(text)
    return ox.Literal(str(value), datatype=node(XSD + ("integer" if isinstance(value, int) else "decimal")))


@lru_cache(maxsize=65536)
def script_tag(text: str) -> str:
    """zh-Hant when the text changes under Traditional→Simplified, zh-Hans for other CJK, en for Latin."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "en"
    return "zh-Hant" if _T2S.convert(text) != text else "zh-Hans"


def iri(ref: EntityRef, entry_id: str | None = None) -> ox.NamedNode:
    return node(entity_iri(ref.type, ref.key, entry_id))


def lexicon_id(entity: Entity) -> str | None:
    """The lexicon entry an entity came from (rule-made entities have none; one edition of a recurring
    meeting is not its entry's entity: its IRI is minted from its own key)."""
    if entity.edition:
        return None
    return entity.source if entity.source and not entity.source.startswith("rx:") else None


def source_node(doc_id: str) -> ox.NamedNode:
    return node(SRC + iri_path(doc_id))


class Quads:
    """Collects the quads of one named graph."""

    def __init__(self, graph: str) -> None:
        self.graph = node(graph)
        self.items: list[ox.Quad] = []

    def add(self, s: ox.NamedNode, p: str | ox.NamedNode, o: object) -> None:
        pred = node(p) if isinstance(p, str) else p
        self.items.append(ox.Quad(s, pred, o, self.graph))


def entity_quads(entity: Entity) -> Iterator[ox.Quad]:
    """Type and names of one entity, for the shared entities graph.

    An entity merged into another (``ccakg registry merge``) gives the kept IRI its names as altLabels:
    the kept entity keeps its own prefLabel (the owl:sameAs links are added by :func:`kg.merges.link_merged`).
    """
    subject, merged = merged_subject(entity.ref.type, entity.ref.key, lexicon_id(entity))
    return iter(named_entity_quads(subject.value, merged, entity.ref.type, entity.name, entity.en, entity.aliases,
                                   entity.en_aliases))


@lru_cache(maxsize=65536)
def named_entity_quads(subject_iri: str, merged: bool, type_: str, name: str, en: str | None,
                       aliases: tuple[str, ...], en_aliases: tuple[str, ...]) -> tuple[ox.Quad, ...]:
    """:func:`entity_quads` once the registry has given the subject: the same in every text naming the entity
    (most texts name the same agencies and programmes), so remembered."""
    out, subject = Quads(ENTITY_GRAPH), node(subject_iri)
    for cls in CLASSES.get(type_, CLASSES["Concept"]):
        out.add(subject, TYPE, node(cls))
    add_labels(out, subject, name, en, merged=merged)
    for alias in aliases:
        if alias not in (name, traditional(name)):
            out.add(subject, ALT, lit(alias, script_tag(alias)))
    for alias in en_aliases:
        out.add(subject, ALT, lit(alias, "en"))
    return tuple(out.items)


def merged_subject(type_: str, key: str, entry_id: str | None = None) -> tuple[ox.NamedNode, bool]:
    """The IRI of an entity, and whether it is another entity's (this one was merged into it)."""
    registry = active_registry()
    own = registry.own_iri(type_, key, entry_id)
    kept = registry.merged.get(own, own)
    return node(kept), kept != own


def add_labels(out: Quads, subject: ox.NamedNode, name: str, en: str | None, *, merged: bool = False) -> None:
    """prefLabel in zh-Hans, zh-Hant and (reviewed) en, each copied to rdfs:label; altLabels when ``merged``."""
    labels = [(name, "zh-Hans"), (traditional(name), "zh-Hant")] + ([(en, "en")] if en else [])
    for text, lang in labels:
        if merged:
            out.add(subject, ALT, lit(text, lang))
        else:
            out.add(subject, PREF, lit(text, lang))
            out.add(subject, LABEL, lit(text, lang))


def named_concept(out: Quads, type_: str, name: str) -> ox.NamedNode:
    """A small named node (role, indicator, target subject) with its labels, in the entities graph."""
    subject, merged = merged_subject(type_, name)
    for cls in CLASSES[type_]:
        out.add(subject, TYPE, node(cls))
    add_labels(out, subject, name, None, merged=merged)
    return subject


@dataclass
class DocQuads:
    """One text's graph as :class:`DocGraph` makes it: the evidence nodes (nine in ten of its quads) as text.

    ``quads``: the graph's other quads; ``evidence``: the fields of each evidence node, which
    ``evidence_nq`` renders as N-Quads lines of ``graph`` and ``evidence_ttl`` as Turtle with the prefixes of
    ``kg.namespaces.PREFIXES`` (each only when asked: a fresh build needs only the Turtle);
    ``entity_quads``: the text's quads for the shared entities graph.
    """

    graph: str
    quads: list
    evidence: list[dict]
    entity_quads: list

    @property
    def evidence_nq(self) -> str:
        return "".join(EVIDENCE_NQ.format_map(fields) for fields in self.evidence)

    @property
    def evidence_ttl(self) -> str:
        return "".join(EVIDENCE_TTL.format_map(fields) for fields in self.evidence)

    def all_quads(self) -> list[ox.Quad]:
        """The text's graph as quad objects (the evidence parsed back from its N-Quads)."""
        return self.quads + list(ox.parse(self.evidence_nq.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


# The W3C Web Annotation of one mention or fact (QUERY-CONTRACT.md), written as text: making the 13 quads
# as pyoxigraph objects and serialising them again took more time than the extraction rules of the text.
EVIDENCE_NQ = (
    "<{ev}> <" + RDF + "type> <" + kgo("Evidence") + "> {g} .\n"
    "<{ev}> <" + OA + "motivatedBy> <" + OA + "{motivation}> {g} .\n"
    "<{ev}> <" + OA + "hasBody> <{body}> {g} .\n"
    "<{ev}> <" + OA + "hasTarget> <{ev}-t> {g} .\n"
    "<{ev}> <" + kgo("rule") + "> \"{rule}\" {g} .\n"
    "<{ev}-t> <" + OA + "hasSource> <{source}> {g} .\n"
    "<{ev}-t> <" + OA + "hasSelector> <{ev}-p> {g} .\n"
    "<{ev}-t> <" + OA + "hasSelector> <{ev}-q> {g} .\n"
    "<{ev}-p> <" + RDF + "type> <" + OA + "TextPositionSelector> {g} .\n"
    "<{ev}-p> <" + OA + "start> \"{start}\"^^<" + XSD + "integer> {g} .\n"
    "<{ev}-p> <" + OA + "end> \"{end}\"^^<" + XSD + "integer> {g} .\n"
    "<{ev}-q> <" + RDF + "type> <" + OA + "TextQuoteSelector> {g} .\n"
    "<{ev}-q> <" + OA + "exact> \"{quote}\" {g} .\n"
)
EVIDENCE_TTL = (
    "kg:{local} a kgo:Evidence ; oa:motivatedBy oa:{motivation} ; oa:hasBody <{body}> ; "
    "oa:hasTarget kg:{local}-t ; kgo:rule \"{rule}\" .\n"
    "kg:{local}-t oa:hasSource <{source}> ; oa:hasSelector kg:{local}-p , kg:{local}-q .\n"
    "kg:{local}-p a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} .\n"
    "kg:{local}-q a oa:TextQuoteSelector ; oa:exact \"{quote}\" .\n"
)


class DocGraph:
    """Builds the named graph of one text: source node, surface labels, mention evidence and facts."""

    def __init__(self, result: DocResult) -> None:
        self.result = result
        self.out = Quads(doc_graph(result.source.doc_id))
        self.shared = Quads(ENTITY_GRAPH)
        self.source = source_node(result.source.doc_id)
        self.entry_ids = {e.ref: lexicon_id(e) for e in result.entities}
        self.evidence_fields: list[dict] = []
        self.evidence_seen: set[tuple[str, str, str]] = set()
        self.common_fields = {"g": f"<{self.out.graph.value}>", "source": self.source.value}   # same in every node

    def iri(self, ref: EntityRef) -> ox.NamedNode:
        return iri(ref, self.entry_ids.get(ref))

    def build(self) -> DocQuads:
        self.add_source(self.result.source)
        for entity in self.result.entities:
            self.shared.items.extend(entity_quads(entity))
            preferred = {entity.name, traditional(entity.name), entity.en}
            for form in entity.surfaces:
                if form not in preferred:
                    self.out.add(self.iri(entity.ref), ALT, lit(form, script_tag(form)))
        for ref, prov in self.result.mentions:
            self.evidence(self.iri(ref), prov, "identifying")
        for fact in self.result.facts:
            FACT_WRITERS.get(fact.kind, DocGraph.unknown)(self, fact)
        # A fact stated twice in a text, or a mention found by two rules with the same result, is written once.
        return DocQuads(self.out.graph.value, list(dict.fromkeys(self.out.items)), self.evidence_fields,
                        list(dict.fromkeys(self.shared.items)))

    def add_source(self, info: SourceInfo) -> None:
        out, s = self.out, self.source
        out.add(s, TYPE, node(kgo("SourceText")))
        out.add(s, DCT + "identifier", lit(info.doc_id))
        out.add(s, kgo("sha256"), lit(info.sha256))
        out.add(s, kgo("sourcePath"), lit(info.path))
        out.add(s, kgo("encoding"), lit(info.encoding))
        out.add(s, kgo("scriptOf"), lit(info.script))
        if info.title:
            out.add(s, DCT + "title", lit(info.title, "zh-Hans"))
        if info.published:
            out.add(s, DCT + "issued", typed(info.published))

    def evidence(self, body: ox.NamedNode, prov: Provenance, motivation: str = "describing") -> None:
        """A W3C Web Annotation of ``body`` with both selectors: its fields, which :class:`DocQuads` writes out."""
        ev = mint("ev", f"{body.value}|{prov.doc_id}|{prov.start}|{prov.end}")
        if (ev, motivation, prov.rule) in self.evidence_seen:
            return
        self.evidence_seen.add((ev, motivation, prov.rule))
        self.evidence_fields.append({**self.common_fields, "ev": ev, "local": ev[len(KG):], "motivation": motivation,
                                     "body": body.value, "rule": prov.rule.translate(LITERAL_ESCAPES),
                                     "start": prov.start, "end": prov.end,
                                     "quote": prov.quote.translate(LITERAL_ESCAPES)})

    def statement(self, s: ox.NamedNode, p: str, o: object, prov: Provenance) -> None:
        """Assert a binary triple and give it a reifier that carries its evidence."""
        self.out.add(s, p, o)
        st = node(mint("st", f"{s.value}|{p}|{o}"))
        self.out.add(st, TYPE, node(RDF + "Statement"))
        self.out.add(st, RDF + "subject", s)
        self.out.add(st, RDF + "predicate", node(p))
        self.out.add(st, RDF + "object", o)
        self.evidence(st, prov)

    def unknown(self, fact: Fact) -> None:
        raise ValueError(f"no RDF writer for fact kind {fact.kind!r}")

    def membership(self, fact: Fact) -> None:
        person, org, role = fact.arg("person"), fact.arg("organization"), str(fact.arg("role"))
        m = node(mint("m", f"{self.iri(person).value}|{self.iri(org).value}|{role}"))
        self.out.add(m, TYPE, node(ORG + "Membership"))
        self.out.add(m, ORG + "member", self.iri(person))
        self.out.add(m, ORG + "organization", self.iri(org))
        self.out.add(m, ORG + "role", named_concept(self.shared, "Role", role))
        self.out.add(self.iri(person), ORG + "memberOf", self.iri(org))
        self.evidence(m, fact.evidence)

    def speaks_at(self, fact: Fact) -> None:
        self.statement(self.iri(fact.arg("person")), kgo("speaksAt"), self.iri(fact.arg("meeting")), fact.evidence)

    def issued(self, fact: Fact) -> None:
        doc = self.iri(fact.arg("document"))
        self.statement(doc, DCT + "publisher", self.iri(fact.arg("organization")), fact.evidence)
        if fact.arg("date"):
            self.statement(doc, DCT + "issued", typed(fact.arg("date")), fact.evidence)

    def doc_id(self, fact: Fact) -> None:
        self.statement(self.iri(fact.arg("document")), DCT + "identifier", lit(str(fact.arg("identifier"))),
                       fact.evidence)

    def meeting_date(self, fact: Fact) -> None:
        meeting = self.iri(fact.arg("meeting"))
        self.statement(meeting, SCHEMA + "startDate", typed(fact.arg("date")), fact.evidence)
        if fact.arg("place"):
            self.statement(meeting, SCHEMA + "location", self.iri(fact.arg("place")), fact.evidence)

    def task(self, fact: Fact) -> None:
        task = self.iri(fact.arg("task"))
        self.out.add(task, kgo("taskNumber"), typed(int(fact.arg("number"))))
        if fact.arg("plan"):
            self.out.add(task, kgo("inWorkPlan"), self.iri(fact.arg("plan")))
        self.evidence(task, fact.evidence)

    def task_unit(self, fact: Fact) -> None:
        prop = kgo("leadUnit") if fact.kind == "task_lead" else kgo("supportUnit")
        self.out.add(self.iri(fact.arg("task")), prop, self.iri(fact.arg("unit")))

    def task_mentions(self, fact: Fact) -> None:
        self.out.add(self.iri(fact.arg("task")), kgo("mentions"), self.iri(fact.arg("entity")))

    def sub_organization(self, fact: Fact) -> None:
        child = fact.arg("child")
        prop = ORG + ("unitOf" if child.type in ("Department", "UnitGroup") else "subOrganizationOf")
        self.statement(self.iri(child), prop, self.iri(fact.arg("parent")), fact.evidence)

    def statistic(self, fact: Fact) -> None:
        stat = self.iri(fact.arg("statistic"))
        out = self.out
        out.add(stat, SCHEMA + "variableMeasured", named_concept(self.shared, "Indicator", fact.arg("indicator")))
        out.add(stat, SCHEMA + "value", typed(fact.arg("value")))
        out.add(stat, SCHEMA + "unitText", lit(fact.arg("unit")))
        if fact.arg("date"):
            out.add(stat, SCHEMA + "observationDate", typed(fact.arg("date")))
        if fact.arg("change"):
            out.add(stat, kgo("changeText"), lit(fact.arg("change")))
        self.evidence(stat, fact.evidence)

    def target(self, fact: Fact) -> None:
        target = self.iri(fact.arg("target"))
        out = self.out
        out.add(target, kgo("targetSubject"), named_concept(self.shared, "Concept", str(fact.arg("subject"))))
        out.add(target, kgo("goal"), lit(str(fact.arg("goal")), "zh-Hans"))
        if fact.arg("horizon"):
            out.add(target, kgo("horizonText"), lit(str(fact.arg("horizon")), "zh-Hans"))
        plan = self.result.source.title
        main = next((e for e in self.result.entities if e.ref.type == "PolicyDocument" and e.name == plan), None)
        if main is not None:
            out.add(target, kgo("statedIn"), self.iri(main.ref))
        self.evidence(target, fact.evidence)

    def applies_to(self, fact: Fact) -> None:
        self.statement(self.iri(fact.arg("programme")), kgo("appliesToSector"), self.iri(fact.arg("sector")), fact.evidence)


FACT_WRITERS: dict[str, Callable[[DocGraph, Fact], None]] = {
    "membership": DocGraph.membership, "speaks_at": DocGraph.speaks_at, "issued": DocGraph.issued,
    "doc_id": DocGraph.doc_id, "meeting_date": DocGraph.meeting_date, "task": DocGraph.task,
    "task_lead": DocGraph.task_unit, "task_support": DocGraph.task_unit, "task_mentions": DocGraph.task_mentions,
    "sub_organization": DocGraph.sub_organization, "statistic": DocGraph.statistic, "target": DocGraph.target,
    "applies_to": DocGraph.applies_to,
}


def doc_quads(result: DocResult) -> DocQuads:
    """One text's graph and its quads for the shared entities graph, its evidence as text (what a build writes)."""
    return DocGraph(result).build()


def to_quads(result: DocResult) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """(quads of the text's own graph, quads for the shared entities graph), every one a quad object."""
    doc = doc_quads(result)
    return doc.all_quads(), doc.entity_quads
