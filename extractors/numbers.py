"""Statistics (认证机构403家, 159项改革举措, 增长X%) and targets (通过3-5年努力…, 到2020年…, 构建…的X体系)."""
from __future__ import annotations

import re
from bisect import bisect_left
from calendar import monthrange
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from extractors.context import DocContext
from extractors.dates import reference_date
from extractors.records import EntityInfo, Hit
from extractors.rules import DATA_DIR, cut_regex, finditer_near
from extractors.text import head_lines

UNIT = r"(?:个次|人次|家次|场次|大类|[港美欧]?元|[家项个张份批名件种人类条间台套起次期])"
NUMBER = r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)?"      # 480, 9,200 (thousands commas), 3.8
# a count: 约900间, 1.2万余张, 4,670.1亿元, 92.6%; not 第3家, not 3-5家
RE_COUNT = re.compile(r"(?<![\d.\-—~第])(?P<qual>约|近|超过|逾)?(?P<value>" + NUMBER + r")(?P<mult>万|亿)?(?:余|多)?"
                      r"(?:(?P<unit>" + UNIT + r")|(?P<pct>%))")
RE_COUNT_ANCHOR = re.compile(r"\d[\d,.]*")   # every count holds a run of digits; at most 6 characters around it
COUNT_REACH = 6
# what makes a count no statistic of its own: 3个百分点, 5家以上, 1亿元的机构, 3-5家, 3个月
RE_NOT_A_COUNT = re.compile(r"百分点|以上|以下|左右|以内|之内|的|[-—~]|月|日|年")
# a count that is only a change or a starting value: 增加312名, 新增96家, 由1470家(增加至…)
RE_CHANGE_BEFORE = re.compile(r"(?:增加|增长|减少|下降|提高|上升|扩大|新增|增幅达?|降幅达?)了?$|(?:由|从)(?:[\u4e00-\u9fff]{1,3}的)?$")
# a plan's own outline: 方案提出了12项重点任务
RE_OUTLINE = re.compile(r"提出|明确了|部署了|包括|列出|确定了")
# where the noun of a subject-first count starts
RE_CLAUSE_BREAK = re.compile(r"(?<!最高|最低),|[;。:!?、\n]|其中|等(?![级同待于])")
RE_SENTENCE_BREAK = re.compile(r"[,;。:!?\n]|其中")
RE_AND = re.compile(r"[、和及与]")
# between a counted subject and its number: 达到, 共有, 仅有, 增至, 由1470家增加至, 占全国的 (shares only)
RE_REACH_TAIL = re.compile(
    r"(?:分别|(?:最高|最低),?)?(?:已经?|共|累计|总计|仅|现)?(?:有|达到|达|为|是|超过|突破|发展到|增至|降至|(?:增加|增长|上升|提高|扩大|"
    r"下降|减少|降低)[至到]|逾|约|近|共计|合计)(?:约|近)?$|由[^,;。]{1,12}?(?:增加|增长|扩大|提高|上升|下降|减少)[至到]$|共$")
RE_SHARE_TAIL = re.compile(r"占(?!比)[\u4e00-\u9fff]{0,8}?的?$|(?:同比|比上年|按年)?(?:增长|提高|上升|下降)$")
# verbs whose object is the counted noun: 累计颁发各类认证证书…, 共派出检查组…, 立案查处案件…
RE_FRAME = re.compile(r"立案查处|查处|查办|颁发|发放|签发|核发|出具|派出|随机抽取|抽取|检查(?!人员|组|机构)|抽查(?!人员|组)|撤销|暂停|注销|吊销|"
                      r"办理|受理|处理|办结|接到|收到|完成|组织|举办|发布|修订|制定|开发|培育|帮扶|服务(?=企业)|承接|实现|移送[公司]\w机关|移送|"
                      r"发现|指定|带动|建成|新建|组建|设立|涵盖|覆盖|拥有|持有|设有|共有|已有|现有|仅有|选举产生了?|认可(?=各)")
# scope, time and quantifier words before a subject: 全国, 全年, 2022年, 各类, 五年来, 经批准的, 第三届理事会
RE_LEAD = re.compile(r"(?:(?:19|20)\d\d年(?:底|末|度)?|全年|当年|去年|上年|今年|本年度|上半年|前三季度|同期|目前|现有|已有|共有|已|共(?![享性同]|建[^成])|累计|总共|合计|各类|各级|各地|"
                     r"全国|全省|全市|全区|全县|全港|我国|我省|我市|本市|本省|省内|市内|本次|此次|期间|[一二三四五六七八九十两\d]+年来|"
                     r"近年来|一年来|协会|本会|我会|本公司|该公司|公司|经[\u4e00-\u9fff]{1,4}的|了|第[一二三四五六七八九十\d]+[届次期]"
                     r"(?:理事会|监事会|委员会)?)+")
