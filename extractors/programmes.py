"""Initiatives by the shape of their names: a noun phrase closed by a programme head (…提升行动, …改革, …试点,
…示范区, …平台, …专项整治, …分类监管, “X”建设 …), opened by the verb that takes it as object (推进, 实施, 深化 …)
or by the start of its clause. Guiding principles and slogans (…工作方针, 总思路) have no such head."""
from __future__ import annotations

import re
from bisect import bisect_left

from extractors.context import DocContext
from extractors.records import START, Hit
from extractors.rules import clause_inside, finditer_near, trim_left

SOURCE = "rx:init-head"
REACH = 30                      # how far a name reaches before its head
# the programme heads, longest first; 建设/制度/服务/评价 only after a quoted name (“清廉市场监管”建设). Every
# branch opens with its literal (the quote is checked behind it) so that re can skip ahead by first character.
RE_HEAD = re.compile(
    r"专项整治行动|专项行动|提升行动|升级行动|行动计划|行动|工程|战略|改革|试点|示范区|先行区|服务站|"
    r"平台|一体化发展|协同发展|一体化(?!的)|专项整治|分类监管|分类管理|诚信评价|标准评价|合作品牌|发展基金|"
    r"应用示范|告知承诺制度|统计制度|建设(?<=”建设)|制度(?<=”制度)|认证服务(?<=”认证服务)|整治(?<=”整治)|活动(?<=”活动)")
# what follows a head word that is inside a longer name (试点示范区, 国家发展改革委, 战略合作协议, 高级工程师,
# 战略性新兴产业, 改革开放): no head there
RE_HEAD_GOES_ON = re.compile(r"示范区|示范|建设(?!中)|体系|机制|委|合作|服务|发展|协议|研究|中心|创新|师|院|性|部署|机遇|"
                             r"开放|公司|办公室|领导小组|工作组|质量|施工|监理|造价|项目")
# where a name cannot reach back over: punctuation, and a 、 or 和 outside quotes (A、B和C改革 are names of their own)
RE_BREAK = re.compile(r"[,。;:!?()\[\]《》\n\s、]|和|及|以及|并|或")
# the verb (or particle) that takes the name as its object; the name starts after the last of them
RE_LEAD = re.compile(
    r"(?:深入|持续|全面|大力|积极|加快|继续|扎实|组织|稳步|率先|统筹|广泛|认真)?"
    r"(?:开展|实施|推进|推行|深化|落实|推动|启动|依托|用好|共建|打造|参与|完善|巩固|探索|紧扣|加强|做好|抓好|推出|"
    r"部署|服务|助力|融入|对接|支持|围绕|通过|利用|实行|建立|健全|发起|承办|牵头|开启|配合|加入|聚焦|纳入|"
    r"建成|建设|设立|创建|培育|申报|组建|布局|构建|落地|坚持|贯彻|迎接|争创|举办|搭建|发挥|鼓励|夯实|"
    r"在|对|将|把|以|为|从|是|的|了|由|向|按照|根据|关于|通过|就|等)")
# the name is no programme when it is only such a word before its head (采取有力行动, 各项改革, 重点领域改革)
RE_GENERIC = re.compile(
    r"^(?:[这该此各本每其一两二三四五六七八九十几多]|有力|有效|联合|集中|专项|统一|相关|有关|重点|重大|重要|系列|"
    r"全面|深入|具体|实际|各项|新一轮|新|改革|工作|试点|示范区|示范|相应|共同|整体|全省|全市|全国|领域|行业|重点领域|"
    r"系统|配套|综合|国家|地方|公共|技术|服务|信息|数据|共享|交流|合作|工作)+$")
NOUN_LEADS = ("服务", "建设")
LIGHT_HEADS = ("建设",)
REGIONAL_HEADS = ("一体化", "一体化发展", "协同发展")   # programmes of a region only (长三角…一体化发展)          # a head that adds nothing to a known programme before it
# verbs that also occur inside names (检验检测促进产业优化升级行动): a lead only where they open the clause
RE_INNER_LEAD = re.compile(r"促进|提升")
# a count before the name (一批示范性基础工程, 159项改革, 1-2家…示范区): a kind of programme, not a named one
RE_COUNTED = re.compile(r"^(?:一批|一系列|一些|[\d\-—~]+[项个家批类]|[一二三四五六七八九十两几]+[项个家批类大])")    # also nouns: 公共服务平台, 诚信建设工程
# a name that is no programme: a stray closing quote, building works (政府投资工程), a trading platform, a field's
# reform (重点领域改革), a scheme's pilot (碳足迹认证试点 names the scheme 碳足迹认证)
RE_NOT_PROGRAMME = re.compile(r"^”|(?:投资|建设|重点|在建|基础设施|市政|水利)工程$|(?:交易|电商|网购|销售|购物|第三方|网络|直播)平台$|[^\u4e00-\u9fff“”+—\-A-Za-z0-9]|领域改革$|认证试点$|(?:机制|工作)平台$|自身|有(?!机|色|效|关)")
MIN_BODY = 3


