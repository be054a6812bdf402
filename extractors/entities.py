"""Choose the entity mentions of a document from dictionary and rule hits."""
from __future__ import annotations

import re

from extractors.context import ORG_TYPES, DocContext
from extractors.lexicon import Lexicon, LexiconEntry
from extractors.places import region_shapes
from extractors.records import Hit, SpanIndex, in_text_order
from extractors.rules import clause_inside, finditer_near, trim_left
from extractors.programmes import shaped_initiatives, shaped_schemes
from extractors.sectors import listed_sectors

ENTITY_TYPES = frozenset({
    "Agency", "Department", "Organization", "Person", "Initiative", "CertificationScheme",
    "Sector", "Region", "Meeting", "PolicyDocument",
})
NESTABLE = ORG_TYPES | {"Region"}
CONCEPT_TYPES = ("Sector",)   # a concept word inside a 《》 title is not annotated (《检验检测认证行业…白皮书》)
CODE_SOURCES = ("rx:doc-number-code", "rx:doc-number-cnca")   # CNAS-CL01:2018: the CNAS in it is no mention
# the country and the continents as the first word of a body's name (中国认证认可协会, 欧洲认可合作组织)
NAME_OPENERS = frozenset({"region:china", "region:asia", "region:europe", "region:africa", "region:latin-america",
                          "region:north-america", "region:south-america", "region:oceania", "region:asia-pacific"})
MAX_NAME = 120   # no entity mention is longer than this many characters
RE_REGION_AGENCY = re.compile(
    r"(?P<lead>[\u4e00-\u9fff]{0,10}?)(?:市场监督管理局|市场监管局|质量技术监督局|质量监督局|质监局|出入境检验检疫局|检验检疫局|"
    r"人民政府|商务厅|工业和信息化厅|发展改革委|标准化研究院|计量测试研究院|质量检验研究院|"
    r"(?:新区|开发区|高新区|实验区|保税区|园区)管理委员会)")
# 南湖大学计量与标准化研究院, 宁波分中心与舟山市人民政府: a school, a centre or a joined clause is no bureau's lead
RE_NOT_AGENCY_LEAD = re.compile(r"大学|学院|中心|公司|协会|[与和及、]")
# after a foreign country's name: 联邦认可局, 消费品安全委员会, 技术调节与计量署
RE_FOREIGN_AGENCY = re.compile(r"(?:(?!的)[\u4e00-\u9fff]){1,12}?(?:局|委员会|署|部|认可机构)(?![\u4e00-\u9fff]?长|分|门|位|件|队|面|势)")
# 印度尼西亚国家认可委员会, 新西兰国际认可机构: a country's accreditation body is an organisation, not its government
RE_ACCREDITATION_BODY = re.compile(r"认可(?:委员会|机构|中心)$")


def select_entities(ctx: DocContext, dictionary_hits: list[Hit], rule_hits: list[Hit]) -> None:
    """Fill ``ctx.entities`` with the mentions kept after the overlap policy."""
    titles = [(h.start, h.end) for h in ctx.cues if h.type == "DocTitle"]
    codes = [h for h in ctx.cue("DocNumber") if h.source in CODE_SOURCES]
    dictionary = [h for h in dictionary_hits if h.type in ENTITY_TYPES]
    if codes:
        dictionary = [h for h in dictionary if not any(_covers(c, h) for c in codes)]
    dictionary = _drop_orgs_into_roles(dictionary, ctx.cue("Role"))
    rules = [h for h in rule_hits + region_agencies(ctx.text, dictionary, ctx.lexicon) + listed_sectors(ctx.text, dictionary)
             + shaped_initiatives(ctx.text, dictionary) + shaped_schemes(ctx.text)
             + region_shapes(ctx.text, dictionary, ctx.lexicon)
             if h.type in ENTITY_TYPES]
    if titles:
        rules = [h for h in rules if not _inside_any(h, titles)]
        dictionary = [h for h in dictionary if h.type not in CONCEPT_TYPES or not _inside_any(h, titles)]
    by_start = SpanIndex(dictionary)
    rules = [h for h in _drop_nested_same_type(rules) if not _loses_to_dictionary(h, by_start)]
    rule_index = SpanIndex(rules)
    kept = [h for h in _drop_nested_same_type(dictionary)
            if not any(_covers(r, h) and r.type == h.type for r in rule_index.overlapping(h))]
    kept = _drop_org_clashes(kept + rules)
    kept_index = SpanIndex(kept)
    kept = [h for h in kept if not _inside_other_name(h, kept_index)]
    for hit in in_text_order(kept):
        ctx.add_entity(hit, None if hit.key in ctx.infos else ctx.info_for_entry(hit))


