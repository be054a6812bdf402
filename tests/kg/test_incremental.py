"""ccakg add / remove: change some texts of a built graph without rebuilding the others."""
from __future__ import annotations

import json

import pyoxigraph as ox
from click.testing import CliRunner

from kg.cli import cli

runner = CliRunner()


def graphs(out):
    store = ox.Store.read_only(str(out / "store"))
    return sorted(g.value.rsplit("/", 1)[-1] for g in store.named_graphs() if "/graph/doc/" in g.value)


def labels(out):
    store = ox.Store.read_only(str(out / "store"))
    rows = store.query('SELECT DISTINCT ?l WHERE { ?e a <http://xmlns.com/foaf/0.1/Person> ; '
                       '<http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(langMatches(lang(?l), "zh-Hans")) }', use_default_graph_as_union=True)
    return {r["l"].value for r in rows}


def test_incremental_add_then_remove(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "one.txt").write_text("国家认监委副主任陈立新出席会议。", encoding="utf-8")
    out = tmp_path / "out"
    assert runner.invoke(cli, ["build", str(corpus), "--out", str(out), "--quiet"]).exit_code == 0
    extra = tmp_path / "two.txt"
    extra.write_text("市场监管总局局长赵文华出席会议并讲话。", encoding="utf-8")
    result = runner.invoke(cli, ["add", str(extra), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert graphs(out) == ["one", "two"] and {"陈立新", "赵文华"} <= labels(out)
    result = runner.invoke(cli, ["remove", "one", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert graphs(out) == ["two"]
    assert "陈立新" not in labels(out) and "赵文华" in labels(out)
    assert "陈立新" not in (out / "graph.ttl").read_text(encoding="utf-8")


def test_incremental_remove_unknown_id_lists_known_ones(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "one.txt").write_text("国家认监委副主任陈立新出席会议。", encoding="utf-8")
    out = tmp_path / "out"
    runner.invoke(cli, ["build", str(corpus), "--out", str(out), "--quiet"])
    result = runner.invoke(cli, ["remove", "nope", "--out", str(out)])
    assert result.exit_code == 1 and "no text with id nope" in result.output and "one" in result.output
    assert graphs(out) == ["one"]


def test_incremental_add_needs_a_built_folder(tmp_path):
    text = tmp_path / "x.txt"
    text.write_text("国家认监委", encoding="utf-8")
    result = runner.invoke(cli, ["add", str(text), "--out", str(tmp_path / "none")])
    assert result.exit_code == 1 and "build one first" in result.output


def test_incremental_rebuild_drops_entities_a_text_no_longer_names(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    text = corpus / "one.txt"
    text.write_text("国家认监委副主任陈立新出席会议。", encoding="utf-8")
    out = tmp_path / "out"
    runner.invoke(cli, ["build", str(corpus), "--out", str(out), "--quiet"])
    text.write_text("市场监管总局局长赵文华出席会议。", encoding="utf-8")
    runner.invoke(cli, ["build", str(corpus), "--out", str(out), "--quiet"])
    assert labels(out) == {"赵文华"}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["documents_read"] == 1
