"""Bodies by the shapes of local government and of affiliates, found after the entity selection:
short forms of the text's own province or city (省市场监管局, 市商务局, 市委网信办, 省局), stationed
discipline groups (驻局纪检监察组), branches written after their parent (…杭州分中心, 海关总署广东分署)."""
from __future__ import annotations

import re
from collections import Counter

from extractors.context import ORG_TYPES, DocContext
from extractors.records import EntityInfo, Hit
from extractors.regex import RE_GENERIC_PLACE
from extractors.rules import clause_inside, finditer_near

# 省市场监管局, 市商务局, 市委, 省政府, 市委网信办, 省纪委监委, 省局: the level word opens the name, so the
# character before it must not be part of a place's name (天津市商务局 is a full name, found elsewhere)
RE_LOCAL_SHORT = re.compile(
    r"(?P<level>省|市|县|区)"
    r"(?P<rest>委网信办|委(?:组织部|宣传部|统战部|政法委)|纪委监委|委(?![员托会屈派])|人民政府|政府(?!采购|部门|机关)|局(?![长面势限部])|"
    r"(?![场级直属内外])(?:(?![的与及、,省县区]|市(?!场)|和(?!信息|社会|城乡|改革))[\u4e00-\u9fff]){1,9}?"
    r"(?:局(?![长面势限部])|厅(?![长堂])|(?<=[革教卫健信])委(?![员托会屈派])|办(?![理法公事学]))|"
    r"(?:标准化研究院|计量科学研究院|计量测试研究院|质量检验研究院|产品质量监督检验研究院|特种设备检验研究院|"
    r"认证认可协会|检验检测认证协会|检验检测协会|质量协会|标准化协会))")
# a lead-in that may stand right before a short form: 驻省市场监管局, 报省局, 由市商务局, 、市教委
SHORT_LEAD = set("驻报由经向将同和与及在对、,;:()会并请按")
EXPANSIONS = (("市场监管局", "市场监督管理局"), ("发展改革委", "发展和改革委员会"),
              ("人力资源社会保障", "人力资源和社会保障"), ("住房城乡建设", "住房和城乡建设"), ("教委", "教育委员会"),
              ("工信厅", "工业和信息化厅"), ("工信局", "工业和信息化局"), ("卫生健康委", "卫生健康委员会"))
RE_NAME_WORDS = re.compile("社会保障|城乡建设|发展改革|促进")   # words of bodies' names that are also cut words
PARTY_SHORT = {"委网信办": "委网络安全和信息化委员会办公室"}
PROVINCE_LEVELS = ("province", "autonomous_region", "municipality")
CITY_LEVELS = ("city", "municipality")
RE_STATIONED = re.compile(r"(?P<sender>(?:[\u4e00-\u9fff]{1,6}?)?纪委监委)?驻(?P<host>[\u4e00-\u9fff]{1,14}?)纪检监察组")
RE_STATIONED_ANCHOR = re.compile("纪检监察组")
STATIONED_REACH = 32   # sender (≤ 10) + 驻 + host (≤ 14) before the anchor
RE_BRANCH = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:分中心|分公司|分署|分院)")


NAME_REACH = 60   # a body's name is at most this long: hits covering a span start at most this far before it


def _near(ctx: DocContext, start: int, end: int, *types: str) -> list[Hit]:
    """Entity mentions that overlap [start, end) (found through the start index, not a scan of the text's hits)."""
    return [h for h in ctx.in_span(start - NAME_REACH, end + NAME_REACH, *types) if h.start < end and start < h.end]


def add_local_bodies(ctx: DocContext) -> None:
    """Short forms of the text's own local bodies, and discipline groups stationed in a bureau."""
    homes = Homes(ctx)
    for match in RE_LOCAL_SHORT.finditer(ctx.text):
        start = match.start()
        if start and ctx.text[start - 1] not in SHORT_LEAD and not ctx.text[start - 1].isspace() \
                and "\u4e00" <= ctx.text[start - 1] <= "\u9fff":
            continue
        if clause_inside(RE_NAME_WORDS.sub("", match.group("rest"))) or _inside_name(ctx, start, match.end()):
            continue
        name = _local_name(ctx, match.group("level"), match.group("rest"), homes)
        type_ = "Organization" if match.group("rest").endswith(("院", "会")) else "Agency"
        _replace_misreads(ctx, start, match.end())
        hit = Hit(start, match.end(), type_, name, "rx:agency-local-short")
        ctx.add_entity(hit, EntityInfo(hit.key, hit.source, aliases=(match.group(),) if name != match.group() else ()))
    _stationed_groups(ctx, homes)
    _governments_of_offices(ctx)
    ctx.sort_entities()


