"""Policy documents: 《》 titles, their issuers (印发/发布/出台, title prefixes, signatures) and numbers."""
from __future__ import annotations

import re
from collections import Counter

from extractors.context import ORG_TYPES, DocContext
from extractors.entities import CODE_SOURCES
from extractors.dates import date_before, reference_date, resolve
from extractors.records import EntityInfo, Hit, in_text_order
from extractors.text import head_lines

# between an issuer and its title: an abbreviation in brackets, 等N家部委, a date, a place, adverbs, the verb
RE_ISSUE_GAP = re.compile(r"^[\s,)]*(?:\([A-Za-z]{2,10}\))?(?:等\d{1,2}家(?:部委|部门|单位))?\s*"
                          r"(?:于?(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?|(?:昨日|昨天|今日|今天|日前|近日)(?:\(\d{1,2}日\))?)?(?:在[\u4e00-\u9fff]{1,6}?)?"
                          r"(?:当日|同日|近日|日前|正式|联合|今天|今日|专门|共同|重新|分别|还|又|也)*(?:组织)?"
                          r"(?:研究制定并|制定并|制定)?"
                          r"(?:印发|发布|出台|颁布|下发|公布|制定|发出|修订|签署|签订|续签|联合发布)(?:了|的)?\s*$")
RE_JOINER = re.compile(r"^(?:[、\s和与及()]|会同|联合|同|分别与)*$")
# 作题为《X》的主旨报告: a speech's title is no document (a titled work report is one)
RE_SPEECH_TITLE_AFTER = re.compile(r"的(?!工作报告)[\u4e00-\u9fff]{0,4}(?:报告|讲话|辅导|演讲|致辞|发言|授课|讲座|讲课)")
RE_SPEECH_TITLE_BEFORE = re.compile(r"(?:题为|题目为|主题为)$")
RE_TITLE_JOINER = re.compile(r"\s*[、和及与]\s*$")
RE_NESTED = re.compile(r"关于(?:印发|发布|转发)(?P<inner>[^《》]{2,60}?|《[^《》]{2,60}》)的(?:通知|通告|决定)$")
RE_SPEECH = re.compile(r"题为《[^《》]+》的(?:工作)?报告")
RE_ON_BEHALF = re.compile(r"代表(?P<org>[\u4e00-\u9fff]{2,20}?)(?:作|向|在|发表)")
RE_PLAN_TITLE = re.compile(r"(?:工作要点|工作计划|实施方案|行动计划|行动方案|工作方案|规划|要点|统计公报|公报|白皮书)$")
RE_TITLE_LINE = re.compile(r"^(?P<title>(?:[^,。;:!?《》]|《[^《》]{2,80}》){0,60}?关于(?:[^,。;:!?《》]|《[^《》]{2,80}》){2,80}?"
                           r"(?:通知|公告|通告|通报|意见|决定|办法|规定|方案|批复|函|要点|计划|规划|纲要|报告))"
                           r"\s*(?:\((?P<number>[^()]{4,30})\))?$")
ABBREVIATION_MAX = 4
NUMBERS_NAMING_ISSUERS = ("rx:doc-number-decree", "rx:doc-number-announcement")   # X令第N号, X公告YYYY年第N号
# between a title and its number: brackets, or the body that announced it (《X》(国家认监委公告2019年第3号))
RE_NUMBER_GAP = re.compile(r"》?\s*[(\[【]?\s*(?:(?P<issuer>[\u4e00-\u9fff]{2,16}?)(?:公告|令))?")


def add_documents(ctx: DocContext) -> None:
    """PolicyDocument mentions for titles, with issued and doc_id relations."""
    titles = ctx.cue("DocTitle")
    shared: list[Hit] = []
    titles = [t for t in titles if not _speech_title(ctx, t) and not RE_CHROME_TITLE.search(t.name)]
    unsigned: list[tuple[Hit, Hit]] = []
    for index, title in enumerate(titles):
        issuers, prefixed = _issuers(ctx, title)
        if not issuers and index and RE_TITLE_JOINER.match(ctx.text, titles[index - 1].end + 1, title.start - 1):
            issuers = shared              # X发布《A》和《B》: B has A's issuers
        shared = [] if prefixed else issuers
        name = _canonical(ctx, title, titles, issuers, prefixed)
        doc = _document_hit(ctx, title, name)
        for issuer in issuers:
            ctx.relate("issued", {"organization": issuer.key, "document": doc.key,
                                  "date": _issue_date(ctx, title)},
                       min(issuer.start, title.start - 1), title.end + 1, "rx:issued-verb")
        _nested_document(ctx, title)
        _doc_number(ctx, title, doc)
        if not issuers:
            unsigned.append((title, doc))
    line_doc = _document_line(ctx)
    _own_issuer(ctx, unsigned, line_doc)
    _decree_cover(ctx, titles)
    _signature(ctx, titles)
    _speech_reports(ctx, titles)
    _board_reports(ctx)
    _named_lists(ctx, titles)
    _standard_codes(ctx, titles)