def shaped_initiatives(text: str, known: list[Hit]) -> list[Hit]:
    """Initiative mentions found by their head word. ``known``: dictionary hits; a name crossing a known
    body, place or document, or holding a known programme, is not taken."""
    bodies = sorted((h for h in known if h.type not in ("CertificationScheme", "Sector")), key=START)
    starts = [h.start for h in bodies]
    longest = max((h.end - h.start for h in bodies), default=0)
    known_ends = _programme_starts_by_end(bodies)
    hits = []
    for head in RE_HEAD.finditer(text):
        if RE_HEAD_GOES_ON.match(text, head.end()) or known_ends.get(head.end(), head.start()) < head.start():
            continue                      # the head goes on, or ends a known programme (see _clashes)
        start = _name_start(text, head.start())
        if start is None:
            continue
        name = text[start:head.end()]
        body = text[start:head.start()]
        if len(body.replace("“", "").replace("”", "")) < MIN_BODY or RE_GENERIC.match(body) or RE_COUNTED.match(body) \
                or RE_NOT_PROGRAMME.search(name):
            continue
        near = bodies[bisect_left(starts, start - longest):bisect_left(starts, head.end())]   # the ones that can cross
        if any(_clashes(text, h, start, head) for h in near):
            continue
        if head.group() in REGIONAL_HEADS and not any(h.type == "Region" and h.start == start for h in bodies):
            continue                      # 推动认证认可检验检测一体化发展 is a goal; 京津冀认证认可一体化 a programme
        hits.append(Hit(start, head.end(), "Initiative", name, SOURCE))
    return hits


def _programme_starts_by_end(known: list[Hit]) -> dict[int, int]:
    """For each end of a known programme, the first start: a head ending there after that start ends the
    known name (the cheap form of the first case of ``_clashes``, tried before the name's start is sought)."""
    starts: dict[int, int] = {}
    for hit in known:
        if hit.type == "Initiative":
            starts[hit.end] = min(hit.start, starts.get(hit.end, hit.start))
    return starts


def _clashes(text: str, known: Hit, start: int, head: re.Match) -> bool:
    """A known name crossing the span, or a known programme ending it (“一带一路”建设 is 一带一路; 内外销产品
    “同线同标同质”工程 is the known 工程): the dictionary already says what is named there. A known one before
    a head of its own (检验检测认证公共服务平台示范区) is part of a new name."""
    end = head.end()
    if not (known.start < end and start < known.end):
        return False
    if known.type == "Initiative":
        if known.start >= head.start():
            return False              # 告知承诺制 inside the head 告知承诺制度
        tail = text[known.end:end].lstrip("”")
        return known.end == end or tail in LIGHT_HEADS or not RE_HEAD.fullmatch(tail)
    return not (start <= known.start and known.end <= end)


def _name_start(text: str, end: int) -> int | None:
    """Where the name before a head starts: after the last break outside quotes, then after the last lead verb."""
    low = max(0, end - REACH)
    start = low
    for found in reversed(list(RE_BREAK.finditer(text, low, end))):
        if _quotes_closed(text, found.end(), end):
            start = found.end()
            break
    quote = text.rfind("“", start, end)
    if quote >= 0 and not _quotes_closed(text, quote, end):
        start = quote + 1                 # “质量认证产业引导基金”: the name is inside the open quote
    inner = RE_INNER_LEAD.match(text, start)
    if inner and end - inner.end() >= 2:
        start = inner.end()
    for lead in RE_LEAD.finditer(text, start, end):
        if not _quotes_closed(text, lead.end(), end):
            continue
        if end - lead.end() >= (4 if lead.group() in NOUN_LEADS else 2):
            start = lead.end()
        elif lead.group() not in NOUN_LEADS:
            return None                   # 实施分类监管, 对专项整治: a bare head after its verb names nothing
    if start == low and low > 0 and "\u4e00" <= text[low - 1] <= "\u9fff":
        return None                       # the name runs on beyond the reach: no sure start
    return start


def _quotes_closed(text: str, start: int, end: int) -> bool:
    return text.count("“", start, end) == text.count("”", start, end)


# Certification schemes by shape: a management-system standard (ISO 9001, with or without a space) where it
# qualifies a certification (ISO 9001质量管理体系认证; 新版ISO9001等标准 is the standard), and a quoted
# regional or brand scheme (“湖北精品”认证, “湾区认证”); a regime (…许可) or a body (…认证机构) is no scheme.
SCHEME_SOURCE = "rx:scheme-head"
RE_ISO_SYSTEM = re.compile(r"ISO(?<![A-Za-z/]ISO)\s?(?P<n>9001|14001|45001|22000|27001|50001|20000|13485|37001|22301|28000)"
                           r"(?=\s?(?:[\u4e00-\u9fff]{0,12}体系)?认证)")
