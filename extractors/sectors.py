"""Sectors by the grammar of lists: the items of a 、-list closed by a field word (…等行业/领域/产业/产品) or led by
a verb of scope (聚焦, 涵盖, 新增 …) are industries or product fields, known to the lexicon or not."""
from __future__ import annotations

import re

from extractors.records import Hit, SpanIndex
from extractors.rules import clause_inside, cut_regex

SOURCE = "rx:sector-list"
REACH = 100                     # how far back a list can start before its field word
# the field word that closes a list of sectors: 在A、B等重点领域; A、B产业集群; A、B等产品
RE_FIELD_HEAD = re.compile(r"行业|领域|产业集群|产业|产品")
# after a list without 等, 产品 closes it only where the phrase ends (A、B类产品范围内), not inside a longer noun
# (A、B绿色产品评价标准)
RE_PRODUCT_ENDS = re.compile(r"(?![\u4e00-\u9fff])|范围|领域|基础|实施|开展|纳入|中|上|的")
# a verb of scope that opens a list of sectors without a field word: 聚焦A、B和C。 首批涵盖A、B及C
RE_SCOPE_LEAD = re.compile(r"聚焦|涵盖|覆盖|新增|围绕|包括")
# 将A、B、C纳入…目录; 对A、B实施…认证: a list between 将/对 and the verb that puts it under a scheme
RE_VERB_CLOSE = re.compile(r"纳入|列入|实施")
RE_VERB_OBJECT_LEAD = re.compile(r"[将对]")
RE_CLAUSE_BREAK = re.compile(r"[,。;:!?\n()“”《》「」\[\]]")
RE_LAST_CLAUSE_BREAK = re.compile(r"(?s:.*)" + RE_CLAUSE_BREAK.pattern)   # greedy: backs off to the last one
RE_LAST_AND = re.compile(r"和|及|与|以及")
LEAD_PARTICLES = "在对向为将把从了的"     # one-character words that open a list (再 in 可再生资源 does not)
# a verb of scope inside the first item: 重点支持电子元器件, 能力验证已覆盖饲料, 重点整治环境监测
RE_LEAD_VERB = re.compile(r"覆盖|涵盖|新增|查处|服务|分布在|集中在|聚焦|围绕|包括|涉及")
# what ends the name of a body, a person, a scheme, a programme or a process (信息化), not of a field
RE_NOT_FIELD_TAIL = re.compile(r"(?:机构|实验室|会员|企业|单位|部门|人员|者|公司|中心|协会|认证|认可|合格评定|体系|行动|工程|平台|制度|"
                               r"机制|建设|改革|工作|[\u4e00-\u9fff]{2}化|[和及与])$|的|是|尤其|特别")
# 在X领域: one field alone, unless X is a generic qualifier (重点领域, 相关领域, 这一领域)
RE_SINGLE_FIELD = re.compile(r"在(?P<item>[\u4e00-\u9fff]{2,8}?)(?:领域|行业)")
RE_GENERIC_FIELD = re.compile(r"^(?:[各每本该此这那其多全]|重点|相关|新兴|关键|特定|不同|其他|有关|广泛|众多|部分|更多|传统|国际|国内)")
RE_ITEM = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,11}")
# words between 等 and the field word that only qualify it: 等云南特色产业, 等重要检测领域, 等传统优势行业
RE_FIELD_MODIFIER = re.compile(r"(?!一批|一些|一系列|方面)(?:(?!的|方面)[\u4e00-\u9fff]){0,8}")
# a qualifier that is itself a field: 等特色农业领域, 等现代服务业领域
RE_FIELD_MODIFIER_SECTOR = re.compile(r"[\u4e00-\u9fff]{2,6}(?:农业|工业|制造业|服务业|渔业|林业|畜牧业)$")
QUALIFIER_WORDS = frozenset({"主要", "相关", "优先", "重点"})
# fields of the certification system itself and generic nouns: the bare 认证认可领域 is no sector
NOT_SECTORS = frozenset({
    "标准", "计量", "认证", "认可", "认证认可", "检验检测", "检验", "检测", "质量", "标准化", "合格评定", "知识产权",
    "市场", "监管", "安全", "健康", "环保", "服务", "产品", "行业", "领域", "产业", "企业", "机构", "政府", "社会", "公共", "生产",
    "流通", "消费", "进口", "出口", "管理", "技术", "信息", "资源", "环节", "方面", "地区", "国家", "国际", "国内",
})


def listed_sectors(text: str, known: list[Hit]) -> list[Hit]:
    """Sector mentions of every list in the text. ``known`` are the dictionary's hits: an item that is, or
    holds, a name of another type (a body, a place, a scheme) is not a sector."""
    others = SpanIndex([h for h in known if h.type != "Sector"])
    sectors = [h for h in known if h.type == "Sector"]
    hits: list[Hit] = []
    for head in RE_FIELD_HEAD.finditer(text):
        hits += _closed_list(text, head, others)
    for lead in RE_SCOPE_LEAD.finditer(text):
        hits += _led_list(text, lead, others, sectors)
    for verb in RE_VERB_CLOSE.finditer(text):
        hits += _verb_closed_list(text, verb, others)
    for single in RE_SINGLE_FIELD.finditer(text):
        hits += _accepted(text, [single.span("item")], others)
    return hits


