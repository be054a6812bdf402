"""Meta-tests over the rule data: every rule matches its examples in context and none of its counter-examples."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.rules import RULES_DIR, load_rules, parse_rule, run_rule, trim_left
from extractors.errors import RuleError

RULES = load_rules()
LABELS = {"DocTitle", "DocNumber", "Date", "Year", "Person", "PersonCue", "Role", "Meeting", "Organization", "Agency",
          "Initiative", "CertificationScheme"}


def matches(rule, text):
    return [text[m.start:m.end] for m in run_rule(rule, text)]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rules_rule_matches_its_examples(rule):
    assert rule.examples, f"{rule.id} has no examples"
    for text, expected in rule.examples:
        assert expected in matches(rule, text), f"{rule.id} on {text!r}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rules_rule_rejects_its_counter_examples(rule):
    for text in rule.counter_examples:
        assert matches(rule, text) == [], f"{rule.id} matched counter-example {text!r}"


def test_rules_ids_unique_and_labels_known():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert {r.label for r in RULES} <= LABELS


def test_rules_bad_pattern_names_rule():
    with pytest.raises(RuleError, match="rx:broken"):
        parse_rule({"id": "rx:broken", "label": "Date", "pattern": "(unclosed"}, "file.jsonl:3")


def test_rules_bad_json_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "rx:a", "label": "Date", "pattern": "x"}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"bad.jsonl:2"):
        load_rules([bad])


def test_rules_duplicate_id_rejected(tmp_path):
    line = json.dumps({"id": "rx:a", "label": "Date", "pattern": "x"})
    dup = tmp_path / "dup.jsonl"
    dup.write_text(line + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(RuleError, match="duplicate rule id rx:a"):
        load_rules([dup])


@pytest.mark.parametrize("body, expected", [
    ("深入开展质量", "质量"),       # after the verb
    ("物联网等产品", "产品"),       # after the particle
    ("绿色产品", "绿色产品"),       # nothing to cut
])
def test_rules_trim_left(body, expected):
    assert body[trim_left(body):] == expected


def test_rules_files_exist():
    assert sorted(p.name for p in RULES_DIR.glob("*.jsonl"))


# Windows around anchors are a speed device: they must find exactly what a scan of the whole text finds.

def _example_texts() -> list[str]:
    """The example corpus, the held-out bench corpus and the test sentences, normalised."""
    from kg.documents import read_document
    from kg.normalize import normalize
    from tests.conftest import EXAMPLES, REPO

    paths = sorted(EXAMPLES.iterdir()) + sorted((REPO / "bench" / "heldout" / "corpus").iterdir())
    sentences = (Path(__file__).parent / "data" / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    return [normalize(read_document(path).raw_text).text for path in paths] + \
        [normalize(json.loads(line)["text"]).text for line in sentences if line.strip()]


def _spans(matches) -> list[tuple[int, int]]:
    return [match.span() for match in matches]


@pytest.mark.parametrize("rule", [r for r in RULES if r.anchor is not None], ids=lambda r: r.id)
def test_rules_anchor_windows_find_what_the_whole_text_finds(rule):
    from extractors.rules import anchor_windows

    texts = _example_texts() + [text for text, _ in rule.examples] + list(rule.counter_examples)
    for text in texts:
        near = [span for low, high in anchor_windows(rule.anchor, rule.reach, text)
                for span in _spans(rule.regex.finditer(text, low, high))]
        assert near == _spans(rule.regex.finditer(text)), f"{rule.id}: windows miss or add matches in {text[:40]!r}"


# shapes the corpora above do not hold, one for each near search they leave without a match
NEAR_PROBES = [
    "到2035年,我省检验检测服务业力争迈入全国先进行列。",
    "协会秘书处、标准研究所、培训中心等直属单位参加了培训。",
    "企业可申请碳排放管理、资产管理、合规管理等新型管理体系认证。",
]


def test_rules_every_near_search_finds_what_the_whole_text_finds(monkeypatch):
    """Every finditer_near of the relation steps, recorded while the example corpus is extracted."""
    import importlib

    import extractors.rules as rules_module
    from kg.nlp import make_nlp

    calls = []

    def recording(pattern, anchor, reach, text, pos=0, after=None):
        found = list(rules_module.finditer_near(pattern, anchor, reach, text, pos, after))
        calls.append((pattern, text, pos, _spans(found)))
        return iter(found)

    for name in ("bodies", "entities", "meetings", "numbers", "people", "places", "programmes"):
        module = importlib.import_module(f"extractors.{name}")
        if getattr(module, "finditer_near", None) is rules_module.finditer_near:
            monkeypatch.setattr(module, "finditer_near", recording)
    nlp = make_nlp()
    for text in _example_texts() + NEAR_PROBES:
        nlp(text)
    found = {}
    for pattern, _, _, spans in calls:
        found[pattern.pattern] = found.get(pattern.pattern, 0) + len(spans)
    assert len(found) >= 14, "the recording missed some relation steps"
    assert [p for p, n in found.items() if n == 0] == [], "a near search no text exercises: add a probe sentence"
    for pattern, text, pos, spans in calls:
        assert spans == _spans(pattern.finditer(text, pos)), f"near search of {pattern.pattern[:50]!r} differs"
