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
    title: str = ""     # of the text
    date: str = ""      # of the text


def explain(store: OxigraphStore, name: str, limit: int | None = None) -> dict:
    """The evidence for the entities named ``name`` (any script, English, or the IRI), grouped by text.

    At most ``limit`` pieces of evidence over the whole answer (texts in id order, evidence by offset);
    ``shown`` and ``left_out`` say how many. JSON-ready::

        {"entities": [{"iri", "label", "type", "evidence", "texts": [{"doc_id", "title", "date", "path",
          "evidence": [{"about", "rule", "start", "end", "quote", "sentence"}]}]}], "shown", "left_out"}

    Raises:
        QueryError: no entity has that name (the message names up to five whose names contain it).
    """
    matches = find_entities(store, name)
    if not matches:
        raise QueryError(f"no entity named {name!r}{_suggestions(store, name)}")
    budget = limit if limit is not None else float("inf")
    entities, shown, total = [], 0, 0
    for iri, label, type_ in matches:
        found = reasons(store, iri)
        kept = found[:max(0, int(min(budget - shown, len(found))))]
        shown, total = shown + len(kept), total + len(found)
        entities.append({"iri": iri, "label": label, "type": type_, "evidence": len(found), "texts": by_text(kept)})
    return {"entities": entities, "shown": shown, "left_out": total - shown}


def by_text(found: list[Reason]) -> list[dict]:
    """Reasons grouped by their text, in the order given."""
    texts: dict[str, dict] = {}
    for r in found:
        text = texts.setdefault(r.doc_id, {"doc_id": r.doc_id, "title": r.title, "date": r.date, "path": r.path,
                                           "evidence": []})
        text["evidence"].append({"about": r.subject, "rule": r.rule, "start": r.start, "end": r.end,
                                 "quote": r.quote, "sentence": r.sentence})
    return list(texts.values())


def format_text(explained: dict, name: str) -> str:
    """The answer of :func:`explain` for a terminal: each entity, then each text with its evidence."""
    lines = []
    for entity in explained["entities"]:
        lines.append(f"{entity['label'] or name}  [{entity['type']}]  {entity['iri']}  "
                     f"({entity['evidence']} pieces of evidence)")
        for text in entity["texts"]:
            about = " · ".join(part for part in (text["title"], text["date"], text["path"]) if part)
            lines.append(f"  == {text['doc_id']}" + (f"  {about}" if about else ""))
            for ev in text["evidence"]:
                lines.append(f"    [{ev['start']}, {ev['end']}) {ev['about']}  (rule {ev['rule']})")
                lines.append(f"      {ev['sentence']}")
    if explained["left_out"]:
        lines.append(f"({explained['shown']} pieces of evidence shown, {explained['left_out']} left out: "
                     f"give a larger --limit to see them)")
    return "\n".join(lines) + "\n"


def _suggestions(store: OxigraphStore, name: str) -> str:
    from kg.lookup import candidates, rank

    near = [m.name for m in rank(name, candidates(store), limit=5)]
    return f"; names that contain it: {'、'.join(near)} (see `ccakg lookup`)" if near else ""


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
    query = SPARQL_PREFIXES + f"""SELECT DISTINCT ?body ?id ?path ?title ?date ?s ?e ?q ?rule WHERE {{
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
          OPTIONAL {{ ?src dct:title ?title }} OPTIONAL {{ ?src dct:issued ?date }}
        }} }}"""
    found, sources, subjects = [], SourceTexts(), {}
    for row in store.query(query):
        path = row["path"].value if row["path"] else ""
        start, end = int(row["s"].value), int(row["e"].value)
        body = row["body"].value
        if body not in subjects:
            subjects[body] = describe(store, body, iri)
        found.append(Reason(subjects[body], row["id"].value, path, start, end, row["q"].value, row["rule"].value,
                            sentence_around(sources, path, start, end, row["q"].value),
                            row["title"].value if row["title"] else "", row["date"].value if row["date"] else ""))
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