RE_SUBJECT_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z/“”\d.]+")
BAD_START = "的或和及与并了等在对将"
RE_GLOSS = re.compile(r"\([^()]*\)")
MEASURES = ("收入", "金额", "产值")
SHARES = ("占比", "比重", "比例")
RE_PLAN_TITLE = re.compile(r"(?P<y>(?:19|20)\d\d)[^《》。,]{0,40}(?:工作要点|规划|实施方案|工作方案|行动计划|行动方案)(?:\([^)]*\))?$")
RE_PAST = re.compile(r"截至|截止|去年|上年|过去|以来|已经|累计")
RE_LIST_FOLLOWS = re.compile(r"[^。\n]{0,12}?(?:名单)?如下")      # 共指定认证机构7家,名单如下: totals of a list given in full
RE_NOUN_STOP = re.compile(r"的|及(?!其)|调整|纳入|列入|移出|进行|实施|参与|存在|提升|当选")
RE_COMPARED = re.compile(r"较|比|同比|按年")
RE_RESPECTIVE_REST = re.compile(r"(?:[和、及](?:约|近)?" + NUMBER + r"(?:万|亿)?(?:余|多)?(?:" + UNIT + r"|%))+")
# 增长9.6%, 分别增长5%和8%, 增加200张 (a change in the statistic's own unit)
RE_CHANGE = re.compile(r"(?:分别)?(?:增长|提高|增加|上升|下降|减少)(?P<pcts>\d+(?:\.\d+)?%(?:(?:和|、)\d+(?:\.\d+)?%)*"
                       r"|\d+(?:\.\d+)?(?:万|亿)?" + UNIT + r")")
RE_PCT = re.compile(r"\d+(?:\.\d+)?(?:%|(?:万|亿)?" + UNIT + r")")
RE_YEAR_OF = re.compile(r"(?P<y>(?:19|20)\d\d)年(?!\d|以来|来|起|前|后|之前|以后|底前)")
RE_YEAR_ON_YEAR = re.compile(r"同比|按年")
RE_SINCE = re.compile(r"(?:比|较)(?P<ref>[^,。;]{1,10}?)(?:分别)?(?:增长|提高|增加|上升|下降|减少)")

# 2024年底前, 3月底前, 2027年或之前
DEADLINE = r"(?:(?:19|20)\d\d年(?:\d{1,2}月底?|底|末|上半年|下半年)?|\d{1,2}月底)(?:前|以前|或之前)"
# 通过3-5年努力, 经过三年的时间, 用两年左右时间的奋斗; 到2020年(底); 今后五年
RE_HORIZON = re.compile(r"(?:通过|经过|用)(?P<h>\d+(?:[-—–~至到]\d+)?|[一二三四五六七八九十两]{1,2}(?:到[一二三四五六七八九十])?)年"
                        r"(?:左右)?的?(?:时间的?(?:努力|奋斗)?|努力|奋斗)|到(?P<y>20\d\d)年(?:底|末)?|今后(?P<n>\d+|[一二三四五])年|"
                        r"在?" + DEADLINE + r"|在?[一二三四五六七八九十两\d]*年内|"
                        r"今年(?=要|将|力争|确保)")
RE_HORIZON_ANCHOR = re.compile(r"努力|奋斗|时间|到20|今后|前|年内|今年")     # every horizon holds one of these


def horizons(text: str):
    """RE_HORIZON over a whole text, run only near its anchor words."""
    return finditer_near(RE_HORIZON, RE_HORIZON_ANCHOR, 20, text)


RE_GOAL = re.compile(r"(?P<goal>(?:趋于|基本|明显|显著|全面|进一步|大幅|普遍|不断|更加|更为|日益|逐步)[\u4e00-\u9fff]{2,4}|全覆盖)$")
# 体制改革取得关键性突破, 检测报告在更多地区得到采信
RE_RESULT_GOAL = re.compile(r"^(?P<subj>[\u4e00-\u9fff“”「」]{2,20}?)(?P<goal>(?:在[^,;。]{2,24}?)?(?:取得|得到|获得)"
                            r"[\u4e00-\u9fff]{0,6}(?:进展|突破|成效|采信|认可|应用|推广))$")
