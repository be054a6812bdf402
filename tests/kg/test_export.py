"""Round-trip tests of kg.export: each file reads back (pyoxigraph and rdflib) to what the store holds."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from extractors.errors import StoreError
from kg.export import EXPORTERS, write_nquads, write_trig, write_turtle
from kg.namespaces import DCT, ENTITY_GRAPH, KG, KGO, OA, RDF, SKOS, XSD, doc_graph
from kg.store import OxigraphStore

G1 = ox.NamedNode(doc_graph("001_a0ffb961c0fa7f70"))
G2 = ox.NamedNode(doc_graph("002_b"))
ENTITIES = ox.NamedNode(ENTITY_GRAPH)
RDF_FORMATS = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}
RDFLIB_FORMATS = {"trig": "trig", "nq": "nquads"}


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def sample_quads() -> list[ox.Quad]:
    """Contract-shaped data: labels in an entities graph, facts and evidence (blank nodes) per text."""
    agency, doc, evidence = n(KG + "a_cnca"), n(KG + "doc_1"), ox.BlankNode("ev1")
    target, selector = ox.BlankNode("t1"), ox.BlankNode("sel1")
    label = n(SKOS + "prefLabel")
    return [
        ox.Quad(agency, n(RDF + "type"), n(KGO + "Agency"), ENTITIES),
        ox.Quad(agency, label, ox.Literal("国家认证认可监督管理委员会", language="zh-Hans"), ENTITIES),
        ox.Quad(agency, label, ox.Literal("國家認證認可監督管理委員會", language="zh-Hant"), ENTITIES),
        ox.Quad(agency, label, ox.Literal("CNCA \"quoted\" \\ <b>&amp;</b>\nline 2", language="en"), ENTITIES),
        ox.Quad(doc, n(DCT + "publisher"), agency, G1),
        ox.Quad(doc, n(DCT + "identifier"), ox.Literal("国发〔2018〕3号"), G1),
        ox.Quad(doc, n(DCT + "issued"), ox.Literal("2018-01", datatype=n(XSD + "gYearMonth")), G1),
        ox.Quad(doc, n(DCT + "publisher"), agency, G2),  # the same triple in a second graph
        ox.Quad(evidence, n(RDF + "type"), n(KGO + "Evidence"), G1),
        ox.Quad(evidence, n(OA + "hasBody"), agency, G1),
        ox.Quad(evidence, n(OA + "hasTarget"), target, G1),
        ox.Quad(target, n(OA + "hasSelector"), selector, G1),
        ox.Quad(selector, n(OA + "start"), ox.Literal("298", datatype=n(XSD + "integer")), G1),
        ox.Quad(selector, n(OA + "exact"), ox.Literal("认监委</script>"), G1),
        ox.Quad(n(KG + "x"), n(KGO + "taskNumber"), ox.Literal("1", datatype=n(XSD + "integer"))),  # default graph
    ]


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    with OxigraphStore() as s:
        s.add(sample_quads())
        yield s


def canonical(quads: object) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def rdflib_to_oxigraph_quads(dataset: rdflib.Dataset) -> list[ox.Quad]:
    """Read rdflib's view back through N-Quads, so both libraries' readings compare as quad sets."""
    return list(ox.parse(dataset.serialize(format="nquads", encoding="utf-8"), ox.RdfFormat.N_QUADS))


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == XSD + "string":  # rdflib keeps plain and xsd:string literals apart
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def merged_graph(quads: list[ox.Quad]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_export_quads_roundtrip_pyoxigraph(store: OxigraphStore, tmp_path: Path, fmt: str) -> None:
    path = EXPORTERS[fmt](store, tmp_path / f"graph.{fmt}")
    read_back = ox.parse(path=str(path), format=RDF_FORMATS[fmt])
    assert canonical(read_back) == canonical(sample_quads())


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_export_quads_roundtrip_rdflib(store: OxigraphStore, tmp_path: Path, fmt: str) -> None:
    path = EXPORTERS[fmt](store, tmp_path / f"graph.{fmt}")
    dataset = rdflib.Dataset()
    dataset.parse(path, format=RDFLIB_FORMATS[fmt])
    assert canonical(rdflib_to_oxigraph_quads(dataset)) == canonical(sample_quads())


def test_export_turtle_is_isomorphic_to_the_merged_graph(store: OxigraphStore, tmp_path: Path) -> None:
    path = write_turtle(store, tmp_path / "graph.ttl")
    graph = rdflib.Graph().parse(path, format="turtle")
    assert isomorphic(graph, merged_graph(sample_quads()))
    assert len(graph) == len(sample_quads()) - 1  # the publisher triple of two graphs counted once


def test_export_turtle_pyoxigraph_reads_the_merged_triples(store: OxigraphStore, tmp_path: Path) -> None:
    # streamed per graph: a triple two graphs hold is written twice and merged by any reader
    path = write_turtle(store, tmp_path / "graph.ttl")
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert len(set(triples)) == len(sample_quads()) - 1 and len(triples) == len(sample_quads())


@pytest.mark.parametrize("fmt", ["trig", "ttl", "nq"])
def test_export_writes_utf8_with_raw_cjk(store: OxigraphStore, tmp_path: Path, fmt: str) -> None:
    path = EXPORTERS[fmt](store, tmp_path / f"graph.{fmt}")
    text = path.read_bytes().decode("utf-8")
    assert "国家认证认可监督管理委员会" in text and "国发〔2018〕3号" in text


@pytest.mark.parametrize("writer,prefix_line", [(write_trig, "@prefix kgo:"), (write_turtle, "@prefix kgo:")])
def test_export_uses_project_prefixes(store: OxigraphStore, tmp_path: Path, writer, prefix_line: str) -> None:
    text = writer(store, tmp_path / "out").read_text(encoding="utf-8")
    assert prefix_line in text and "kgo:Agency" in text


def test_export_replaces_an_existing_file_and_leaves_no_temp(store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "graph.nq"
    path.write_text("old", encoding="utf-8")
    write_nquads(store, path)
    assert "old" not in path.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nq"]


def test_export_creates_missing_directories(store: OxigraphStore, tmp_path: Path) -> None:
    assert write_trig(store, tmp_path / "a" / "b" / "graph.trig").is_file()


def test_export_failure_keeps_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "graph.trig"
    path.write_text("previous", encoding="utf-8")
    store = OxigraphStore()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        write_trig(store, path)
    assert path.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.trig"]


def test_export_exporters_cover_the_build_formats() -> None:
    assert set(EXPORTERS) >= {"trig", "ttl", "nq"}
