from __future__ import annotations

from kg.pipeline import extract_text


def meeting_dates(text):
    """(meeting's canonical name, date): an edition of a series is keyed name/year, its name has no year."""
    result = extract_text(text)
    names = {e.ref: e.name for e in result.entities}
    return {(names[f.arg("meeting")], f.arg("date")) for f in result.facts if f.kind == "meeting_date"}


def test_dates_month_day_takes_the_year_of_the_text():
    text = "发布日期:2019-02-20\n1月10日,全国认证认可工作会议在京召开。"
    assert meeting_dates(text) == {("全国认证认可工作会议", "2019-01-10")}


def test_dates_month_day_after_publication_is_last_year():
    text = "发布日期:2019-02-20\n12月28日,全国质量监督工作会议在京召开。"
    assert meeting_dates(text) == {("全国质量监督工作会议", "2018-12-28")}


def test_dates_without_any_year_the_latest_year_named_counts():
    text = "会议总结了2014年工作,部署2015年任务。1月9日,全国认证认可工作会议召开。"
    assert meeting_dates(text) == {("全国认证认可工作会议", "2015-01-09")}


def test_dates_ordinal_annual_day_gives_the_year():
    assert meeting_dates("6月9日是第十一个“世界认可日”。") == {("世界认可日", "2018-06-09")}


def test_dates_year_of_the_title_line_beats_later_target_years():
    text = "2016年全国认证认可工作会议召开\n会议部署了到2020年的目标。1月12日,全国认证认可工作会议在京召开。"
    assert meeting_dates(text) == {("全国认证认可工作会议", "2016-01-12")}