# 服务中小企业1200家以上, 建成省级质检中心8个: a subject and the count it is to reach
RE_COUNT_GOAL = re.compile(r"^(?P<subj>[\u4e00-\u9fff“”「」]{2,30}?)(?P<goal>" + NUMBER + r"(?:万|亿)?(?:余|多)?" + UNIT + r"(?:以上)?)$")
# 质量强省建设, 锚定质量强省目标 (a named 质量强省战略 is a programme)
STRONG = r"(?:认证认可|检验检测|[\u4e00-\u9fff]{2})强(?:国|省|市|区)"
RE_STRONG = re.compile(r"(?P<x>" + STRONG + r")(?:建设(?!纲要|规划|战略)|目标)")
RE_STRONG_NAME = re.compile(STRONG)
RE_STRONG_ANCHOR = re.compile(r"强[国省市区](?:建设|目标)")
# 把学会打造成为国际知名的专业组织
RE_MAKE_INTO = re.compile(r"把(?P<subj>[\u4e00-\u9fff“”]{2,14}?)(?P<goal>(?:建设|打造|建)成为?[^,;。\n]{2,30})")
RE_VERB_FIRST = re.compile(r"^(?P<goal>(?:基本|全面|初步)?(?:形成|建成|建立|实现|培育|打造|完成|制定|出台)(?:一批|一套)?)(?P<subj>[\u4e00-\u9fff、“”《》\d.%]{2,30})$")
# 行业营业收入达到5000亿元, 检验检测机构突破5万家, 收入年均增长10%以上: a subject and a number it is to reach
RE_QUANT_GOAL = re.compile(r"^(?P<subj>[\u4e00-\u9fff、“”「」]{2,30}?)(?P<goal>(?:年均|平均|每年)?(?:达到|超过|突破|增长|增加|提高|提升|"
                           r"降低|下降|减少|控制在|保持在|不少于|不低于)(?:到|至)?[^,。;\d]{0,4}[\d两][^,。;]{0,16}|"
                           r"(?:增加|提高|增长)[一二三四五六七八九两]成|(?:压缩|缩短|压减)[至到][^,。;]{2,12})$")
RE_QUANT_VERB = re.compile(r"达到|超过|突破|增长|增加|提高|提升|降低|下降|减少|控制在|保持在|不少于|不低于|压缩|缩短|压减")
RE_DIGIT = re.compile(r"\d")
# 主要产品质量达到国际先进水平, 认证认可能力进入世界前列
RE_LEVEL_GOAL = re.compile(r"^(?P<subj>[\u4e00-\u9fff、]{2,30}?)(?P<goal>(?:达到|接近|保持|进入|迈入|跻身)[\u4e00-\u9fff]{0,10}"
                           r"(?:水平|前列|行列))$")
# 力争在2019年底前实现…: a deadline that opens the clause is its horizon
RE_DEADLINE = re.compile(r"^在(?P<h>(?:19|20)\d\d年(?:\d{1,2}月)?(?:底|末)?(?:前|以前))")
RE_STRIVE = re.compile(r"(?:力争|争取)(?P<clause>[^,。;\n]{4,40})")
RE_BUILD = re.compile(r"构建(?P<goal>[^,。;的]{4,40})的(?P<subj>[\u4e00-\u9fff]{2,14}体系)")
RE_ASPIRE = re.compile(r"(?P<clause>(?:推动|加快|引导|努力|力争|为)?[\u4e00-\u9fff]{0,12}?"
                       r"(?:建设|迈进|迈入|迈向|建成)[\u4e00-\u9fff]{0,14}?(?:强国|行列|水平))")
RE_FOR = re.compile(r"^为")
RE_ELIDED_GOAL = re.compile(r"^(?:年均|平均|每年)(?:增长|提高|增加)")
RE_BUILD_VERB = re.compile(r"^(?:培育|建成|建设|打造|创建|认定)")
RE_GOAL_OPENER = re.compile(r"目标[是为][:：]?")
RE_TASK_CLAUSE = re.compile(r"[,;。]")
# every aspiration ends with one of these, rarer than its verbs; a match starts at most 30 characters before it
RE_ASPIRE_ANCHOR = re.compile(r"强国|行列|水平")
ASPIRE_REACH = 32
RE_LEADING = re.compile(r"^(?:我国|要|将|并|同时|共同|使|令|推动|使得|力争|争取|(?:战略|总体|主要)?目标是|确保|全年|全省|全市|全区|全国|全港|本市|本省|"
                        r"今年|年内|实现对|实现(?=全省|全市|全国|全区))+")


RE_GOAL_CUE = re.compile(r"力争|争取|目标是|目标为|预计")
AS_OF = r"(?:截至|截止)"
RE_AS_OF_BEFORE = re.compile(AS_OF + "$")


