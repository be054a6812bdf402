"""kg/evaluate.py: hand-computed scores, error paths, and agreement with ../shared/tools/evaluate.py."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from extractors.errors import KGError
from kg.evaluate import (GoldError, GraphFileError, evaluate, evaluate_store, format_table, load_gold,
                         norm, prf)

from tests.conftest import EVALUATE as REFERENCE, EXAMPLES_GOLD, GOLD as SHARED_GOLD, require_shared

PREFIXES = """\
@prefix kg: <https://w3id.org/ccakg/id/> .
@prefix kgo: <https://w3id.org/ccakg/ontology#> .
@prefix src: <https://w3id.org/ccakg/source/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <http://schema.org/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Entities in the shared entities graph, facts and evidence in one graph per source text (QUERY-CONTRACT.md).
GRAPH = PREFIXES + """
<https://w3id.org/ccakg/graph/entities> {
  kg:o-cnca a kgo:Agency ;
      skos:prefLabel "国家认证认可监督管理委员会"@zh-Hans, "國家認證認可監督管理委員會"@zh-Hant ;
      skos:altLabel "国家认监委"@zh-Hans ; rdfs:label "国家认证认可监督管理委员会"@zh-Hans .
  kg:o-gwy a kgo:Agency ; skos:prefLabel "国务院"@zh-Hans, "國務院"@zh-Hant .
  kg:o-spam a kgo:Agency ; skos:prefLabel "澳門金沙"@zh-Hant .
  kg:o-cert a kgo:Department ; skos:prefLabel "认证部"@zh-Hans ; org:unitOf kg:o-cnca .
  kg:o-law a kgo:Department ; skos:prefLabel "法律部"@zh-Hans ; org:unitOf kg:o-cnca .
  kg:p-lin a foaf:Person ; skos:prefLabel "林国平"@zh-Hans, "林國平"@zh-Hant .
  kg:role-director a org:Role ; skos:prefLabel "主任"@zh-Hans .
  kg:role-dg a org:Role ; skos:prefLabel "局长"@zh-Hans .
  kg:e-conf a kgo:Meeting ; skos:prefLabel "2019年全国认证认可工作会议"@zh-Hans ;
      skos:altLabel "認證認可工作會議"@zh-Hant .
  kg:d-opinion a kgo:PolicyDocument ; skos:prefLabel "关于加强质量认证体系建设、促进全面质量管理的意见"@zh-Hans .
  kg:d-plan a kgo:PolicyDocument .
  kg:c-bri a kgo:Initiative ; skos:prefLabel "“一带一路”倡议"@zh-Hans ; skos:altLabel "一带一路"@zh-Hans .
  kg:c-ccc a kgo:CertificationScheme ; skos:prefLabel "强制性产品认证"@zh-Hans ; skos:altLabel "CCC"@en .
  kg:c-car a kgo:Sector ; skos:prefLabel "汽车"@zh-Hans .
  kg:c-food a kgo:Sector ; skos:prefLabel "食品"@zh-Hans .
  kg:r-bj a kgo:Region ; skos:prefLabel "北京市"@zh-Hans .
  kg:c-bodies a kgo:Indicator ; skos:prefLabel "认证机构数量"@zh-Hans .
  kg:c-labs a kgo:Indicator ; skos:prefLabel "检验检测机构数量"@zh-Hans .
  kg:c-qcs skos:prefLabel "质量认证制度"@zh-Hans .
}

<https://w3id.org/ccakg/graph/doc/a> {
  kg:m-1 a org:Membership ; org:member kg:p-lin ; org:role kg:role-director ; org:organization kg:o-cnca .
  kg:m-2 a org:Membership ; org:member kg:p-lin ; org:role kg:role-dg ; org:organization kg:o-gwy .
  kg:p-lin kgo:speaksAt kg:e-conf .
  kg:e-conf schema:startDate "2019-01-15"^^xsd:date ; schema:location kg:r-bj .
  kg:d-opinion dct:publisher kg:o-gwy ; dct:issued "2018-01-17"^^xsd:date ; dct:identifier "国发[2018]3号" .
  <https://w3id.org/ccakg/id/d-plan/task/1> a kgo:Task ; kgo:taskNumber 1 ; kgo:inWorkPlan kg:d-plan ;
      kgo:leadUnit kg:o-cert ; kgo:supportUnit kg:o-law ; kgo:mentions kg:c-bri .
  <https://w3id.org/ccakg/id/d-plan/task/2> a kgo:Task ; kgo:taskNumber 2 ; kgo:inWorkPlan kg:d-plan ;
      kgo:leadUnit kg:o-law .
  kg:s-1 a kgo:Statistic ; schema:variableMeasured kg:c-bodies ; schema:value 512 ; schema:unitText "家" ;
      schema:observationDate "2018-12-31"^^xsd:date ; kgo:changePercent 18.3 .
  kg:s-2 a kgo:Statistic ; schema:variableMeasured kg:c-labs ; schema:value 39472 ; schema:unitText "家" .
  kg:g-1 a kgo:Target ; rdfs:label "质量认证制度目标"@zh-Hans ; kgo:targetSubject kg:c-qcs ;
      kgo:goal "趋于完备"@zh-Hans ; kgo:horizonText "3-5年"@zh-Hans ; kgo:statedIn kg:d-opinion .
  kg:g-2 a kgo:Target ; kgo:goal "基本建成认证认可制度体系"@zh-Hans ; kgo:horizonText "到2020年"@zh-Hans .
  kg:c-bri kgo:appliesToSector kg:c-car, kg:c-food .
  kg:st-1 a rdf:Statement ; rdf:subject kg:p-lin ; rdf:predicate kgo:speaksAt ; rdf:object kg:e-conf .
  kg:ev-1 a kgo:Evidence ; oa:hasBody kg:st-1 ;
      oa:hasTarget [ oa:hasSource src:a ;
                     oa:hasSelector [ a oa:TextPositionSelector ; oa:start 0 ; oa:end 3 ] ,
                                    [ a oa:TextQuoteSelector ; oa:exact "林国平" ] ] .
  src:a a kgo:SourceText ; dct:identifier "a" .
}
"""

