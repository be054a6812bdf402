"""Numbered work-plan tasks with their lead (牵头) and supporting (协作) units."""
from __future__ import annotations

import re

from extractors import bodies
from extractors.context import ORG_TYPES, DocContext
from extractors.policy import main_title
from extractors.records import EntityInfo, Hit
from extractors.text import cn_number

RE_TASK = re.compile(r"^[ \t]*\(?(?P<n>\d{1,3})(?:[.、]|\))(?!\d)", re.M)
RE_SECTION_LINE = re.compile(r"(?:^|\n)[ \t]*[一二三四五六七八九十]{1,3}、[^\n]{1,40}\n[ \t]*$")
RE_TASK_CN = re.compile(r"^[ \t]*\((?P<n>[一二三四五六七八九十]{1,3})\)", re.M)


def _label(verbs: str, prefix: str = "") -> str:
    """牵头单位: or the label in its own brackets (【牵头单位】)."""
    word = rf"(?:{verbs})(?:部门|单位|司局|处室)?"
    return rf"(?:{prefix}{word}\s*[::]|【{word}】)"


_LABEL_LEAD = _label("牵头|负责|责任|主责", prefix="(?:主要)?")
_LABEL_SUPPORT = _label("协作|配合|参与|协办|协助|协同")
# (牵头领导:X;牵头处室:Y): the leader in charge is no unit
_LEADER = r"(?:(?:牵头|责任|分管|主管)(?:局|厅|委)?领导\s*:[^:;)\]】〕\n]*[,;]\s*)?"
# a unit list may hold one bracket of its own: 市场监管总局(国家标准委), 认证处(牵头)
_IN_BRACKET = r"(?:[^:;()\]】〕]|\([^():;]{1,20}\))"
# (责任处室:A 完成时限:2024年10月底前): a deadline closing the bracket is no unit
_DEADLINE = r"(?:(?:\s*[,;]\s*|\s+)(?:完成)?时[限间]\s*:[^)\]】〕]*)?"
# (牵头部门:A;协作部门:B) in any bracket
RE_UNITS = re.compile(
    rf"[(\[【〔]\s*{_LEADER}{_LABEL_LEAD}\s*(?P<lead>{_IN_BRACKET}+?)"
    rf"(?:(?:\s*[,;]\s*|\s+){_LABEL_SUPPORT}\s*(?P<support>(?:{_IN_BRACKET}|;)+?))?"
    rf"{_DEADLINE}\s*[)\]】〕]")
# State Council style: (A牵头,B、C按职责分工负责), (A、B、C按职责分工负责) where the first leads, (A负责)
_UNIT_LIST = r"[^():;\n]{2,80}?"
_UNIT_TAIL = r"(?:等(?:部门|单位)?)?(?:按职责分工负责|按职责负责|按职责分工配合|配合|参与|协助)"
RE_UNITS_LEAD_THEN_LIST = re.compile(rf"\((?P<lead>{_UNIT_LIST})牵头\s*[,;]\s*(?P<support>{_UNIT_LIST}){_UNIT_TAIL}\)")
# (A、B按职责分工负责), (A、B共同牵头): every unit listed is responsible, unless the plan says that the first of
# each list leads (列第一位者为牵头单位)
RE_UNITS_ALL_LEAD = re.compile(rf"\((?P<lead>{_UNIT_LIST})(?:按职责分工负责|按职责负责|共同负责|共同牵头)\)")
RE_FIRST_LISTED_LEADS = re.compile(r"列(?:在)?(?:第一位|首位)(?:者|的)?(?:为|是)牵头")
RE_UNITS_FIRST_LEADS = re.compile(rf"\((?P<lead>[^():;,、\n]{{2,30}}?)(?:[、,](?P<support>{_UNIT_LIST}))?{_UNIT_TAIL}\)")
RE_UNITS_LEAD_ONLY = re.compile(rf"\((?P<lead>{_UNIT_LIST})(?:牵头|负责)\)")
# units on a line of their own under the task: 牵头单位:A;配合单位:B (the support may be on the next line),
# or after the task's last sentence on its line (…建设。责任处室:信息化处)
RE_UNITS_LINE = re.compile(
    rf"(?:^|(?<=。))[ \t]*{_LABEL_LEAD}\s*(?P<lead>[^:;\n]+?)"
    rf"(?:(?:\s*[;,]\s*|[ \t]+|\n[ \t]*){_LABEL_SUPPORT}\s*(?P<support>[^:;\n]+?))?"
    r"(?:(?:\s*[,;]\s*|[ \t]+)(?:完成)?时[限间]\s*:[^\n]*)?[ \t。]*$", re.M)
