"""One way to name a build: `--out DIR` to write, DIR to read (DIR/store and --store still work); a wrong path
gets a message naming it, never a store (RocksDB) error."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

runner = CliRunner()
QUERY = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a foaf:Person }"
# Each reading command with DIR put in its place, and the same command without DIR (for --store).
READERS = {
    "query": (["query", "{DIR}", QUERY], ["query", QUERY]),
    "query --saved": (["query", "{DIR}", "--saved", "lead-departments"], ["query", "--saved", "lead-departments"]),
    "lookup": (["lookup", "{DIR}", "CNCA"], ["lookup", "CNCA"]),
    "why": (["why", "{DIR}", "陈立新"], ["why", "陈立新"]),
    "texts": (["texts", "{DIR}"], ["texts"]),
}
# Readers that write elsewhere: only the errors are compared (registry merge writes DIR/registry.tsv).
OTHERS = {"registry merge": (["registry", "merge", "{DIR}", "认监委", "CNCA"], ["registry", "merge", "认监委", "CNCA"])}
NOT_STORE_ERRORS = ("RocksDB", "IO error", "Traceback", "LOCK", "CURRENT")


def run(args: list[str], folder: Path | str) -> object:
    return runner.invoke(cli, [str(folder) if a == "{DIR}" else a for a in args])


@pytest.fixture(scope="module")
def out(examples_build) -> Path:
    return examples_build[0]


@pytest.mark.parametrize("command", sorted(READERS))
def test_every_reader_takes_dir_its_store_and_the_store_option(out, command):
    with_dir, without = READERS[command]
    outputs = {run(with_dir, out).output, run(with_dir, out / "store").output,
               run(without + ["--store", str(out)], out).output,
               run(without + ["--store", str(out / "store")], out).output}
    assert len(outputs) == 1, outputs
    assert "Error" not in outputs.pop()


@pytest.mark.parametrize("command", sorted(READERS) + sorted(OTHERS))
def test_dir_and_store_together_is_bad_usage(out, command):
    with_dir, _ = {**READERS, **OTHERS}[command]
    result = run(with_dir + ["--store", str(out)], out)
    assert result.exit_code == 2 and "DIR or --store, not both" in result.output


def wrong_paths(tmp: Path) -> dict[str, tuple[Path, int, str]]:
    (tmp / "empty").mkdir()
    (tmp / "file.txt").write_text("x", encoding="utf-8")
    (tmp / "half" / "store").mkdir(parents=True)
    (tmp / "half" / "store" / "x").write_text("not a store", encoding="utf-8")
    return {"missing": (tmp / "nowhere", 2, "does not exist"), "empty": (tmp / "empty", 1, "not a ccakg build folder"),
            "file": (tmp / "file.txt", 1, "a file, not a build folder"),
            "not a store": (tmp / "half" / "store", 1, "not a ccakg build folder")}


@pytest.mark.parametrize("command", sorted(READERS) + ["viz", "serve", "registry merge"])
def test_a_wrong_path_gets_a_message_naming_it(command, tmp_path):
    others = {"viz": (["viz", "{DIR}", "-o", str(tmp_path / "x.html")], None),
              "serve": (["serve", "{DIR}"], None),
              **OTHERS}
    args = others.get(command) or READERS[command]
    for path, code, message in wrong_paths(tmp_path).values():
        result = run(args[0], path) if args[0] else run(args[1] + ["--store", str(path)], path)
        assert result.exit_code == code, (path, result.output)
        assert str(path) in result.output and message in result.output, result.output
        assert not any(e in result.output for e in NOT_STORE_ERRORS), result.output


@pytest.mark.parametrize("command", ["validate", "export"])
def test_validate_and_export_take_the_store_path_for_the_folder(out, command, tmp_path):
    extra = ["-q"] if command == "validate" else ["--format", "ttl", "-o", str(tmp_path / "g.ttl")]
    for path in (out, out / "store"):
        result = runner.invoke(cli, [command, str(path), *extra])
        assert result.exit_code == 0, result.output


def test_a_store_given_as_out_is_refused_and_left_alone(out, tmp_path):
    store = out / "store"
    before = sorted(p.name for p in store.resolve().iterdir())
    (tmp_path / "t.txt").write_text("国家认监委发布通知。", encoding="utf-8")
    for args in (["build", str(tmp_path / "t.txt")], ["add", str(tmp_path / "t.txt")], ["remove", "notice-gbk"]):
        result = runner.invoke(cli, [*args, "--out", str(store)])
        assert result.exit_code == 1, result.output
        assert f"{store} is the store of a build, not a build folder: give --out {out}" in result.output
    assert sorted(p.name for p in store.resolve().iterdir()) == before