# Corner cases of the query patterns: a fact repeated in two text graphs, two membership nodes with the
# same content, a goal in two scripts, a statistic with two indicator names and a decimal value, a
# month-precision meeting date, a task number written as a string, a name that normalises to "".
EDGE_GRAPH = PREFIXES + """
<https://w3id.org/ccakg/graph/entities> {
  kg:o-cnca a kgo:Agency ; skos:prefLabel "国家认证认可监督管理委员会"@zh-Hans ; skos:altLabel "《》"@zh-Hans .
  kg:p-lin a foaf:Person ; skos:prefLabel "林国平"@zh-Hans .
  kg:role-director a org:Role ; skos:prefLabel "主任"@zh-Hans, "主任"@zh-Hant .
  kg:e-conf a kgo:Meeting ; skos:prefLabel "全国认证认可工作会议"@zh-Hans .
  kg:o-cert a kgo:Department ; skos:prefLabel "认证部"@zh-Hans .
  kg:c-bodies a kgo:Indicator ; skos:prefLabel "认证机构数量"@zh-Hans ; skos:altLabel "认证机构"@zh-Hans .
  kg:c-qcs skos:prefLabel "質量認證制度"@zh-Hant .
}
<https://w3id.org/ccakg/graph/doc/a> {
  kg:m-1 a org:Membership ; org:member kg:p-lin ; org:role kg:role-director ; org:organization kg:o-cnca .
  kg:m-2 a org:Membership ; org:member kg:p-lin ; org:role kg:role-director ; org:organization kg:o-cnca .
  kg:p-lin kgo:speaksAt kg:e-conf .
  kg:e-conf schema:startDate "2019-01"^^xsd:gYearMonth .
  kg:t-1 a kgo:Task ; kgo:taskNumber "1" ; kgo:leadUnit kg:o-cert .
  kg:s-1 a kgo:Statistic ; schema:variableMeasured kg:c-bodies ; schema:value 512.0 .
  kg:s-3 a kgo:Statistic ; schema:value 7 .
  kg:g-1 a kgo:Target ; kgo:targetSubject kg:c-qcs ; kgo:goal "趋于完备"@zh-Hans, "趨於完備"@zh-Hant .
}
<https://w3id.org/ccakg/graph/doc/b> {
  kg:p-lin kgo:speaksAt kg:e-conf .
  kg:m-1 a org:Membership ; org:member kg:p-lin ; org:role kg:role-director ; org:organization kg:o-cnca .
  kg:g-2 a kgo:Target ; kgo:targetSubject kg:c-qcs ; kgo:goal "趋于完备"@zh-Hans .
}
"""