RE_UNITS_LINE_START = re.compile(rf"[ \t]*(?:{_LABEL_LEAD}|{_LABEL_SUPPORT})")
# (认证监管部), (认证监管部、各直属检验检疫局) closing the task's line: units with no label lead it
RE_UNITS_BARE = re.compile(r"\((?P<lead>[^():;\n]{2,60}?)\)[ \t。]*$", re.M)
UNIT_PATTERNS = (RE_UNITS, RE_UNITS_LEAD_THEN_LIST, RE_UNITS_ALL_LEAD, RE_UNITS_FIRST_LEADS, RE_UNITS_LEAD_ONLY,
                 RE_UNITS_LINE)
# in the task's prose: 由A负责,B配合; 由A、B共同牵头,C配合; 由A牵头负责,B、C协助做好…; 由A会同B、C组织实施.
# Alone (此项任务由A负责) they are no sign of a work plan: see is_work_plan
_PROSE_UNIT = r"[^():;,。\n由]{2,40}?"
_PROSE_SUPPORT = rf"(?P<support>(?:{_PROSE_UNIT}|、)+?)(?:配合|协助|参与|协同)"
RE_UNITS_PROSE = re.compile(
    rf"由(?P<lead>{_PROSE_UNIT})(?:共同|按职责分工)?(?:牵头负责|负责|牵头)(?:[,;]\s*{_PROSE_SUPPORT})?"
    r"(?=[。;,]|$|做好|开展|落实)", re.M)
RE_UNITS_PROSE_JOINTLY = re.compile(
    rf"由(?P<lead>{_PROSE_UNIT})会同(?P<support>(?:{_PROSE_UNIT}|、)+?)(?:组织实施|负责|推进|落实|实施|开展|办理)")
PROSE_PATTERNS = (RE_UNITS_PROSE, RE_UNITS_PROSE_JOINTLY)
# a list's last unit after its verb: 各区人民政府按职责分工负责 is the unit 各区人民政府
RE_UNIT_TAIL = re.compile(r"(?:等(?:部门|单位))?(?:按职责分工负责|按职责负责|按职责分工配合|牵头负责|负责|配合|协助|参与)$")
RE_LEAD_MARK = re.compile(r"\(牵头\)$")
RE_ALIAS_BRACKET = re.compile(r"^(?P<body>[^()]{2,30})\((?P<alias>[^()]{2,20})\)$")
# 河东区、河北区、红桥区人民政府: places sharing the government or bureau named after the last of them
RE_PLACE_HEAD = re.compile(r"^(?P<place>[\u4e00-\u9fff]{1,6}?(?:新区|区|县|市|旗))(?P<head>人民政府|政府|市场监管局|市场监督管理局)$")
RE_BARE_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:新区|区|县|市|旗)$")
RE_SPLIT = re.compile(r"[、,和及]")
# 和/及 joins two units only after a unit's head word (财务和审计司 is one name)
RE_UNIT_END = re.compile(r"(?:部|司|处|局|室|办|委|中心|所|院|会|党委|政府|总署|部门|单位)$")
# 各市、县(区)人民政府: one class of bodies, not a unit 各市
RE_LEVEL_LIST = re.compile(r"各[市县区]")
RE_GROUP = re.compile(r"^(?:省直|市直|县直|区直|省级|市级|省局|市局|中央|国家|[委局厅部署]?机关)?(?:各|有关|相关|其他)[\u4e00-\u9fff]{1,14}$|"
                      r"^各[市县区](?:、[县区市]\([县区市]\))+[\u4e00-\u9fff]{2,10}$|^(?:下属|直属|挂靠)单位$")
RE_UNIT_SHAPE = re.compile(r"^[\u4e00-\u9fff]{1,14}(?:部|司|处|科|局|室|办|委|中心|所|院|协会|党委|办公室|支队|大队)$")
MENTION_TYPES = ("Initiative", "CertificationScheme", "Sector")


def is_work_plan(text: str) -> bool:
    """Units assigned in one of the plan forms, or in prose within two numbered paragraphs."""
    if any(pattern.search(text) for pattern in UNIT_PATTERNS):
        return True
    if not any(pattern.search(text) for pattern in PROSE_PATTERNS):
        return False                      # most texts: no need to find their numbered paragraphs
    assigned = sum(1 for _, start, _, end in _task_spans(text)
                   if any(pattern.search(text, start, end) for pattern in PROSE_PATTERNS))
    return assigned >= 2


def _unit_patterns(text: str) -> tuple[re.Pattern, ...]:
    """Every form, but (A、B按职责分工负责) names lead and supporters where the plan says the first listed leads."""
    if RE_FIRST_LISTED_LEADS.search(text):
        return tuple(p for p in (*UNIT_PATTERNS, *PROSE_PATTERNS) if p is not RE_UNITS_ALL_LEAD)
    return (*UNIT_PATTERNS, *PROSE_PATTERNS)


