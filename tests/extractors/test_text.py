from __future__ import annotations

import pytest

from extractors.text import Sentences, cn_number, iso_date, read_name_after, read_name_before


@pytest.mark.parametrize("text, value", [("十八", 18), ("二十一", 21), ("十", 10), ("185", 185), ("三", 3),
                                         ("一百零五", 105), ("第五", None), ("", None)])
def test_text_cn_number(text, value):
    assert cn_number(text) == value


@pytest.mark.parametrize("text, length", [
    ("王建平出席会议", 3),     # three-character name, then a verb
    ("甘霖出席会议", 2),       # two-character name: 出 starts 出席
    ("李明、张华", 2),
    ("赵国强介绍情况", 3),
    ("高度重视", 0),           # 高 is a surname, but 高度重视 is no name
    ("的工作部署", 0),
])
def test_text_read_name_after(text, length):
    assert read_name_after(text, 0) == length


def test_text_read_name_before():
    text = "9月6日,李国平总理"
    assert read_name_before(text, text.index("总理")) == 3


def test_text_iso_date_rejects_impossible_values():
    assert iso_date(2018, 1, 16) == "2018-01-16"
    assert iso_date(2018, 13, 1) is None
    assert iso_date(None, 1, 1) is None
    assert iso_date(2017, 9) == "2017-09"


def test_text_sentences_split_on_full_stops_and_lines():
    text = "第一句。第二句\n第三句"
    sentences = Sentences(text)
    assert sentences.index(0) == sentences.index(2) != sentences.index(5)
    assert sentences.span(text.index("第三")) == (text.index("第三"), len(text))