GOLD_A = {
    "doc": "a.txt", "script": "simplified", "title": "示例", "published": "2019-01-16",
    "entities": [
        {"type": "Agency", "name": "国家认证认可监督管理委员会", "mentions": ["国家认监委"]},
        {"type": "Agency", "name": "国务院", "mentions": ["国务院"]},
        {"type": "Agency", "name": "国家市场监督管理总局", "mentions": ["市场监管总局"]},
        {"type": "Department", "name": "认证部", "mentions": ["认证部"]},
        {"type": "Organization", "name": "中国认证认可协会", "mentions": ["认证认可协会"]},
        {"type": "Person", "name": "林国平", "mentions": ["林国平"]},
        {"type": "Person", "name": "陈立新", "mentions": ["陈立新"]},
        {"type": "Meeting", "name": "全国认证认可工作会议", "mentions": ["认证认可工作会议"]},
        {"type": "PolicyDocument", "name": "关于加强质量认证体系建设、促进全面质量管理的意见", "mentions": ["意见"]},
        {"type": "Initiative", "name": "一带一路", "mentions": ["“一带一路”"]},
        {"type": "Sector", "name": "汽车", "mentions": ["汽车"]},
        {"type": "Region", "name": "北京市", "mentions": ["京"]},
        {"type": "Statistic", "name": "认证机构数量", "mentions": ["认证机构512家"]},
        {"type": "Target", "name": "质量认证制度目标", "mentions": ["质量认证制度趋于完备"]},
        {"type": "Task", "name": "2019年工作要点 任务1", "mentions": ["1."]},
    ],
    "relations": [
        {"kind": "membership", "person": "林国平", "role": "主任", "organization": "国家认证认可监督管理委员会"},
        {"kind": "membership", "person": "林国平", "role": "副局长", "organization": "国家市场监督管理总局"},
        {"kind": "speaks_at", "person": "林国平", "meeting": "全国认证认可工作会议"},
        {"kind": "speaks_at", "person": "陈立新", "meeting": "全国认证认可工作会议"},
        {"kind": "issued", "organization": "国务院",
         "document": "关于加强质量认证体系建设、促进全面质量管理的意见", "date": "2018-01-17"},
        {"kind": "doc_id", "document": "关于加强质量认证体系建设、促进全面质量管理的意见",
         "identifier": "国发〔2018〕3号"},
        {"kind": "meeting_date", "meeting": "全国认证认可工作会议", "date": "2019-01-15", "place": "北京市"},
        {"kind": "task_lead", "task": 1, "unit": "认证部"},
        {"kind": "task_support", "task": 1, "unit": "法律部"},
        {"kind": "task_mentions", "task": 1, "entity": "一带一路"},
        {"kind": "sub_organization", "child": "认证部", "parent": "国家认证认可监督管理委员会"},
        {"kind": "statistic", "subject": "认证机构", "value": 512, "unit": "家", "date": "2018-12-31",
         "change": "+18.3%"},
        {"kind": "target", "subject": "质量认证制度", "goal": "趋于完备", "horizon": "3-5年"},
        {"kind": "target", "subject": "认证认可制度体系", "goal": "基本建成", "horizon": "2020年"},
        {"kind": "target", "subject": "国际互认", "goal": "覆盖面进一步扩大"},
        {"kind": "applies_to", "initiative_or_scheme": "一带一路", "sector": "汽车"},
        {"kind": "alias", "name": "国家认证认可监督管理委员会", "alias": "国家认监委"},
    ],
    "noise": ["澳门金沙", "首页"],
}

# A second text repeating two facts: gold relations are counted once across documents
# (the statistic differs only in "change", which the deduplication ignores).
GOLD_B = {
    "doc": "b.txt", "script": "traditional", "title": "示例二", "published": None,
    "entities": [
        {"type": "Person", "name": "林国平", "mentions": ["林國平"]},
        {"type": "Agency", "name": "国务院", "mentions": ["国务院"]},
    ],
    "relations": [
        {"kind": "speaks_at", "person": "林国平", "meeting": "全国认证认可工作会议"},
        {"kind": "statistic", "subject": "认证机构", "value": 512, "unit": "家", "date": "2018-12-31",
         "change": "+18.3% over one year"},
    ],
    "noise": [],
}

