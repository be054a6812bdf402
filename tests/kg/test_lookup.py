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
def test_every_name_of_cnca_reaches_one_entity_first(store, name):
    found, _ = lookup(store, name)
    assert found[0].iri == CNCA and found[0].how == "exact name"
    assert all(f.how != "exact name" for f in found[1:])


def test_lookup_prints_all_names(store):
    cnca = lookup(store, "國家認監委")[0][0]
    assert cnca.type == "kgo:Agency"
    assert cnca.labels == {"zh-Hans": "国家认证认可监督管理委员会", "zh-Hant": "國家認證認可監督管理委員會",
                           "en": "Certification and Accreditation Administration of the People's Republic of China"}
    assert {("CNCA", "en"), ("国家认监委", "zh-Hans"), ("國家認監委", "zh-Hant"), ("认监委", "zh-Hans")} <= set(cnca.alt_labels)


def test_lookup_person_and_department(store):
    zhi = lookup(store, "支樹平")[0][0]
    assert (zhi.type, zhi.labels["zh-Hans"], zhi.labels.get("en")) == ("foaf:Person", "支树平", "Zhi Shuping")
    aqsiq = lookup(store, "aqsiq")[0][0]
    assert aqsiq.labels["zh-Hans"] == "国家质量监督检验检疫总局"
    assert lookup(store, "質檢總局")[0][0].iri == aqsiq.iri
    dept = lookup(store, "認證部")[0][0]
    assert (dept.type, dept.labels["zh-Hans"]) == ("kgo:Department", "认证部")


def test_lookup_nothing(store, tmp_path):
    assert lookup(store, "不存在的机构") == ([], 0)
    with pytest.raises(StoreError):
        lookup(tmp_path / "nowhere", "认监委")


def test_cli_lookup_same_iri_for_three_names(store):
    iris = set()
    for name in ("國家認監委", "认监委", "CNCA"):
        result = runner.invoke(cli, ["lookup", name, "--store", str(store)])
        assert result.exit_code == 0, result.output
        assert "国家认证认可监督管理委员会" in result.output and "國家認證認可監督管理委員會" in result.output
        assert "kgo:Agency" in result.output
        iris.add(next(line.split()[1] for line in result.output.splitlines() if line.strip().startswith("IRI")))
    assert iris == {CNCA}


def test_cli_lookup_json(store):
    result = runner.invoke(cli, ["lookup", "CNCA", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0
    entry = json.loads(result.stdout)[0]
    assert entry["iri"] == CNCA and entry["prefLabel"]["zh-Hans"] == "国家认证认可监督管理委员会"
    assert {"label": "CNCA", "lang": "en"} in entry["altLabel"]


def test_cli_lookup_unknown_name_exits_1(store):
    result = runner.invoke(cli, ["lookup", "不存在的机构", "--store", str(store)])
    assert result.exit_code == 1 and "no entity named '不存在的机构' or with a name containing it" in result.output


# -- fuzzy and ranked: the ranking function, and `ccakg lookup` on the example corpus --------------------------

from kg.lookup import Candidate, initials, rank  # noqa: E402

CANDIDATES = [Candidate("cnca", ("国家认证认可监督管理委员会", "國家認監委", "国家认监委", "CNCA"), texts=5, mentions=14),
              Candidate("dept", ("认证部", "認證部", "国家认监委认证部"), texts=2, mentions=6),
              Candidate("law", ("法律部", "国家认监委法律部"), texts=1, mentions=3),
              Candidate("assoc", ("中国认证认可协会", "认证认可协会", "CCAA"), texts=1, mentions=1)]


def test_initials_of_either_script_with_every_reading():
    assert initials("国家认监委") == initials("國家認監委") and len(initials("国家认监委")) == 5
    assert all(ch in letters for ch, letters in zip("gjrjw", initials("國家認監委")))
    assert initials("2019年全国认证认可工作会议")[:6] == ("2", "0", "1", "9", "n", "q")
    assert initials("银行") == ("y", "hx") and "c" in initials("重庆")[0]
    bank = [Candidate("bank", ("中国银行",))]
    assert [m.how for m in rank("zgyh", bank) + rank("zgyx", bank) + rank("zgy", bank)] == \
        ["pinyin initials", "pinyin initials", "start of pinyin initials"]
    assert rank("zgyz", bank) == [] and rank("zgyhx", bank) == []


@pytest.mark.parametrize("query, keys, how", [
    ("认监委", ["cnca", "dept", "law"], "part of a name"),          # exact alias first, then by texts
    ("國家認監委", ["cnca", "dept", "law"], "start of a name"),
    ("cnca", ["cnca"], "exact name"),
    ("gjrjw", ["cnca", "dept", "law"], "start of pinyin initials"),
    ("认证", ["dept", "assoc", "cnca"], "part of a name"),            # both start so: more texts first
    ("法律", ["law"], "start of a name"),
])
def test_rank_puts_the_obvious_entity_first(query, keys, how):
    found = rank(query, CANDIDATES)
    assert [m.candidate.key for m in found] == keys
    assert found[-1].how == how


def test_rank_shows_the_name_written_as_the_query_and_limits():
    assert rank("認證", CANDIDATES)[0].name == "認證部" and rank("认证", CANDIDATES)[0].name == "认证部"
    assert rank("gjrjw", CANDIDATES)[0].how == "pinyin initials"
    assert len(rank("认", CANDIDATES, limit=2)) == 2 and rank("  ", CANDIDATES) == []


@pytest.fixture(scope="module")
def examples(examples_build):
    return examples_build[0]


@pytest.mark.parametrize("query, first", [("认监委", "国家认证认可监督管理委员会"), ("gjrjw", "国家认证认可监督管理委员会"),
                                          ("accreditation day", "世界认可日"), ("認證部", "认证部"),
                                          ("rzb", "认证部"), ("认可协会", "中国认证认可协会")])
def test_cli_lookup_fuzzy_on_the_example_corpus(examples, query, first):
    result = runner.invoke(cli, ["lookup", str(examples), query, "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found[0]["prefLabel"]["zh-Hans"] == first
    assert found[0]["texts"] >= 1 and found[0]["mentions"] >= found[0]["texts"]


def test_cli_lookup_limit_says_how_many_were_left_out(examples):
    result = runner.invoke(cli, ["lookup", str(examples), "认监委", "--limit", "2"])
    assert result.exit_code == 0
    assert result.stdout.count("  IRI ") == 2 and "(exact name)" in result.stdout
    total = len(json.loads(runner.invoke(cli, ["lookup", str(examples), "认监委", "--limit", "1000",
                                               "--format", "json"]).stdout))
    assert total > 2 and f"{total - 2} more entities match '认监委'; see them with --limit {total}" in result.stderr