# 三、同时发布《X》, 现印发《X》: a verb with no subject in a notice is the notice's own issuers' act
RE_SUBJECTLESS = re.compile(r"(?:^|[,。;:\s])(?:[一二三四五六七八九十]{1,3}、)?(?:同时|现|现将|一并|并|另行)?"
                            r"(?:发布|印发|公布|制定)(?:了)?$")


def _own_issuer(ctx: DocContext, unsigned: list[tuple[Hit, Hit]], line_doc: Hit | None) -> None:
    if line_doc is None:
        return
    issuers = [dict(r.args)["organization"] for r in ctx.relations
               if r.kind == "issued" and dict(r.args).get("document") == line_doc.key]
    for title, doc in unsigned:
        sent_start, _ = ctx.sentences.span(title.start)
        if doc.key == line_doc.key or not RE_SUBJECTLESS.search(ctx.text, max(0, sent_start - 1), title.start - 1):
            continue
        for issuer in issuers:
            ctx.relate("issued", {"organization": issuer, "document": doc.key, "date": ctx.meta.get("published")},
                       title.start - 1, title.end + 1, "rx:issued-own")


def _decree_cover(ctx: DocContext, titles: list[Hit]) -> None:
    """国家市场监督管理总局令 第82号 / 《X》已经…通过,现予公布: the decree's number and body are X's; the date is
    the date line that closes the cover."""
    for number in (c for c in ctx.cue("DocNumber") if c.source == "rx:doc-number-decree"):
        title = next((t for t in titles if t.start > number.end and not ctx.text[number.end:t.start - 1].strip()), None)
        if title is None:
            continue
        doc = _document_hit(ctx, title, title.name)
        ctx.relate("doc_id", {"document": doc.key, "identifier": number.name}, number.start, title.end + 1,
                   number.source)
        date = next((resolve(ctx, c) for c in ctx.cue("Date") if c.start > title.end and _alone_on_line(ctx.text, c)),
                    ctx.meta.get("published"))
        for issuer in ctx.in_span(number.start, number.end, "Agency"):
            ctx.relate("issued", {"organization": issuer.key, "document": doc.key, "date": date},
                       number.start, title.end + 1, "rx:issued-decree")


# 第六届理事会工作报告, 代表第一届监事会所作的工作报告: the report of an association's board
RE_BOARD_REPORT = re.compile(r"(?P<board>第[一二三四五六七八九十\d]{1,3}届(?:理事会|监事会))(?P<made>所作的)?工作报告")
RE_ASSOCIATION = re.compile(r"(?:协会|学会|联合会|研究会|商会)$")


def _board_reports(ctx: DocContext) -> None:
    associations = Counter(h.key for h in ctx.of_type("Organization") if RE_ASSOCIATION.search(h.name))
    if not associations:
        return
    owner = associations.most_common(1)[0][0]
    for match in RE_BOARD_REPORT.finditer(ctx.text):
        if ctx.in_span(match.start(), match.end(), "PolicyDocument"):
            continue
        start = match.end() - 4 if match.group("made") else match.start()
        name = f"{owner[1]}{match.group('board')}工作报告"
        doc = ctx.add_entity(Hit(start, match.end(), "PolicyDocument", name, "rx:doc-board-report"))
        if match.group("board").endswith("监事会"):
            continue                      # the supervisors report on the association; the board's report is its own
        ctx.relate("issued", {"organization": owner, "document": doc.key, "date": reference_date(ctx)},
                   match.start(), match.end(), "rx:issued-board-report")
    ctx.sort_entities()


# 纳入绿色产品认证目录, 强制性产品认证实施规则: a scheme's catalogue and rules are documents of their own
RE_SCHEME_DOCUMENT = re.compile(r"目录|实施规则|实施细则")
RE_DRAFTING = re.compile(r"(?:编制|制定|起草|研究|建立)[^,。;]{0,8}$")
RE_STANDARD_AFTER = re.compile(r"\s?(?:标准|国际标准|国家标准)")