def _goal_marks(text: str) -> list[int]:
    """Where goals open in a text: 力争, 目标是, 预计 and horizons (到2020年, 2024年底前), not 截至2020年底."""
    marks = [m.start() for m in RE_GOAL_CUE.finditer(text)]
    marks += [h.start() for h in horizons(text)
              if not RE_AS_OF_BEFORE.search(text, max(0, h.start() - 2), h.start())]
    return sorted(marks)


def _in_goal(text: str, marks: list[int], offset: int) -> bool:
    """到2020年实现1000万家企业…, 力争…: a count in a goal is a target, not a fact."""
    sent_start = _full_sentence_start(text, offset)      # 到2026年,…;培育…15家: goals run on past ;
    return bisect_left(marks, offset) > bisect_left(marks, sent_start)


@lru_cache(maxsize=1)
def stat_heads() -> tuple[str, ...]:
    lines = (DATA_DIR / "stat_heads.txt").read_text(encoding="utf-8").splitlines()
    return tuple(sorted((w.strip() for w in lines if w.strip() and not w.startswith("#")), key=len, reverse=True))


@dataclass
class Item:
    """One counted quantity: where its mention runs, what it counts, the count itself."""

    start: int
    end: int
    subject: str
    count: re.Match
    noun: str = ""                              # the counted noun alone (机构 of 不符合的机构)
    pending: tuple[str, ...] = ()               # 覆盖率分别达到100%和31.5%: subjects of the counts still to come
    sentence: int = 0
    order: int = 0                              # how many items of its sentence come before it


def add_statistics(ctx: DocContext) -> None:
    """Statistic mentions and statistic relations (subject, value, unit, date, change), one per count."""
    items: list[Item] = []
    plan_year = ctx.meta["plan_year"] = _plan_year(ctx.text)
    earlier: list[Item] = []                    # the items of the current sentence
    marks = _goal_marks(ctx.text)
    for count in finditer_near(RE_COUNT, RE_COUNT_ANCHOR, COUNT_REACH, ctx.text, _title_end(ctx.text)):
        if not _countable(ctx, count, marks) or (plan_year and not _past(ctx.text, count.start(), plan_year)):
            continue
        sentence = ctx.sentences.index(count.start())
        if earlier and earlier[-1].sentence != sentence:
            earlier = []
        item = _value_first(ctx.text, count) or _subject_first(ctx.text, count, earlier)
        if item is not None:
            item.sentence, item.order = sentence, len(earlier)
            items.append(item)
            earlier.append(item)
    for index, item in enumerate(items):
        following = next((f.start for f in items[index + 1:] if f.start >= item.end), None)
        _statistic(ctx, item, item.order, following)


def _plan_year(text: str) -> int | None:
    """The year of a plan (2024年…工作要点, …实施方案(2024—2026年)) when the text is one: its figures are goals
    unless a sentence says they are past."""
    for _, line in head_lines(text, 8):
        match = RE_PLAN_TITLE.search(line)
        if match:
            return int(match.group("y"))
    return None


def _past(text: str, offset: int, plan_year: int) -> bool:
    """截至…, 去年…, 2023年,… in a plan for 2024: the sentence reports what was done."""
    start = _full_sentence_start(text, offset)
    return bool(RE_PAST.search(text, start, offset)) or any(
        int(year.group("y")) < plan_year for year in RE_YEAR.finditer(text, start, offset))


def _title_end(text: str) -> int:
    """End of a headline in the first line (its figures restate the text's own)."""
    line_end = text.find("\n")
    first = text[:line_end] if line_end > 0 else ""
    return line_end if first.strip() and len(first) <= 60 and not re.search(r"[。,;:]", first) else 0


def _countable(ctx: DocContext, count: re.Match, marks: list[int]) -> bool:
    text, start = ctx.text, count.start()
    clause = _clause_start(text, start)
    if RE_NOT_A_COUNT.match(text, count.end()) or RE_LIST_FOLLOWS.match(text, count.end()):
        return False
    if RE_CHANGE_BEFORE.search(text, max(0, start - 8), start) and not (
            count.group("pct") and not RE_COUNT.search(text, clause, start)):
        return False                     # 增加312名; but 营业收入同比增长12.4% is a figure of its own
    line_start = text.rfind("\n", 0, start) + 1
    if text.rfind("(", line_start, start) > text.rfind(")", line_start, start):
        return False                     # (年营业收入1000万元以上): a gloss, not a figure
    if text[start - 1:start] == "等" and _listed(text, start - 1) == float(count.group("value")):
        return False                     # 甲、乙、丙、丁等4家单位: the total of a list given in full
    if ctx.in_span(line_start, line_start + 8, "Task"):
        return False                     # a work item of a plan states what is to be done
    return not RE_OUTLINE.search(text, clause, start) and not _in_goal(text, marks, start)


