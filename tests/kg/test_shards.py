"""A fresh build's store is bulk-loaded from the TriG it streams (through a pipe while the texts come, or from
graph.trig at the end), with the entity quads deduplicated."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import pipeline
from kg.export import PREFIX_LINES, StreamedGraphFiles
from extractors.errors import KGError
from kg.namespaces import ENTITY_GRAPH
from kg.pipeline import BuildReport, extract_file
from kg.shards import Shards
from kg.store import OxigraphStore

TEXTS = ["国家认监委副主任陈立新主持召开座谈会。", "市场监管总局副局长赵国强出席会议。",
         "国家认监委召开全国认证认可工作会议。"]


def outcomes(tmp_path, texts=TEXTS, names=None):
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    found = []
    for i, text in enumerate(texts):
        path = corpus / f"d{i}.txt"
        path.write_text(text, encoding="utf-8")
        found.append(extract_file(str(path), names[i] if names else None))
    return found


def store_quads(store: OxigraphStore) -> set:
    return set(store.oxigraph)


def parsed(outcome) -> set:
    return set(ox.parse(PREFIX_LINES + outcome.trig, format=ox.RdfFormat.TRIG))


def entity_quads(found) -> set:
    return {q for o in found for q in ox.parse(o.entity_nq, format=ox.RdfFormat.N_QUADS)}


@pytest.mark.parametrize("piped", [True, False], ids=["piped", "from-graph-trig"])
def test_shards_load_the_texts_entities_and_shared_graphs_and_leave_the_file_as_it_was(tmp_path, monkeypatch, piped):
    monkeypatch.setattr(Shards, "ENTITY_BATCH", 3)       # several batches: a quad repeated across them loads once
    found = outcomes(tmp_path)
    stream = StreamedGraphFiles(tmp_path)
    shared = ox.Quad(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"),
                     ox.Literal("x"), ox.NamedNode("https://example.org/g"))
    with OxigraphStore(tmp_path / "store") as store:
        shards = Shards(tmp_path, store, piped=piped)
        for outcome in found:
            stream.add_rendered(outcome.trig, outcome.ttl)
            shards.add(outcome.entity_nq, outcome.trig)
        stream.files["trig"].flush()
        before = (tmp_path / "graph.trig").read_bytes()
        shards.load(stream.files["trig"], b"<https://example.org/g> { <https://example.org/a> "
                                          b"<https://example.org/p> \"x\" . }\n")
        stream.close()
        expected = set().union(*map(parsed, found)) | entity_quads(found) | {shared}
        assert store_quads(store) == expected
    assert (tmp_path / "graph.trig").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "graph.trig", "graph.ttl", "store"]


@pytest.mark.parametrize("piped", [True, False], ids=["piped", "from-graph-trig"])
def test_shards_a_failed_load_names_the_problem_and_leaves_no_file_behind(tmp_path, piped):
    found = outcomes(tmp_path, TEXTS[:1])
    stream = StreamedGraphFiles(tmp_path)
    with OxigraphStore(tmp_path / "store") as store:
        shards = Shards(tmp_path, store, piped=piped)
        stream.add_rendered(found[0].trig, found[0].ttl)
        shards.add(found[0].entity_nq, found[0].trig)
        stream.files["trig"].flush()
        before = (tmp_path / "graph.trig").read_bytes()
        with pytest.raises(KGError, match="parse|syntax|TriG|trig"):
            shards.load(stream.files["trig"], b"<broken {\n")
    stream.close()
    assert (tmp_path / "graph.trig").read_bytes() == before
    assert not (tmp_path / ".entities.nq").exists()
    if piped:
        assert not shards.pipe.folder.exists()


def test_shards_a_build_that_stops_midway_ends_the_load_and_removes_the_pipe(tmp_path):
    found = outcomes(tmp_path, TEXTS[:2])
    with OxigraphStore(tmp_path / "store") as store:
        shards = Shards(tmp_path, store, piped=True)
        shards.add(found[0].entity_nq, found[0].trig)
        shards.close()                                  # what the build does when extraction raised
        assert not shards.pipe.thread.is_alive() and not shards.pipe.folder.exists()
        assert not (tmp_path / ".entities.nq").exists()
        assert len(store) > 0                           # the store is usable again (the build discards it)


def test_shards_refuse_a_quad_of_another_graph(tmp_path):
    stream = StreamedGraphFiles(tmp_path)
    with OxigraphStore(tmp_path / "store") as store, pytest.raises(ValueError, match="entities graph"):
        shards = Shards(tmp_path, store)
        shards.add(b'<https://example.org/a> <https://example.org/p> "x" <https://example.org/other> .\n')
        shards.load(stream.files["trig"], b"")
    stream.close()


def test_shards_the_same_doc_id_twice_keeps_the_last_text(tmp_path):
    """Only the API can send one doc id twice: the shards are loaded then, and the rest goes graph by graph."""
    found = outcomes(tmp_path, TEXTS, names=["same", "other", "same"])
    stream = StreamedGraphFiles(tmp_path)
    report = BuildReport(str(tmp_path))
    with OxigraphStore(tmp_path / "store") as store:
        streamed = pipeline._load_outcomes(store, iter(found), report, None, len(found), stream)
        graph = ox.NamedNode(pipeline.doc_graph("same"))
        kept = {q for q in store.oxigraph if q.graph_name == graph}
        assert not streamed
        assert kept == {q for q in parsed(found[2])}
        entities = {q for q in store.oxigraph if q.graph_name == ox.NamedNode(ENTITY_GRAPH)}
        assert entities == entity_quads(found)