RE_GOVERNMENT_OFFICE = re.compile(r"^(?P<government>[\u4e00-\u9fff]{2,12}?(?:人民政府|政府))办公厅$")


def _governments_of_offices(ctx: DocContext) -> None:
    """天津市人民政府办公厅 names 天津市人民政府 too (the office belongs to it)."""
    for office in ctx.of_type("Agency"):
        match = RE_GOVERNMENT_OFFICE.match(ctx.text, office.start, office.end)
        if match is None or any(h.start == office.start and h.end == match.end("government")
                                for h in _near(ctx, office.start, office.end, "Agency")):
            continue
        government = match.group("government")
        name = office.name[:-3] if office.name.endswith("办公厅") else government
        ctx.add_entity(Hit(office.start, match.end("government"), "Agency", name, "rx:agency-government"))


def _inside_name(ctx: DocContext, start: int, end: int) -> bool:
    """Already part of a longer name that is not a misread (a rule name that runs on across a lead-in)."""
    return any(h.start <= start and end <= h.end and (h.end - h.start) > (end - start)
               and not _misread(ctx, h, start) for h in _near(ctx, start, end, *ORG_TYPES, "PolicyDocument")) \
        or any((h.start, h.end) == (start, end) and h.type in ORG_TYPES and not h.source.startswith("rx:")
               for h in _near(ctx, start, end))


def _misread(ctx: DocContext, hit: Hit, start: int) -> bool:
    """A shape rule's name that runs on across a lead-in (名单报区人民政府) or a stationing (X驻Y)."""
    return hit.source.startswith("rx:") and (hit.start < start and ctx.text[start - 1] in SHORT_LEAD
                                             or "驻" in ctx.text[hit.start:hit.end])


def _replace_misreads(ctx: DocContext, start: int, end: int) -> None:
    """名单报区人民政府, 省纪委监委驻省市场监管局: a shape rule read a lead-in into the name."""
    for hit in [h for h in _near(ctx, start, end, *ORG_TYPES) if start <= h.start and h.end <= end]:
        ctx.remove_entity(hit)            # 市发展改革委: not the national commission named like it
    for hit in [h for h in _near(ctx, start, end, *ORG_TYPES) if h.source.startswith("rx:")
                and h.start < start and h.end >= end]:
        if _misread(ctx, hit, start):
            ctx.remove_entity(hit)


class Homes:
    """The text's home regions (see _home_regions), worked out when first asked for: most texts never need
    them. Every caller asks before it changes the text's entities, so the answer is the same as up front."""

    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx
        self.found: dict[str, str] | None = None

    def get(self, level: str) -> str | None:
        if self.found is None:
            self.found = _home_regions(self.ctx)
        return self.found.get(level)


def _home_regions(ctx: DocContext) -> dict[str, str]:
    """The text's own province and city: the places that head its local bodies, else those it names."""
    counts: dict[str, Counter] = {"省": Counter(), "市": Counter()}
    heads = {h.start for h in ctx.entities if h.type in ORG_TYPES}
    for region in ctx.of_type("Region"):
        entry = ctx.lexicon.get(region.source)
        level = entry.level if entry else None
        weight = 3 if region.start in heads else 1
        if level in PROVINCE_LEVELS:
            counts["省"][region.name] += weight
        if level in CITY_LEVELS:
            counts["市"][region.name] += weight
        if level == "city" and entry.part_of:
            province = ctx.lexicon.get(entry.part_of)
            if province is not None:
                counts["省"][province.name] += 0.5
    return {level: found.most_common(1)[0][0] for level, found in counts.items() if found}


def _local_name(ctx: DocContext, level: str, rest: str, homes: Homes) -> str:
    """The full name of a short form: the home place, the party committee's or the bureau's full words."""
    region = homes.get(level)
    if region is None:
        return level + rest
    if rest == "局":
        rest = "市场监督管理局"
    for short, full in EXPANSIONS:
        rest = rest.replace(short, full)
    place = region if region.endswith(level) or level not in ("省", "市") else region
    if rest.startswith("委") and not rest.startswith("委员"):
        if rest == "委":
            return f"中国共产党{place}委员会"
        return f"中共{place}{PARTY_SHORT.get(rest, rest)}"
    if rest == "纪委监委":
        return f"中国共产党{place}纪律检查委员会 {place}监察委员会"
    if rest == "政府":
        rest = "人民政府"
    return place + rest


