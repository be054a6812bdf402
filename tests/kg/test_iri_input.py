"""IRIs given on the command line (lookup, why, registry merge) and read from the registry are checked before
they reach a SPARQL query or the registry file (issue 13, item 11)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.registry import REGISTRY_FILE, RegistryError, load_registry

runner = CliRunner()
KG = "https://w3id.org/ccakg/id/"
HOSTILE = [KG + "o-x> ?p ?o } UNION { ?s ?p ?o", KG + 'o-x" . ?s ?p "', KG + "o-x>", KG + "o x",
           KG + "o-x{1}", KG + "o-x\\u0022", KG + "o-x\n"]


@pytest.fixture(scope="module")
def store(examples_build) -> Path:
    return examples_build[0] / "store"


@pytest.mark.parametrize("iri", HOSTILE)
@pytest.mark.parametrize("command", ["lookup", "why"])
def test_lookup_and_why_refuse_a_malformed_iri(store: Path, command: str, iri: str) -> None:
    result = runner.invoke(cli, [command, iri, "--store", str(store)])
    assert result.exit_code == 1 and "is not a valid IRI" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_lookup_still_finds_an_entity_by_its_iri(store: Path) -> None:
    found = runner.invoke(cli, ["lookup", "国家认监委", "--store", str(store), "--format", "json"])
    assert found.exit_code == 0, found.output
    iri = found.output.split('"iri": "')[1].split('"')[0]
    again = runner.invoke(cli, ["lookup", iri, "--store", str(store)])
    assert again.exit_code == 0 and "国家认证认可监督管理委员会" in again.output


@pytest.mark.parametrize("iri", HOSTILE[:3])
def test_registry_merge_refuses_a_malformed_iri_and_leaves_the_registry(store: Path, tmp_path: Path, iri: str) -> None:
    registry = tmp_path / "registry.tsv"
    shutil.copy(REGISTRY_FILE, registry)
    before = registry.read_bytes()
    result = runner.invoke(cli, ["registry", "merge", "国家认监委", iri, "--store", str(store),
                                 "--file", str(registry)])
    assert result.exit_code == 1 and "is not a valid IRI" in result.output, result.output
    assert registry.read_bytes() == before


def test_a_registry_row_with_a_malformed_iri_is_an_error_naming_its_line(tmp_path: Path) -> None:
    registry = tmp_path / "registry.tsv"
    lines = REGISTRY_FILE.read_text(encoding="utf-8").splitlines()
    lines.append("\t".join([KG + "o-x> } UNION {", "", "", "", "merged", KG + "o-cnca"]))
    registry.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=rf"registry.tsv:{len(lines)}: .* is not a valid IRI"):
        load_registry(registry)
