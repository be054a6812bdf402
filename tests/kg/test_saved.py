"""Saved queries (ontology/queries/*.rq): headers, parameters, and their results on the client's corpus.

The expected rows were read off the five texts: the 2017 work plan (004) lists 38 tasks, 37 of them with
a (牽頭部門:…,協作部門:…) parenthesis; 认证部 and 认可部 lead 9 each. 支树平 is 质检总局局长 at the 2013
conference (002) and the 2018 one (000). 国发〔2018〕3号 is explained in 003. 000 reports 403 certification
bodies and 33235 testing bodies.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from extractors.errors import QueryError
from kg.saved import list_saved, load_saved, render, run_saved
from ontology import QUERIES_DIR

from tests.conftest import CORPUS

runner = CliRunner()


@pytest.fixture(scope="module")
def store(corpus_build) -> Path:
    out, _ = corpus_build
    return out / "store"


def rows(store: Path, name: str, **params) -> list[dict]:
    columns, found, _ = run_saved(load_saved(name), store, {k: str(v) for k, v in params.items()})
    return [dict(zip(columns, row)) for row in found]


def row_with(found: list[dict], **wanted) -> dict:
    hits = [r for r in found if all(r.get(k) == v for k, v in wanted.items())]
    assert len(hits) == 1, f"expected one row with {wanted}, got {len(hits)}: {found[:5]}"
    return hits[0]


# --- the files themselves --------------------------------------------------------------------------------

def test_at_least_ten_saved_queries_each_with_a_header():
    files = sorted(QUERIES_DIR.glob("*.rq"))
    assert len(files) >= 10
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# title: ") and lines[1].startswith("# answers: "), path.name
    saved = {s.name: s for s in list_saved()}
    assert {"lead-departments", "posts-by-year", "initiatives-across-years", "fact-sentences", "document-register",
            "statistics", "targets", "co-working-units", "entity-profile", "build-diff"} <= set(saved)
    assert saved["fact-sentences"].param("entity").default == "支树平"
    assert saved["co-working-units"].param("min_tasks").integer
    assert saved["build-diff"].param("other").default is None and saved["build-diff"].runner == "diff"


def test_every_saved_query_runs_and_returns_rows(store):
    for saved in list_saved():
        params = {"other": str(store)} if saved.runner == "diff" else {}
        columns, found, _ = run_saved(saved, store, params)
        assert columns, saved.name
        if saved.runner != "diff":
            assert found, f"{saved.name} returned no rows on the corpus"


def test_queries_use_distinct_everywhere():
    """The union default graph of Oxigraph 0.5 double-counts: every SELECT and COUNT must be DISTINCT."""
    for path in QUERIES_DIR.glob("*.rq"):
        text = "\n".join(l for l in path.read_text(encoding="utf-8").splitlines() if not l.startswith("#"))
        for match in re.finditer(r"\b(COUNT|GROUP_CONCAT)\s*\(\s*(\w+)", text):
            assert match.group(2).upper() == "DISTINCT", f"{path.name}: {match.group(0)}"
        for match in re.finditer(r"SELECT\s+(\S+)", text):
            grouped = re.search(r"GROUP BY", text[match.end():]) is not None
            assert match.group(1).upper() == "DISTINCT" or grouped, f"{path.name}: SELECT without DISTINCT"


# --- parameters --------------------------------------------------------------------------------------------

def test_render_converts_to_simplified_and_escapes():
    saved = load_saved("fact-sentences")
    assert '"国家认监委"' in render(saved, {"entity": "國家認監委"})
    assert '"支树平"' in render(saved)                         # the default
    hostile = render(saved, {"entity": 'x") } DROP ALL #\n'})
    assert '"x\\") } DROP ALL #\\n"' in hostile
    assert "$entity" not in hostile


def test_hostile_parameter_is_only_a_string(store):
    assert rows(store, "fact-sentences", entity='支树平" || true || "') == []


def test_unknown_parameter_is_named_with_the_valid_ones():
    with pytest.raises(QueryError, match=r"fact-sentences has no parameter 'person'; its parameters: entity"):
        render(load_saved("fact-sentences"), {"person": "支树平"})


def test_missing_required_parameter_is_named(store):
    with pytest.raises(QueryError, match=r"build-diff needs --param other="):
        run_saved(load_saved("build-diff"), store, {})


def test_integer_parameter_rejects_text():
    with pytest.raises(QueryError, match=r"min_tasks must be an integer"):
        render(load_saved("co-working-units"), {"min_tasks": "2; DROP"})


def test_unknown_saved_query_lists_the_names():
    with pytest.raises(QueryError, match=r"no saved query named 'nope'; saved queries: .*lead-departments"):
        load_saved("nope")
    with pytest.raises(QueryError):
        load_saved("../ccakg")


# --- results on the corpus -----------------------------------------------------------------------------------

def test_lead_departments(store):
    found = rows(store, "lead-departments")
    top = {(r["unit"], r["tasksLed"], r["tasksSupported"]) for r in found[:2]}
    assert top == {("认证部", "9", "12"), ("认可部", "9", "14")}
    assert row_with(found, unit="法律部")["tasksLed"] == "8"
    assert row_with(found, unit="实验室部")["tasksLed"] == "8"
    assert row_with(found, unit="注册部")["tasksLed"] == "4"
    assert row_with(found, unit="认证部")["agency"] == "国家认证认可监督管理委员会"
    assert {r["unit"] for r in rows(store, "lead-departments", min_led=8)} == {"认证部", "认可部", "法律部", "实验室部"}


def test_posts_by_year(store):
    found = rows(store, "posts-by-year")
    zhi = row_with(found, person="支树平", role="局长", organization="国家质量监督检验检疫总局")
    assert (zhi["firstSeen"], zhi["lastSeen"], zhi["texts"]) == ("2013", "2018", "2")
    assert set(zhi["years"].split(", ")) == {"2013", "2018"}
    sun = row_with(found, person="孙大伟", role="主任")
    assert (sun["organization"], sun["firstSeen"], sun["lastSeen"]) == ("国家认证认可监督管理委员会", "2013", "2013")
    assert row_with(found, person="刘卫军", role="副主任")["years"] == "2018"
    only = rows(store, "posts-by-year", person="孫大偉")
    assert {(r["role"], r["organization"]) for r in only} == {("主任", "国家认证认可监督管理委员会"),
                                                             ("副局长", "国家质量监督检验检疫总局")}


def test_initiatives_across_years(store):
    found = rows(store, "initiatives-across-years")
    names = {r["initiative"] for r in found}
    assert {"“同线同标同质”工程", "一带一路", "质量提升行动"} <= names
    sanitong = row_with(found, initiative="“同线同标同质”工程")
    assert set(sanitong["years"].split(", ")) == {"2017", "2018"}
    assert set(sanitong["texts"].split()) == {"000(2018)", "001(2017)", "003(2018)", "004(2017)"}
    assert all(len(r["years"].split(", ")) >= 2 for r in found)
    assert rows(store, "initiatives-across-years", min_years=3) == []   # no initiative spans 2013 as well


def test_fact_sentences_quote_the_raw_text(store):
    from kg.documents import read_document

    found = rows(store, "fact-sentences")                    # default: 支树平
    assert {(r["text"][:3], r["fact"]) for r in found} == {("000", "membership"), ("000", "speaksAt"),
                                                            ("002", "membership"), ("002", "speaksAt")}
    member = row_with(found, text="000_a0ffb961c0fa7f70", fact="membership", start="175")
    assert (member["end"], member["quote"]) == ("186", "国家质检总局局长支树平")
    assert member["other"] == "支树平 局长 国家质量监督检验检疫总局"
    raw = {p.stem: read_document(p).raw_text for p in CORPUS.glob("*.txt")}
    for r in found + rows(store, "fact-sentences", entity="國家認監委"):
        exact = raw[r["text"]][int(r["start"]):int(r["end"])]
        assert re.sub(r"\s+", " ", exact) == r["quote"]


def test_document_register(store):
    found = rows(store, "document-register")
    guojia = row_with(found, number="国发〔2018〕3号")
    assert (guojia["document"], guojia["issuers"], guojia["issued"]) == (
        "关于加强质量认证体系建设、促进全面质量管理的意见", "国务院", "2018-01-25")
    plan = row_with(found, document="2017年认证认可工作要点")
    assert (plan["issued"], plan["issuers"], plan["texts"]) == ("2017-02-15", "国家认证认可监督管理委员会", "004")
    opinion = row_with(found, document="中共中央 国务院关于开展质量提升行动的指导意见")
    assert set(opinion["issuers"].split("、")) == {"中国共产党中央委员会", "国务院"}
    assert (opinion["issued"], opinion["mentionedIn"]) == ("2017-09", "2")
    assert found[0]["document"] == "2017年认证认可工作要点"      # oldest dated first


def test_statistics(store):
    found = rows(store, "statistics")
    cert = row_with(found, indicator="认证机构数量")
    assert (cert["value"], cert["unit"], cert["observed"], cert["change"], cert["text"]) == (
        "403", "家", "2018-01-16", "+132.94% vs 五年前", "000_a0ffb961c0fa7f70")
    assert cert["quote"] == "认证机构403家"
    testing = row_with(found, indicator="检验检测机构数量")
    assert (testing["value"], testing["change"]) == ("33235", "+33.75% vs 五年前")
    assert row_with(found, indicator="改革举措数量")["value"] == "159"


def test_targets(store):
    found = rows(store, "targets")
    system = row_with(found, subject="质量认证制度")
    assert (system["goal"], system["horizon"], system["text"]) == ("趋于完备", "通过3-5年努力", "003_3df4d439e98d4c19")
    three = row_with(found, subject="认证认可体系")
    assert (three["horizon"], three["text"][:3]) == ("今后3年", "000")
    strong = [r for r in found if r["subject"] == "认证认可强国" and r["goal"] == "加快建设认证认可强国"]
    assert strong and all(r["statedIn"] == "2017年认证认可工作要点" for r in strong)   # one target, named X强国目标
    assert sum(1 for r in found if r["horizon"]) == 6 and found[0]["horizon"]   # horizons first


def test_co_working_units(store):
    found = rows(store, "co-working-units")
    top = found[0]
    assert (top["unitA"], top["unitB"], top["sharedTasks"], top["aLeadsBSupports"], top["bLeadsASupports"]) == (
        "认可部", "认证部", "17", "3", "3")
    assert all(int(r["sharedTasks"]) >= 5 for r in found)
    assert len(rows(store, "co-working-units", min_tasks=17)) == 1


def test_entity_profile(store):
    cnca = rows(store, "entity-profile", entity="國家認監委")
    assert {r["iri"] for r in cnca} == {"https://w3id.org/ccakg/id/o-t5pjgf6u3k"}
    row_with(cnca, direction="in", property="org:unitOf", value="认证部")
    row_with(cnca, direction="out", property="skos:altLabel", value="CNCA @en")
    row_with(cnca, direction="in", property="dct:publisher", value="2017年认证认可工作要点")
    liu = rows(store, "entity-profile")                      # default: 刘卫军
    assert row_with(liu, property="org:member")["value"] == "membership: 刘卫军 副主任 国家认证认可监督管理委员会"
    assert row_with(liu, property="kgo:speaksAt")["value"] == "全国认证认可工作会议"


def test_meetings(store):
    found = rows(store, "meetings")
    conf13 = row_with(found, meeting="全国认证认可工作会议", date="2013-01-18")
    assert conf13["place"] == "北京市" and set(conf13["speakers"].split("、")) == {"孙大伟", "支树平"}
    conf18 = row_with(found, meeting="全国认证认可工作会议", date="2018-01-16")
    assert set(conf18["speakers"].split("、")) == {"刘卫军", "支树平"}
    assert row_with(found, meeting="世界认可日")["date"] == "2017-06-09"


def test_unit_tasks_in_traditional(store):
    found = rows(store, "unit-tasks", unit="注冊部")      # as the Traditional text 004 writes it
    assert sorted(int(r["task"]) for r in found if r["role"] == "lead") == [1, 3, 8, 17]
    assert len(found) == 4 + 14


# --- build-diff ------------------------------------------------------------------------------------------------

def test_build_diff_of_a_build_with_itself_is_empty(store):
    assert run_saved(load_saved("build-diff"), store, {"other": str(store)})[1] == []


def test_build_diff_shows_a_changed_statistic(store, tmp_path_factory):
    from kg.pipeline import build

    root = tmp_path_factory.mktemp("diff")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    text = next(corpus.glob("000_*.txt"))
    raw = text.read_text(encoding="utf-8")
    assert "认证机构403家" in raw
    text.write_text(raw.replace("认证机构403家", "认证机构404家"), encoding="utf-8")
    build([corpus], root / "out")
    columns, found, _ = run_saved(load_saved("build-diff"), root / "out" / "store", {"other": str(store)})
    assert columns == ["change", "text", "subject", "property", "value"]
    changes = {(r[0], r[3], r[4]) for r in found}
    assert ("-", "schema:value", "403") in changes and ("+", "schema:value", "404") in changes
    assert {r[1] for r in found} == {"000_a0ffb961c0fa7f70", "entities"}


# --- the command line ------------------------------------------------------------------------------------------

def test_cli_saved_query_with_param(store):
    result = runner.invoke(cli, ["query", "--saved", "posts-by-year", "--param", "person=支樹平",
                                 "--store", str(store), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "支树平,局长,国家质量监督检验检疫总局,2013,2018" in result.output


def test_cli_saved_errors(store):
    result = runner.invoke(cli, ["query", "--saved", "nope", "--store", str(store)])
    assert result.exit_code == 1 and "saved queries: build-diff" in result.output
    result = runner.invoke(cli, ["query", "--saved", "targets", "--param", "x=1", "--store", str(store)])
    assert result.exit_code == 1 and "has no parameter 'x'" in result.output
    result = runner.invoke(cli, ["query", "SELECT * {}", "--saved", "targets", "--store", str(store)])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["query", "SELECT * {}", "--param", "x=1", "--store", str(store)])
    assert result.exit_code == 2


def test_cli_lists_saved_queries():
    result = runner.invoke(cli, ["queries"])
    assert result.exit_code == 0
    assert "lead-departments" in result.output and "Departments that lead the most tasks" in result.output
    assert "--param entity" in result.output