def _stationed_groups(ctx: DocContext, homes: Homes) -> None:
    """省纪委监委驻省市场监管局纪检监察组, 驻局纪检监察组: the group is a body of its own, sent by the
    discipline commission (its parent) into the bureau."""
    for match in finditer_near(RE_STATIONED, RE_STATIONED_ANCHOR, STATIONED_REACH, ctx.text):
        start, end = match.span()
        host = next((h for h in ctx.in_span(match.start("host"), match.end("host"), "Agency")), None)
        sender = next((h for h in ctx.in_span(start, match.end("sender"), "Agency")
                       if match.group("sender") and h.end == match.end("sender")), None)
        host_name = host.name if host else _home_bureau(ctx, homes)
        province = homes.get("省")
        sender_name = sender.name if sender else (f"中国共产党{province}纪律检查委员会 {province}监察委员会"
                                                   if province else None)
        if host_name is None or sender_name is None:
            continue
        short_sender = sender_name.replace("中国共产党", "中共").replace("纪律检查委员会 ", "纪委").replace("监察委员会", "监委")
        if province and short_sender.startswith(f"中共{province}纪委{province}监委"):
            short_sender = f"中共{province}纪委监委"
        for hit in [h for h in _near(ctx, start, end, *ORG_TYPES) if start <= h.start < end and h.end > match.end("host")]:
            ctx.remove_entity(hit)
        group = Hit(start, end, "Agency", f"{short_sender}驻{host_name}纪检监察组", "rx:agency-stationed")
        ctx.add_entity(group, EntityInfo(group.key, group.source, parent=sender.key if sender else None))
        if sender is not None:
            ctx.relate("sub_organization", {"child": group.key, "parent": sender.key}, start, end, group.source)


def _home_bureau(ctx: DocContext, homes: Homes) -> str | None:
    province = homes.get("省")
    return f"{province}市场监督管理局" if province else None


def add_branches(ctx: DocContext) -> None:
    """中国质量认证中心杭州分中心, 海关总署广东分署: a branch written after its parent is a body of the
    parent's type under it; the branch's short name (杭州分中心) names it again later in the text."""
    found: dict[str, Hit] = {}
    for parent in ctx.of_type("Agency", "Organization"):
        match = RE_BRANCH.match(ctx.text, parent.end)
        if not match or clause_inside(match.group()) or any(
                h.start <= parent.start and match.end() <= h.end and h is not parent
                for h in _near(ctx, parent.start, match.end(), *ORG_TYPES)):
            continue
        name = parent.name + match.group()
        for hit in ctx.in_span(parent.end, match.end(), *ORG_TYPES):
            ctx.remove_entity(hit)
        branch = Hit(parent.start, match.end(), parent.type, name, "rx:org-branch")
        ctx.add_entity(branch, EntityInfo(branch.key, branch.source, parent=parent.key))
        ctx.relate("sub_organization", {"child": branch.key, "parent": parent.key},
                   parent.start, match.end(), branch.source)
        found.setdefault(match.group(), branch)
    for short, branch in found.items():
        for match in re.finditer(re.escape(short), ctx.text):
            if not _near(ctx, match.start(), match.end()):
                ctx.add_entity(Hit(match.start(), match.end(), branch.type, branch.name, "rx:org-branch-short"))
    ctx.sort_entities()


RE_LOCAL_NAME = re.compile(r"^(?!国家|中国|中华|中共)[\u4e00-\u9fff]{2,9}?(?:省|市|自治区|县|区)")


def home_bureau(ctx: DocContext) -> tuple[str, str] | None:
    """The local agency a text speaks for: the one its short forms name (省局, 省市场监管局), else one named in
    its head lines (a news title, a 关于 title line, the page's byline); None for a national text."""
    if "home_bureau" in ctx.meta:
        return ctx.meta["home_bureau"]
    head_end = _head_end(ctx.text)
    counts = Counter(h.key for h in ctx.of_type("Agency")
                     if h.source == "rx:agency-local-short" and h.name.endswith("市场监督管理局"))
    if not counts:
        counts = Counter(h.key for h in ctx.of_type("Agency") if h.start < head_end and RE_LOCAL_NAME.match(h.name))
    found = counts.most_common(1)[0][0] if counts else None
    ctx.meta["home_bureau"] = found
    return found


