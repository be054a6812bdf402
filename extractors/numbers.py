"""Statistics (认证机构403家, 159项改革举措, 增长X%) and targets (通过3-5年努力…, 到2020年…, 构建…的X体系)."""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.context import DocContext
from extractors.dates import reference_date, resolve
from extractors.records import EntityInfo, Hit
from extractors.rules import DATA_DIR, cut_regex, finditer_near, trim_left

UNITS = "家项个张份批名件种人类"
NUMBER = r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)?"      # 480, 9,200 (thousands commas), 3.8
# the verb between a counted subject and its number: 达到, 已达, 发展到, 增至 …
REACHED = r"(?:已经?|共|累计|总计)?(?:达到|达|为|超过|突破|发展到|增至|增加到|增长到|上升到|提高到|逾|约)?"
RE_SUBJECT_FIRST = re.compile(
    r"(?P<body>[\u4e00-\u9fff]{2,14}?)" + REACHED + r"(?P<value>" + NUMBER + r")(?P<mult>万|亿)?(?:余|多)?"
    r"(?P<unit>[" + UNITS + r"])(?![\u4e00-\u9fff]?(?:以上|左右|方面))")
RE_VALUE_FIRST = re.compile(
    r"(?<![\d\-.第])(?P<value>" + NUMBER + r")(?P<mult>万|亿)?(?:余|多)?(?P<unit>[" + UNITS + r"])(?P<body>[\u4e00-\u9fff]{2,12})")
RE_SUBJECT_LEAD = re.compile(r"(?:目前|当前|现有|全年|全国|全省|全市|我国|当年)*(?:(?:共|累计|总共|合计)?(?:完成|颁发|发放|办理|受理|出具|签发)|"
                             r"共|累计|总共|合计)?")
# 增长9.6%, 分别增长5%和8%, 增加200张 (a change in the statistic's own unit)
RE_CHANGE = re.compile(r"(?:分别)?(?:增长|提高|增加|上升|下降|减少)(?P<pcts>\d+(?:\.\d+)?%(?:(?:和|、)\d+(?:\.\d+)?%)*"
                       r"|\d+(?:\.\d+)?(?:万|亿)?[" + UNITS + r"])")
RE_PCT = re.compile(r"\d+(?:\.\d+)?(?:%|(?:万|亿)?[" + UNITS + r"])")
RE_SINCE = re.compile(r"(?:比|较)(?P<ref>[^,。;]{1,10}?)(?:分别)?(?:增长|提高|增加|上升|下降|减少)")

# 通过3-5年努力, 经过三年的时间, 用两年左右时间的奋斗; 到2020年(底); 今后五年
RE_HORIZON = re.compile(r"(?:通过|经过|用)(?P<h>\d+(?:[-—–~至到]\d+)?|[一二三四五六七八九十两]{1,2}(?:到[一二三四五六七八九十])?)年"
                        r"(?:左右)?的?(?:时间的?(?:努力|奋斗)?|努力|奋斗)|到(?P<y>20\d\d)年(?:底|末)?|今后(?P<n>\d+|[一二三四五])年")
RE_GOAL = re.compile(r"(?P<goal>(?:趋于|基本|明显|显著|全面|进一步|大幅|普遍|不断)[\u4e00-\u9fff]{2,4})$")
RE_VERB_FIRST = re.compile(r"^(?P<goal>(?:基本|全面|初步)?(?:形成|建成|建立|实现|培育|打造)(?:一批|一套)?)(?P<subj>[\u4e00-\u9fff、“”\d.%]{2,30})$")
# 行业营业收入达到5000亿元, 检验检测机构突破5万家, 收入年均增长10%以上: a subject and a number it is to reach
RE_QUANT_GOAL = re.compile(r"^(?P<subj>[\u4e00-\u9fff、“”「」]{2,30}?)(?P<goal>(?:年均|平均|每年)?(?:达到|超过|突破|增长|增加|提高|提升|"
                           r"降低|下降|减少|控制在|保持在|不少于|不低于)(?:到|至)?[^,。;\d]{0,4}\d[^,。;]{0,16})$")
