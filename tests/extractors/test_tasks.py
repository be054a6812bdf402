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