RE_SYSTEM_ANCHOR = re.compile("管理体系认证")
SYSTEM_LIST_REACH = 300   # a list of up to ~20 fields before the anchor
RE_SYSTEM_LIST = re.compile(r"(?P<items>(?:[\u4e00-\u9fff]{2,12}、)+[\u4e00-\u9fff]{2,12})等(?:新型|各类)?管理体系认证")


def add_management_system_lists(ctx: DocContext) -> None:
    """能源管理、知识产权管理等新型管理体系认证: each listed field names a management-system scheme."""
    for match in finditer_near(RE_SYSTEM_LIST, RE_SYSTEM_ANCHOR, SYSTEM_LIST_REACH, ctx.text):
        offset = match.start("items")
        for index, item in enumerate(match.group("items").split("、")):
            start, end = offset, offset + len(item)
            offset = end + 1
            if index == 0:
                start += trim_left(item)
            field = ctx.text[start:end]
            if len(field) < 2 or ctx.in_span(start, end, "CertificationScheme"):
                continue
            name = field + ("体系认证" if field.endswith("管理") else "管理体系认证")
            hit = Hit(start, end, "CertificationScheme", name, "rx:scheme-system-list")
            ctx.add_entity(hit)
    ctx.sort_entities()


def _inside_other_name(hit: Hit, kept: SpanIndex) -> bool:
    """A sector inside any other name, a programme inside a body's name (质量认证 in 中国质量认证中心), the
    country opening a body's name."""
    if hit.type == "Sector":
        return any(o.type != "Sector" and _covers(o, hit) for o in kept.overlapping(hit))
    if hit.type in ("CertificationScheme", "Initiative"):
        return any(o.type in ORG_TYPES and _covers(o, hit) for o in kept.overlapping(hit))
    if hit.source in NAME_OPENERS:       # 中国 opening a body's name (中国认证认可协会) names no place
        return any(o.type in ORG_TYPES and o.start == hit.start and _covers(o, hit) for o in kept.overlapping(hit))
    return False


def _drop_orgs_into_roles(hits: list[Hit], roles: list[Hit]) -> list[Hit]:
    """A body's name running into a post is the body plus the post: 质检总局党组 in 质检总局党组成员."""
    if not roles:
        return hits
    role_index = SpanIndex(roles)
    return [h for h in hits if h.type not in ORG_TYPES
            or not any(r.start < h.end < r.end and h.start < r.start for r in role_index.overlapping(h))]


def region_agencies(text: str, dictionary: list[Hit], lexicon: Lexicon) -> list[Hit]:
    """Bodies named after a region: 浙江省质监局, 湖南检验检疫局 (region + agency suffix); a foreign country's
    bureau, ministry or commission (俄罗斯联邦认可局)."""
    hits = []
    for region in (h for h in dictionary if h.type == "Region"):
        match = RE_REGION_AGENCY.match(text, region.end)
        source = "rx:agency-region"
        if not match and _foreign(lexicon.get(region.source)):
            match, source = RE_FOREIGN_AGENCY.match(text, region.end), "rx:agency-foreign"
            if match and clause_inside(match.group()):
                match = None
        if match and not RE_NOT_AGENCY_LEAD.search(match.groupdict().get("lead") or ""):
            name = text[region.start:match.end()]
            type_ = "Organization" if source == "rx:agency-foreign" and RE_ACCREDITATION_BODY.search(name) else "Agency"
            hits.append(Hit(region.start, match.end(), type_, name, source))
    return hits


