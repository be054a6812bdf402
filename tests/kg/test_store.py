"""Tests of kg.store: the OxigraphStore interface and staged (atomic) builds."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from extractors.errors import QueryError, StoreError
from kg.namespaces import KG, SKOS, doc_graph
from kg.store import OxigraphStore, copy_store

G1 = doc_graph("001_a")
G2 = doc_graph("002_b")
LABEL = ox.NamedNode(SKOS + "prefLabel")
ALT = ox.NamedNode(SKOS + "altLabel")


def entity(name: str) -> ox.NamedNode:
    return ox.NamedNode(KG + name)


def label_quad(name: str, text: str, graph: str, lang: str = "zh-Hans") -> ox.Quad:
    return ox.Quad(entity(name), LABEL, ox.Literal(text, language=lang), ox.NamedNode(graph))


def quad_set(store: OxigraphStore) -> set[ox.Quad]:
    buffer = io.BytesIO()
    store.dump(buffer, "nq")
    return set(ox.parse(buffer.getvalue(), ox.RdfFormat.N_QUADS))


def count(store: OxigraphStore, sparql: str) -> int:
    _, rows = store.select(sparql)
    return int(rows[0][0])


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    with OxigraphStore() as s:
        s.replace_graph(G1, [label_quad("a1", "国家认证认可监督管理委员会", G1), label_quad("p1", "张三", G1)])
        s.replace_graph(G2, [label_quad("a1", "国家认证认可监督管理委员会", G2)])
        yield s


def test_store_len_counts_quads_in_every_graph(store: OxigraphStore) -> None:
    assert len(store) == 3


def test_store_graphs_lists_named_graphs_sorted(store: OxigraphStore) -> None:
    assert store.graphs() == sorted([G1, G2])


def test_store_replace_graph_replaces_only_that_graph(store: OxigraphStore) -> None:
    store.replace_graph(G1, [label_quad("x9", "认监委", G1)])
    _, rows = store.select("SELECT ?s ?l WHERE { GRAPH ?g { ?s skos:prefLabel ?l } } ORDER BY ?g")
    assert sorted(rows) == sorted([(KG + "x9", "认监委"), (KG + "a1", "国家认证认可监督管理委员会")])
    assert len(store) == 2


def test_store_replace_graph_with_no_quads_empties_it(store: OxigraphStore) -> None:
    store.replace_graph(G1, [])
    assert store.graphs() == [G2]


def test_store_replace_graph_rejects_quads_of_another_graph(store: OxigraphStore) -> None:
    with pytest.raises(StoreError, match="not in graph"):
        store.replace_graph(G1, [label_quad("x9", "认监委", G2)])


def test_store_replace_graphs_replaces_several(store: OxigraphStore) -> None:
    store.replace_graphs({G1: [label_quad("x1", "甲", G1)], G2: [label_quad("x2", "乙", G2)]})
    _, rows = store.select("SELECT ?l WHERE { ?s skos:prefLabel ?l } ORDER BY ?l")
    assert rows == [("乙",), ("甲",)]


def test_store_add_is_idempotent_for_existing_quads(store: OxigraphStore) -> None:
    store.add([label_quad("p1", "张三", G1)])
    assert len(store) == 3


def test_store_remove_graph(store: OxigraphStore) -> None:
    store.remove_graph(G1)
    assert store.graphs() == [G2] and len(store) == 1


def test_store_query_sees_the_union_of_graphs(store: OxigraphStore) -> None:
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s skos:prefLabel ?l }") == 3
    assert count(store, "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?s skos:prefLabel ?l }") == 2


def test_store_select_returns_python_values(store: OxigraphStore) -> None:
    names, rows = store.select(
        "SELECT DISTINCT ?s ?l (lang(?l) AS ?lang) ?alt WHERE { ?s skos:prefLabel ?l OPTIONAL { ?s skos:altLabel ?alt } }"
        " ORDER BY ?s")
    assert names == ["s", "l", "lang", "alt"]
    assert rows == [(KG + "a1", "国家认证认可监督管理委员会", "zh-hans", None), (KG + "p1", "张三", "zh-hans", None)]


def test_store_select_blank_node_as_underscore_id() -> None:
    with OxigraphStore() as s:
        s.add([ox.Quad(ox.BlankNode("b1"), LABEL, ox.Literal("x"), ox.NamedNode(G1))])
        _, rows = s.select("SELECT ?s WHERE { ?s ?p ?o }")
    assert rows == [("_:b1",)]


def test_store_select_needs_a_select_query(store: OxigraphStore) -> None:
    with pytest.raises(QueryError, match="needs a SELECT"):
        store.select("ASK { ?s ?p ?o }")


@pytest.mark.parametrize("sparql", ["SELEC ?s WHERE { ?s ?p ?o }", "SELECT ?s WHERE { ?s ?p }", "SELECT ?s WHERE { ?s nope:p ?o }"])
def test_store_query_malformed_raises_query_error(store: OxigraphStore, sparql: str) -> None:
    with pytest.raises(QueryError, match=r"malformed SPARQL query: .*error at"):
        store.query(sparql)


def test_store_query_returns_pyoxigraph_result(store: OxigraphStore) -> None:
    assert bool(store.query("ASK { ?s skos:prefLabel \"张三\"@zh-Hans }"))


def test_store_update_inserts_and_rejects_malformed(store: OxigraphStore) -> None:
    store.update(f'INSERT DATA {{ GRAPH <{G2}> {{ kg:p1 skos:altLabel "小张"@zh-Hans }} }}')
    _, rows = store.select("SELECT ?alt WHERE { kg:p1 skos:altLabel ?alt }")
    assert rows == [("小张",)]
    with pytest.raises(QueryError, match="malformed SPARQL update"):
        store.update("INSERT NOTHING")


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_store_dump_load_roundtrip_keeps_quads(store: OxigraphStore, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"g.{fmt}"
    store.dump(path, fmt)
    with OxigraphStore() as copy:
        copy.load(path, fmt)
        assert quad_set(copy) == quad_set(store)


def test_store_dump_ttl_is_the_merged_graph(store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "g.ttl"
    store.dump(path, "ttl")
    text = path.read_text(encoding="utf-8")
    assert "国家认证认可监督管理委员会" in text   # streamed: once per graph that states it, merged on reading
    assert "@prefix skos:" in text
    with OxigraphStore() as copy:
        copy.load(path, "ttl", graph_iri=G1)
        assert len(copy) == 2 and copy.graphs() == [G1]


def test_store_dump_to_binary_file_object(store: OxigraphStore) -> None:
    buffer = io.BytesIO()
    store.dump(buffer, "trig")
    assert "张三".encode() in buffer.getvalue()


def test_store_unknown_format_lists_choices(store: OxigraphStore, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="choose one of trig, nq, ttl"):
        store.dump(tmp_path / "g.xml", "rdfxml")


def test_store_load_graph_iri_only_for_triples(store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "g.nq"
    store.dump(path, "nq")
    with pytest.raises(StoreError, match="only for triple formats"):
        store.load(path, "nq", graph_iri=G1)


def test_store_load_malformed_file_names_it(store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "bad.nq"
    path.write_text("<http://a> <http://b> .\n", encoding="utf-8")
    with pytest.raises(StoreError, match=r"cannot parse .*bad\.nq as nq"):
        store.load(path, "nq")


def test_store_closed_store_raises(tmp_path: Path) -> None:
    s = OxigraphStore(tmp_path / "db")
    s.close()
    s.close()
    assert s.closed
    with pytest.raises(StoreError, match="is closed"):
        len(s)


def test_store_persistent_survives_reopen(tmp_path: Path) -> None:
    with OxigraphStore(tmp_path / "db") as s:
        s.replace_graph(G1, [label_quad("p1", "张三", G1)])
    with OxigraphStore(tmp_path / "db") as s:
        assert len(s) == 1 and s.graphs() == [G1]


def test_store_open_twice_in_one_process_raises(tmp_path: Path) -> None:
    with OxigraphStore(tmp_path / "db"):
        with pytest.raises(StoreError, match=r"cannot open the Oxigraph store at .*db"):
            OxigraphStore(tmp_path / "db")


def test_store_open_on_a_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot open the Oxigraph store at"):
        OxigraphStore(path)


@pytest.fixture
def locked_dir(tmp_path: Path) -> Iterator[Path]:
    """A store directory held open by another process."""
    path = tmp_path / "store"
    with OxigraphStore(path) as s:
        s.replace_graph(G1, [label_quad("p1", "张三", G1)])
    code = f"import sys, pyoxigraph; s = pyoxigraph.Store({str(path)!r}); print('ready', flush=True); sys.stdin.read()"
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield path
    finally:
        holder.kill()
        holder.wait()


def test_store_locked_by_another_process_raises_store_error(locked_dir: Path) -> None:
    with pytest.raises(StoreError, match=rf"{re.escape(str(locked_dir))}.*another process"):
        OxigraphStore(locked_dir)


# -- copy_store -------------------------------------------------------------------------------


def test_copy_store_without_a_source_is_a_new_empty_store(tmp_path: Path) -> None:
    with copy_store(None, tmp_path / "v1" / "store") as s:
        assert len(s) == 0
        s.replace_graph(G1, [label_quad("p1", "张三", G1)])
    with OxigraphStore(tmp_path / "v1" / "store") as s:
        assert len(s) == 1


def test_copy_store_copies_and_leaves_the_source_as_it_was(tmp_path: Path) -> None:
    source = tmp_path / "store"
    with OxigraphStore(source) as s:
        s.replace_graph(G1, [label_quad("p1", "张三", G1)])
        s.replace_graph(G2, [label_quad("a1", "认监委", G2)])
        before = quad_set(s)
    with copy_store(source, tmp_path / "copy") as s:
        assert quad_set(s) == before
        s.remove_graph(G1)
    with OxigraphStore(source) as s:
        assert quad_set(s) == before


def test_copy_store_refuses_a_directory_that_is_not_a_store(tmp_path: Path) -> None:
    source = tmp_path / "store"
    source.mkdir()
    (source / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="is not an Oxigraph store"):
        copy_store(source, tmp_path / "copy")
    assert (source / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "copy").exists()


def test_copy_store_of_a_locked_store_raises(locked_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="another process"):
        copy_store(locked_dir, tmp_path / "copy")
    assert not (tmp_path / "copy").exists()
