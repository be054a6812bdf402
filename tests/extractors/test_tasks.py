from __future__ import annotations

import pytest

from kg.pipeline import extract_text

PLAN = "2021年认证工作要点\n1.推进认证改革。{open}牵头部门:认证部{sep}协作部门:法律部、各直属单位{close}\n2.加强监管。"


def units(text):
    facts = extract_text(text).facts
    return ({(f.arg("number"), f.arg("unit").key.split("/")[-1]) for f in facts if f.kind == "task_lead"},
            {(f.arg("number"), f.arg("unit").key.split("/")[-1]) for f in facts if f.kind == "task_support"})


@pytest.mark.parametrize("open_, sep, close", [("(", ",", ")"), ("(", ";", ")"), ("【", ",", "】"), ("[", ";", "]"),
                                               ("（", "，", "）"), ("［", "；", "］")])
def test_tasks_units_in_any_bracket_style(open_, sep, close):
    lead, support = units(PLAN.format(open=open_, sep=sep, close=close))
    assert lead == {(1, "认证部")} and support == {(1, "法律部"), (1, "各直属单位")}


def test_tasks_need_a_work_plan():
    assert units("1.推进认证改革。\n2.加强监管。") == (set(), set())


def test_tasks_are_numbered_from_one_and_belong_to_the_plan():
    result = extract_text(PLAN.format(open="(", sep=",", close=")"))
    tasks = {f.arg("number"): f.arg("plan") for f in result.facts if f.kind == "task"}
    assert sorted(tasks) == [1, 2]
    assert {plan.key for plan in tasks.values()} == {"2021年认证工作要点"}


def test_tasks_numbered_again_under_each_heading_are_numbered_on():
    plan = ("2020年全省认证工作要点\n一、深化改革\n1.推进认证改革。(牵头单位:认证处)\n2.推进检测改革。(牵头单位:检测处)\n"
            "二、强化监管\n1.开展认证抽查。(牵头单位:监管处)\n2.打击数据造假。(牵头单位:稽查处)")
    lead, _ = units(plan)
    assert lead == {(1, "认证处"), (2, "检测处"), (3, "监管处"), (4, "稽查处")}


def test_tasks_a_provincial_section_is_not_made_a_unit_of_the_national_agency():
    facts = extract_text("2020年全省认证工作要点\n1.加强执法。(牵头单位:执法稽查局,配合单位:认证监管处)").facts
    parents = {f.arg("child").key.split("/")[-1]: f.arg("parent") for f in facts if f.kind == "sub_organization"}
    assert "认证监管处" not in parents
