"""Document numbers belong to the title they follow, never to one written after them."""
from kg.pipeline import extract_text


def doc_ids(text):
    result = extract_text(text)
    return sorted((f.arg("document").key, f.arg("identifier")) for f in result.facts if f.kind == "doc_id")


def test_number_goes_to_the_title_before_it_only():
    text = "现将《关于开展质量提升行动的通知》(国认证〔2020〕5号)印发给你们,并将《产品认证目录》一并转发。"
    assert doc_ids(text) == [("关于开展质量提升行动的通知", "国认证〔2020〕5号")]


def test_number_on_the_line_after_a_title_line():
    text = "市场监管总局关于调整产品认证目录的公告\n2020年第12号\n为落实有关要求,现公告如下。"
    ids = doc_ids(text)
    assert [number for _, number in ids] == ["2020年第12号"]
    assert ids[0][0].endswith("关于调整产品认证目录的公告")