def _named_lists(ctx: DocContext, titles: list[Hit]) -> None:
    spans = [(t.start, t.end) for t in titles]
    for scheme in ctx.of_type("CertificationScheme"):
        match = RE_SCHEME_DOCUMENT.match(ctx.text, scheme.end)
        if match is None or not ctx.text.endswith("认证", 0, scheme.end) \
                or any(a <= scheme.start and scheme.end <= b for a, b in spans) \
                or ctx.in_span(scheme.start, match.end(), "PolicyDocument") \
                or RE_DRAFTING.search(ctx.text, max(0, scheme.start - 12), scheme.start):
            continue                      # 编制统一的绿色产品认证目录: a list still to be drawn up is no document yet
        name = ctx.text[scheme.start:match.end()]
        ctx.add_entity(Hit(scheme.start, match.end(), "PolicyDocument", name, "rx:doc-scheme-list"))
    ctx.sort_entities()


def _standard_codes(ctx: DocContext, titles: list[Hit]) -> None:
    """ISO/IEC 17043标准换版: a standard named by its code alone (no 《title》 next to it, 标准 after it) is a
    document."""
    for code in (c for c in ctx.cue("DocNumber") if c.source in CODE_SOURCES):
        near = any(-3 <= t.start - code.end <= 2 or -3 <= code.start - t.end <= 2 for t in titles)
        if near or not RE_STANDARD_AFTER.match(ctx.text, code.end) \
                or any(h.start < code.end and code.start < h.end for h in ctx.in_span(code.start - 60, code.end + 60)):
            continue
        ctx.add_entity(Hit(code.start, code.end, "PolicyDocument", code.name, "rx:doc-standard-code"))
    ctx.sort_entities()


# a web page's licence or policy footer (《知识共享署名-相同方式共享3.0许可协议》) is page chrome, no document
RE_CHROME_TITLE = re.compile(r"知识共享|(?i:creative\s*commons|cc\s?by|gnu|gfdl)|自由文档许可|(?:署名|共享)[^》]*许可协议|"
                             r"使用条款|隐私政策|免责声明|版权声明|用户协议|服务条款")


def _speech_title(ctx: DocContext, title: Hit) -> bool:
    return bool(RE_SPEECH_TITLE_BEFORE.search(ctx.text, max(0, title.start - 4), title.start - 1)
                and RE_SPEECH_TITLE_AFTER.match(ctx.text, title.end + 1))


def _document_hit(ctx: DocContext, title: Hit, name: str) -> Hit:
    known = [h for h in ctx.of_type("PolicyDocument") if (h.start, h.end) == (title.start, title.end)]
    if known:
        return known[0]
    hit = Hit(title.start, title.end, "PolicyDocument", name, title.source)
    return ctx.add_entity(hit, EntityInfo(hit.key, title.source))


def _issuers(ctx: DocContext, title: Hit) -> tuple[list[Hit], bool]:
    """Issuers named in the title's prefix (X、Y关于…), else by a verb right before the title."""
    prefix = _prefix_issuers(ctx, title)
    if prefix:
        return prefix, True
    return _verb_issuers(ctx, title), False


def _prefix_issuers(ctx: DocContext, title: Hit) -> list[Hit]:
    orgs = [h for h in ctx.in_span(title.start, title.end, "Agency", "Organization")]
    chosen, cursor = [], title.start
    for org in in_text_order(orgs):
        if org.start < cursor or not RE_JOINER.match(ctx.text[cursor:org.start]):
            continue
        chosen.append(org)
        cursor = org.end
    return chosen if chosen and ctx.text.startswith("关于", cursor) else []


def _verb_issuers(ctx: DocContext, title: Hit) -> list[Hit]:
    sent_start, _ = ctx.sentences.span(title.start)
    before = [h for h in ctx.in_span(sent_start, title.start, *ORG_TYPES) if h.end < title.start]
    if not before:
        return []
    last = max(before, key=lambda h: (h.end, h.end - h.start))
    code = _code_before(ctx, title)       # X发布了CNAS-CL01:2018《…》: the verb comes before the code
    gap = ctx.text[last.end:code.start if code else title.start - 1]
    if not RE_ISSUE_GAP.match(gap) and not (gap == "" and last.type == "Agency"):
        return []                         # 按照市场监管总局《关于…的通知》: the agency's own document
    chosen = [last]
    for hit in sorted(before, key=lambda h: -h.end):
        if hit.end <= chosen[-1].start and RE_JOINER.match(ctx.text[hit.end:chosen[-1].start]) \
                and hit.end < chosen[-1].start:
            chosen.append(hit)
    return list(reversed(chosen))


