"""Meta-tests over the rule data: every rule matches its examples in context and none of its counter-examples."""
from __future__ import annotations

import json

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