RE_QUOTED_SCHEME = re.compile(
    r"“(?P<q>[\u4e00-\u9fff]{2,8}?)(?:”认证|认证”)(?!认可|机构|证书|标志|标识|目录|规则|实施规则|工作|结果|人员|监管|活动|许可|服务)")


def shaped_schemes(text: str) -> list[Hit]:
    hits = [Hit(m.start(), m.end(), "CertificationScheme", "ISO" + m.group("n"), SCHEME_SOURCE)
            for m in RE_ISO_SYSTEM.finditer(text)]
    for match in RE_QUOTED_SCHEME.finditer(text):
        hits.append(Hit(match.start(), match.end(), "CertificationScheme", match.group("q") + "认证", SCHEME_SOURCE))
    return hits


# schemes named in a coordination with a known one: 绿色产品认证、碳足迹认证和…; 网络安全、数据安全认证 (the first
# item shares the second's 认证: scheme 网络安全认证, mention 网络安全)
RE_NEXT_SCHEME = re.compile(r"[、和及与](?P<item>[\u4e00-\u9fff]{2,8}?认证)(?=[、和及与,。;]|$)")
RE_ITEM_BEFORE = re.compile(r"(?:^|(?<=[,。;:\s]))(?P<lead>[\u4e00-\u9fff]{0,6}?)(?P<item>[\u4e00-\u9fff]{2,8})(?P<sep>[、和])$")
COORD_SOURCE = "rx:scheme-coordinated"
RE_NOT_SCHEME_ITEM = re.compile(r"(?:机构|人员|实验室|企业|单位|部门|规则|标准|文件)$")


# A、B等认可项目: the items of a list closed by a kind of certification or accreditation work are schemes
RE_SCHEME_KIND_LIST = re.compile(r"(?P<items>(?:[\u4e00-\u9fff]{2,12}、)+[\u4e00-\u9fff]{2,10})等(?:新型|新兴|新)?"
                                 r"(?:认证|认可|合格评定)(?:项目|业务|制度|类型)")
RE_SCHEME_KIND_ANCHOR = re.compile(r"等(?:新型|新兴|新)?(?:认证|认可|合格评定)(?:项目|业务|制度|类型)")


def add_coordinated_schemes(ctx: DocContext) -> None:
    """A scheme next to a known one in a list of schemes is a scheme too; an item without 认证 right before
    X认证 shares it; the items of A、B等认可项目 are schemes."""
    for match in finditer_near(RE_SCHEME_KIND_LIST, RE_SCHEME_KIND_ANCHOR, 120, ctx.text):
        offset = match.start("items")
        for index, item in enumerate(match.group("items").split("、")):
            start = offset + (trim_left(item) if index == 0 else 0)
            offset += len(item) + 1
            _add_scheme(ctx, start, offset - 1, ctx.text[start:offset - 1], min_length=4)
    for scheme in ctx.of_type("CertificationScheme"):
        if not scheme.name.endswith("认证"):
            continue
        for match in RE_NEXT_SCHEME.finditer(ctx.text, scheme.end, scheme.end + 12):
            _add_scheme(ctx, match.start("item"), match.end("item"), match.group("item"))
            break
        if ctx.text[scheme.start - 1:scheme.start] not in ("、", "和"):
            continue                      # the common case, cheaply: no item before (RE_ITEM_BEFORE ends with one)
        before = RE_ITEM_BEFORE.search(ctx.text, max(0, scheme.start - 16), scheme.start)
        if before:
            start = before.start("item") + trim_left(before.group("item"))
            item = ctx.text[start:before.end("item")]
            name = item if item.endswith("认证") else item + "认证" if before.group("sep") == "、" else None
            if name:
                _add_scheme(ctx, start, before.end("item"), name)
    ctx.sort_entities()


def _add_scheme(ctx: DocContext, start: int, end: int, name: str, min_length: int = 4) -> None:
    item = ctx.text[start:end]
    nearby = ctx.in_span(max(0, start - 40), end + 40)
    overlapping = [h for h in nearby if h.start < end and start < h.end]
    if not min_length <= len(name) <= 10 or clause_inside(item) or RE_NOT_SCHEME_ITEM.search(item) or \
            any(h.type != "Sector" or not (start <= h.start and h.end <= end) for h in overlapping):
        return
    for sector in overlapping:           # 食品 inside 食品接触材料核查 is part of the scheme's name
        ctx.remove_entity(sector)
    ctx.add_entity(Hit(start, end, "CertificationScheme", name, COORD_SOURCE))