# 主要产品质量达到国际先进水平, 认证认可能力进入世界前列
RE_LEVEL_GOAL = re.compile(r"^(?P<subj>[\u4e00-\u9fff、]{2,30}?)(?P<goal>(?:达到|接近|保持|进入|迈入|跻身)[\u4e00-\u9fff]{0,10}"
                           r"(?:水平|前列|行列))$")
# 力争在2019年底前实现…: a deadline that opens the clause is its horizon
RE_DEADLINE = re.compile(r"^在(?P<h>(?:19|20)\d\d年(?:\d{1,2}月)?(?:底|末)?(?:前|以前))")
RE_STRIVE = re.compile(r"(?:力争|争取)(?P<clause>[^,。;\n]{4,40})")
RE_BUILD = re.compile(r"构建(?P<goal>[^,。;的]{4,40})的(?P<subj>[\u4e00-\u9fff]{2,14}体系)")
RE_ASPIRE = re.compile(r"(?P<clause>(?:推动|加快|引导|努力|力争|为)?[\u4e00-\u9fff]{0,12}?"
                       r"(?:建设|迈进|迈入|迈向|建成)[\u4e00-\u9fff]{0,14}?(?:强国|行列|水平))")
RE_ASPIRE_ANCHOR = re.compile(r"建设|迈进|迈入|迈向|建成")
RE_LEADING = re.compile(r"^(?:我国|要|将|并|同时|共同|使|推动|使得|力争|争取)")


@lru_cache(maxsize=1)
def stat_heads() -> tuple[str, ...]:
    lines = (DATA_DIR / "stat_heads.txt").read_text(encoding="utf-8").splitlines()
    return tuple(sorted((w.strip() for w in lines if w.strip() and not w.startswith("#")), key=len, reverse=True))


def add_statistics(ctx: DocContext) -> None:
    """Statistic mentions and statistic relations (subject, value, unit, date, change)."""
    found = []
    for match in _near_counts(RE_SUBJECT_FIRST, ctx.text):
        body = match.group("body")
        cut = _subject_start(body)
        lead = RE_SUBJECT_LEAD.match(body, cut)
        if lead.end() > cut and _counted(body[lead.end():]):
            cut = lead.end()             # 全国共完成评审任务9800项: the subject is 评审任务
        subject = body[cut:]
        start = match.start("body") + cut
        if _counted(subject):
            found.append((start, match.end(), subject, match))
    for match in _near_counts(RE_VALUE_FIRST, ctx.text):
        body = match.group("body")
        verb = next((m for m in cut_regex().finditer(body) if len(m.group()) >= 2), None)
        # 3家机构承担认证任务: the subject ends before the verb (和 in 国家和地区 is no verb)
        head = _head_prefix(body[:verb.start()] if verb else body)
        if head:
            found.append((match.start(), match.start("body") + len(head), head, match))
    found = sorted((f for f in found if not _in_goal(ctx, f[0])), key=lambda f: f[0])
    for index, (start, end, subject, match) in enumerate(found):
        following = next((f[0] for f in found[index + 1:] if f[0] >= end), None)
        _statistic(ctx, start, end, subject, match, index_in_clause(ctx, found, start), following)


RE_GOAL_CUE = re.compile(r"力争|争取|目标是|目标为|预计")
AS_OF = r"(?:截至|截止)"
RE_AS_OF_BEFORE = re.compile(AS_OF + "$")


def _in_goal(ctx: DocContext, offset: int) -> bool:
    """到2020年实现1000万家企业…, 力争…: a count in a goal is a target, not a fact."""
    sent_start, _ = ctx.sentences.span(offset)
    if RE_GOAL_CUE.search(ctx.text, sent_start, offset):
        return True
    return any(not RE_AS_OF_BEFORE.search(ctx.text, max(0, h.start() - 2), h.start())
               for h in RE_HORIZON.finditer(ctx.text, sent_start, offset))