def _listed(text: str, offset: int) -> int:
    """How many items the 、-list ending at ``offset`` names."""
    low = max(text.rfind(c, 0, offset) for c in ",;。:\n") + 1
    return text.count("、", low, offset) + 1


def _clause_start(text: str, offset: int) -> int:
    low = max(0, offset - 40)
    masked = RE_GLOSS.sub(lambda m: "_" * len(m.group()), text[low:offset])
    breaks = list(RE_CLAUSE_BREAK.finditer(masked))
    return low + breaks[-1].end() if breaks else low


def _value_first(text: str, count: re.Match) -> Item | None:
    """186家认证机构…, 1.2万家企业的…, 16大类96种产品 (the noun of the next count)."""
    if count.group("pct") or count.group("unit").endswith("元"):
        return None
    following = RE_COUNT.match(text, count.end())
    if following and following.group("unit"):
        nested = _value_first(text, following)
        return Item(count.start(), count.end(), nested.subject, count, nested.noun) if nested else None
    run = RE_SUBJECT_CHARS.match(text, count.end())
    if run is None:
        return None
    body = run.group()
    stop = next((m.start() for m in RE_NOUN_STOP.finditer(body)), len(body))
    stop = next((m.start() for m in cut_regex().finditer(body, 0, stop) if len(m.group()) >= 2), stop)
    head = _head_prefix(body[:stop])
    return Item(count.start(), count.end() + len(head), head, count, head) if head else None


def _subject_first(text: str, count: re.Match, earlier: list[Item]) -> Item | None:
    """检验检测机构1875家, 获得…的企业达2.4万家, 共派出检查组268个, 不符合率为4.37%, 西部地区占18.9%."""
    start, previous = count.start(), (earlier[-1] if earlier else None)
    if previous and previous.pending and previous.count.end() == start - 1 and text[start - 1] in "和、及":
        return Item(previous.start, count.end(), previous.pending[0], count, previous.noun, previous.pending[1:])
    clause = _clause_start(text, start)
    body = text[clause:start]
    tail = RE_REACH_TAIL.search(body) or (RE_SHARE_TAIL.search(body) if count.group("pct") else None)
    if tail is not None:
        body = body[:tail.start()]
    share = tail is not None and tail.group().startswith("占")
    subject, offset = _subject_of(body, bool(count.group("pct")))
    noun = subject
    if subject is None:
        subject = _restored(text, clause, body, share, previous)
        noun, offset = (previous.noun if previous and body.endswith("的") else subject), 0
    elif previous and subject in SHARES:
        subject = previous.noun + subject                              # 机构126家,占比2.1%
    elif share and previous and subject.endswith(MEASURES):
        subject = previous.noun + subject                              # 规模以上机构…,营业收入占全行业的71.3%
    elif share and previous and previous.noun.find("地区") > 0 and subject.endswith("地区") and subject != previous.noun:
        subject += previous.noun[previous.noun.find("地区") + 2:]      # 东部地区X占58.3%,中部地区占22.6%
        noun = subject
    elif tail is not None and count.group("pct") and not share and tail.group()[-2:] in ("增长", "提高", "上升", "下降"):
        subject += tail.group()                                        # 营业收入同比增长12.4%
    if subject is None:
        return None
    item = Item(clause + offset, count.end(), subject, count, noun)
    if tail is not None and tail.group().startswith("分别"):
        subjects, begin = _respective(text, count, subject, earlier, clause + tail.start())
        item.start, item.subject, item.pending = min(item.start, begin), subjects[0], subjects[1:]
    return item


def _restored(text: str, clause: str, body: str, share: bool, previous: Item | None) -> str | None:
    """A noun the clause leaves out: 不符合的17家 (the noun counted before), 占机构总数的57.2% (a share of it),
    总数达到7105名 (the noun of the clause before)."""
    if previous is not None and body.endswith("的"):
        lead = RE_LEAD.match(body)
        return body[lead.end() if lead else 0:] + previous.noun
    if previous is not None and share and not body:
        return previous.noun + "占比"
    if body in ("总数", "总量") and clause > 1:
        before = text[_clause_start(text, clause - 1):clause - 1]
        return _subject_of(RE_COMPARED.split(before, 1)[0], False)[0]
    return None


