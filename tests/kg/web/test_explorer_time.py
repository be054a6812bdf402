"""kg.web.explorer and time: the dates of entities and facts, editions of a meeting series, relation kinds.

Built from the invented texts of different years in tests/conftest.py (YEARS_TEXTS)."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from kg.web.explorer import POST_KIND, graph_view, open_store, relation_kind, write_html
from tests.browser.conftest import the
from tests.kg.web.test_explorer import embedded

SERIES = "全国蓝莓检测工作会议"


@pytest.fixture(scope="module")
def years_graph(years_build: Path) -> nx.MultiDiGraph:
    return graph_view(open_store(years_build / "store"))


def edition(graph: nx.MultiDiGraph, year: str) -> str:
    return the(graph, f"{year}年{SERIES}")


def edge(graph: nx.MultiDiGraph, source: str, target: str) -> dict:
    [attrs] = graph.get_edge_data(the(graph, source), the(graph, target)).values()
    return attrs


def test_explorer_time_an_entity_has_its_own_dates_and_those_of_the_texts_that_mention_it(years_graph) -> None:
    assert years_graph.nodes[the(years_graph, "郑一鸣")]["dates"] == ["2013-01-20"]           # the text's date
    assert years_graph.nodes[edition(years_graph, "2013")]["dates"] == ["2013-01-18", "2013-01-20"]  # held, text
    assert years_graph.nodes[the(years_graph, "食品")]["dates"] == ["2013-01-20", "2021-05-10"]
    assert years_graph.nodes[the(years_graph, "物流")]["dates"] == []                          # only an undated text


def test_explorer_time_a_text_without_a_date_is_dated_by_the_meeting_it_reports(years_graph) -> None:
    assert years_graph.nodes[the(years_graph, "孙三木")]["dates"] == ["2016-01-12"]


def test_explorer_time_a_fact_has_the_dates_of_the_texts_that_state_it(years_graph) -> None:
    applies = edge(years_graph, "有机产品认证", "食品")         # both named in 2013, the fact only stated in 2021
    assert (applies["docs"], applies["dates"]) == (["c2021"], ["2021-05-10"])
    post = edge(years_graph, "钱二青", "国家认证认可监督管理委员会")
    assert (post["dates"], relation_kind(post)) == (["2018-01-17"], POST_KIND)
    assert edge(years_graph, "绿色产品认证", "物流")["dates"] == []


def test_explorer_time_each_edition_of_a_series_is_its_own_node(years_graph) -> None:
    editions = sorted(n for n, a in years_graph.nodes(data=True) if a["label"] == SERIES)
    assert len(editions) == 3 and len({edition(years_graph, y) for y in ("2013", "2016", "2018")}) == 3


def test_explorer_time_page_carries_years_kinds_and_edition_labels(years_graph, tmp_path: Path) -> None:
    html_path = tmp_path / "g.html"
    write_html(years_graph, html_path)
    html = html_path.read_text(encoding="utf-8")
    nodes = {n["id"]: n for n in embedded(html, "kg-nodes")}
    meta = embedded(html, "kg-meta")
    assert meta["time"]["years"] == [2013, 2021] and meta["time"]["undated_nodes"] == 2
    kinds = {k["name"]: k for k in meta["time"]["relation_kinds"]}
    assert kinds[POST_KIND]["en"] == "post" and kinds[POST_KIND]["count"] == 3 and kinds["适用"]["en"] == "applies to"
    food = nodes[the(years_graph, "食品")]
    assert (food["years"], food["first"], food["last"], food["texts"]) == ([2013, 2021], "2013-01-20", "2021-05-10", 2)
    assert nodes[edition(years_graph, "2018")]["label"] == f"{SERIES}（2018）"
    assert nodes[edition(years_graph, "2018")]["edition"] == "2018" and "edition" not in food
    assert nodes[edition(years_graph, "2018")]["display"]["en"].endswith("（2018）")
    assert nodes[the(years_graph, "物流")]["years"] == [] and nodes[the(years_graph, "物流")]["first"] == ""
    drawn = embedded(html, "kg-edges")
    food_edge = next(e for e in drawn if e["from"] == the(years_graph, "有机产品认证") and e["to"] == food["id"])
    assert (food_edge["years"], food_edge["kinds"]) == ([2021], ["适用"])
    assert 'id="year-from"' in html and 'min="2013"' in html and "Undated entities and facts stay visible" in html