RE_COUNT = re.compile(NUMBER + r"(?:万|亿)?(?:余|多)?[" + UNITS + "]")
REACH = 20


def _near_counts(pattern: re.Pattern, text: str):
    """Matches of ``pattern`` only around counts (digits + a measure word): the rest of the text has none."""
    end = -1
    for count in RE_COUNT.finditer(text):
        low = max(0, count.start() - REACH, end)
        high = min(len(text), count.end() + REACH)
        if high <= end:
            continue
        for match in pattern.finditer(text, low, high):
            if match.start() >= end:
                yield match
                end = max(end, match.end())


def _subject_start(body: str) -> int:
    """Where the subject of a count starts in the text before it: after the last cut word, unless that word
    is the subject's own head noun (获证组织达到61万家: 组织 cuts names but heads this one)."""
    cut = trim_left(body)
    if cut < len(body):
        return cut
    head = [m for m in cut_regex().finditer(body) if m.end() == len(body)]
    return trim_left(body[:head[-1].start()]) if head else cut


def _counted(subject: str) -> bool:
    core = subject.removesuffix("数量").removesuffix("总数")
    return len(core) >= 2 and core.endswith(stat_heads())


def _head_prefix(body: str) -> str | None:
    for end in range(len(body), 1, -1):
        if body[:end].endswith(stat_heads()):
            return body[:end]
    return None


def index_in_clause(ctx: DocContext, found: list, start: int) -> int:
    sent_start, _ = ctx.sentences.span(start)
    return sum(1 for f in found if sent_start <= f[0] < start)


def _statistic(ctx: DocContext, start: int, end: int, subject: str, match: re.Match, order: int,
               following: int | None) -> None:
    value = float(match.group("value").replace(",", "")) * {"万": 1e4, "亿": 1e8}.get(match.group("mult") or "", 1)
    core = subject.removesuffix("数量").removesuffix("总数")
    surface = ctx.text[start:end]
    stat = Hit(start, end, "Statistic", surface, "rx:statistic",
               (("indicator", core + "数量"), ("subject", core)))
    ctx.add_entity(stat, EntityInfo(stat.key, "rx:statistic"))
    _, sent_end = ctx.sentences.span(start)
    change = _change(ctx.text, end, sent_end, order, following)
    args = {"statistic": stat.key, "subject": core, "indicator": core + "数量",
            "value": int(value) if value.is_integer() else value, "unit": match.group("unit"),
            "date": _as_of(ctx, start) or reference_date(ctx), "change": change}
    ctx.relate("statistic", args, start, end, "rx:statistic")


RE_AS_OF = re.compile(AS_OF + r"到?\s*")
RE_PERIOD = re.compile(r"\s*(?P<y>(?:19|20)\d\d)年(?!\d|以来|起|前|后|之前|以后)(?:底|末|度|全年)?")


def _period_year(text: str, sent_start: int, offset: int) -> str | None:
    """The year the nearest clause of the sentence opens with (会议指出,2014年全国认证机构达到170家,实验室…),
    or that stands alone as a clause (2021年,协会新增…)."""
    end = offset
    while end > sent_start:
        clause = max(text.rfind(",", sent_start, end), text.rfind(";", sent_start, end), sent_start - 1) + 1
        period = RE_PERIOD.match(text, clause, end)
        if period:
            return period.group("y")
        end = clause - 1
    return None


def _full_sentence_start(text: str, offset: int) -> int:
    return max(text.rfind("。", 0, offset), text.rfind("\n", 0, offset)) + 1


def _as_of(ctx: DocContext, offset: int) -> str | None:
    """The date a statistic is counted at: 截至2019年5月, 截止到2017年底 earlier in its sentence, or the year
    the sentence opens with (2021年,…)."""
    sent_start, _ = ctx.sentences.span(offset)
    found = None
    for found in RE_AS_OF.finditer(ctx.text, sent_start, offset):
        pass
    if found is None:        # 2017年,全国新增…;检验检测机构达到…: the year opens the whole sentence up to 。
        return _period_year(ctx.text, _full_sentence_start(ctx.text, offset), offset)
    for type_ in ("Date", "Year"):
        cue = next((c for c in ctx.cue(type_) if c.start == found.end() and c.end <= offset), None)
        if cue is not None:
            return resolve(ctx, cue) if type_ == "Date" else cue.name
    return None