def _units(text: str, start: int, end: int, patterns: tuple[re.Pattern, ...]) -> re.Match | None:
    """The first unit assignment of a task, in any of the forms (groups ``lead`` and, if any, ``support``)."""
    found = [m for m in (pattern.search(text, start, end) for pattern in patterns) if m is not None]
    return min(found, key=lambda m: m.start()) if found else None


def _bare_units(ctx: DocContext, start: int, end: int) -> re.Match | None:
    """Units in brackets with no label, at the end of the task's line, when every name in them is a unit."""
    for match in RE_UNITS_BARE.finditer(ctx.text, start, end):
        spans = _unit_spans(ctx, match.start("lead"), match.end("lead"))
        if all(_unit_hit(ctx, ctx.text[a:b].strip(), a, b)[0] is not None for a, b in spans):
            return match
    return None


def add_tasks(ctx: DocContext) -> None:
    """Task mentions, task_lead / task_support / task_mentions relations, for texts that assign units."""
    if not is_work_plan(ctx.text):
        return
    plan = main_title(ctx, ctx.cue("DocTitle"))
    plan_name = plan.name if plan else ctx.meta.get("doc_id", "工作计划")
    patterns = _unit_patterns(ctx.text)
    for number, start, marker_end, end in _task_spans(ctx.text):
        task = Hit(start, marker_end, "Task", f"{plan_name} 任务{number}", "rx:task",
                   (("number", number), ("plan", plan.key if plan else None), ("end", end)))
        ctx.add_entity(task, EntityInfo(task.key, "rx:task"))
        ctx.relate("task", {"task": task.key, "number": number, "plan": plan.key if plan else None},
                   start, end, "rx:task")
        units = _units(ctx.text, start, end, patterns) or _bare_units(ctx, start, end)
        if units:
            _unit_relations(ctx, task, units, "lead", "task_lead")
            _unit_relations(ctx, task, units, "support", "task_support")
        _mentions(ctx, task, start, units.start() if units else end)


def _task_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(number, start, end of the number marker, end) of numbered paragraphs that count up from 1:
    1. 2. 3. …, or else (一)(二)(三) …, which may start again under each heading and are then numbered on."""
    return _counted_paragraphs(RE_TASK, text, restarts=False) or _counted_paragraphs(RE_TASK_CN, text, restarts=True)


def _counted_paragraphs(pattern: re.Pattern, text: str, *, restarts: bool) -> list[tuple[int, int, int, int]]:
    """1. 2. 3. may also start again right under a section heading (一、…), and are then numbered on."""
    spans, expected = [], 1
    for match in pattern.finditer(text):
        marker = cn_number(match.group("n"))
        if marker == 1 and (restarts or RE_SECTION_LINE.search(text, max(0, match.start() - 60), match.start())):
            expected = 1           # a new heading starts its list again
        if marker != expected:
            continue
        spans.append((len(spans) + 1, match.start("n"), match.end(), _paragraph_end(text, match.end())))
        expected += 1
    return spans


def _paragraph_end(text: str, offset: int) -> int:
    """End of the task's line, and of the unit lines (牵头单位:…, 配合单位:…) right under it."""
    end = text.find("\n", offset)
    while end >= 0 and RE_UNITS_LINE_START.match(text, end + 1):
        end = text.find("\n", end + 1)
    return len(text) if end < 0 else end


def _unit_relations(ctx: DocContext, task: Hit, units: re.Match, group: str, kind: str) -> None:
    if not units.groupdict().get(group):
        return
    spans = _unit_spans(ctx, units.start(group), units.end(group))
    marked = group == "lead" and any(RE_LEAD_MARK.search(ctx.text, a, b) for a, b in spans)
    for start, end in spans:
        end = _drop_tail(ctx.text, start, end)
        this_kind = kind
        if marked:                        # A(牵头),B: the marked unit leads, the others support
            lead = RE_LEAD_MARK.search(ctx.text, start, end)
            this_kind, end = ("task_lead", lead.start()) if lead else ("task_support", end)
        for unit in _units_named(ctx, start, end, spans):
            ctx.relate(this_kind, {"task": task.key, "number": task.get("number"), "unit": unit},
                       task.start, task.get("end"), "rx:task-units")


def _drop_tail(text: str, start: int, end: int) -> int:
    """The end of a unit's name before the verb of its list (各区人民政府按职责分工负责)."""
    tail = RE_UNIT_TAIL.search(text[start:end].rstrip())
    return start + tail.start() if tail and tail.start() >= 2 else end