T, H, Q = 2 / 3, 0.5, None   # shorthands for the expected table

# type/kind: (gold, pred, recall, precision, f1), worked out by hand from GRAPH and GOLD_A/GOLD_B.
EXPECTED_ENTITIES = {
    "Agency": (3, 3, T, T, T),                 # 国家市场监督管理总局 missed; 澳門金沙 is spam
    "Department": (1, 2, 1.0, H, T),           # 法律部 is not a gold entity
    "Organization": (1, 0, 0.0, Q, Q),
    "Person": (2, 1, H, 1.0, T),               # 陈立新 missed
    "PolicyDocument": (1, 1, 1.0, 1.0, 1.0),   # the unnamed work plan node is not counted
    "Meeting": (1, 1, 1.0, 1.0, 1.0),          # via the zh-Hant altLabel 認證認可工作會議
    "Initiative": (1, 1, 1.0, 1.0, 1.0),
    "CertificationScheme": (0, 1, Q, 0.0, Q),
    "Sector": (1, 2, 1.0, H, T),
    "Region": (1, 1, 1.0, 1.0, 1.0),
    "Statistic": (1, 0, 0.0, Q, Q),            # statistic nodes carry no name
    "Target": (1, 1, 1.0, 1.0, 1.0),           # g-1 is labelled, g-2 is not
    "Task": (1, 0, 0.0, Q, Q),
}
EXPECTED_RELATIONS = {
    "membership": (2, 2, H, H, H),
    "speaks_at": (2, 1, H, 1.0, T),            # 3 gold rows, one a duplicate from text b
    "issued": (1, 1, 1.0, 1.0, 1.0),
    "doc_id": (1, 1, 1.0, 1.0, 1.0),           # 国发[2018]3号 == 国发〔2018〕3号 after norm
    "meeting_date": (1, 1, 1.0, 1.0, 1.0),
    "task_lead": (1, 2, 1.0, H, T),
    "task_support": (1, 1, 1.0, 1.0, 1.0),
    "sub_organization": (1, 2, 1.0, H, T),
    "statistic": (1, 2, 1.0, H, T),
    "task_mentions": (1, 1, 1.0, 1.0, 1.0),
    "target": (3, 2, T, 1.0, 0.8),             # g-2 matches on its goal alone; 国际互认 missed
    "applies_to": (1, 2, 1.0, H, T),
}
EXPECTED_SUMMARY = {
    "entities_core": (10, 10, 0.7, 0.7, 0.7),
    "relations_core": (11, 13, 9 / 11, 9 / 13, 0.75),
    "entities_all": (15, 14, 10 / 15, 10 / 14, 20 / 29),
    "relations_all": (16, 18, 13 / 16, 13 / 18, 13 / 17),
}