def _change(text: str, start: int, end: int, order: int, following: int | None) -> str | None:
    """The change stated for a statistic: its own (before the next statistic), or its share of 分别增长A%和B%."""
    match = RE_CHANGE.search(text, start, end)
    if not match:
        return None
    values = RE_PCT.findall(match.group("pcts"))
    respective = match.group(0).startswith("分别")
    if not values or (not respective and following is not None and following < match.start()):
        return None
    pct = values[min(order, len(values) - 1)] if respective else values[0]
    since = RE_SINCE.search(text, start, end)
    sign = "-" if re.search(r"下降|减少", match.group(0)) else "+"
    return f"{sign}{pct}" + (f" vs {since.group('ref')}" if since else "")


def add_targets(ctx: DocContext) -> None:
    """Target mentions with subject, goal and horizon."""
    for match in RE_HORIZON.finditer(ctx.text):
        _, sent_end = ctx.sentences.span(match.start())
        horizon = match.group(0)
        offset = match.end()
        for clause in re.split(r"[,;]", ctx.text[match.end():sent_end]):
            start = ctx.text.find(clause, offset)
            offset = start + len(clause)
            _horizon_clause(ctx, clause.rstrip("。"), start, horizon)
    for match in RE_STRIVE.finditer(ctx.text):
        _horizon_clause(ctx, match.group("clause"), match.start("clause"), _horizon_near(ctx, match.start()))
    for match in RE_BUILD.finditer(ctx.text):
        _target(ctx, match.start(), match.end(), match.group("subj"), match.group("goal"), _horizon_near(ctx, match.start()))
    for match in finditer_near(RE_ASPIRE, RE_ASPIRE_ANCHOR, 20, ctx.text):
        clause = match.group("clause")
        lead = RE_LEADING.match(clause)
        start = match.start() + (lead.end() if lead else 0)
        _target(ctx, start, match.end(), ctx.text[start:match.end()], ctx.text[start:match.end()], None)


def _horizon_near(ctx: DocContext, offset: int) -> str | None:
    sent_start, _ = ctx.sentences.span(offset)
    match = None
    for match in RE_HORIZON.finditer(ctx.text, sent_start, offset):
        pass
    return match.group(0) if match else None


def _horizon_clause(ctx: DocContext, clause: str, start: int, horizon: str | None) -> None:
    lead = RE_LEADING.match(clause)
    if lead:
        clause, start = clause[lead.end():], start + lead.end()
    deadline = RE_DEADLINE.match(clause)
    if deadline:
        clause, start, horizon = clause[deadline.end():], start + deadline.end(), deadline.group("h")
    goal = RE_GOAL.search(clause)
    verb = RE_VERB_FIRST.match(clause)
    quant = RE_QUANT_GOAL.match(clause) or RE_LEVEL_GOAL.match(clause)
    if goal and len(clause) - len(goal.group("goal")) >= 2:
        _target(ctx, start, start + len(clause), clause[:goal.start()], goal.group("goal"), horizon)
    elif verb:
        _target(ctx, start, start + len(clause), verb.group("subj"), verb.group("goal"), horizon)
    elif quant:
        _target(ctx, start, start + len(clause), quant.group("subj"), quant.group("goal"), horizon)


def _target(ctx: DocContext, start: int, end: int, subject: str, goal: str, horizon: str | None) -> None:
    if any(h.type == "Target" and h.start == start for h in ctx.entities):
        return
    surface = ctx.text[start:end]
    target = Hit(start, end, "Target", surface, "rx:target")
    ctx.add_entity(target, EntityInfo(target.key, "rx:target"))
    ctx.relate("target", {"target": target.key, "subject": subject, "goal": goal, "horizon": horizon},
               start, end, "rx:target")