def _closed_list(text: str, head: re.Match, others: SpanIndex) -> list[Hit]:
    """A、B、C等(修饰)行业 / A、B、C产业集群: the items before the field word."""
    if "、" not in text[max(0, head.start() - REACH):head.start()]:
        return []                         # no list can end here (the common case: a cheap test first)
    start = _clause_start(text, head.start())
    segment = text[start:head.start()]
    cut = segment.rfind("等")
    if cut >= 0 and "、" not in segment[cut:] and _only_qualifies(segment[cut + 1:]):
        field = RE_FIELD_MODIFIER_SECTOR.search(segment, cut + 1)
        hits = _accepted(text, _split(text, start, start + cut), others)
        if hits and field:                # 柑橘、蜂蜜等特色农业领域: 特色农业 is a sector too
            hits.append(Hit(start + field.start(), start + field.end(), "Sector", field.group(), SOURCE))
        return hits
    if "、" in segment and not segment.endswith("、") and _led(segment[:segment.find("、")]) and \
            (head.group() != "产品" or RE_PRODUCT_ENDS.match(text, head.end())):
        items_end = head.end() if head.group() == "产品" else head.start()   # A、B类产品: 产品 ends the item
        return _accepted(text, _split(text, start, items_end), others)
    return []


def _led_list(text: str, lead: re.Match, others: SpanIndex, sectors: list[Hit]) -> list[Hit]:
    """聚焦A、B和C。: a list running to the end of its clause, which names at least one known sector."""
    if text.find("、", lead.end(), lead.end() + REACH) < 0:
        return []                         # no list (the common case: a cheap test first)
    match = RE_CLAUSE_BREAK.search(text, lead.end(), lead.end() + REACH)
    if match is None:
        return []
    end = match.start()
    last = text.rfind("、", lead.end(), end)
    if last < 0:
        return []
    closing = text.find("等", last, end)          # 新增A、B、C等。 聚焦A、B等优势产业: the list ends at 等
    if not any(h.start >= lead.end() and h.end <= end for h in sectors):
        return []
    return _accepted(text, _split(text, lead.end(), end if closing < 0 else closing), others)


def _verb_closed_list(text: str, verb: re.Match, others: SpanIndex) -> list[Hit]:
    if "、" not in text[max(0, verb.start() - REACH):verb.start()]:
        return []
    start = _clause_start(text, verb.start())
    leads = list(RE_VERB_OBJECT_LEAD.finditer(text, start, verb.start()))
    if not leads or "、" not in text[leads[-1].end():verb.start()] or "等" in text[leads[-1].end():verb.start()]:
        return []
    return _accepted(text, _split(text, leads[-1].end(), verb.start()), others)


def _clause_start(text: str, end: int) -> int:
    """After the last clause break in the REACH characters before ``end``."""
    start = max(0, end - REACH)
    last = RE_LAST_CLAUSE_BREAK.match(text, start, end)
    return last.end() if last else start


def _only_qualifies(words: str) -> bool:
    """The words between 等 and the field word qualify it (特色, 出口优势, 主要检测) and say nothing else."""
    if not RE_FIELD_MODIFIER.fullmatch(words):
        return False
    return not any(len(w.group()) >= 2 and w.group() not in QUALIFIER_WORDS for w in cut_regex().finditer(words))


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the items of text[start:end]: split at 、, the first item trimmed of the verb before it, the last
    split at 和/及/与 (A、B和C等; 家具和木制品 inside a list stays one item)."""
    spans, offset = [], start
    for part in text[start:end].split("、"):
        spans.append((offset, offset + len(part)))
        offset += len(part) + 1
    first_start, first_end = spans[0]
    spans[0] = (first_start + _item_start(text[first_start:first_end]), first_end)
    last_start, last_end = spans[-1]
    joint = RE_LAST_AND.search(text, last_start, last_end)
    if joint and len(spans) >= 2 and joint.start() - last_start >= 2 and last_end - joint.end() >= 2:
        spans[-1:] = [(last_start, joint.start()), (joint.end(), last_end)]
    return spans


def _led(first: str) -> bool:
    """A list without 等 must be opened by a verb or particle (在A、B产业集群; 支持A、B产业): no subject runs into it."""
    return _item_start(first) > 0


def _item_start(first: str) -> int:
    """Where the first item starts: after the last verb or particle before it (在, 围绕, 覆盖), but not after a
    joining word (家具和木制品) nor so far that less than a word is left (养老服务)."""
    start = 0
    for word in cut_regex().finditer(first):
        if len(word.group()) >= 2 or word.group() in LEAD_PARTICLES:
            start = max(start, word.end())
    for verb in RE_LEAD_VERB.finditer(first, start):
        if len(first) - verb.end() >= 2:
            start = verb.end()
    return start


def _accepted(text: str, spans: list[tuple[int, int]], others: SpanIndex) -> list[Hit]:
    """The items that look like a field: a short noun phrase, no verb, no name of another kind. A list of two
    items or more of which more than one is no field (服务大局、深化改革、行业治理) is no list of sectors."""
    allowed_misses = 0 if len(spans) == 2 else 1 if len(spans) > 2 else len(spans)
    hits: list[Hit] = []
    for start, end in spans:
        if _field(text[start:end]) and not others.overlapping_span(start, end):
            hits.append(Hit(start, end, "Sector", text[start:end], SOURCE))
        elif allowed_misses == 0:
            return []                     # no list of sectors: stop at the first item too many
        else:
            allowed_misses -= 1
    return hits


def _field(item: str) -> bool:
    return bool(RE_ITEM.fullmatch(item)) and item not in NOT_SECTORS and not RE_GENERIC_FIELD.match(item) and \
        not RE_NOT_FIELD_TAIL.search(item) and not clause_inside(item)
