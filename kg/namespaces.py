"""Namespaces of the query contract, and the closed set of ``kgo:`` terms.

``kgo(name)`` raises instead of minting a new IRI on a typo; a test checks that ``KGO_TERMS`` equals
the terms declared in ``ontology/ccakg.ttl``.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from urllib.parse import unquote

import pyoxigraph as ox

from extractors.errors import OntologyError

BASE = "https://w3id.org/ccakg/"
KGO = BASE + "ontology#"
KG = BASE + "id/"
SRC = BASE + "source/"
GRAPH = BASE + "graph/"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES = {
    "kgo": KGO, "kg": KG, "src": SRC, "org": ORG, "skos": SKOS, "dct": DCT, "schema": SCHEMA,
    "foaf": FOAF, "oa": OA, "prov": PROV, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD,
}

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

KGO_CLASSES = frozenset({
    "Agency", "Department", "Organization", "Initiative", "CertificationScheme", "PolicyDocument",
    "Meeting", "MeetingSeries", "Sector", "Region", "Statistic", "Target", "Task", "Indicator",
    "UnitGroup", "SourceText", "Evidence", "ExtractionRun",
})
KGO_PROPERTIES = frozenset({
    "speaksAt", "inWorkPlan", "taskNumber", "leadUnit", "supportUnit", "mentions", "appliesToSector",
    "textOf", "changePercent", "changePeriod", "changeText", "targetSubject", "goal", "targetValue",
    "statedIn", "horizonText", "horizonEnd", "measuredBy", "confidence", "sha256", "rule",
    "scriptOf", "sourcePath", "encoding",
})
KGO_TERMS = KGO_CLASSES | KGO_PROPERTIES

ENTITY_GRAPH = GRAPH + "entities"
ONTOLOGY_GRAPH = GRAPH + "ontology"


IRI_RULES = "an absolute IRI without spaces, quotes, <>{}|^\\` or control characters"


def valid_iri(text: str) -> bool:
    """True when ``text`` is an absolute IRI (RFC 3987, as the store parses it): safe to write as ``<text>``."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def kgo(name: str) -> str:
    """IRI of a ``kgo:`` term; raises OntologyError for a term the ontology does not declare."""
    if name not in KGO_TERMS:
        raise OntologyError(f"kgo:{name} is not declared in ontology/ccakg.ttl; known terms: "
                            f"{', '.join(sorted(KGO_TERMS))}")
    return KGO + name


DOC_GRAPH = GRAPH + "doc/"
# ASCII characters an IRI path segment may hold as they are (RFC 3987 iunreserved, sub-delims, ":@/").
IRI_PATH_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/")


def iri_path(text: str) -> str:
    """``text`` as an IRI path: letters of any script stay readable, everything else is %-encoded.

    Space, quotes, ``<>{}|^\\`` ` ``, ``%``, ``#``, ``?``, controls and private-use characters become
    UTF-8 percent escapes, so ``国家认监委 文件`` → ``国家认监委%20文件``; :func:`unquote_iri` undoes it.
    """
    return "".join(ch if _iri_char(ch) else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in text)


def _iri_char(ch: str) -> bool:
    if ch < "\x80":
        return ch in IRI_PATH_ASCII
    return unicodedata.category(ch)[0] in "LNMPS" and not ch.isspace()


def unquote_iri(text: str) -> str:
    """Undo :func:`iri_path`."""
    return unquote(text, encoding="utf-8", errors="strict")


def doc_graph(doc_id: str) -> str:
    """IRI of the named graph holding what one source text states."""
    return DOC_GRAPH + iri_path(doc_id)


def doc_id_of(graph_iri: str) -> str:
    """The document id of a text's graph IRI (the inverse of :func:`doc_graph`)."""
    return unquote_iri(graph_iri.removeprefix(DOC_GRAPH))


@lru_cache(maxsize=4096)
def node(iri: str) -> ox.NamedNode:
    """A cached pyoxigraph NamedNode."""
    return ox.NamedNode(iri)


def compact_iri(iri: str) -> str:
    """``kg:o-…``, ``dct:publisher``: the shortest prefixed form of an IRI, or the IRI itself."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"
