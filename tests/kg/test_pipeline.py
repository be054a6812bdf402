"""Building: one text is a pure function, rebuilds replace, a failed build keeps the previous output."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import pipeline
from kg.pipeline import build, extract_text
from kg.rdf import to_quads

TEXT = "国家认监委副主任陈立新主持召开座谈会。"
OTHER = "市场监管总局副局长赵国强出席会议。"


def count_people(out, name):
    store = ox.Store.read_only(str(out / "store"))
    query = f'SELECT (COUNT(*) AS ?n) WHERE {{ ?p a <http://xmlns.com/foaf/0.1/Person> ; ' \
            f'<http://www.w3.org/2004/02/skos/core#prefLabel> "{name}"@zh-Hans }}'
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)


def test_pipeline_extraction_is_a_pure_function_of_the_text():
    first, second = to_quads(extract_text(TEXT)), to_quads(extract_text(TEXT))
    assert set(first[0]) == set(second[0]) and set(first[1]) == set(second[1])


def test_pipeline_rebuild_replaces_what_a_text_said(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "doc.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    build([corpus], out, html=False)
    assert count_people(out, "陈立新") == 1
    (corpus / "doc.txt").write_text(OTHER, encoding="utf-8")
    build([corpus], out, html=False)
    store = ox.Store.read_only(str(out / "store"))
    mentions = list(store.query('SELECT ?q WHERE { GRAPH ?g { ?x <http://www.w3.org/ns/oa#exact> ?q } '
                                'FILTER(CONTAINS(STR(?q), "陈立新")) }'))
    assert mentions == []
    assert count_people(out, "赵国强") == 1


def test_pipeline_failed_build_keeps_previous_output(tmp_path, monkeypatch):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "doc.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    build([corpus], out, html=False)
    before = (out / "graph.trig").read_bytes()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("kg.export.write_turtle", explode)
    (corpus / "doc.txt").write_text(OTHER, encoding="utf-8")
    with pytest.raises(RuntimeError, match="disk full"):
        build([corpus], out, html=False)
    assert count_people(out, "陈立新") == 1 and count_people(out, "赵国强") == 0
    assert not [p for p in out.iterdir() if p.name.startswith(".store.tmp")]
    assert (out / "graph.trig").read_bytes() == before


def test_pipeline_workers_give_the_same_graph(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i, text in enumerate([TEXT, OTHER, TEXT + OTHER]):
        (corpus / f"d{i}.txt").write_text(text, encoding="utf-8")
    one = build([corpus], tmp_path / "one", html=False, workers=1)
    two = build([corpus], tmp_path / "two", html=False, workers=2)
    assert one.quads == two.quads and one.facts == two.facts
    quads = [set(ox.Store.read_only(str(tmp_path / name / "store"))) for name in ("one", "two")]
    assert quads[0] == quads[1] and len(quads[0]) == one.quads
    assert (tmp_path / "one" / "graph.trig").read_bytes() == (tmp_path / "two" / "graph.trig").read_bytes()


def test_pipeline_one_broken_document_does_not_stop_the_others(tmp_path, monkeypatch):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "bad.txt").write_text(OTHER, encoding="utf-8")
    real = pipeline.extract

    def flaky(document):
        if document.doc_id == "bad":
            raise ValueError("rule blew up")
        return real(document)

    monkeypatch.setattr(pipeline, "extract", flaky)
    report = build([corpus], tmp_path / "out", html=False)
    assert [d["doc_id"] for d in report.documents] == ["good"]
    assert "rule blew up" in report.skipped[0]["reason"] and "bad.txt" in report.skipped[0]["reason"]


def test_pipeline_compacts_while_counting_and_a_failed_compaction_fails_the_build(tmp_path, monkeypatch):
    from kg.store import OxigraphStore, StoreError

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "doc.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    report = build([corpus], out, html=False)
    assert {"optimize", "count"} <= set(report.timings)
    assert report.quads == len(ox.Store.read_only(str(out / "store")))
    before = (out / "graph.trig").read_bytes()

    def broken(self):
        raise StoreError("compaction failed")

    monkeypatch.setattr(OxigraphStore, "optimize", broken)
    (corpus / "doc.txt").write_text(OTHER, encoding="utf-8")
    with pytest.raises(StoreError, match="compaction failed"):
        build([corpus], out, html=False)
    assert (out / "graph.trig").read_bytes() == before and count_people(out, "赵国强") == 0