def _foreign(entry: LexiconEntry | None) -> bool:
    return entry is not None and entry.level == "country" and entry.id != "region:china"


def _drop_org_clashes(hits: list[Hit]) -> list[Hit]:
    """Among bodies, a unit inside an agency's name and a name crossing a longer one are misreadings."""
    orgs = SpanIndex([h for h in hits if h.type in ORG_TYPES])
    return [h for h in hits if h.type not in ORG_TYPES or not any(
        (h.type == "Department" and o.type != "Department" and _covers(o, h)) or
        (h.source.startswith("rx:") and _covers(o, h)) or
        (_crosses(o, h) and o.end - o.start > h.end - h.start) for o in orgs.overlapping(h))]


def _inside_any(hit: Hit, spans: list[tuple[int, int]]) -> bool:
    return any(start <= hit.start and hit.end <= end for start, end in spans)


def _drop_nested_same_type(hits: list[Hit]) -> list[Hit]:
    """Within one type the longest mention wins, but nested bodies (国务院 in 国务院办公厅) stay."""
    ordered = in_text_order(hits)
    kept: list[Hit] = []
    active: dict[str, list[Hit]] = {}   # per type: kept hits that still reach past the current start
    for hit in ordered:
        same = active.get(hit.type)
        if same:
            same = active[hit.type] = [k for k in same if k.end > hit.start]
            if _loses_within_type(hit, same):
                continue
        kept.append(hit)
        active.setdefault(hit.type, []).append(hit)
    return kept


def _loses_within_type(hit: Hit, same: list[Hit]) -> bool:
    if any(_covers(k, hit) and (hit.type not in ORG_TYPES or k.name == hit.name) for k in same):
        return True
    if hit.type not in NESTABLE and any(_crosses(k, hit) for k in same):
        return True
    return any(k.key == hit.key and (k.start, k.end) == (hit.start, hit.end) for k in same)


def _loses_to_dictionary(hit: Hit, dictionary: SpanIndex) -> bool:
    """A rule hit gives way to a dictionary hit of any type with exactly its span, to an overlapping one of
    its type unless it strictly contains it, and to one it only lengthens leftwards over the name of a
    body or place (国务院“放管服”改革), unless it is a place's own agency (广东省知识产权局)."""
    for other in dictionary.overlapping(hit):
        if other.type != hit.type:
            if (other.start, other.end) == (hit.start, hit.end):
                return True       # the dictionary knows what this name is (国际认可论坛 is a body)
            if other.end == hit.end and other.type in ORG_TYPES:
                return True       # 满足国际认可论坛: the shape's head word ends a known body's name
            continue
        if not _covers(hit, other):
            return True
        prefix = dictionary.starting(hit.start, other.start)
        if hit.type in ("Agency", "Organization") and prefix and all(h.type == "Region" for h in prefix):
            continue              # 广东省知识产权局, 广东省认证认可协会: a place's own body, not the national one
        if other.end == hit.end and any(h.type in NESTABLE for h in prefix):
            return True
        if hit.type == "CertificationScheme" and other.end == hit.end and other.end - other.start >= 5:
            return True           # 境内强制性产品认证, 申请有机产品认证: a word before a known scheme is not part of it
    return False


def _covers(outer: Hit, inner: Hit) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end and \
        (outer.end - outer.start) > (inner.end - inner.start)


def _crosses(a: Hit, b: Hit) -> bool:
    return a.start < b.start < a.end < b.end or b.start < a.start < b.end < a.end