def _write_gold(directory: Path, *docs: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (directory / doc["doc"].replace(".txt", ".json")).write_text(
            json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return directory


@pytest.fixture
def gold_dir(tmp_path: Path) -> Path:
    return _write_gold(tmp_path / "gold", GOLD_A, GOLD_B)


@pytest.fixture
def graph_path(tmp_path: Path) -> Path:
    path = tmp_path / "graph.trig"
    path.write_text(GRAPH, encoding="utf-8")
    return path


def _as_tuple(score: dict) -> tuple:
    return score["gold"], score["pred"], score["recall"], score["precision"], score["f1"]


def _assert_scores(actual: dict, expected: dict) -> None:
    assert list(actual) == list(expected)
    for key, want in expected.items():
        got = _as_tuple(actual[key])
        assert got[:2] == want[:2], key
        for g, w in zip(got[2:], want[2:]):
            assert (g is None) == (w is None), (key, got, want)
            if w is not None:
                assert g == pytest.approx(w, abs=1e-12), (key, got, want)


# --------------------------------------------------------------------------------------- hand-computed

def test_evaluate_entities_by_hand(graph_path: Path, gold_dir: Path) -> None:
    _assert_scores(evaluate(graph_path, gold_dir)["entities"], EXPECTED_ENTITIES)


def test_evaluate_relations_by_hand(graph_path: Path, gold_dir: Path) -> None:
    _assert_scores(evaluate(graph_path, gold_dir)["relations"], EXPECTED_RELATIONS)


def test_evaluate_summary_by_hand(graph_path: Path, gold_dir: Path) -> None:
    summary = evaluate(graph_path, gold_dir)["summary"]
    assert list(summary) == ["entities_core", "relations_core", "entities_all", "relations_all", "noise_leaks"]
    _assert_scores({k: summary[k] for k in EXPECTED_SUMMARY}, EXPECTED_SUMMARY)
    assert summary["noise_leaks"] == ["澳门金沙"]     # 澳門金沙 names a typed node


def test_evaluate_store_equals_file(graph_path: Path, gold_dir: Path) -> None:
    store = ox.Store()
    store.bulk_load(path=str(graph_path), format=ox.RdfFormat.TRIG)
    assert evaluate_store(store, gold_dir) == evaluate(graph_path, gold_dir)


def test_evaluate_empty_graph_scores_zero(tmp_path: Path, gold_dir: Path) -> None:
    path = tmp_path / "empty.ttl"
    path.write_text("", encoding="utf-8")
    result = evaluate(path, gold_dir)
    assert _as_tuple(result["entities"]["Agency"]) == (3, 0, 0.0, None, None)
    assert _as_tuple(result["summary"]["relations_all"]) == (16, 0, 0.0, None, None)
    assert result["summary"]["noise_leaks"] == []


def test_evaluate_blank_node_names_are_read(tmp_path: Path) -> None:
    """A blank node in a name position is looked up by its own labels (the reference crashes here)."""
    gold = _write_gold(tmp_path / "gold", {"doc": "c.txt", "entities": [], "relations": [
        {"kind": "target", "subject": "质量认证制度", "goal": "趋于完备"}]})
    path = tmp_path / "g.ttl"
    path.write_text(PREFIXES + '[] a kgo:Target ; kgo:targetSubject [ skos:prefLabel "质量认证制度"@zh-Hans ] .',
                    encoding="utf-8")
    assert _as_tuple(evaluate(path, gold)["relations"]["target"]) == (1, 1, 1.0, 1.0, 1.0)


@pytest.mark.parametrize("found, n_gold, correct, n_pred, expected", [
    (1, 2, 1, 1, (0.5, 1.0, 2 / 3)),
    (0, 2, 0, 3, (0.0, 0.0, 0.0)),
    (0, 0, 0, 3, (None, 0.0, None)),
    (0, 2, 0, 0, (0.0, None, None)),
    (0, 0, 0, 0, (None, None, None)),
])
def test_prf_edge_cases(found: int, n_gold: int, correct: int, n_pred: int, expected: tuple) -> None:
    score = prf(found, n_gold, correct, n_pred)
    assert (score["recall"], score["precision"]) == expected[:2]
    assert score["f1"] == (pytest.approx(expected[2]) if expected[2] is not None else None)


@pytest.mark.parametrize("text, expected", [
    ("國家認監委", "国家认监委"),
    ("“三同”工程", "三同工程"),
    ("国发〔2018〕3号", "国发20183号"),
    ("国发[2018]3号", "国发20183号"),
    ("ＣＣＣ认证", "ccc认证"),
    ("双随机、一公开", "双随机一公开"),
])
def test_norm(text: str, expected: str) -> None:
    assert norm(text) == expected


def test_format_table_layout(graph_path: Path, gold_dir: Path) -> None:
    lines = format_table(evaluate(graph_path, gold_dir)).split("\n")
    assert lines[0] == f"{'':18}  gold  pred     R     P    F1"
    assert lines[1] == "e:Agency               3     3 0.67 0.67 0.67"
    assert lines[3] == "e:Organization         1     0 0.00   -     -  "
    assert lines[14] == "r:membership           2     2 0.50 0.50 0.50"
    assert lines[-5] == "entities_core         10    10 0.70 0.70 0.70"
    assert lines[-1] == "noise leaks: ['澳门金沙']"
    assert len(lines) == 1 + 13 + 12 + 4 + 1


# --------------------------------------------------------------------------------------- error paths

def test_missing_graph_file(tmp_path: Path, gold_dir: Path) -> None:
    with pytest.raises(GraphFileError, match=r"graph file .*nothere\.trig does not exist"):
        evaluate(tmp_path / "nothere.trig", gold_dir)


def test_unknown_graph_format(tmp_path: Path, gold_dir: Path) -> None:
    path = tmp_path / "graph.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(GraphFileError, match=r"graph\.json: unknown graph format '\.json'; use one of \.trig"):
        evaluate(path, gold_dir)


def test_broken_graph_file(tmp_path: Path, gold_dir: Path) -> None:
    path = tmp_path / "broken.trig"
    path.write_text(PREFIXES + "kg:a kgo:mentions", encoding="utf-8")
    with pytest.raises(GraphFileError, match=r"cannot read graph file .*broken\.trig"):
        evaluate(path, gold_dir)


def test_missing_gold_dir(tmp_path: Path, graph_path: Path) -> None:
    with pytest.raises(GoldError, match=r"gold directory .*nogold does not exist"):
        evaluate(graph_path, tmp_path / "nogold")


def test_empty_gold_dir(tmp_path: Path, graph_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(GoldError, match=r"holds no \*\.json annotation files"):
        evaluate(graph_path, tmp_path / "empty")


@pytest.mark.parametrize("content, message", [
    ('{"entities": [', r"x\.json is not valid UTF-8 JSON"),
    ('[]', r"x\.json: top level must be a JSON object"),
    ('{"entities": []}', r"x\.json: 'relations' must be a list"),
    ('{"entities": [{"type": "Agency"}], "relations": []}', r"entities\[0\] must be an object with a string 'name'"),
    ('{"entities": [{"type": "Agencyy", "name": "x"}], "relations": []}', r"unknown type 'Agencyy'; valid: Agency"),
    ('{"entities": [], "relations": [{"kind": "speaks"}]}', r"relations\[0\] has unknown kind 'speaks'; valid:"),
    ('{"entities": [], "relations": [{"kind": "membership", "person": "p"}]}',
     r"relations\[0\] \(membership\) lacks role, organization"),
    ('{"entities": [], "relations": [], "noise": "x"}', r"'noise' must be a list of strings"),
])
def test_broken_gold_file(tmp_path: Path, graph_path: Path, content: str, message: str) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "x.json").write_text(content, encoding="utf-8")
    with pytest.raises(GoldError, match=message):
        evaluate(graph_path, gold)


def test_errors_are_kg_errors() -> None:
    assert issubclass(GoldError, KGError) and issubclass(GraphFileError, KGError)


def test_examples_gold_loads() -> None:
    """The repository's own gold (examples/gold) passes the same checks."""
    gold = load_gold(EXAMPLES_GOLD)
    assert gold.relations["task_lead"] and gold.relations["membership"] and gold.noise


def test_shared_gold_loads() -> None:
    """The real gold files pass the checks (they are the files the scorer exists for)."""
    require_shared()
    gold = load_gold(SHARED_GOLD)
    assert gold.relations["task_lead"] and gold.noise


# --------------------------------------------------------------------------------------- agreement

def _reference(graph: Path, gold: Path, *flags: str) -> str:
    done = subprocess.run([sys.executable, str(REFERENCE), str(graph), str(gold), *flags],
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 0, f"reference scorer failed:\n{done.stderr}"
    return done.stdout


def _graph_in(tmp_path: Path, fmt: str) -> Path:
    """GRAPH written in another serialisation (.nq keeps the named graphs, .ttl merges them)."""
    store = ox.Store()
    store.load(input=GRAPH.encode("utf-8"), format=ox.RdfFormat.TRIG)
    path = tmp_path / f"graph{fmt}"
    if fmt == ".ttl":
        merged = ox.Store()
        for quad in store:
            merged.add(ox.Quad(quad.subject, quad.predicate, quad.object))
        merged.dump(output=str(path), format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())
    else:
        store.dump(output=str(path), format=ox.RdfFormat.N_QUADS)
    return path


@pytest.mark.parametrize("case", ["fixture", "fixture-nq", "fixture-ttl", "shared-gold", "empty-graph",
                                  "edge-cases", "edge-cases-shared-gold"])
def test_agrees_with_reference(tmp_path: Path, graph_path: Path, gold_dir: Path, case: str) -> None:
    require_shared()
    graph, gold = {
        "fixture": lambda: (graph_path, gold_dir),
        "fixture-nq": lambda: (_graph_in(tmp_path, ".nq"), gold_dir),
        "fixture-ttl": lambda: (_graph_in(tmp_path, ".ttl"), gold_dir),
        "shared-gold": lambda: (graph_path, SHARED_GOLD),
        "empty-graph": lambda: (_empty_graph(tmp_path), SHARED_GOLD),
        "edge-cases": lambda: (_edge_graph(tmp_path), gold_dir),
        "edge-cases-shared-gold": lambda: (_edge_graph(tmp_path), SHARED_GOLD),
    }[case]()
    mine = evaluate(graph, gold)
    assert mine == json.loads(_reference(graph, gold, "--json"))
    assert format_table(mine) + "\n" == _reference(graph, gold)


def _empty_graph(tmp_path: Path) -> Path:
    path = tmp_path / "empty.nt"
    path.write_text("", encoding="utf-8")
    return path


def _edge_graph(tmp_path: Path) -> Path:
    path = tmp_path / "edge.trig"
    path.write_text(EDGE_GRAPH, encoding="utf-8")
    return path


def test_edge_graph_by_hand(tmp_path: Path, gold_dir: Path) -> None:
    """Duplicates collapse as the contract's DISTINCT patterns make them, not per node."""
    result = evaluate(_edge_graph(tmp_path), gold_dir)
    relations = result["relations"]
    assert _as_tuple(relations["membership"]) == (2, 1, 0.5, 1.0, pytest.approx(2 / 3))   # m-1 and m-2 are one row
    assert _as_tuple(relations["speaks_at"]) == (2, 1, 0.5, 1.0, pytest.approx(2 / 3))    # in two graphs, one row
    assert _as_tuple(relations["meeting_date"]) == (1, 1, 0.0, 0.0, 0.0)   # "2019-01" lacks the gold day
    assert _as_tuple(relations["task_lead"]) == (1, 1, 1.0, 1.0, 1.0)      # "1" == 1
    assert _as_tuple(relations["statistic"]) == (1, 2, 1.0, 0.5, pytest.approx(2 / 3))   # 512.0 == 512; s-3 unnamed
    # one row per distinct (subject, goal value): g-1 in two scripts gives two, g-2 repeats g-1
    assert _as_tuple(relations["target"]) == (3, 2, pytest.approx(1 / 3), 1.0, 0.5)
    assert _as_tuple(result["entities"]["Agency"]) == (3, 1, pytest.approx(1 / 3), 1.0, 0.5)


# --- ccakg eval with several gold folders ------------------------------------------------------------

def _cli_eval(*args: str):
    from click.testing import CliRunner
    from kg.cli import cli
    return CliRunner().invoke(cli, ["eval", *args])


def test_cli_eval_scores_each_gold_folder_against_its_own_graph(tmp_path: Path, graph_path: Path,
                                                                 gold_dir: Path) -> None:
    other_gold = _write_gold(tmp_path / "other-gold", GOLD_A)
    empty = _empty_graph(tmp_path)
    result = _cli_eval("--gold", str(gold_dir), "--graph", str(graph_path),
                       "--gold", str(other_gold), "--graph", str(empty))
    assert result.exit_code == 0, result.output
    first, second = result.output.rstrip("\n").split("\n\n")
    assert first == f"== {gold_dir} (graph {graph_path})\n" + format_table(evaluate(graph_path, gold_dir))
    assert second == f"== {other_gold} (graph {empty})\n" + format_table(evaluate(empty, other_gold))


def test_cli_eval_one_graph_for_several_gold_folders_as_json(tmp_path: Path, graph_path: Path,
                                                              gold_dir: Path) -> None:
    other_gold = _write_gold(tmp_path / "other-gold", GOLD_A)
    result = _cli_eval("--gold", str(gold_dir), "--gold", str(other_gold), "--graph", str(graph_path), "--json")
    assert result.exit_code == 0, result.output
    scored = json.loads(result.output)
    assert [item["gold"] for item in scored] == [str(gold_dir), str(other_gold)]
    assert scored[1]["summary"] == evaluate(graph_path, other_gold)["summary"]


def test_cli_eval_unpaired_graphs_are_a_usage_error(tmp_path: Path, graph_path: Path, gold_dir: Path) -> None:
    result = _cli_eval("--gold", str(gold_dir), "--graph", str(graph_path), "--graph", str(graph_path),
                       "--graph", str(graph_path))
    assert result.exit_code == 2
    assert "1 --gold folders but 3 --graph files" in result.output