def _units_named(ctx: DocContext, start: int, end: int, spans: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """The units one list item names: itself; a body and its other name in brackets (总局(国家标准委)) as two;
    a bare place before a list's last 'place + government' (滨海新区、西青区人民政府) as that place's government."""
    name = ctx.text[start:end].strip()
    alias = RE_ALIAS_BRACKET.match(name)
    if alias and _unit_hit(ctx, alias.group("body"), start, start + len(alias.group("body")))[0] is not None:
        body_end = start + alias.end("body")
        return [u for u in (_unit(ctx, alias.group("body"), start, body_end),
                            _unit(ctx, alias.group("alias"), body_end + 1, body_end + 1 + len(alias.group("alias"))))
                if u is not None]
    head = _shared_head(ctx, name, spans)
    if head:
        return [_government(ctx, start, end, name + head)]
    place = RE_PLACE_HEAD.match(name)
    if place and RE_BARE_PLACE.match(ctx.text[spans[0][0]:spans[0][1]].strip()) and (start, end) != spans[0]:
        return [_government(ctx, start, end, name)]
    unit = _unit(ctx, name, start, end)
    return [unit] if unit is not None else []


def _shared_head(ctx: DocContext, name: str, spans: list[tuple[int, int]]) -> str | None:
    """The government or bureau that a bare place in a list shares with the place + head after it."""
    if not RE_BARE_PLACE.match(name):
        return None
    for a, b in spans:
        place = RE_PLACE_HEAD.match(ctx.text[a:_drop_tail(ctx.text, a, b)].strip())
        if place:
            return place.group("head")
    return None


def _government(ctx: DocContext, start: int, end: int, name: str) -> tuple[str, str]:
    """A district's or county's body, named with the text's own city (天津市西青区人民政府)."""
    city = bodies._home_regions(ctx).get("市")
    full = name if city is None or name.startswith(city) else city + name
    hit = Hit(start, end, "Agency", full, "rx:unit-place-head")
    ctx.add_entity(hit, EntityInfo(hit.key, hit.source))
    return hit.key


def _unit_spans(ctx: DocContext, start: int, end: int) -> list[tuple[int, int]]:
    """The listed unit names in text[start:end], cut at 、,和及 except inside a known body (工业和信息化部)."""
    cuts = [m.start() for m in RE_SPLIT.finditer(ctx.text, start, end)]
    if cuts:
        known = [(h.start, h.end) for h in ctx.in_span(start, end, *ORG_TYPES)]
        cuts = [cut for cut in cuts if not any(low < cut < high for low, high in known)]
        cuts = [cut for cut in cuts if ctx.text[cut] not in "和及" or RE_UNIT_END.search(ctx.text, start, cut)]
        cuts = [cut for cut in cuts if not _level_list(ctx.text, start, cut)]
    return list(zip([start] + [cut + 1 for cut in cuts], cuts + [end]))


def _level_list(text: str, start: int, cut: int) -> bool:
    """The cut is inside 各市、县(区)…: a level word opening a class of bodies."""
    return cut - 2 >= start and RE_LEVEL_LIST.fullmatch(text, cut - 2, cut) is not None \
        and (cut - 2 == start or text[cut - 3] in "、,:;")


def _unit(ctx: DocContext, name: str, start: int, end: int) -> tuple[str, str] | None:
    """The entity a unit name refers to: a known one, a group, or a department minted from its shape."""
    hit, new = _unit_hit(ctx, name, start, end)
    if new:
        ctx.add_entity(hit, EntityInfo(hit.key, hit.source))
    return hit.key if hit is not None else None


def _unit_hit(ctx: DocContext, name: str, start: int, end: int) -> tuple[Hit | None, bool]:
    """(the known body named exactly ``name`` in [start, end), False), else (a group or a department by its
    shape, True: not added yet), else (None, False)."""
    if not name:
        return None, False
    known = [h for h in ctx.in_span(start, end) if h.type in ORG_TYPES and ctx.text[h.start:h.end] == name]
    if known:
        return known[0], False
    if RE_GROUP.match(name):
        return Hit(start, end, "UnitGroup", name, "rx:unit-group"), True
    if RE_UNIT_SHAPE.match(name):
        return Hit(start, end, "Department", name, "rx:unit-shape"), True
    return None, False


def _mentions(ctx: DocContext, task: Hit, start: int, end: int) -> None:
    seen = set()
    for hit in ctx.in_span(start, end, *MENTION_TYPES):
        if hit.key not in seen:
            seen.add(hit.key)
            ctx.relate("task_mentions", {"task": task.key, "number": task.get("number"), "entity": hit.key},
                       task.start, task.get("end"), "rx:task-mentions")
