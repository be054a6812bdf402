"""Tests of kg.normalize: each stage on hand-made text, the index map, and the shared corpus."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.model import NormText
from kg.normalize import (
    BOILERPLATE_PATH,
    LONG_LINE,
    SPAM_PATH,
    detect_script,
    load_rules,
    normalize,
    to_simplified,
)

from kg.documents import read_document
from tests.conftest import CORPUS, EXAMPLES, EXAMPLES_GOLD, GOLD, require_shared

CORPUS_FILES = sorted(CORPUS.glob("*.txt"))
# The example corpus (always there) and the client's corpus (when ../shared is beside the checkout).
GOLD_TEXTS = [(p, EXAMPLES_GOLD) for p in sorted(EXAMPLES.iterdir())] + [(p, GOLD) for p in CORPUS_FILES]
RE_CLAUSE = re.compile(r"[^\n。,;!?]+")


def assert_map_valid(raw: str, norm: NormText) -> None:
    """Every character has a non-empty raw span, in order, inside ``raw``."""
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    assert all(0 <= s < e <= len(raw) for s, e in zip(norm.starts, norm.ends))
    assert list(norm.starts) == sorted(norm.starts)
    assert list(norm.ends) == sorted(norm.ends)


def assert_renormalises(raw: str, norm: NormText, start: int, end: int, *, html: bool = False) -> None:
    """The raw text behind a normalised span normalises to that span again."""
    raw_start, raw_end = norm.raw_span(start, end)
    assert normalize(raw[raw_start:raw_end], html=html).text == norm.text[start:end]


def raw_of(raw: str, norm: NormText, sub: str) -> str:
    """The raw text behind the first occurrence of ``sub`` in the normalised text."""
    i = norm.text.index(sub)
    start, end = norm.raw_span(i, i + len(sub))
    return raw[start:end]


# --- pinyin glosses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text_in", "expected"),
    [
        ("認證機構(gòu)應當依法開展活動", "认证机构应当依法开展活动"),
        ("召開工作會(huì )議", "召开工作会议"),
        ("相關(guān)部門(mén)協作", "相关部门协作"),
        ("推進（jìn）改革", "推进改革"),                       # full-width parentheses
        ("召開會（huì）議,講話（huà）", "召开会议,讲话"),
        ("培育壯大新業(yè)態(tài)", "培育壮大新业态"),
        ("綠(lǜ)色產品", "绿色产品"),                           # ü with a tone mark
        ("乾(qián)隆年間", "乾隆年间"),                      # a gloss left in would hide the phrase from t2s
    ],
)
def test_normalize_removes_pinyin_glosses(text_in: str, expected: str) -> None:
    norm = normalize(text_in)
    assert norm.text == expected
    assert_map_valid(text_in, norm)


@pytest.mark.parametrize(
    "text_in",
    [
        "深化国家质量技术基础(NQI)研究",
        "(牵头部门:认证部,协作部门:法律部)",
        "建设质量认证示范区(点)",
        "国务院印发意见(国发[2018]3号)",
        "各省质量技术监督局(市场监督管理部门)",
        "按照条款(a)执行",                                   # Latin without a tone mark is not a gloss
        "采用ISO(é)标准",                                    # not right after a CJK character
    ],
)
def test_normalize_keeps_ordinary_parentheses(text_in: str) -> None:
    assert normalize(text_in).text == to_simplified(text_in)
    assert "(" in normalize(text_in).text


def test_normalize_gloss_map_skips_the_gloss() -> None:
    raw = "第十個(gè)認可日"
    norm = normalize(raw)
    assert raw_of(raw, norm, "个认") == "個(gè)認"
    assert raw_of(raw, norm, "个") == "個"


# --- spam and boilerplate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text_in", "expected"),
    [
        ("严禁伪造、买卖认证abcd澳金沙门或者认证标志。", "严禁伪造、买卖认证或者认证标志。"),
        ("推行xpj新葡京有机产品认证。", "推行有机产品认证。"),
        ("加强js娱乐城检验检测机构监管。", "加强检验检测机构监管。"),
        ("开展认证vip6金沙国际活动。", "开展认证活动。"),
        ("推动澳门金沙认证结果采信。", "推动认证结果采信。"),
        ("金沙江流域企业开展认证。", "金沙江流域企业开展认证。"),      # a river, not a casino
        ("体育彩票销售场所服务认证。", "体育彩票销售场所服务认证。"),  # lottery policy is content
        ("降本增效金沙娛樂城vip8提供支撐。", "降本增效提供支撑。"),          # a brand with no Latin prefix
        ("線上賭場註冊即送彩金國家認監委召開會議。", "国家认监委召开会议。"),
        ("娱乐场所消防产品认证。", "娱乐场所消防产品认证。"),          # entertainment venues are content
    ],
)
def test_normalize_removes_inline_spam(text_in: str, expected: str) -> None:
    assert normalize(text_in).text == expected


BOILERPLATE_LINES = [
    "当前位置: 首页 » 新闻中心 » 正文",
    "您现在的位置:首页 > 政策法规",
    "首页 > 工作动态 > 正文",
    "放大字体  缩小字体",
    "打印本文 关闭窗口 返回顶部",
    "[ 网刊订阅 ]  [ 站内搜索 ]  [ ]  [ 告诉好友 ]  [ 打印本文 ]",
    "【打印】【关闭】",
    "推荐图文",
    "推荐认证资讯",
    "相关文章",
    "点击排行",
    "在线咨询",
    "分享:",
    "分享到: 微信 微博",
    "关键词: 认证 认可",
    "上一篇:关于召开会议的通知",
    "浏览次数: 1024",
    "微信公众号:认证同步,请扫描二维码关注。",
    "请关注公众号后留言或加客服微信abc-123为好友",
    "扫一扫二维码,关注我们",
    "某某认证网服务号",
    "联系电话:010-12345678",
    "电话/微信:13812345678",
    "传真:86-10-12345678 | |",
    "邮箱:info@example.com | |",
    "地址:北京市某某区某某路1号",
    "联系人:王老师",
    "  • 联系人",
    "  • 010-12345678",
    "010-12345678  13912345678",
    "https://www.example.com",
    "网站:http://www.example.cn | |",
    "service@example.org",
    "©2015-2021 京ICP备12345678号-1 某某公司 版权所有 网站建设服务商",
    "Copyright 2019 Example Ltd.",
    "京公网安备11010502000001号",
    "Processed in 0.512 second(s), 88 queries, Memory 3.1 M",
    "编辑:admin",
    "(责任编辑:)",
    "来源:网络",
    "某某服务部为您提供专业的体系认证咨询、标准备案、工厂审核等服务。",
    "欢迎来电咨询!",
    "|  |",
    "------",
]


@pytest.mark.parametrize("line", BOILERPLATE_LINES)
def test_normalize_drops_boilerplate_line(line: str) -> None:
    raw = f"第一段讲认证工作。\n{line}\n第二段讲认可工作。\n"
    norm = normalize(raw)
    assert norm.text == "第一段讲认证工作。\n第二段讲认可工作。\n"
    assert raw_of(raw, norm, "。\n第二") == f"。\n{line}\n第二"


@pytest.mark.parametrize(
    "line",
    [
        "2017年认证认可工作要点",
        "国家认监委",
        "2017年2月15日",
        "一、开展质量提升行动",
        "1.推行服务认证。(牵头部门:认可部,协作部门:科标部)",
        "(责任编辑:张三)",
        "来源:国家认监委",
        "会议要求各地用好微信公众号等新媒体平台。",
        "认证机构要为企业提供优质的认证服务。",
        "发布日期:2018-02-12",
        "推动检验检测认证服务业发展,推荐采用先进标准。",
        "技术支持能力明显增强。",
        "消费者可扫描二维码查询认证证书信息。",
    ],
)
def test_normalize_keeps_content_line(line: str) -> None:
    raw = f"第一段讲认证工作。\n{line}\n第二段讲认可工作。\n"
    assert normalize(raw).text == raw


def test_normalize_keeps_date_of_meta_line() -> None:
    raw = "标题\n放大字体  缩小字体 发布日期:2018-02-12  来源:某某杂志\n正文。"
    assert normalize(raw).text == "标题\n发布日期:2018-02-12\n正文。"


def test_normalize_drops_short_lines_between_footer_boilerplate() -> None:
    raw = "正文第一段,讲认证认可工作的总体要求。\n联系电话:010-1234567\n\n某某联盟\n\n某某管理\n关键词: 认证\n"
    assert normalize(raw).text == "正文第一段,讲认证认可工作的总体要求。\n"


def test_normalize_keeps_signature_and_date_at_the_end() -> None:
    raw = "请结合实际,认真遵照实施。\n国家认监委\n2017年2月15日\n联系电话:010-1234567\n"
    assert normalize(raw).text == "请结合实际,认真遵照实施。\n国家认监委\n2017年2月15日\n"


def test_normalize_keeps_short_title_under_breadcrumb() -> None:
    raw = "当前位置: 首页 > 新闻\n认证工作会议召开\n打印本文 关闭窗口\n会议部署了全年工作。\n"
    assert normalize(raw).text == "认证工作会议召开\n会议部署了全年工作。\n"


# --- HTML -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html_in", "expected", "char", "raw_char"),
    [
        ("<p>认证&amp;认可</p>", "\n认证&认可\n", "&", "&amp;"),
        ("国&#23478;认监委", "国家认监委", "家", "&#23478;"),
        ("国&#x5BB6;认监委", "国家认监委", "家", "&#x5BB6;"),
        ("认证&nbsp;认可", "认证 认可", " ", "&nbsp;"),
        ("a &lt; b", "a < b", "<", "&lt;"),
        ("第一行<br/>第二行", "第一行\n第二行", "\n", "<br/>"),
        ("<div>认证</div><div>认可</div>", "\n认证\n\n认可\n", "认", "认"),
        ("<span>认</span><b>证</b>", "认证", "证", "证"),
        ("<script>var a = '认证';</script>正文", "正文", "正", "正"),
        ("<style>p { color: red }</style>正文", "正文", "正", "正"),
        ("<!-- 注释 -->正文", "正文", "正", "正"),
        ("<head><title>标题</title></head><body>正文</body>", "正文", "正", "正"),
        ("<!DOCTYPE html><html><body><h1>标题</h1></body></html>", "\n标题\n", "标", "标"),
        ("<td>认证</td><td>认可</td>", " 认证  认可 ", "认", "认"),
        ("<p>\n  認證\n</p>", "\n 认证 \n", "认", "認"),
        ("&unknown; 文本", "&unknown; 文本", "&", "&"),
    ],
)
def test_normalize_html_maps_entities_and_tags(html_in: str, expected: str, char: str, raw_char: str) -> None:
    norm = normalize(html_in, html=True)
    assert norm.text == expected
    assert_map_valid(html_in, norm)
    assert raw_of(html_in, norm, char) == raw_char


def test_normalize_html_drops_boilerplate_blocks() -> None:
    html_in = "<div>当前位置: 首页 &raquo; 新闻</div><p>认证工作会议召开。</p><div>版权所有 &copy; 2020</div>"
    assert normalize(html_in, html=True).text.strip() == "认证工作会议召开。"


# --- NFKC, whitespace, Traditional ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text_in", "expected"),
    [
        ("㈱认证", "(株)认证"),
        ("ISO9001认证", "ISO9001认证"),
        ("认证,认可:(一)", "认证,认可:(一)"),
        ("认证\u3000认可\u00a0机构", "认证 认可 机构"),
        ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),
        ("认\u200b证\ufeff", "认证"),
        ("国发〔2018〕3号", "国发〔2018〕3号"),
    ],
)
def test_normalize_nfkc_and_whitespace(text_in: str, expected: str) -> None:
    norm = normalize(text_in)
    assert norm.text == expected
    assert_map_valid(text_in, norm)


def test_normalize_nfkc_expansion_maps_to_the_one_raw_char() -> None:
    norm = normalize("㈱认证")
    assert [norm.raw_span(i, i + 1) for i in range(3)] == [(0, 1)] * 3
    assert norm.raw_span(3, 5) == (1, 3)


@pytest.mark.parametrize(
    ("text_in", "expected"),
    [
        ("國家認證認可監督管理委員會", "国家认证认可监督管理委员会"),
        ("質量技術監督局(市場監督管理部門)", "质量技术监督局(市场监督管理部门)"),
        ("(牽頭部門:認證部,協作部門:法律部)", "(牵头部门:认证部,协作部门:法律部)"),
        ("推進「同線同標同質」工程", "推进“同线同标同质”工程"),
    ],
)
def test_normalize_converts_traditional(text_in: str, expected: str) -> None:
    norm = normalize(text_in)
    assert norm.text == expected
    assert list(norm.starts) == list(range(len(text_in)))


class LengthChangingConverter:
    """Stands in for OpenCC: shrinks 甲乙 to 丙 and grows 丁 to 戊己, as a phrase table might."""

    def convert(self, text: str) -> str:
        return text.replace("甲乙", "丙").replace("丁", "戊己")


def test_normalize_maps_length_changing_t2s_proportionally(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.normalize

    monkeypatch.setattr(kg.normalize, "T2S", LengthChangingConverter())
    raw = "一甲乙二\n三丁四\n五六\n甲乙丁\n"
    norm = normalize(raw)
    assert norm.text == "一丙二\n三戊己四\n五六\n丙戊己\n"
    assert_map_valid(raw, norm)
    assert raw_of(raw, norm, "一") == "一"
    assert raw_of(raw, norm, "丙") == "甲乙"
    assert raw_of(raw, norm, "戊己") == "丁"
    assert raw_of(raw, norm, "四\n五六") == "四\n五六"
    assert raw_of(raw, norm, "丙戊己") == "甲乙丁"   # two changes in one line: mapped proportionally


@pytest.mark.parametrize(
    ("text_in", "expected"),
    [
        ("國家認監委發布認證認可工作要點", "zh-Hant"),
        ("国家认监委发布认证认可工作要点", "zh-Hans"),
        ("6月9日是第十個(gè)世界認可日", "zh-Hant"),
        ("ISO 9001", "zh-Hans"),
    ],
)
def test_detect_script(text_in: str, expected: str) -> None:
    assert detect_script(text_in) == expected


@pytest.mark.parametrize(
    ("text_in", "expected"),
    [
        ("國家認監委", "国家认监委"),
        ("認證機構(gòu)", "认证机构"),
        ("ＣＮＣＡ", "CNCA"),
        ("國發〔2018〕3號", "国发〔2018〕3号"),
    ],
)
def test_to_simplified(text_in: str, expected: str) -> None:
    assert to_simplified(text_in) == expected


def test_normalize_empty_text() -> None:
    assert normalize("") == NormText("", (), ())


# --- pattern files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [BOILERPLATE_PATH, SPAM_PATH], ids=lambda p: p.name)
def test_pattern_file_every_pattern_has_a_comment(path: Path) -> None:
    previous = ""
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            assert previous.startswith("#"), f"{path.name}:{lineno}: pattern without a comment line above it"
        previous = line


def test_load_rules_compiles_every_kind() -> None:
    rules = load_rules()
    assert rules.line is not None and rules.contains and rules.inline
    assert load_rules() is rules


# --- a flattened page: one line ---------------------------------------------------------------------

PAGE = [
    "首页 > 新闻中心 > 正文",
    "全省认证认可工作会议在江城召开",
    "3月12日,全省认证认可工作会议在江城召开。",
    "会议由省市场监管局副局长石牧原主持,局长柯听澜出席会议并讲话。",
    "会议指出,过去一年全省新增获证组织1200家,认证有效证书突破3万张。",
    "会议要求,各地要加快推进检验检测机构资质认定改革,持续提升认证有效性。",
    "会议强调,要坚持以质量提升为主线,深化认证认可国际合作。",
    "扫一扫二维码关注我们,加微信好友咨询,版权所有 江城市场监管网 江ICP备12345678号",
    "会上,十家单位作了交流发言,与会代表进行了分组讨论。",
]
CONTENT = [PAGE[i] for i in (3, 4, 5, 6, 8)]


def test_normalize_flattened_page_loses_the_noise_not_the_text() -> None:
    """A page whose text sits on one line: one spam or footer phrase no longer empties it."""
    flat = " ".join(PAGE)
    assert "\n" not in flat and len(flat) > LONG_LINE
    norm = normalize(flat)
    for sentence in CONTENT:
        assert sentence in norm.text
    for noise in ("版权所有", "ICP", "二维码", "首页 >"):
        assert noise not in norm.text
    assert_map_valid(flat, norm)
    for sentence in CONTENT:
        assert raw_of(flat, norm, sentence) == sentence
    html = "<html><body><div>" + "".join(PAGE) + "</div></body></html>"   # not even a blank between
    text = normalize(html, html=True).text
    assert all(sentence in text for sentence in CONTENT[:-1]) and "十家单位作了交流发言" in text


def test_normalize_flattened_page_inline_tail_stops_at_its_sentence() -> None:
    """The `来源: …` meta tail runs to the end of its line; in a flattened page to the end of its sentence."""
    flat = "2024-03-12 来源:江城日报 编辑:郁青禾。" + " ".join(CONTENT) * 3
    norm = normalize(flat)
    assert "江城日报" not in norm.text and CONTENT[0] in norm.text


def test_normalize_counts_removed_text_and_warns_when_it_is_most_of_it() -> None:
    from kg.normalize import removed_warning

    page = "\n".join(["首页 > 新闻中心"] + ["返回顶部 | 打印本页 | 关闭窗口"] * 40 + [CONTENT[0]])
    norm = normalize(page)
    assert norm.removed > 0.5 * len(page)
    warning = removed_warning(norm, "nav.html")
    assert warning and "nav.html" in warning and "removed" in warning
    assert removed_warning(normalize("\n".join(CONTENT * 3)), "ok.txt") is None


def test_build_reports_a_text_mostly_removed(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "nav.txt").write_text("\n".join(["返回顶部 | 打印本页 | 关闭窗口"] * 40 + CONTENT[:1]),
                                            encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "c"), "--out", str(tmp_path / "out"), "--no-html"])
    assert result.exit_code == 0, result.output
    assert "warning: " in result.output and "nav.txt" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(report["warnings"]) == 1 and "nav.txt" in report["warnings"][0]


# --- texts with gold annotations: examples/corpus, and ../shared/corpus when it is there -------------


def read_gold(path: Path) -> dict:
    gold = EXAMPLES_GOLD if path.parent == EXAMPLES else GOLD
    return json.loads((gold / f"{path.stem}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=[p for p, _ in GOLD_TEXTS], ids=lambda p: p.stem[:12])
def corpus_doc(request) -> tuple[Path, str, NormText]:
    path = request.param
    document = read_document(path)
    return path, document.raw_text, normalize(document.raw_text, html=document.media_type == "text/html")


@pytest.fixture(scope="module", params=CORPUS_FILES or [None], ids=lambda p: p.name[:3] if p else "absent")
def client_doc(request) -> tuple[Path, str, NormText]:
    """A text of ../shared/corpus: its boilerplate is what the noise rules were written against."""
    if request.param is None:
        require_shared()
    raw = request.param.read_text(encoding="utf-8")
    return request.param, raw, normalize(raw)


def test_corpus_is_present() -> None:
    require_shared()
    assert len(CORPUS_FILES) == 5, f"expected the five corpus files in {CORPUS}"


def test_normalize_corpus_map_is_valid(corpus_doc) -> None:
    _, raw, norm = corpus_doc
    assert_map_valid(raw, norm)


def test_normalize_corpus_lines_and_clauses_renormalise(client_doc) -> None:
    _, raw, norm = client_doc
    spans = [m.span() for m in re.finditer(r"[^\n]+", norm.text)]
    spans += [m.span() for m in RE_CLAUSE.finditer(norm.text)]
    assert spans
    for start, end in spans:
        assert_renormalises(raw, norm, start, end)


def test_normalize_corpus_mentions_renormalise(corpus_doc) -> None:
    path, raw, norm = corpus_doc
    mentions = {m for entity in read_gold(path)["entities"] for m in entity["mentions"]}
    for mention in mentions:
        for match in re.finditer(re.escape(mention), norm.text):
            assert_renormalises(raw, norm, *match.span())


def test_normalize_corpus_drops_gold_noise(client_doc) -> None:
    path, _, norm = client_doc
    surviving = [noise for noise in read_gold(path)["noise"] if to_simplified(noise) in norm.text]
    assert surviving == []


def test_normalize_corpus_keeps_every_gold_mention(corpus_doc) -> None:
    path, raw, norm = corpus_doc
    plain = to_simplified(raw)
    mentions = {m for entity in read_gold(path)["entities"] for m in entity["mentions"]}
    counts = {m: (norm.text.count(m), plain.count(m)) for m in mentions}
    if path.suffix == ".html":   # markup, <head> and menus repeat names: every mention survives at least once
        assert [m for m, (kept, _) in counts.items() if not kept] == []
        return
    assert {m: c for m, c in counts.items() if c[0] != c[1] or c[1] == 0} == {}


def test_normalize_corpus_keeps_task_units() -> None:
    require_shared()
    raw = next(p for p in CORPUS_FILES if p.name.startswith("004")).read_text(encoding="utf-8")
    text, plain = normalize(raw).text, to_simplified(raw)
    for word in ("牵头部门", "协作部门", "国家认监委", "2017年2月15日"):
        assert text.count(word) == plain.count(word) > 0


def test_normalize_corpus_title_survives(corpus_doc) -> None:
    path, _, norm = corpus_doc
    title = read_gold(path)["title"]
    if title:
        assert title in norm.text
