"""ontology/ccakg.ttl: parses on both engines and declares exactly the closed set of kgo: terms."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from kg.namespaces import KGO, KGO_CLASSES, KGO_PROPERTIES, KGO_TERMS

TTL = Path(__file__).resolve().parents[2] / "ontology" / "ccakg.ttl"
DECLARING_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
LABEL_LANGS = {"zh-hans", "zh-hant", "en"}


@pytest.fixture(scope="module")
def tbox() -> Graph:
    return Graph().parse(TTL, format="turtle")


def _declared(graph: Graph, types: set[URIRef]) -> set[str]:
    """Local names of kgo: subjects typed with one of ``types``."""
    return {str(s)[len(KGO):] for t in types for s in graph.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(KGO)}


def test_ccakg_ttl_parses_with_rdflib(tbox: Graph) -> None:
    assert len(tbox) > 0


def test_ccakg_ttl_parses_with_pyoxigraph() -> None:
    store = ox.Store()
    store.load(path=str(TTL), format=ox.RdfFormat.TURTLE)
    assert len(store) == len(Graph().parse(TTL, format="turtle"))


def test_ccakg_ttl_declares_exactly_kgo_terms(tbox: Graph) -> None:
    assert _declared(tbox, DECLARING_TYPES) == set(KGO_TERMS)


def test_ccakg_ttl_classes_and_properties_split(tbox: Graph) -> None:
    assert _declared(tbox, {OWL.Class}) == set(KGO_CLASSES)
    assert _declared(tbox, {OWL.ObjectProperty, OWL.DatatypeProperty}) == set(KGO_PROPERTIES)
    both = _declared(tbox, {OWL.ObjectProperty}) & _declared(tbox, {OWL.DatatypeProperty})
    assert not both, f"declared both object and datatype property: {sorted(both)}"


def test_ccakg_ttl_uses_no_undeclared_kgo_term(tbox: Graph) -> None:
    used = {str(t)[len(KGO):] for triple in tbox for t in triple
            if isinstance(t, URIRef) and str(t).startswith(KGO)}
    assert used <= set(KGO_TERMS), f"undeclared kgo: terms: {sorted(used - set(KGO_TERMS))}"


@pytest.mark.parametrize("name", sorted(KGO_TERMS))
def test_ccakg_ttl_term_has_three_labels(tbox: Graph, name: str) -> None:
    labels = [o for o in tbox.objects(URIRef(KGO + name), RDFS.label) if isinstance(o, Literal)]
    langs = sorted((label.language or "").lower() for label in labels)
    assert langs == sorted(LABEL_LANGS), f"kgo:{name} labels: {labels}"


@pytest.mark.parametrize("name", sorted(KGO_TERMS))
def test_ccakg_ttl_term_has_english_comment(tbox: Graph, name: str) -> None:
    comments = [o for o in tbox.objects(URIRef(KGO + name), RDFS.comment)
                if isinstance(o, Literal) and (o.language or "").lower() == "en" and str(o).strip()]
    assert len(comments) == 1, f"kgo:{name} needs exactly one English rdfs:comment"
