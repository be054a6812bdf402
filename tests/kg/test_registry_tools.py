"""Curation that works: `ccakg registry merge` writes the build's registry, `ccakg build` reads it, and the
rebuilt graph validates with one entity under the kept name (issue 14). Real builds of examples/corpus."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.registry import active_registry, default_registry, load_registry

from tests.conftest import EXAMPLES

runner = CliRunner()
KEEP, OTHER = "消费品", "一般消费品"        # two sectors of the example texts
SAME_AS = "SELECT ?old ?kept WHERE { GRAPH ?g { ?old <http://www.w3.org/2002/07/owl#sameAs> ?kept } }"


def ccakg(*args: str):
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def lookup(out: Path, name: str) -> list[dict]:
    """The entities with a name equal to ``name`` (lookup also lists those whose names contain it)."""
    found = json.loads(ccakg("lookup", out, name, "--format", "json").stdout)
    return [f for f in found if f["match"] == "exact name"]


@pytest.fixture(scope="module")
def merged_build(tmp_path_factory):
    """examples/corpus built, OTHER merged into KEEP, built again into the same folder."""
    out = tmp_path_factory.mktemp("curation") / "out"
    ccakg("build", EXAMPLES, "--out", out, "--quiet", "--no-html")
    before = {name: lookup(out, name)[0]["iri"] for name in (KEEP, OTHER)}
    merged = ccakg("registry", "merge", out, KEEP, OTHER)
    ccakg("build", EXAMPLES, "--out", out, "--quiet", "--no-html")
    return out, before, merged


def test_merge_writes_the_registry_of_the_build(merged_build) -> None:
    out, before, merged = merged_build
    assert before[KEEP] != before[OTHER]
    assert f"in {out / 'registry.tsv'}" in merged.stdout
    assert load_registry(out / "registry.tsv").merged == {before[OTHER]: before[KEEP]}
    assert load_registry().merged.get(before[OTHER]) is None      # the shipped registry is untouched


def test_after_merge_and_rebuild_the_graph_validates(merged_build) -> None:
    out, _, _ = merged_build
    result = runner.invoke(cli, ["validate", str(out), "--quiet"])
    assert result.exit_code == 0, result.output


def test_after_merge_both_names_find_one_entity_with_the_kept_name(merged_build) -> None:
    out, before, _ = merged_build
    kept, other = lookup(out, KEEP), lookup(out, OTHER)
    assert [f["iri"] for f in kept] == [f["iri"] for f in other] == [before[KEEP]]
    assert kept[0]["prefLabel"]["zh-Hans"] == KEEP
    assert {"label": OTHER, "lang": "zh-Hans"} in kept[0]["altLabel"]


def test_after_merge_the_other_iri_is_same_as_the_kept_one(merged_build) -> None:
    out, before, _ = merged_build
    store = ox.Store.read_only(str(out / "store"))
    pairs = {(row["old"].value, row["kept"].value) for row in store.query(SAME_AS)}
    assert pairs == {(before[OTHER], before[KEEP])}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["registry"] == str(out / "registry.tsv")


def test_a_fresh_build_with_registry_and_workers_follows_the_merge(merged_build, tmp_path: Path) -> None:
    out, before, _ = merged_build
    fresh = tmp_path / "fresh"
    ccakg("build", EXAMPLES, "--out", fresh, "--quiet", "--no-html", "--workers", "2",
          "--registry", out / "registry.tsv")
    assert [f["iri"] for f in lookup(fresh, OTHER)] == [before[KEEP]]
    assert runner.invoke(cli, ["validate", str(fresh), "--quiet"]).exit_code == 0
    assert active_registry() is default_registry()     # the build's registry ends with the build


def test_a_build_that_only_names_the_merged_entity_gives_the_kept_iri_that_name(merged_build, tmp_path: Path) -> None:
    out, before, _ = merged_build
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "only.txt").write_text(f"市场监管总局推进{OTHER}质量认证工作。", encoding="utf-8")
    ccakg("build", corpus, "--out", tmp_path / "only", "--quiet", "--no-html", "--registry", out / "registry.tsv")
    [found] = lookup(tmp_path / "only", OTHER)
    assert found["iri"] == before[KEEP] and found["prefLabel"]["zh-Hans"] == OTHER
    assert runner.invoke(cli, ["validate", str(tmp_path / "only"), "--quiet"]).exit_code == 0


def test_a_missing_registry_file_is_an_error_naming_it(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["build", str(EXAMPLES), "--out", str(tmp_path / "out"), "--quiet",
                                 "--registry", str(tmp_path / "nope.tsv")])
    assert result.exit_code == 1 and "nope.tsv: no such registry file" in result.output