def _canonical(ctx: DocContext, title: Hit, titles: list[Hit], issuers: list[Hit], prefixed: bool) -> str:
    name = title.name
    if len(name) <= ABBREVIATION_MAX:
        longer = [t for t in titles if len(t.name) > len(name) and t.name.endswith(name)]
        if longer:
            other_issuers, other_prefixed = _issuers(ctx, longer[0])
            return _canonical(ctx, longer[0], titles, other_issuers, other_prefixed)
    if prefixed:
        rest = name[issuers[-1].end - title.start:]
        return " ".join(ctx.text[h.start:h.end] for h in issuers) + rest
    if issuers and name.startswith("关于"):
        return " ".join(ctx.text[h.start:h.end] for h in issuers) + name
    return name


def _issue_date(ctx: DocContext, title: Hit) -> str | None:
    sent_start, _ = ctx.sentences.span(title.start)
    if re.search(r"当日|同日", ctx.text[sent_start:title.start]):
        return date_before(ctx, title.start, same_sentence=False)
    return date_before(ctx, title.start)


def _nested_document(ctx: DocContext, title: Hit) -> Hit | None:
    """关于印发《X》的通知: X is a document of its own."""
    match = RE_NESTED.search(title.name)
    if not match:
        return None
    start = title.start + match.start("inner")
    end = title.start + match.end("inner")
    if ctx.text[start] == "《":
        start, end = start + 1, end - 1
    inner = ctx.text[start:end]
    return _document_hit(ctx, Hit(start, end, "DocTitle", inner, "rx:doc-nested"), inner)


def _code_before(ctx: DocContext, title: Hit) -> Hit | None:
    """A standard's code written right before its title: GB/T 27025-2019《…》, CNAS-CL01:2018 《…》."""
    return next((c for c in ctx.cue("DocNumber") if c.source in CODE_SOURCES and c.end <= title.start - 1
                 and not ctx.text[c.end:title.start - 1].strip()), None)


def _doc_number(ctx: DocContext, title: Hit, doc: Hit) -> None:
    code = _code_before(ctx, title)
    if code is not None:
        ctx.relate("doc_id", {"document": doc.key, "identifier": code.name}, code.start, title.end + 1, code.source)
    for number in ctx.cue("DocNumber"):
        if number.start < title.end:
            continue
        gap = ctx.text[title.end:number.start]
        announced = RE_NUMBER_GAP.fullmatch(gap)
        if announced is None:
            continue
        ctx.relate("doc_id", {"document": doc.key, "identifier": number.name},
                   title.start - 1, number.end, number.source)
        if announced.group("issuer"):     # 《办法》(国家认监委公告2019年第3号): the agency announced it
            span = title.end + announced.start("issuer"), title.end + announced.end("issuer")
        else:                             # 《规定》(国家质检总局令第117号): the decree's number names its body
            span = (number.start, number.end) if number.source in NUMBERS_NAMING_ISSUERS else (0, 0)
        if span[1] > span[0]:
            for issuer in ctx.in_span(*span, "Agency", "Organization"):
                ctx.relate("issued", {"organization": issuer.key, "document": doc.key, "date": None},
                           title.start - 1, number.end, "rx:issued-announcement")


def _signature(ctx: DocContext, titles: list[Hit]) -> None:
    """Organisations alone on their lines, followed by a date line, sign the text's main document (and the
    notice it came with)."""
    main = main_title(ctx, titles)
    if main is None:
        return
    signers: list[Hit] = []
    for org in ctx.of_type("Agency", "Organization", "Department"):
        if not _alone_on_line(ctx.text, org):
            continue
        if signers and not ctx.text[signers[-1].end:org.start].strip() == "":
            signers = []
        signers = [s for s in signers if s.end <= org.start] + [org]
        line_end = ctx.text.find("\n", org.end)
        next_end = ctx.text.find("\n", line_end + 1) if line_end >= 0 else -1
        next_line = ctx.text[line_end + 1:next_end if next_end >= 0 else len(ctx.text)].strip() if line_end >= 0 else ""
        dates = [c for c in ctx.cue("Date") if c.start > line_end >= 0 and ctx.text[c.start:c.end] == next_line]
        if dates:
            notice = _document_line(ctx)
            signed = [main] if notice in (None, main) else [main, notice]   # the plan and the notice sending it
            for signer, document in ((s, d) for s in signers for d in signed):
                if document.start <= signer.start < document.end:
                    continue
                ctx.relate("issued", {"organization": signer.key, "document": document.key,
                                      "date": resolve(ctx, dates[0])}, signer.start, dates[0].end, "rx:issued-signature")
            ctx.meta.setdefault("main_agency", signers[0].key)
            return


