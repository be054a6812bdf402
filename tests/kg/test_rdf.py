"""Quads of one text: the evidence written as N-Quads and Turtle text holds the same triples either way, and
what a text says twice is written once."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.export import render_graph_files
from kg.model import DocResult, Entity, EntityRef, Provenance, SourceInfo
from kg.namespaces import OA, PREFIXES
from kg.rdf import doc_quads, to_quads

HEADER = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()).encode("utf-8")
AWKWARD = ['说"认证"', "a\\b", "第一行\n第二行", "回车\r换行", "tab\tand ' quote", "é 認證"]


def result_with_quotes(quotes: list[str], doc_id: str = "doc 1") -> DocResult:
    """A text whose mentions quote the given raw strings (a rule name with a quote in it, too)."""
    ref = EntityRef("Agency", "国家认证认可监督管理委员会")
    entity = Entity(ref, "国家认证认可监督管理委员会", surfaces=("认监委",))
    source = SourceInfo(doc_id, "/tmp/doc 1.txt", "0" * 64, "utf-8", "zh-Hans", "标题")
    mentions = tuple((ref, Provenance(doc_id, 10 * i, 10 * i + len(q), q, 'rx:"odd"\\rule'))
                     for i, q in enumerate(quotes))
    return DocResult(source, (entity,), mentions, ())


def exact_values(quads) -> set[str]:
    return {q.object.value for q in quads if q.predicate.value == OA + "exact"}


def test_rdf_evidence_literals_survive_every_escape():
    doc = doc_quads(result_with_quotes(AWKWARD))
    quads = list(ox.parse(doc.evidence_nq.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert exact_values(quads) == set(AWKWARD)
    assert {q.object.value for q in quads if q.predicate.value.endswith("#rule")} == {'rx:"odd"\\rule'}
    assert len(quads) == 13 * len(AWKWARD)


@pytest.mark.parametrize("quotes", [AWKWARD, ["认监委"]])
def test_rdf_turtle_and_trig_chunks_hold_the_same_quads_as_the_n_quads(quotes):
    doc = doc_quads(result_with_quotes(quotes))
    expected = set(doc.all_quads())
    trig, ttl = render_graph_files(doc.quads, doc.graph, doc.evidence_ttl)
    assert set(ox.parse(HEADER + trig, format=ox.RdfFormat.TRIG)) == expected
    assert {q.triple for q in ox.parse(HEADER + ttl, format=ox.RdfFormat.TURTLE)} == {q.triple for q in expected}


def test_rdf_evidence_has_the_contract_shape():
    doc_graph, _ = to_quads(result_with_quotes(["认监委"]))
    store = ox.Store()
    store.extend(doc_graph)
    rows = list(store.query(f"""PREFIX oa: <{OA}>
        SELECT ?start ?end ?exact ?id WHERE {{ GRAPH ?g {{
          ?ev a <https://w3id.org/ccakg/ontology#Evidence> ; oa:hasBody ?body ;
              oa:hasTarget [ oa:hasSource ?src ;
                             oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] ,
                                            [ a oa:TextQuoteSelector ; oa:exact ?exact ] ] .
          ?src a <https://w3id.org/ccakg/ontology#SourceText> ; <http://purl.org/dc/terms/identifier> ?id }} }}"""))
    assert [(int(r["start"].value), int(r["end"].value), r["exact"].value, r["id"].value) for r in rows] == \
        [(0, 3, "认监委", "doc 1")]


def test_rdf_a_text_writes_a_repeated_fact_or_mention_once():
    """The same mention found twice (same span, rule and motivation), an alias seen twice: written once each."""
    one = result_with_quotes(["认监委"])
    twice = DocResult(one.source, one.entities * 2, one.mentions * 2, ())
    doc = doc_quads(twice)
    lines = doc.evidence_nq.splitlines()
    assert len(lines) == len(set(lines)) == 13
    assert len(doc.quads) == len(set(doc.quads)) and set(doc.quads) == set(doc_quads(one).quads)
    assert len(doc.entity_quads) == len(set(doc.entity_quads))
    trig, _ = render_graph_files(doc.quads, doc.graph, doc.evidence_ttl)
    parsed = list(ox.parse(HEADER + trig, format=ox.RdfFormat.TRIG))
    assert len(parsed) == len(set(parsed)) == len(set(doc.all_quads()))


def test_rdf_entity_quads_are_remembered_per_registry_and_its_merges(tmp_path):
    from kg.rdf import entity_quads, named_entity_quads
    from kg.registry import Registry, registry_in_use

    entity = Entity(EntityRef("Agency", "某某认证中心"), "某某认证中心", aliases=("甲认证中心",))
    plain = tuple(entity_quads(entity))
    args = (plain[0].subject.value, False, "Agency", entity.name, None, entity.aliases, ())
    assert set(plain) == set(named_entity_quads.__wrapped__(*args))
    assert named_entity_quads(*args) is named_entity_quads(*args)
    registry = Registry()
    own = registry.record("Agency", "某某认证中心")
    kept = registry.record("Agency", "另一认证中心")
    registry.save(tmp_path / "r.tsv")
    with registry_in_use(tmp_path / "r.tsv") as active:
        assert {q.subject.value for q in entity_quads(entity)} == {own}
        active.merge(kept, own)          # the registry in use changes: what was remembered is not used again
        merged = tuple(entity_quads(entity))
    assert {q.subject.value for q in merged} == {kept}
    assert {q.subject.value for q in entity_quads(entity)} != {kept}
