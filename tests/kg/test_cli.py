"""The command line as a user meets it: help everywhere, exit codes, errors that name the file."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli

runner = CliRunner()
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_every_command_has_help(command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output) > 80


def test_cli_bad_usage_exits_2():
    assert runner.invoke(cli, ["build"]).exit_code == 2
    assert runner.invoke(cli, ["nonsense"]).exit_code == 2


@pytest.fixture(scope="module")
def small_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("国家认监委主任王建平出席2019年全国认证认可工作会议并讲话。", encoding="utf-8")
    (corpus / "b.txt").write_bytes("國家認監委發布《認證機構管理辦法》。".encode("big5"))
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe")
    out = root / "out"
    result = runner.invoke(cli, ["build", str(corpus), "--out", str(out), "--quiet"])
    return out, result


def test_cli_build_skips_a_broken_file_and_builds_the_rest(small_build):
    out, result = small_build
    assert result.exit_code == 0, result.output
    assert "broken.txt" in result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["documents_read"] == 2 and report["documents_skipped"] == 1
    assert "broken.txt" in report["skipped"][0]["path"]


def test_cli_build_quiet_prints_nothing_on_stdout(small_build):
    _, result = small_build
    assert result.stdout == ""


@pytest.mark.parametrize("fmt, marker", [("table", "(1 rows)"), ("csv", "\ufeffname\n"), ("tsv", "name\n"), ("json", '"name"')])
def test_cli_query_formats(small_build, fmt, marker):
    out, _ = small_build
    query = 'SELECT ?name WHERE { ?p a foaf:Person ; skos:prefLabel ?name FILTER(langMatches(lang(?name), "zh-Hans")) }'
    result = runner.invoke(cli, ["query", query, "--store", str(out / "store"), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert marker in result.output and "王建平" in result.output


def test_cli_query_from_file(small_build, tmp_path):
    out, _ = small_build
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kgo:PolicyDocument }", encoding="utf-8")
    result = runner.invoke(cli, ["query", "--file", str(rq), "--store", str(out / "store"), "--format", "csv"])
    assert result.exit_code == 0 and result.output.splitlines()[1] == "1"


def test_cli_query_bad_sparql_is_a_clear_error(small_build):
    out, _ = small_build
    result = runner.invoke(cli, ["query", "SELEC nothing", "--store", str(out / "store")])
    assert result.exit_code == 1 and "malformed SPARQL query" in result.output


def test_cli_query_needs_exactly_one_source(small_build):
    out, _ = small_build
    assert runner.invoke(cli, ["query", "--store", str(out / "store")]).exit_code == 2


def test_cli_why_prints_sentence_rule_and_file(small_build):
    out, _ = small_build
    result = runner.invoke(cli, ["why", "王建平", "--store", str(out / "store")])
    assert result.exit_code == 0, result.output
    assert "rule rx:person-role-name" in result.output and "a.txt" in result.output
    assert "出席2019年全国认证认可工作会议并讲话" in result.output


def test_cli_why_unknown_name_fails(small_build):
    out, _ = small_build
    result = runner.invoke(cli, ["why", "不存在的机构", "--store", str(out / "store")])
    assert result.exit_code == 1 and "no entity named" in result.output


def test_cli_build_with_only_broken_files_fails(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"\x00\x00")
    result = runner.invoke(cli, ["build", str(tmp_path), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1 and "no text could be built" in result.output


def test_cli_viz_repeated_focus_draws_the_union(examples_build, tmp_path):
    out, _ = examples_build
    page = tmp_path / "two.html"
    result = runner.invoke(cli, ["viz", str(out), "--focus", "陈立新", "--focus", "CNCA", "--hops", "0", "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert [line.split("  ")[0] for line in result.output.splitlines() if line.startswith("focus:")] == \
        ["focus: 陈立新", "focus: 国家认证认可监督管理委员会"]
    assert f"wrote {page}: 2 entities" in result.output
    one = runner.invoke(cli, ["viz", str(out), "--focus", "陈立新", "--hops", "1", "-o", str(tmp_path / "one.html")])
    both = runner.invoke(cli, ["viz", str(out), "--focus", "陈立新", "--focus", "认证部", "--hops", "1",
                               "-o", str(tmp_path / "both.html")])
    drawn = lambda r: int(r.output.split("wrote ")[1].split(": ")[1].split(" entities")[0])  # noqa: E731
    assert drawn(both) > drawn(one)


def test_cli_viz_one_unknown_focus_fails_and_writes_nothing(examples_build, tmp_path):
    out, _ = examples_build
    page = tmp_path / "x.html"
    result = runner.invoke(cli, ["viz", str(out), "--focus", "陈立新", "--focus", "不存在", "-o", str(page)])
    assert result.exit_code == 1 and "no entity named '不存在'" in result.output and not page.exists()


def test_busy_reports_elapsed_time_and_bytes_written_on_stderr(tmp_path, capsys):
    import time

    from kg.cli import Busy

    out = tmp_path / "graph.nq"
    out.write_bytes(b"x" * 2_000_000)
    with Busy("export nq", output=out, every=0.05):
        time.sleep(0.3)
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(line.startswith("export nq: working, ") for line in lines)
    assert "2.0 MB written" in lines[-1]


def test_busy_is_silent_when_quiet(capsys):
    import time

    from kg.cli import Busy

    with Busy("export nq", quiet=True, every=0.05):
        time.sleep(0.2)
    assert capsys.readouterr().err == ""


def test_cli_export_quiet_prints_only_the_path(examples_build, tmp_path):
    out, _ = examples_build
    dest = tmp_path / "g.nq"
    result = runner.invoke(cli, ["export", str(out), "--format", "nq", "-o", str(dest), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(dest) and dest.stat().st_size > 0
