"""kg.paths and `ccakg path`: shortest paths between two entities, with the evidence of each step."""
from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.documents import read_document
from kg.paths import shortest_paths, steps_of

runner = CliRunner()
CHEN, SAMR, STATE_COUNCIL = "陈立新", "国家市场监督管理总局", "国务院"


def chain() -> nx.MultiDiGraph:
    """a → b ← c → d, and a second way a → e → d; x stands alone."""
    graph = nx.MultiDiGraph()
    for node in "abcdex":
        graph.add_node(node, label=node.upper())
    for u, v in (("a", "b"), ("c", "b"), ("c", "d"), ("a", "e"), ("e", "d")):
        graph.add_edge(u, v, key="r", label="r")
    graph.add_edge("d", "e", key="s", label="s")
    return graph


def test_paths_shortest_paths_ignore_direction_and_keep_all_of_the_shortest_length() -> None:
    assert shortest_paths(chain(), ["a"], ["c"]) == [["a", "b", "c"]]
    assert shortest_paths(chain(), ["a"], ["d"]) == [["a", "e", "d"]]
    assert shortest_paths(chain(), ["b"], ["e"]) == [["b", "a", "e"]]
    assert shortest_paths(chain(), ["b"], ["d"]) == [["b", "c", "d"]]
    assert shortest_paths(chain(), ["b", "x"], ["d", "e"]) == [["b", "a", "e"], ["b", "c", "d"]]


def test_paths_shortest_paths_respect_max_len_limit_and_unreachable() -> None:
    assert shortest_paths(chain(), ["a"], ["c"], max_len=1) == []
    assert shortest_paths(chain(), ["a"], ["x"]) == []
    assert len(shortest_paths(chain(), ["b", "x"], ["d", "e"], limit=1)) == 1


def test_paths_steps_list_every_relation_with_its_direction() -> None:
    [a_e, e_d] = steps_of(chain(), ["a", "e", "d"])
    assert [(r["label"], r["forward"]) for r in a_e.relations] == [("r", True)]
    assert sorted((r["label"], r["forward"]) for r in e_d.relations) == [("r", True), ("s", False)]


def run(build, *args: str):
    out, _ = build
    return runner.invoke(cli, ["path", *args, "--store", str(out / "store")])


def test_cli_path_prints_each_step_with_relation_and_evidence(examples_build) -> None:
    result = run(examples_build, CHEN, SAMR)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{CHEN} → {SAMR}: 3 shortest paths of 3 steps"
    assert f"path 1: {CHEN} · 全国认证认可工作会议 · 林国平 · {SAMR}" in lines
    assert f"  1. {CHEN} —出席/讲话→ 全国认证认可工作会议" in lines
    assert f"  3. 林国平 —副局长→ {SAMR}" in lines
    # every step is followed by one quote with the text's title and date, not only its id
    evidence = [line for line in lines if line.startswith("       “")]
    assert len(evidence) == 9 and all("2019年全国认证认可工作会议在京召开, 2019-01-17" in line for line in evidence)


def test_cli_path_finds_names_in_any_script(examples_build) -> None:
    simplified = run(examples_build, CHEN, SAMR)
    traditional = run(examples_build, "陳立新", "國家市場監督管理總局")
    assert traditional.exit_code == 0 and traditional.output == simplified.output


def test_cli_path_json_has_nodes_steps_and_evidence_in_the_raw_text(examples_build) -> None:
    result = run(examples_build, CHEN, SAMR, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["length"] == 3 and len(data["paths"]) == 3
    assert [n["label"] for n in data["from"]] == [CHEN] and [n["label"] for n in data["to"]] == [SAMR]
    for path in data["paths"]:
        assert path["nodes"][0]["label"] == CHEN and path["nodes"][-1]["label"] == SAMR
        assert len(path["steps"]) == 3
        for step in path["steps"]:
            for relation in step["relations"]:
                ev = relation["evidence"]
                assert ev["title"] and ev["date"] == "2019-01-17"
                assert read_document(ev["path"]).raw_text[ev["start"]:ev["end"]] == ev["quote"]


def test_cli_path_no_path_fails_with_a_clear_message(examples_build) -> None:
    result = run(examples_build, CHEN, STATE_COUNCIL)
    assert result.exit_code == 1
    assert f"no path between '{CHEN}' and '{STATE_COUNCIL}'" in result.output


def test_cli_path_too_short_max_len_says_how_long_the_shortest_is(examples_build) -> None:
    result = run(examples_build, CHEN, SAMR, "--max-len", "2")
    assert result.exit_code == 1
    assert "no path of at most 2 steps" in result.output and "the shortest has 3 steps" in result.output


@pytest.mark.parametrize("names", [("没有这个机构", SAMR), (CHEN, "没有这个机构")])
def test_cli_path_unknown_name_fails_naming_it(examples_build, names: tuple[str, str]) -> None:
    result = run(examples_build, *names)
    assert result.exit_code == 1 and "no entity named '没有这个机构'" in result.output


def test_cli_path_missing_store_is_a_usage_error(tmp_path) -> None:
    result = runner.invoke(cli, ["path", CHEN, SAMR, "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "nowhere" in result.output
