"""Texts far longer than a policy text: a scraped dump or a page flattened to one line."""
from __future__ import annotations

from kg.model import NormText
from kg.normalize import normalize
from kg.pipeline import PIECE_CHARS, extract_text, pieces

SENTENCE = "国家认监委主任王建平出席全国认证认可工作会议并讲话。"


def test_pieces_cut_at_sentence_ends_and_keep_the_raw_map() -> None:
    raw = "甲乙丙。" * 10 + "丁" * 25
    norm = normalize(raw)
    parts = pieces(norm, 10)
    assert "".join(p.text for p in parts) == norm.text
    assert all(len(p.text) <= 10 for p in parts)
    assert [p.text for p in parts[:2]] == ["甲乙丙。甲乙丙。", "甲乙丙。甲乙丙。"]
    offset = 0
    for part in parts:
        assert part.starts == norm.starts[offset:offset + len(part.text)]
        start, end = part.raw_span(0, len(part.text))
        assert raw[start:end] == part.text
        offset += len(part.text)


def test_a_text_no_longer_than_a_piece_is_read_whole() -> None:
    norm = NormText("一二三", (0, 1, 2), (1, 2, 3))
    assert pieces(norm, 3) == [norm]


def test_a_text_beyond_the_nlp_length_limit_on_one_line_is_read_to_its_end() -> None:
    filler = "各地认真做好有关工作。" * 400
    raw = filler * ((1_100_000 // len(filler)) + 1) + "国家认监委副主任陈立新主持会议。"   # one line, > 1,000,000
    assert "\n" not in raw and len(raw) > 1_000_000 > PIECE_CHARS
    result = extract_text(raw, doc_id="long")
    people = {e.name for e in result.entities if e.ref.type == "Person"}
    assert people == {"陈立新"}
    last = [p for _, p in result.mentions if p.quote == "陈立新"]
    assert last and raw[last[0].start:last[0].end] == "陈立新" and last[0].start > 1_000_000
    assert any(f.kind == "membership" for f in result.facts)


def test_an_entity_named_in_several_pieces_is_one_entity_with_every_surface(monkeypatch) -> None:
    import kg.pipeline

    raw = (SENTENCE + "各地认真做好有关工作。" * 30) * 4
    whole = extract_text(raw, doc_id="whole")
    monkeypatch.setattr(kg.pipeline, "PIECE_CHARS", 300)
    cut = extract_text(raw, doc_id="whole")
    assert len(pieces(normalize(raw), 300)) >= 4
    assert {e.ref for e in cut.entities} == {e.ref for e in whole.entities}
    assert len(cut.entities) == len(whole.entities)
    assert {p for _, p in cut.mentions} == {p for _, p in whole.mentions}
    assert {(f.kind, f.args) for f in cut.facts} == {(f.kind, f.args) for f in whole.facts}