def _respective(text: str, count: re.Match, subject: str, earlier: list[Item], tail: int) -> tuple[tuple[str, ...], int]:
    """分别…A和B: 认证机构、检测机构分别达到500家和3000家 (one noun each), 覆盖率分别达到100%和31.5% after two
    counts (one rate for each counted noun, in order). Returns the subjects and where the first mention starts."""
    rest = RE_RESPECTIVE_REST.match(text, count.end())
    size = 1 + (len(RE_COUNT.findall(rest.group())) if rest else 0)
    low = max(0, tail - 40)
    breaks = list(RE_SENTENCE_BREAK.finditer(text, low, tail))
    start = breaks[-1].end() if breaks else low
    parts = RE_AND.split(text[start:tail])
    found = [_subject_of(part, False) for part in parts]
    if len(parts) == size and all(noun for noun, _ in found):
        return tuple(noun for noun, _ in found), start + found[0][1]
    if len(earlier) >= size and subject.endswith("率"):
        return tuple(i.noun + subject for i in earlier[-size:]), tail
    return (subject,) * size, tail


def _subject_of(body: str, share: bool) -> tuple[str | None, int]:
    """The counted noun in the text before a count and where it starts: after a verb that takes it as object
    (颁发, 派出, 查处 …) and after scope, time and quantifier words."""
    for frame in reversed(list(RE_FRAME.finditer(body))):
        subject, offset = _noun(body, frame.end(), share)
        if subject:
            return subject, offset
    return _noun(body, 0, share)


def _noun(body: str, offset: int, share: bool) -> tuple[str | None, int]:
    lead = RE_LEAD.match(body, offset)
    if lead and lead.end() < len(body):
        offset = lead.end()
    phrase = body[offset:]
    if phrase.count("的") >= 2 or (phrase[:1] in BAD_START and "的" in phrase):
        # 获…认可的…机构颁发的认证证书, 与CNAS签署…协议的境外认可机构: the noun after the last 的
        offset += phrase.rfind("的") + 1
        phrase = body[offset:]
    noun = RE_GLOSS.sub("", phrase).removesuffix("数量").removesuffix("总数")
    if not (2 <= len(noun) <= 24 and noun[0] not in BAD_START and RE_SUBJECT_CHARS.fullmatch(noun)):
        return None, offset
    if noun.endswith(stat_heads()) or (share and noun.endswith(("地区", "行业"))):
        return noun, offset
    return None, offset


def _head_prefix(body: str) -> str | None:
    for end in range(len(body), 1, -1):
        if body[:end].endswith(stat_heads()):
            return body[:end]
    return None


def _statistic(ctx: DocContext, item: Item, order: int, following: int | None) -> None:
    count = item.count
    value = Decimal(count.group("value").replace(",", "")) * {"万": 10000, "亿": 100000000}.get(count.group("mult") or "", 1)
    unit = count.group("unit") or "%"
    surface = ctx.text[item.start:item.end]
    core = item.subject
    stat = Hit(item.start, item.end, "Statistic", surface, "rx:statistic",
               (("indicator", core + "数量"), ("subject", core)))
    ctx.add_entity(stat, EntityInfo(stat.key, "rx:statistic"))
    _, sent_end = ctx.sentences.span(item.start)
    change = _change(ctx.text, item.end, sent_end, order, following)
    args = {"statistic": stat.key, "subject": core, "indicator": core + "数量",
            "value": int(value) if value == value.to_integral_value() else float(value), "unit": unit,
            "date": _as_of(ctx, item.start) or reference_date(ctx), "change": change}
    ctx.relate("statistic", args, item.start, item.end, "rx:statistic")


# 截至2023年底, 截止到去年5月底, 截至2022年6月30日, 截至年底
RE_STOCK_DATE = re.compile(AS_OF + r"(?:到|目前)?\s*(?:(?P<y>(?:19|20)\d\d)年|(?P<rel>去年|今年|上年))?"
                           r"(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?)?(?P<end>底|末)?")
RE_FLOW = re.compile(r"全年|年内|一年来|过去一年|当年|本年度")
RE_YEAR = re.compile(r"(?P<y>(?:19|20)\d\d)年(?!\d)")
STOCK_REACH = 600
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
    """The date of a figure: a flow of a year (全年…, 2021年,…) is dated by its year; a stock by the 截至 date of its
    paragraph (截至2023年底 → 2023-12-31, 截至5月底 → that month's last day), or of the text shortly before."""
    text = ctx.text
    sent_start = _full_sentence_start(text, offset)
    part = max(text.rfind(";", sent_start, offset), sent_start - 1) + 1
    stock = _last(RE_STOCK_DATE, text, max(0, offset - STOCK_REACH), offset)
    flow = RE_FLOW.search(text, part, offset)
    period = _period_year(text, sent_start, offset)
    if flow or (period and (stock is None or stock.start() < sent_start)):
        return period or _context_year(ctx, offset)
    if stock is not None:
        return _stock_date(ctx, stock)
    year = _last(RE_YEAR_OF, text, part, offset)       # 该公司2031年实现营业收入… (not 2013年以来)
    return year.group("y") if year and not RE_AS_OF_BEFORE.search(text, max(0, year.start() - 2), year.start()) else None