def _alone_on_line(text: str, hit: Hit) -> bool:
    line_start = text.rfind("\n", 0, hit.start) + 1
    line_end = text.find("\n", hit.end)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:hit.start].strip() and not text[hit.end:line_end].strip()


def main_title(ctx: DocContext, titles: list[Hit]) -> Hit | None:
    """The document the text is (现将《X》印发…, or a title line naming a plan)."""
    if "main_title" in ctx.meta:
        return ctx.meta["main_title"]
    found = None
    for title in titles:
        if re.match(r"^\s*印发", ctx.text[title.end + 1:title.end + 4]):
            found = _doc_at(ctx, title)
            break
    if found is None:
        found = _title_line(ctx)
    ctx.meta["main_title"] = found
    return found


def _doc_at(ctx: DocContext, title: Hit) -> Hit | None:
    return next((h for h in ctx.of_type("PolicyDocument") if (h.start, h.end) == (title.start, title.end)), None)


def _title_line(ctx: DocContext) -> Hit | None:
    """A line of its own naming a plan (2019年…工作要点) or a document (X关于…的公告) is the text's own title."""
    for start, stripped in head_lines(ctx.text):
        if RE_TITLE_LINE.match(stripped):
            return _document_line(ctx)
        if 4 <= len(stripped) <= 40 and RE_PLAN_TITLE.search(stripped) and not re.search(r"[,。;:]", stripped):
            hit = Hit(start, start + len(stripped), "PolicyDocument", stripped, "rx:doc-title-line")
            return ctx.add_entity(hit, EntityInfo(hit.key, hit.source))
    return None


def _document_line(ctx: DocContext) -> Hit | None:
    """The first head line naming a document (X关于…的公告, X关于印发《Y》的通知), read once per text."""
    if "document_line" not in ctx.meta:
        found = None
        for start, stripped in head_lines(ctx.text):
            match = RE_TITLE_LINE.match(stripped)
            if match:
                found = _document_title_line(ctx, start, match)
                break
        ctx.meta["document_line"] = found
    return ctx.meta["document_line"]


def _document_title_line(ctx: DocContext, start: int, match: re.Match) -> Hit:
    """X、Y关于…的公告(2019年第44号): the document, its issuers and its number; X关于印发《Z》的通知: X
    issues Z too."""
    end = start + match.end("title")
    cue = Hit(start, end, "DocTitle", match.group("title"), "rx:doc-title-line")
    issuers = _prefix_issuers(ctx, cue)
    name = _canonical(ctx, cue, [cue], issuers, bool(issuers))
    doc = _document_hit(ctx, cue, name)
    inner = _nested_document(ctx, cue)
    for document in (doc, inner) if inner else (doc,):
        for issuer in issuers:
            ctx.relate("issued", {"organization": issuer.key, "document": document.key,
                                  "date": ctx.meta.get("published")}, start, end, "rx:issued-title-line")
    _doc_number(ctx, cue, doc)
    return doc


def _speech_reports(ctx: DocContext, titles: list[Hit]) -> None:
    """题为《X》的工作报告 given by someone 代表 an organisation: that organisation issues X."""
    behalf = _on_behalf(ctx)
    for match in RE_SPEECH.finditer(ctx.text):
        title = next((t for t in titles if match.start() < t.start < match.end()), None)
        sent_start, _ = ctx.sentences.span(match.start())
        speakers = [p for p in ctx.of_type("Person") if sent_start <= p.start < match.start()]
        if title is None or not speakers or speakers[-1].name not in behalf:
            continue
        doc = _doc_at(ctx, title)
        if doc is not None:
            org = behalf[speakers[-1].name]
            ctx.relate("issued", {"organization": org, "document": doc.key, "date": reference_date(ctx)},
                       speakers[-1].start, match.end(), "rx:issued-speech")


def _on_behalf(ctx: DocContext) -> dict[str, tuple[str, str]]:
    """person name → the organisation they spoke for (X代表Y作报告)."""
    found = {}
    for person in ctx.of_type("Person"):
        match = RE_ON_BEHALF.match(ctx.text, person.end)
        if not match:
            continue
        orgs = [h for h in ctx.entities if h.type in ORG_TYPES and h.start == match.start("org")]
        if orgs:
            found[person.name] = max(orgs, key=lambda h: h.end - h.start).key
    return found