def _head_end(text: str, lines: int = 3) -> int:
    """Offset after the first ``lines`` non-blank lines."""
    offset, seen = 0, 0
    for line in text.splitlines(keepends=True):
        offset += len(line)
        seen += bool(line.strip())
        if seen >= lines:
            break
    return offset


# 身为总局直属的一家国家级检测机构,中检院…; 总局直属的中国计量院; CQC是总局直属单位
RE_AFFILIATE = re.compile(r"(?:直属|下属|所属)(?:的)?")
RE_AS = re.compile(r"作为$")
# 总局各司局、标准委以及四大院等直属单位: every body of the list is a unit under the list's opener
RE_LIST_OF_AFFILIATES = re.compile(r"(?P<items>[^,。;:!?\n]{2,80}?)等(?:直属|下属|所属|挂靠)(?:单位|机构|事业单位)")
RE_AFFILIATES_ANCHOR = re.compile(r"等(?:直属|下属|所属|挂靠)(?:单位|机构|事业单位)")
AFFILIATES_REACH = 80   # the items before the anchor
RE_LIST_JOINER = re.compile(r"^(?:[、]|以及|和|及|与)$")
# 甲局(乙委): a parenthesis names the body the first one also is or belongs to
RE_ADDRESSEE_AFFILIATES = re.compile(r"(?:下属|直属)单位\s*:")   # 各部室、各直属单位: (only searched for)


def add_stated_parents(ctx: DocContext, owner: tuple[str, str] | None) -> None:
    """Parent links the text states: X直属的Y, a list closed by 等直属单位 under its opener, 甲局(乙委), and an
    addressee line to the issuer's 下属单位 (the issuer's affiliates the lexicon knows are then its units)."""
    orgs = ctx.of_type("Agency", "Organization")
    by_end = {h.end: h for h in orgs}
    by_start = {h.start: h for h in orgs}
    for match in RE_AFFILIATE.finditer(ctx.text):
        parent = by_end.get(match.start())
        if parent is None or parent.type != "Agency":
            continue
        child = by_start.get(match.end())
        if child is None and RE_AS.search(ctx.text, max(0, parent.start - 2), parent.start):
            comma = ctx.text.find(",", match.end(), match.end() + 16)
            child = by_start.get(comma + 1) if comma >= 0 else None
        if child is not None and child.key != parent.key:
            ctx.relate("sub_organization", {"child": child.key, "parent": parent.key},
                       parent.start, child.end, "rx:sub-affiliate")
    for match in finditer_near(RE_LIST_OF_AFFILIATES, RE_AFFILIATES_ANCHOR, AFFILIATES_REACH, ctx.text):
        items = [h for h in ctx.in_span(match.start("items"), match.end("items"), "Agency", "Organization")]
        if len(items) < 2 or not ctx.text.startswith("各", items[0].end):
            continue
        parent = items[0]                 # 总局各司局、标准委…: the opener's own units come first
        for child in items[1:]:
            if child.key != parent.key:
                ctx.relate("sub_organization", {"child": child.key, "parent": parent.key},
                           parent.start, match.end(), "rx:sub-affiliate-list")
    for outer in ctx.of_type("Agency"):
        if ctx.text.startswith("(", outer.end):
            inner = by_start.get(outer.end + 1)
            if inner is not None and inner.type == "Agency" and ctx.text.startswith(")", inner.end) \
                    and inner.key != outer.key:
                ctx.relate("sub_organization", {"child": inner.key, "parent": outer.key},
                           outer.start, inner.end + 1, "rx:sub-parenthesis")
    if owner is not None and RE_ADDRESSEE_AFFILIATES.search(ctx.text):
        for hit in orgs:
            entry = ctx.lexicon.get(hit.source)
            if entry is not None and entry.parent and ctx.entry_key(entry.parent) == owner and hit.key != owner:
                ctx.relate("sub_organization", {"child": hit.key, "parent": owner}, hit.start, hit.end,
                           "rx:sub-addressee")


# 中共江苏省委, 中共江苏省委组织部, 中国共产党天津市委员会: a local party committee and its departments
RE_PARTY_COMMITTEE = re.compile(r"(?:中共|中国共产党)(?P<place>[\u4e00-\u9fff]{2,8}?(?:省|市|自治区|县|区))"
                                r"(?:委员会|委(?![员托会屈派]))(?P<dept>组织部|宣传部|统战部|政法委员会|政法委|网信办|办公厅)?")
