"""Why does an entity or fact exist: its evidence, with the sentence, the rule or lexicon entry, and the source file."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.store import OxigraphStore
from extractors.errors import QueryError
from kg.namespaces import IRI_RULES, SPARQL_PREFIXES, valid_iri
from kg.documents import SourceTexts, sentence_bounds



@dataclass(frozen=True)
class Reason:
    subject: str        # what the evidence is about (entity label or fact description)
    doc_id: str
    path: str
    start: int
    end: int
    quote: str
    rule: str
    sentence: str


def open_store(store_dir: Path) -> OxigraphStore:
    return OxigraphStore.open_read_only(store_dir)


def find_entities(store: OxigraphStore, name: str) -> list[tuple[str, str, str]]:
    """(iri, zh-Hans label, type) of the entities named ``name`` (any script, English, or the IRI)."""
    from kg.lookup import find

    return [(f.iri, f.labels.get("zh-Hans", ""), f.type) for f in find(store, name)]


def reasons(store: OxigraphStore, iri: str) -> list[Reason]:
    """Evidence for the entity itself, for facts about it (n-ary nodes and reified triples)."""
    if not valid_iri(iri):
        raise QueryError(f"{iri!r} is not a valid IRI ({IRI_RULES})")
    # A fact and its evidence are stated together in the graph of one text: matched inside it (?g), a fact
    # that many texts state costs one row per text, not a product over texts. Types of statistics and tasks
    # live in the entities graph, so they are matched outside.
    query = SPARQL_PREFIXES + f"""SELECT DISTINCT ?body ?id ?path ?s ?e ?q ?rule WHERE {{
        {{ BIND(<{iri}> AS ?body) }}
        UNION {{ GRAPH ?g {{ ?body a org:Membership ; ?r <{iri}> }} }}
        UNION {{ ?body a kgo:Task . GRAPH ?g {{ ?body ?r <{iri}> }} }}
        UNION {{ ?body a kgo:Statistic . GRAPH ?g {{ ?body ?r <{iri}> }} }}
        UNION {{ GRAPH ?g {{ ?body a rdf:Statement ; rdf:subject|rdf:object <{iri}> }} }}
        GRAPH ?g {{
          ?ev oa:hasBody ?body ; kgo:rule ?rule ; oa:hasTarget ?t .
          ?t oa:hasSource ?src ; oa:hasSelector ?ps, ?qs .
          ?ps oa:start ?s ; oa:end ?e . ?qs oa:exact ?q .
          ?src dct:identifier ?id . OPTIONAL {{ ?src kgo:sourcePath ?path }}
        }} }}"""
    found, sources, subjects = [], SourceTexts(), {}
    for row in store.query(query):
        path = row["path"].value if row["path"] else ""
        start, end = int(row["s"].value), int(row["e"].value)
        body = row["body"].value
        if body not in subjects:
            subjects[body] = describe(store, body, iri)
        found.append(Reason(subjects[body], row["id"].value, path, start, end, row["q"].value, row["rule"].value,
                            sentence_around(sources, path, start, end, row["q"].value)))
    return sorted(found, key=lambda r: (r.doc_id, r.start, r.subject))


def sentence_around(sources: SourceTexts, path: str, start: int, end: int, quote: str) -> str:
    """The whole sentence holding [start, end) in the source file, or the quote if the file is gone."""
    document = sources.get(path)
    if document is None or document.raw_text[start:end] != quote:
        return quote
    left, right = sentence_bounds(document.raw_text, start, end)
    return document.raw_text[left:right].strip()


def describe(store: OxigraphStore, body: str, about: str) -> str:
    """A readable line for an evidence body: the mention itself, a membership, a reified triple, a task."""
    if body == about:
        return "mentioned"
    query = SPARQL_PREFIXES + f"""SELECT DISTINCT ?p ?o WHERE {{ <{body}> ?p ?o
        FILTER(?p IN (rdf:subject, rdf:predicate, rdf:object, org:member, org:role, org:organization,
                      skos:prefLabel)) }}"""
    parts = {}
    for row in store.query(query):
        parts.setdefault(_local(row["p"].value), row["o"])
    if "subject" in parts:
        return f"{label(store, parts['subject'])} {_local(parts['predicate'].value)} {label(store, parts['object'])}"
    if "member" in parts:
        return f"membership: {label(store, parts['member'])} {label(store, parts['role'])} " \
               f"{label(store, parts['organization'])}"
    return label(store, ox.NamedNode(body))


def label(store: OxigraphStore, term) -> str:
    """zh-Hans prefLabel of a node, or the literal's value."""
    if not isinstance(term, ox.NamedNode):
        return term.value
    query = SPARQL_PREFIXES + f"""SELECT ?l WHERE {{ <{term.value}> skos:prefLabel ?l
        FILTER(langMatches(lang(?l), "zh-Hans")) }} LIMIT 1"""
    rows = list(store.query(query))
    return rows[0]["l"].value if rows else _local(term.value)


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]