def _last(pattern: re.Pattern, text: str, start: int, end: int) -> re.Match | None:
    found = None
    for found in pattern.finditer(text, start, end):
        pass
    return found


def _context_year(ctx: DocContext, offset: int) -> str | None:
    """The year the text last named before ``offset`` (2023年,CNAS发布…;截至年底,…), else the text's own."""
    year = _last(RE_YEAR, ctx.text, max(0, offset - 1000), offset)
    if year:
        return year.group("y")
    return str(ctx.meta["year"]) if ctx.meta.get("year") else None


def _stock_date(ctx: DocContext, stock: re.Match) -> str | None:
    if not any(stock.group(g) for g in ("y", "rel", "m", "end")):
        return None                                  # 截至目前: the text's own date
    year = stock.group("y") or _context_year(ctx, stock.start())
    own = (reference_date(ctx) or "")[:4]
    if stock.group("rel") and own.isdigit():        # 截至去年底: the year before the text's own date
        year = str(int(own) - (stock.group("rel") != "今年"))
    if not year:
        return None
    month, day = stock.group("m"), stock.group("d")
    if day:
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if month:
        if stock.group("end"):
            return f"{year}-{int(month):02d}-{monthrange(int(year), int(month))[1]:02d}"
        return f"{year}-{int(month):02d}"
    return f"{year}-12-31" if stock.group("end") else year


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
    if RE_YEAR_ON_YEAR.search(text, max(start, match.start() - 3), match.start()):
        return f"{sign}{pct} year on year"
    return f"{sign}{pct}" + (f" vs {since.group('ref')}" if since else "")


def add_targets(ctx: DocContext) -> None:
    """Target mentions with subject, goal and horizon."""
    plan_year = ctx.meta["plan_year"] if "plan_year" in ctx.meta else _plan_year(ctx.text)
    for match in RE_GOAL_OPENER.finditer(ctx.text):        # 主要目标是:A;B;C
        _goal_clauses(ctx, match.end(), f"{plan_year}年" if plan_year else None)
    for match in horizons(ctx.text):
        _goal_clauses(ctx, match.end(), match.group(0).removeprefix("在"))
    for match in RE_STRIVE.finditer(ctx.text):
        _horizon_clause(ctx, match.group("clause"), match.start("clause"), _horizon_near(ctx, match.start()))
    for match in RE_BUILD.finditer(ctx.text):
        _target(ctx, match.start(), match.end(), match.group("subj"), match.group("goal"), _horizon_near(ctx, match.start()))
    for match in finditer_near(RE_ASPIRE, RE_ASPIRE_ANCHOR, ASPIRE_REACH, ctx.text, after=0):
        clause = match.group("clause")
        lead = RE_LEADING.match(clause) or RE_FOR.match(clause)
        start = match.start() + (lead.end() if lead else 0)
        goal = ctx.text[start:match.end()]
        strong = RE_STRONG_NAME.search(goal)         # 努力建设认证认可强国: a target named 认证认可强国目标
        _target(ctx, start, match.end(), strong.group() if strong else goal, goal, None)
    for match in finditer_near(RE_STRONG, RE_STRONG_ANCHOR, 8, ctx.text):
        _target(ctx, match.start(), match.end(), match.group("x"), "建设" + match.group("x"), None)
    _task_goals(ctx)
    for match in RE_MAKE_INTO.finditer(ctx.text):
        _target(ctx, match.start(), match.end(), match.group("subj"), match.group("goal"), _horizon_near(ctx, match.start()))


def _goal_clauses(ctx: DocContext, offset: int, horizon: str | None) -> None:
    """Each clause from ``offset`` to the end of the sentence, as a goal with this horizon."""
    sent_end = _full_sentence_end(ctx.text, offset)
    subject = None
    for clause in re.split(r"[,;]", ctx.text[offset:sent_end]):
        start = ctx.text.find(clause, offset)
        offset = start + len(clause)
        subject = _horizon_clause(ctx, clause.rstrip("。"), start, horizon, subject)


