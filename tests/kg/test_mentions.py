"""Identity of what a text mentions: each edition of a recurring meeting is its own entity."""
from __future__ import annotations

import pyoxigraph as ox

from kg.pipeline import build, extract_text
from kg.rdf import iri, lexicon_id

# Invented texts: one series of conferences, two editions, and a text that names the series without a date.
EDITION_2031 = "2031年全国蓝莓检测工作会议在京召开\n1月10日,2031年全国蓝莓检测工作会议在京召开。"
EDITION_2036 = "2036年全国蓝莓检测工作会议在杭州召开\n3月2日,全国蓝莓检测工作会议在杭州召开。"
UNDATED = "各地要落实全国蓝莓检测工作会议的部署。"
SERIES = "全国蓝莓检测工作会议"


def meetings(text: str):
    return [e for e in extract_text(text).entities if e.ref.type == "Meeting"]


def test_mentions_an_edition_is_keyed_by_the_year_of_its_date_or_of_its_name() -> None:
    [named] = meetings(EDITION_2031)
    [dated] = meetings(EDITION_2036)          # the year in the title makes it a series; the body's mention joins it
    [series] = meetings(UNDATED)
    [one_off] = meetings("3月2日,全国蓝莓检测工作会议在杭州召开。2036年")   # no year in its name, not in the lexicon
    assert (named.ref.key, named.edition, named.name) == (f"{SERIES}/2031", "2031", SERIES)
    assert (dated.ref.key, dated.edition) == (f"{SERIES}/2036", "2036")
    assert (series.ref.key, series.edition) == (SERIES, None)
    assert one_off.edition is None
    assert f"2036年{SERIES}" in dated.aliases
    assert len({iri(e.ref, lexicon_id(e)) for e in (named, dated, series)}) == 3


def test_mentions_a_recurring_lexicon_meeting_is_split_per_edition_by_its_date() -> None:
    texts = ["2031年1月18日,全国认证认可工作会议在京召开。", "2036年1月16日,全国认证认可工作会议在京召开。"]
    editions = [next(e for e in meetings(t) if e.name == "全国认证认可工作会议") for t in texts]
    assert [e.edition for e in editions] == ["2031", "2036"]
    assert lexicon_id(editions[0]) is None     # the entry's frozen IRI is the series', not an edition's
    assert iri(editions[0].ref) != iri(editions[1].ref)


def test_mentions_two_editions_in_two_texts_are_two_meetings_in_the_store(tmp_path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    for name, text in (("a", EDITION_2031), ("b", EDITION_2036), ("c", UNDATED)):
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    build([corpus], tmp_path / "out", html=False)
    store = ox.Store.read_only(str(tmp_path / "out" / "store"))
    rows = store.query(f"""
        SELECT ?m (SAMPLE(STR(?d)) AS ?date) WHERE {{
          ?m a <https://w3id.org/ccakg/ontology#Meeting> ;
             <http://www.w3.org/2004/02/skos/core#prefLabel> "{SERIES}"@zh-Hans .
          OPTIONAL {{ ?m <http://schema.org/startDate> ?d }} }} GROUP BY ?m""", use_default_graph_as_union=True)
    dates = sorted(str(row["date"].value) if row["date"] else "" for row in rows)
    assert dates == ["", "2031-01-10", "2036-03-02"]
