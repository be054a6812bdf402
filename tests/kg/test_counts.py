"""The numbers of a build: distinct entities and facts (not sums over texts), the same after add/remove as after
a fresh build of the same texts; `ccakg texts` lists the texts with their own counts."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.counts import texts, totals
from kg.store import OxigraphStore
from tests.conftest import EXAMPLES

runner = CliRunner()
SAME = "2019年1月17日，国家认监委主任王建平出席2019年全国认证认可工作会议并讲话。"   # one fact, stated by a and b
TEXTS = {
    "a.txt": "关于会议的报道\n发布时间:2019-01-18\n" + SAME,
    "b.txt": "会议侧记\n" + SAME,
    "c.txt": "国家认监委发布《认证机构管理办法》。国家质检总局局长支树平出席会议。",
    "d.txt": "国家认监委认证监管部负责强制性产品认证工作。",
}
NUMBERS = ("texts_in_store", "mentions", "entities", "facts", "entities_by_type", "facts_by_kind", "texts")


def write_corpus(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(TEXTS[name], encoding="utf-8")
    return folder


def build(corpus: Path, out: Path) -> dict:
    result = runner.invoke(cli, ["build", str(corpus), "--out", str(out), "--no-html"])
    assert result.exit_code == 0, result.output
    return report(out)


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def numbers(data: dict) -> dict:
    """The whole-build numbers of a report (paths differ between builds of copies of a corpus)."""
    found = {key: data[key] for key in NUMBERS}
    found["texts"] = [{k: v for k, v in t.items() if k != "path"} for t in data["texts"]]
    return found


@pytest.fixture(scope="module")
def abc(tmp_path_factory) -> tuple[Path, dict, str]:
    root = tmp_path_factory.mktemp("counts")
    corpus = write_corpus(root / "corpus", ["a.txt", "b.txt", "c.txt"])
    result = runner.invoke(cli, ["build", str(corpus), "--out", str(root / "out"), "--no-html"])
    assert result.exit_code == 0, result.output
    return root / "out", report(root / "out"), result.stdout


def distinct(store_dir: Path, sparql: str) -> int:
    with OxigraphStore.open_read_only(store_dir) as store:
        _, rows = store.select("PREFIX org: <http://www.w3.org/ns/org#> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
                               + sparql)
    return int(rows[0][0])


def test_a_fact_two_texts_state_is_counted_once(abc):
    out, data, _ = abc
    assert data["facts_by_kind"]["membership"] == 2   # 王建平 in a and b, 支树平 in c
    per_text = {t["doc_id"]: t["facts"] for t in data["texts"]}
    assert per_text["a"] == per_text["b"] >= 1
    assert sum(per_text.values()) > data["facts"]   # a sum over texts would count the shared fact twice
    assert data["entities_by_type"]["Person"] == distinct(
        out / "store", "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a foaf:Person }") == 2


def test_build_prints_the_distinct_numbers(abc):
    _, data, stdout = abc
    assert (f"the build now holds 3 texts, {data['mentions']} mentions, {data['entities']} distinct entities, "
            f"{data['facts']} distinct facts") in stdout
    assert data["entities"] == sum(data["entities_by_type"].values())
    assert data["mentions"] == sum(t["mentions"] for t in data["texts"])


def test_report_lists_every_text_with_title_date_and_file(abc):
    _, data, _ = abc
    a = next(t for t in data["texts"] if t["doc_id"] == "a")
    assert a["title"] == "关于会议的报道" and a["date"] == "2019-01-18" and a["path"].endswith("a.txt")
    assert a["mentions"] >= 3 and a["entities"] >= 3


def test_add_and_remove_report_the_whole_build(abc, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(abc[0], out, symlinks=True)
    write_corpus(tmp_path / "more", ["d.txt"])
    result = runner.invoke(cli, ["add", str(tmp_path / "more" / "d.txt"), "--out", str(out), "--no-html"])
    assert result.exit_code == 0, result.output
    added = report(out)
    assert (added["operation"], added["documents_read"], added["texts_in_store"]) == ("add", 1, 4)
    fresh = build(write_corpus(tmp_path / "all", ["a.txt", "b.txt", "c.txt", "d.txt"]), tmp_path / "fresh")
    assert numbers(added) == numbers(fresh)

    result = runner.invoke(cli, ["remove", "b", "c", "--out", str(out), "--no-html"])
    assert result.exit_code == 0, result.output
    removed = report(out)
    assert removed["operation"] == "remove" and f"holds 2 texts, {removed['mentions']} mentions" in result.output
    fresh = build(write_corpus(tmp_path / "ad", ["a.txt", "d.txt"]), tmp_path / "fresh-ad")
    assert numbers(removed) == numbers(fresh)


def test_counts_of_the_example_corpus_match_the_extraction(examples_build):
    """Entities by type: the distinct IRIs of what each text's extraction found, counted once."""
    from collections import Counter

    from kg.documents import read_document
    from kg.pipeline import extract
    from kg.rdf import iri, lexicon_id

    out, _ = examples_build
    with OxigraphStore.open_read_only(out / "store") as store:
        found, listed = totals(store), texts(store)
    assert [t.doc_id for t in listed] == ["2019-conference", "notice-gbk", "opinion-tw", "work-points",
                                          "world-accreditation-day"]
    extracted = {}
    for path in sorted(EXAMPLES.iterdir()):
        for entity in extract(read_document(path, path.stem)).entities:
            extracted[iri(entity.ref, lexicon_id(entity)).value] = entity.ref.type
    assert found.entities == Counter(extracted.values())
    assert found.facts["membership"] == distinct(out / "store", "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a org:Membership }")


@pytest.mark.parametrize("form", ["DIR", "DIR/store", "--store"])
def test_cli_texts(abc, form):
    out, data, _ = abc
    where = {"DIR": [str(out)], "DIR/store": [str(out / "store")], "--store": ["--store", str(out)]}[form]
    table = runner.invoke(cli, ["texts", *where])
    assert table.exit_code == 0, table.output
    assert "关于会议的报道" in table.output and "2019-01-18" in table.output and "(3 rows)" in table.output
    listed = json.loads(runner.invoke(cli, ["texts", *where, "--format", "json"]).output)
    assert listed == data["texts"]
    raw = runner.invoke(cli, ["texts", *where, "--format", "csv"]).stdout_bytes
    assert raw.startswith("\ufeffdoc_id,title,date,path,mentions,entities,facts\r\n".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["doc_id"], int(r["facts"])) for r in rows] == [(t["doc_id"], t["facts"]) for t in data["texts"]]
