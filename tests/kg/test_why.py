"""`ccakg why`: evidence grouped by text (id, title, date, file), --limit over the whole answer, --format json."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli

runner = CliRunner()


@pytest.fixture(scope="module")
def out(examples_build):
    return examples_build[0]


def why(out, *args: str):
    return runner.invoke(cli, ["why", str(out), *args])


@pytest.fixture(scope="module")
def everything(out) -> dict:
    result = why(out, "陈立新", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_groups_the_evidence_by_text(everything):
    (entity,) = everything["entities"]
    assert entity["label"] == "陈立新" and entity["type"] == "foaf:Person"
    texts = entity["texts"]
    assert [t["doc_id"] for t in texts] == sorted({t["doc_id"] for t in texts}) and len(texts) >= 2   # one group each
    conference = next(t for t in texts if t["doc_id"] == "2019-conference")
    assert conference["title"] == "2019年全国认证认可工作会议在京召开" and conference["date"] == "2019-01-17"
    assert conference["path"].endswith("2019-conference.txt")
    raw = open(conference["path"], encoding="utf-8").read() if conference["path"].startswith("/") else None
    for ev in conference["evidence"]:
        assert ev["quote"] in ev["sentence"] and ev["rule"] and ev["start"] < ev["end"]
        assert raw is None or raw[ev["start"]:ev["end"]] == ev["quote"]
    assert {"mentioned", "membership: 陈立新 副主任 国家认证认可监督管理委员会"} <= {e["about"] for e in conference["evidence"]}
    assert everything["shown"] == entity["evidence"] == sum(len(t["evidence"]) for t in texts)
    assert everything["left_out"] == 0


def test_limit_counts_over_the_whole_answer_and_says_what_was_left_out(out, everything):
    total = everything["shown"]
    limited = json.loads(why(out, "陈立新", "--format", "json", "--limit", "2").stdout)
    assert limited["shown"] == 2 and limited["left_out"] == total - 2
    assert sum(len(t["evidence"]) for e in limited["entities"] for t in e["texts"]) == 2
    text = why(out, "陈立新", "--limit", "2")
    assert text.exit_code == 0
    assert f"(2 pieces of evidence shown, {total - 2} left out: give a larger --limit to see them)" in text.stdout
    assert text.stdout.count("      ") == 2   # two sentences printed


def test_text_output_has_one_header_per_text(out, everything):
    result = why(out, "陳立新")   # Traditional finds the same entity
    assert result.exit_code == 0, result.output
    headers = [line for line in result.stdout.splitlines() if line.startswith("  == ")]
    assert [h.split()[1] for h in headers] == [t["doc_id"] for t in everything["entities"][0]["texts"]]
    assert "  == 2019-conference  2019年全国认证认可工作会议在京召开 · 2019-01-17 · " in result.stdout
    assert "(rule role:deputy-chair)" in result.stdout


def test_an_unknown_name_suggests_names_that_contain_it(out):
    result = why(out, "陈立")
    assert result.exit_code == 1
    assert "no entity named '陈立'; names that contain it: 陈立新" in result.output