def _task_goals(ctx: DocContext) -> None:
    """A work item of a year's plan that states a figure (服务企业不少于260家, 许可时限缩短至…) is a target of that year."""
    year = ctx.meta.get("year")
    for task in ctx.of_type("Task"):
        line_end = ctx.text.find("\n", task.end)
        line = ctx.text[task.end:line_end if line_end > 0 else len(ctx.text)]
        offset = task.end
        for clause in RE_TASK_CLAUSE.split(line.split("(")[0]):
            start = ctx.text.find(clause, offset)
            offset = start + len(clause)
            lead = RE_LEADING.match(clause)
            body = clause[lead.end():] if lead else clause
            goal = _quant_goal(body) or _count_goal(body)
            if goal:
                begin = start + len(clause) - len(body)
                _target(ctx, begin, offset, goal.group("subj"), goal.group("goal"), f"{year}年" if year else None)


def _quant_goal(clause: str) -> re.Match | None:
    """RE_QUANT_GOAL.match, tried only where one of its verbs occurs (most clauses have none)."""
    return RE_QUANT_GOAL.match(clause) if RE_QUANT_VERB.search(clause) else None


def _count_goal(clause: str) -> re.Match | None:
    """RE_COUNT_GOAL.match, tried only where a digit occurs."""
    return RE_COUNT_GOAL.match(clause) if RE_DIGIT.search(clause) else None


def _full_sentence_end(text: str, offset: int) -> int:
    ends = [e for e in (text.find("。", offset), text.find("\n", offset)) if e >= 0]
    return min(ends) if ends else len(text)


def _horizon_near(ctx: DocContext, offset: int) -> str | None:
    match = None
    for match in RE_HORIZON.finditer(ctx.text, _full_sentence_start(ctx.text, offset), offset):
        pass
    return match.group(0) if match else None


def _horizon_clause(ctx: DocContext, clause: str, start: int, horizon: str | None, before: str | None = None) -> str | None:
    """The target a goal clause states, if any; returns its subject. ``before`` is the subject of the clause
    before (突破200亿元,年均增长8%以上: the second clause leaves it out)."""
    while True:        # 力争到2025年使…, 今年要实现对全省…: horizons and modal or scope words before the goal
        lead = RE_LEADING.match(clause) or RE_HORIZON.match(clause)
        if not lead or lead.end() == 0:
            break
        if lead.re is RE_HORIZON:
            horizon = lead.group(0).removeprefix("在")
        clause, start = clause[lead.end():], start + lead.end()
    deadline = RE_DEADLINE.match(clause)
    if deadline:
        clause, start, horizon = clause[deadline.end():], start + deadline.end(), deadline.group("h")
    goal = RE_GOAL.search(clause)
    counted = _count_goal(clause)
    verb = RE_VERB_FIRST.match(clause)
    quant = _quant_goal(clause) or RE_LEVEL_GOAL.match(clause) or RE_RESULT_GOAL.match(clause) or counted
    end = start + len(clause)
    if before and RE_ELIDED_GOAL.match(clause):
        return _target(ctx, start, end, before, clause, horizon)
    if goal and len(clause) - len(goal.group("goal")) >= 2:
        subject = clause[2 if clause.startswith("实现") else 0:goal.start()]     # 实现…全覆盖
        return _target(ctx, start, end, subject, goal.group("goal"), horizon)
    if counted:
        built = RE_BUILD_VERB.match(counted.group("subj"))     # 培育…机构15家: the verb goes with the count
        if built and len(counted.group("subj")) - built.end() >= 2:
            return _target(ctx, start, end, counted.group("subj")[built.end():], built.group() + counted.group("goal"),
                           horizon)
    if verb:
        return _target(ctx, start, end, verb.group("subj"), verb.group("goal"), horizon)
    if quant:
        return _target(ctx, start, end, quant.group("subj"), quant.group("goal"), horizon)
    return None


def _target(ctx: DocContext, start: int, end: int, subject: str, goal: str, horizon: str | None) -> str | None:
    """A Target named <subject>目标 (Conventions), its clause the mention."""
    if any(h.start < end and start < h.end for h in ctx.of_type("Target")):
        return None
    if ctx.text.rfind("《", 0, start) > ctx.text.rfind("》", 0, start):
        return None                         # 《以…支撑质量强国建设》: a title names no goal
    target = Hit(start, end, "Target", re.sub(r"\s", "", subject) + "目标", "rx:target")
    ctx.add_entity(target, EntityInfo(target.key, "rx:target"))
    ctx.relate("target", {"target": target.key, "subject": subject, "goal": goal, "horizon": horizon},
               start, end, "rx:target")
    return subject
