"""ccakg lookup: any name, in either script or in English, reaches the same entity."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli
from extractors.errors import StoreError
from kg.lookup import lookup

runner = CliRunner()
CNCA = "https://w3id.org/ccakg/id/o-t5pjgf6u3k"


@pytest.fixture(scope="module")
def store(corpus_build):
    out, _ = corpus_build
    return out / "store"


@pytest.mark.parametrize("name", ["國家認監委", "国家认监委", "认监委", "CNCA", "cnca", "國家認證認可監督管理委員會",
                                  "Certification and Accreditation Administration of the People's Republic of China"])
def test_every_name_of_cnca_reaches_one_entity(store, name):
    found = lookup(store, name)
    assert [f.iri for f in found] == [CNCA]


def test_lookup_prints_all_names(store):
    (cnca,) = lookup(store, "國家認監委")
    assert cnca.type == "kgo:Agency"
    assert cnca.labels == {"zh-Hans": "国家认证认可监督管理委员会", "zh-Hant": "國家認證認可監督管理委員會",
                           "en": "Certification and Accreditation Administration of the People's Republic of China"}
    assert {("CNCA", "en"), ("国家认监委", "zh-Hans"), ("國家認監委", "zh-Hant"), ("认监委", "zh-Hans")} <= set(cnca.alt_labels)


def test_lookup_person_and_department(store):
    (zhi,) = lookup(store, "支樹平")
    assert (zhi.type, zhi.labels["zh-Hans"], zhi.labels.get("en")) == ("foaf:Person", "支树平", "Zhi Shuping")
    (aqsiq,) = lookup(store, "aqsiq")
    assert aqsiq.labels["zh-Hans"] == "国家质量监督检验检疫总局"
    assert [f.iri for f in lookup(store, "質檢總局")] == [aqsiq.iri]
    (dept,) = lookup(store, "認證部")
    assert (dept.type, dept.labels["zh-Hans"]) == ("kgo:Department", "认证部")


def test_lookup_nothing(store, tmp_path):
    assert lookup(store, "不存在的机构") == []
    with pytest.raises(StoreError):
        lookup(tmp_path / "nowhere", "认监委")


def test_cli_lookup_same_iri_for_three_names(store):
    iris = set()
    for name in ("國家認監委", "认监委", "CNCA"):
        result = runner.invoke(cli, ["lookup", name, "--store", str(store)])
        assert result.exit_code == 0, result.output
        assert "国家认证认可监督管理委员会" in result.output and "國家認證認可監督管理委員會" in result.output
        assert "kgo:Agency" in result.output
        iris |= {line.split()[1] for line in result.output.splitlines() if line.strip().startswith("IRI")}
    assert iris == {CNCA}


def test_cli_lookup_json(store):
    result = runner.invoke(cli, ["lookup", "CNCA", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0
    (entry,) = json.loads(result.output)
    assert entry["iri"] == CNCA and entry["prefLabel"]["zh-Hans"] == "国家认证认可监督管理委员会"
    assert {"label": "CNCA", "lang": "en"} in entry["altLabel"]


def test_cli_lookup_unknown_name_exits_1(store):
    result = runner.invoke(cli, ["lookup", "不存在的机构", "--store", str(store)])
    assert result.exit_code == 1 and "no entity named '不存在的机构'" in result.output
