"""Document ids: unique in a build, from the path under the corpus folder, stable, and safe in IRIs
whatever the file is called."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

from kg.cli import cli
from kg.documents import corpus_ids
from kg.namespaces import doc_graph, doc_id_of, iri_path

runner = CliRunner()
TEXT = "国家认监委副主任石牧原出席会议。"
OTHER = "市场监管总局局长柯听澜出席会议并讲话。"
THIRD = "国家认监委主任闻知远出席座谈会。"
# Names that broke IRIs: space, quotes, <>{}|^\, tab, newline, %, #, ?
ODD_NAMES = ["国家认监委 文件.txt", 'say "yes".txt', "a<b>c.txt", "{x}|y^z.txt", "back\\slash.txt",
             "tab\there.txt", "new\nline.txt", "100% #1?.txt", "全角　空格.txt"]


def stored_ids(out: Path) -> list[str]:
    store = ox.Store.read_only(str(out / "store"))
    return sorted(doc_id_of(g.value) for g in store.named_graphs() if "/graph/doc/" in g.value)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_same_stem_in_two_folders_and_as_html_are_three_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "site"
    write(corpus / "a" / "x.txt", TEXT)
    write(corpus / "b" / "x.txt", OTHER)
    write(corpus / "x.html", f"<html><body><p>{THIRD}</p></body></html>")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(corpus), "--out", str(out), "--no-html"])
    assert result.exit_code == 0, result.output
    assert "read 3 texts (0 skipped)" in result.output and "holds 3 texts" in result.output
    assert stored_ids(out) == ["a/x", "b/x", "x"]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert sorted(d["doc_id"] for d in report["documents"]) == ["a/x", "b/x", "x"]
    assert report["texts_in_store"] == 3
    # stable: building again gives the same three, and adding a file by its own path keeps its id
    assert runner.invoke(cli, ["build", str(corpus), "--out", str(out), "--quiet", "--no-html"]).exit_code == 0
    write(corpus / "a" / "x.txt", TEXT + OTHER)
    assert runner.invoke(cli, ["add", str(corpus / "a" / "x.txt"), "--out", str(out), "--quiet"]).exit_code == 0
    assert stored_ids(out) == ["a/x", "b/x", "x"]
    assert runner.invoke(cli, ["remove", "a/x", "--out", str(out), "--quiet"]).exit_code == 0
    assert stored_ids(out) == ["b/x", "x"]


def test_same_stem_beside_each_other_keeps_the_suffix_of_the_html(tmp_path: Path) -> None:
    write(tmp_path / "x.txt", TEXT)
    write(tmp_path / "x.html", f"<p>{OTHER}</p>")
    write(tmp_path / "y.htm", f"<p>{THIRD}</p>")
    ids, skipped = corpus_ids([tmp_path])
    assert sorted(ids.values()) == ["x", "x.html", "y"] and skipped == []


def test_the_same_id_from_two_corpus_folders_is_skipped_with_its_reason(tmp_path: Path) -> None:
    write(tmp_path / "one" / "x.txt", TEXT)
    write(tmp_path / "two" / "x.txt", OTHER)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(tmp_path / "one"), str(tmp_path / "two"), "--out", str(out),
                                 "--no-html"])
    assert result.exit_code == 0, result.output
    assert "read 1 texts (1 skipped)" in result.output and "holds 1 texts" in result.output
    assert "same document id 'x'" in result.output


def test_odd_file_names_build_and_round_trip(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    for i, name in enumerate(ODD_NAMES):
        write(corpus / name, (TEXT, OTHER, THIRD)[i % 3])
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(corpus), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.output.replace("0 skipped", "") and "Traceback" not in result.output
    expected = sorted(name.removesuffix(".txt") for name in ODD_NAMES)
    assert stored_ids(out) == expected
    # the serialised graph parses back, with the same graphs
    quads = list(ox.parse((out / "graph.trig").read_bytes(), format=ox.RdfFormat.TRIG))
    assert sorted({doc_id_of(q.graph_name.value) for q in quads if "/graph/doc/" in str(q.graph_name)}) == expected
    assert (out / "graph.html").stat().st_size > 0
    result = runner.invoke(cli, ["remove", "国家认监委 文件", "tab\there", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(stored_ids(out)) == len(ODD_NAMES) - 2


def test_iri_path_escapes_what_iris_forbid_and_keeps_chinese_readable() -> None:
    assert iri_path("国家认监委 文件") == "国家认监委%20文件"
    assert iri_path("a/b-c_d.e~") == "a/b-c_d.e~"
    for name in ODD_NAMES + ["\x00\x7f\ue000\ufffe"]:
        iri = doc_graph(name)
        ox.NamedNode(iri)   # raises on an invalid IRI
        assert doc_id_of(iri) == name