# 河东区、河北区、红桥区人民政府; 甲市、乙市、丁市市场监管局: one head shared by a list of places
RE_COORDINATED = re.compile(r"(?P<each>各)?(?P<items>(?:(?!各)[\u4e00-\u9fff]{1,6}?(?:新区|区|县|市|省)、)+)"
                            r"(?P<last>[\u4e00-\u9fff]{2,6}?(?:新区|区|县|市|省))"
                            r"(?P<head>人民政府|市场监督管理局|市场监管局)")
RE_COORDINATED_ANCHOR = re.compile("[区县市省]、")
COORDINATED_REACH = 16    # an item (≤ 9) before each 、 of the list, the last item and the head (≤ 15) after it
RE_PLACE_WORD = re.compile(r"^(?:各|全|本|我|该|有关|相关|省辖|设区|所在)")


def add_party_committees(ctx: DocContext) -> None:
    """中共江苏省委组织部 → the committee (中国共产党江苏省委员会) and its department under it; a short form
    with a department (市委网信办) names the committee too (市委)."""
    for match in RE_PARTY_COMMITTEE.finditer(ctx.text):
        place = match.group("place")
        committee_end = match.start("dept") if match.group("dept") else match.end()
        committee = _party_hit(ctx, match.start(), committee_end, f"中国共产党{place}委员会")
        if match.group("dept"):
            dept = _party_hit(ctx, match.start(), match.end(), f"中共{place}委{match.group('dept')}")
            ctx.relate("sub_organization", {"child": dept.key, "parent": committee.key},
                       match.start(), match.end(), "rx:agency-party-committee")
    for hit in [h for h in ctx.of_type("Agency") if h.source == "rx:agency-local-short" and h.name.startswith("中共")]:
        place = hit.name[2:hit.name.index("委")]
        committee = _party_hit(ctx, hit.start, hit.start + 2, f"中国共产党{place}委员会")
        ctx.relate("sub_organization", {"child": hit.key, "parent": committee.key}, hit.start, hit.end,
                   "rx:agency-party-committee")
    ctx.sort_entities()


def _party_hit(ctx: DocContext, start: int, end: int, name: str) -> Hit:
    for hit in [h for h in _near(ctx, start, end, *ORG_TYPES) if h.source.startswith("rx:")
                and start <= h.start < end and (h.start, h.end) != (start, end)]:
        if h_crosses(hit, start, end):
            ctx.remove_entity(hit)
    known = next((h for h in _near(ctx, start, end, "Agency") if (h.start, h.end) == (start, end)), None)
    if known is not None:
        return known
    return ctx.add_entity(Hit(start, end, "Agency", name, "rx:agency-party-committee"))


def h_crosses(hit: Hit, start: int, end: int) -> bool:
    return hit.start < end < hit.end


def add_coordinated_bodies(ctx: DocContext) -> None:
    """河东区、河北区、红桥区人民政府 is three governments: each listed place with the shared head; a district
    or county of the home city is named with the city."""
    homes = Homes(ctx)
    for match in finditer_near(RE_COORDINATED, RE_COORDINATED_ANCHOR, COORDINATED_REACH, ctx.text):
        city = homes.get("市")        # before this step changes any entity
        if match.group("each") or ctx.text[match.start() - 1:match.start()] == "、":
            for hit in [h for h in _near(ctx, match.start(), match.end(), "Agency") if match.start() <= h.start]:
                ctx.remove_entity(hit)    # 各地级市、甲示范区、乙港区市场监管局: a class of bureaus, no body
            continue
        if RE_PLACE_WORD.match(match.group("items")):
            continue
        head = match.group("head").replace("市场监管局", "市场监督管理局")
        offset = match.start("items")
        pieces = []
        for item in match.group("items").split("、")[:-1]:
            pieces.append((offset, offset + len(item), item))
            offset += len(item) + 1
        pieces.append((match.start("last"), match.end(), match.group("last")))
        if any(clause_inside(item) or RE_PLACE_WORD.match(item) or RE_GENERIC_PLACE.match(item) or len(item) < 2
               for _, _, item in pieces):
            continue
        for start, end, item in pieces:
            name = (city + item if city and item.endswith(("区", "县")) and not item.startswith(city[:2]) else item) + head
            if any((h.start, h.end) == (start, end) for h in _near(ctx, start, end, "Agency")):
                continue
            for hit in [h for h in _near(ctx, start, end, *ORG_TYPES) if start <= h.start]:
                ctx.remove_entity(hit)
            ctx.add_entity(Hit(start, end, "Agency", name, "rx:agency-coordinated"))
    ctx.sort_entities()
