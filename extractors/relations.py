"""Document understanding: from hits to entity mentions and relations, in a fixed order of steps."""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter

from extractors import bodies, dates, entities, events, meetings, numbers, people, policy, programmes, tasks
from extractors.context import ORG_TYPES, DocContext
from extractors.lexicon import Lexicon
from extractors.records import START, EntityInfo, Hit
from extractors.rules import clause_inside
from extractors.sectors import NOT_SECTORS
from extractors.text import RE_HAN, Sentences, head_lines

RE_PARTY_BODY = re.compile(r"党组|党委|纪检组")
UNIT_NAME_GOES_ON = "署门长分件位队委"     # 认证监管部门, 部长: the name runs on, it is not the unit
RE_UNIT_AFTER = re.compile(r"(?!各|有关|相关|所属|下属|直属)[\u4e00-\u9fff]{2,12}?(?<!干)(?:部|司|处|办公室|办公厅|中心)"
                           rf"(?![{UNIT_NAME_GOES_ON}])")
# an association's or accreditation body's own units: CNAS秘书处, APAC执行委员会, CQC检测认证技术部
RE_ORG_UNIT_AFTER = re.compile(r"秘书处|(?:执行|常务|技术|专业|专家|监督)委员会|"
                               r"(?P<free>[\u4e00-\u9fff]{2,8}?)(?<!干)(?:部|处|办公室)(?![署门长件位队委]|分(?!别))")
RE_OFFICE_AFTER = re.compile("办公厅")
RE_BUREAU_UNIT_AFTER = re.compile(r"(?:(?![的和与及、])[\u4e00-\u9fff]){2,8}?管理局(?![长面势限部])")   # 民政厅社会组织管理局: a 厅's own 局
SUBORDINATE_TYPES = ("Agency", "Organization")
NATIONAL_PREFIXES = ("国家", "国务院", "中华人民共和国", "中国共产党")


def understand(text: str, lexicon: Lexicon, dictionary_hits: list[Hit], rule_hits: list[Hit]) -> DocContext:
    """Run every step over one normalised text; the returned context holds entities and relations."""
    entity_types = entities.ENTITY_TYPES
    cues = [h for h in dictionary_hits + rule_hits if h.type not in entity_types or h.type == "Person"
            and h.source.startswith("rx:person-byline")]
    ctx = DocContext(text, lexicon, Sentences(text), sorted(cues, key=START))
    entities.select_entities(ctx, dictionary_hits, [h for h in rule_hits if h.type in entity_types
                                                    and not h.source.startswith("rx:person-byline")])
    bodies.add_local_bodies(ctx)
    bodies.add_party_committees(ctx)
    bodies.add_coordinated_bodies(ctx)
    add_party_bodies(ctx)
    bodies.add_branches(ctx)
    add_attached_departments(ctx)
    add_listed_departments(ctx)
    add_headed_departments(ctx)
    add_repeated_departments(ctx)
    entities.add_management_system_lists(ctx)
    programmes.add_coordinated_schemes(ctx)
    people.find_officials(ctx)
    dates.set_document_dates(ctx)
    policy.add_documents(ctx)
    meetings.name_meetings(ctx)
    events.add_sessions(ctx)
    events.add_speech_title(ctx)
    events.add_meeting_dates(ctx)
    events.add_speakers(ctx)
    tasks.add_tasks(ctx)
    numbers.add_statistics(ctx)
    numbers.add_targets(ctx)
    add_sub_organizations(ctx)
    add_applies_to(ctx)
    ctx.sort_entities()
    return ctx


def add_party_bodies(ctx: DocContext) -> None:
    """国家认监委党组: the party group of a known agency is an agency of its own."""
    for hit in list(ctx.of_type("Agency")):
        match = RE_PARTY_BODY.match(ctx.text, hit.end)
        if match and _in_role(ctx, match.start(), match.end()):
            continue                      # 党组成员, 党委书记: a post of the agency, not a body of its own
        if match and ctx.text[hit.start - 1:hit.start] != "驻" and not any(h.type == "Agency" and h.start == hit.start and h.end >= match.end()
                             for h in ctx.entities):
            body = Hit(hit.start, match.end(), "Agency", hit.name + match.group(0), "rx:agency-party-body")
            ctx.add_entity(body, EntityInfo(body.key, body.source))
    ctx.sort_entities()


def _ministry_tail(hit: Hit, unit: re.Match) -> bool:
    """A ministry's name closing a longer unit name right after an agency (人事教育部, 财务审计部)."""
    return hit.type == "Agency" and hit.end == unit.end() and hit.start - unit.start() >= 2


def _in_role(ctx: DocContext, start: int, end: int) -> bool:
    return any(r.start < end and start < r.end for r in ctx.cue("Role"))


def add_attached_departments(ctx: DocContext) -> None:
    """国家认监委国际合作部, 市场监管总局认证监督管理司: a unit written right after its agency."""
    removed: list[Hit] = []
    for agency in list(ctx.of_type("Agency", "Organization")):
        match = _unit_after(ctx, agency)
        if not match or agency in removed or _in_role(ctx, match.start(), match.end()):
            continue
        near = ctx.in_span(agency.start - entities.MAX_NAME, match.end() + entities.MAX_NAME, *ORG_TYPES)
        inside = [h for h in near if agency.end <= h.start < match.end()]
        if any(h.start <= agency.start and match.end() <= h.end and h is not agency for h in near) \
                or not all(_ministry_tail(h, match) for h in inside):
            continue                      # the dictionary knows the whole unit, or another name crosses it
        for hit in inside:                # 国家认监委人事教育部: 教育部 is the tail of a unit's name
            ctx.remove_entity(hit)
            removed.append(hit)
        if match.group(0).endswith("办公厅"):     # 商务部办公厅: a ministry's general office acts as an agency
            office = Hit(agency.start, match.end(), "Agency", agency.name + match.group(0), "rx:agency-office")
            ctx.add_entity(office, EntityInfo(office.key, office.source))
            continue
        unit = Hit(match.start(), match.end(), "Department", match.group(0), "rx:department-attached")
        ctx.add_entity(unit, EntityInfo(unit.key, unit.source, parent=agency.key,
                                        aliases=(agency.name + match.group(0),)))
    ctx.sort_entities()


def _unit_after(ctx: DocContext, body: Hit) -> re.Match | None:
    """The unit written right after a body: 办公厅 of an agency, 司/处/部 of an agency, 秘书处 of an association."""
    if body.type == "Agency":
        bureau = RE_BUREAU_UNIT_AFTER.match(ctx.text, body.end) if body.name.endswith("厅") else None
        if bureau is not None:
            return bureau                 # 社会组织管理局: 组织 inside is part of the name, not a verb
        match = RE_OFFICE_AFTER.match(ctx.text, body.end) or RE_UNIT_AFTER.match(ctx.text, body.end)
        return None if match is None or clause_inside(match.group(0)) else match
    match = RE_ORG_UNIT_AFTER.match(ctx.text, body.end)
    return None if match is None or clause_inside(match.group("free") or "") else match


def add_listed_departments(ctx: DocContext) -> None:
    """国家认监委认证监管部、认可与检测监管部等部门: units listed after a department share its parent."""
    for department in ctx.of_type("Department"):
        info = ctx.infos[department.key]
        entry = ctx.lexicon.get(department.source)
        parent = info.parent or (ctx.entry_key(entry.parent) if entry and bodies.home_bureau(ctx) is None else None)
        end = department.end
        while ctx.text.startswith("、", end):
            match = RE_UNIT_AFTER.match(ctx.text, end + 1)
            if not match or ctx.in_span(match.start(), match.end()) or _in_role(ctx, match.start(), match.end()) \
                    or clause_inside(match.group(0)):
                break
            unit = Hit(match.start(), match.end(), "Department", match.group(0), "rx:department-listed")
            ctx.add_entity(unit, EntityInfo(unit.key, unit.source, parent=parent))
            end = unit.end
    ctx.sort_entities()


# the post of a unit's head and the ending of the unit's name (认证监管处处长, 法规司副司长, 办公室主任)
HEAD_POSTS = (("处长", "处"), ("司长", "司"), ("部长", "部"), ("科长", "科"), ("主任", "办公室"))
RE_HAN_RUN_END = re.compile(r"[\u4e00-\u9fff]{1,18}$")
RE_OWNER_BEFORE_UNIT = re.compile(r"(?:据|由|经|在)?(?:省局|市局|本局|我局|总局)")
WORDS_IN_UNIT_NAMES = ("Sector", "Initiative", "CertificationScheme")


def add_headed_departments(ctx: DocContext) -> None:
    """认证监管处处长X: a run of Han characters standing alone before the post of its head is a unit,
    even with no agency written before it (the text's own agency is its parent)."""
    for role in ctx.cue("Role"):
        ending = next((unit for post, unit in HEAD_POSTS if role.name.endswith(post)), None)
        start = _unit_start(ctx, role) if ending else None
        if start is None or not ctx.text[start:role.start].endswith(ending):
            continue
        name = ctx.text[start:role.start]
        match = RE_UNIT_AFTER.fullmatch(name)
        words = [h for h in ctx.in_span(start, role.start) if h.type in WORDS_IN_UNIT_NAMES]
        if match is None or len(ctx.in_span(start, role.start)) > len(words) or clause_inside(name) \
                or any(h.start < role.start and start < h.end and h not in words for h in ctx.entities):
            continue
        for word in words:                # 检验检测 in 认可与检验检测监督管理处: part of the unit's name
            ctx.remove_entity(word)
        unit = Hit(start, role.start, "Department", name, "rx:department-headed")
        ctx.add_entity(unit, EntityInfo(unit.key, unit.source))
    ctx.sort_entities()


def _unit_start(ctx: DocContext, role: Hit) -> int | None:
    """Where the name of the unit before a post starts: the run of Han characters before it, after a short
    name of the unit's own bureau (据省局质量发展处处长)."""
    run = RE_HAN_RUN_END.search(ctx.text, max(0, role.start - 18), role.start)
    if run is None:
        return None
    owner = RE_OWNER_BEFORE_UNIT.match(run.group())
    start = run.start() + (owner.end() if owner else 0)
    return start if role.start - start <= 14 else None


def add_repeated_departments(ctx: DocContext) -> None:
    """A unit the rules found once (国家认监委认证监管部) is the same unit where its name comes again alone
    (认证监管部主任X)."""
    found = {h.name for h in ctx.of_type("Department") if h.source.startswith("rx:department")}
    for name in sorted(found):
        start = ctx.text.find(name)
        while start >= 0:
            end = start + len(name)
            if not (start and RE_HAN.match(ctx.text[start - 1])) and ctx.text[end:end + 1] not in UNIT_NAME_GOES_ON \
                    and not any(h.start < end and start < h.end for h in ctx.entities):
                ctx.add_entity(Hit(start, end, "Department", name, "rx:department-repeated"))
            start = ctx.text.find(name, end)
    ctx.sort_entities()


def main_agency(ctx: DocContext) -> tuple[str, str] | None:
    """The agency a text speaks for: its signature, else its most mentioned agency."""
    if ctx.meta.get("main_agency"):
        return ctx.meta["main_agency"]
    owners = Counter(ctx.entry_key(entry.parent) for entry in _named_departments(ctx))
    if owners:        # the agency whose departments the text names (not 党中央 of 贯彻党中央决策部署)
        return owners.most_common(1)[0][0]
    counts = Counter(h.key for h in ctx.of_type("Agency"))
    return counts.most_common(1)[0][0] if counts else None


def _named_departments(ctx: DocContext) -> list:
    """Lexicon entries of the departments in the text that have a name of their own and a known parent."""
    entries = (ctx.lexicon.get(h.source) for h in ctx.of_type("Department"))
    return [e for e in entries if e is not None and not e.weak_name
            and (ctx.entry_key(e.parent) or ("",))[0] == "Agency"]


def add_sub_organizations(ctx: DocContext) -> None:
    """Departments under their agency; bodies under a parent named in the text; X办公厅 under X."""
    _departments(ctx)
    _lexicon_parents(ctx)
    _prefix_parents(ctx)
    bodies.add_stated_parents(ctx, main_agency(ctx))


def _departments(ctx: DocContext) -> None:
    owner = main_agency(ctx)
    named = {h.key for h in ctx.entities}
    for hit in ctx.of_type("Department", "UnitGroup"):
        entry = ctx.lexicon.get(hit.source)
        lexicon_parent = ctx.entry_key(entry.parent) if entry else None
        known = lexicon_parent in named or (entry is not None and not entry.weak_name)
        home = bodies.home_bureau(ctx)
        written = _written_parent(ctx, hit)
        if written is not None and ctx.infos[hit.key].parent is None:
            parent = written              # 商务部消费促进司 listed as a unit: the ministry its name starts with
        elif home is not None and ctx.infos[hit.key].parent is None and hit.type == "Department" \
                and (entry is None or ctx.text[hit.start:hit.end] == entry.name):
            parent = home                 # 执法稽查局 in a provincial bureau's text: its own unit, not the national one
        else:
            parent = ctx.infos[hit.key].parent or (lexicon_parent if known else owner) or lexicon_parent
        if parent is None or (parent == owner and not known and _below_national(hit, owner)):
            continue
        info = ctx.infos[hit.key]
        if info.parent is None:
            ctx.infos[hit.key] = EntityInfo(info.key, info.source, info.entry_id, parent, info.en,
                                            info.aliases, info.en_aliases)
        if hit.type == "UnitGroup":
            continue                      # 各相关处室: a class of units is a plain string, no body with a parent
        ctx.relate("sub_organization", {"child": hit.key, "parent": ctx.infos[hit.key].parent},
                   hit.start, hit.end, "rx:department-of")


def _written_parent(ctx: DocContext, unit: Hit) -> tuple[str, str] | None:
    """The body a unit's written name starts with (商务部 in 商务部消费促进司)."""
    inner = [h for h in ctx.in_span(unit.start, unit.end, "Agency", "Organization") if h.start == unit.start
             and h.end < unit.end]
    return max(inner, key=lambda h: h.end).key if inner else None


def _below_national(unit: Hit, owner: tuple[str, str]) -> bool:
    """A 处 or 科 is never a unit of a national body itself (its units are 司, 部, 局): in a provincial plan
    that names no agency of its own, its parent is unknown rather than the national one the text cites."""
    return unit.name.endswith(("处", "科")) and owner[1].startswith(NATIONAL_PREFIXES)


# the one parent link from the lexicon that is added whenever both bodies are named (SCHEMA Conventions → Bodies);
# any other parent must be stated by the text (a nested name, 甲局(乙委), X直属的Y)
FIXED_PARENT_LINKS = frozenset({("agency:cnca", "agency:aqsiq")})


def _lexicon_parents(ctx: DocContext) -> None:
    present = {h.source: h for h in ctx.entities if h.type in ORG_TYPES}
    for hit in ctx.of_type(*SUBORDINATE_TYPES):
        entry = ctx.lexicon.get(hit.source)
        if entry is None or (entry.id, entry.parent) not in FIXED_PARENT_LINKS:
            continue
        parent = present.get(entry.parent)
        if parent is not None:
            start, end = (min(hit.start, parent.start), max(hit.end, parent.end)) \
                if ctx.same_sentence(hit.start, parent.start) else (hit.start, hit.end)
            ctx.relate("sub_organization", {"child": hit.key, "parent": parent.key}, start, end, entry.id)


def _prefix_parents(ctx: DocContext) -> None:
    """A body whose name starts with another body's name (国务院办公厅 / 国务院) belongs to it."""
    orgs = ctx.of_type(*SUBORDINATE_TYPES)
    by_start: dict[int, list] = {}
    for hit in orgs:
        by_start.setdefault(hit.start, []).append(hit)
    for child in orgs:
        inner = [h for h in by_start[child.start] if h.end < child.end and h.key != child.key]
        if inner:
            parent = max(inner, key=lambda h: h.end)
            ctx.relate("sub_organization", {"child": child.key, "parent": parent.key},
                       child.start, child.end, "rx:name-prefix-parent")


def add_applies_to(ctx: DocContext) -> None:
    """A list of sectors and the initiatives or schemes carried out in them, within one sentence, else the one
    programme the text's own title names (a CCC catalogue announcement listing its product classes). A
    programme coordinated with others (推进A认证和B认证,在X、Y等领域…) brings them all."""
    ctx.sort_entities()           # programmes in text order (a no-op when every step kept the order)
    fallback = _title_programme(ctx)
    programmes = _outer_programmes(ctx)
    starts = [h.start for h in programmes]
    positions: dict[Hit, int] = {}
    for index, programme in enumerate(programmes):
        positions.setdefault(programme, index)
    for group in _sector_groups(ctx):
        group = [h for h in group if ctx.text[h.start:h.end] not in NOT_SECTORS]
        if not group:
            continue              # 检验检测 alone names the field of the text, no sector a programme is carried out in
        start, end = ctx.sentences.span(group[0].start)
        in_sentence = programmes[bisect_left(starts, start):bisect_left(starts, end)]
        target = _nearest_programme(ctx, in_sentence, group, start) or fallback
        if target is None:
            continue
        for programme in _coordinated(ctx, programmes, target, positions.get(target, -1)):
            for sector in group:
                ctx.relate("applies_to", {"programme": programme.key, "sector": sector.key},
                           min(sector.start, programme.start), max(sector.end, programme.end), "rx:applies-to")


def _outer_programmes(ctx: DocContext) -> list[Hit]:
    """Initiatives and schemes not inside another one (质量认证 in 质量认证“进园区”活动 is part of its name)."""
    found = ctx.of_type("Initiative", "CertificationScheme")
    inner, reach = set(), -1      # reach: the furthest end of a longer span starting at or before this one
    for span in sorted({(h.start, -h.end) for h in found}):
        if reach >= -span[1]:
            inner.add((span[0], -span[1]))
        reach = max(reach, -span[1])
    return [h for h in found if (h.start, h.end) not in inner]


RE_PROGRAMME_JOINT = re.compile(r"[、和及与]?")
# a list that is the scope of what follows: 围绕/聚焦/面向/针对/在/对 right before it, not a predicate (集中在)
RE_SCOPE_BEFORE = re.compile(r"(?:围绕|聚焦|面向|针对|服务|(?<![中布于])在|对)$")


def _coordinated(ctx: DocContext, programmes: list[Hit], target: Hit, at: int) -> list[Hit]:
    """The target and the programmes joined to it by 、/和/及/与 or written right next to it (ISO 9001质量管理体系认证);
    ``at``: the target's place in ``programmes`` (-1: none)."""
    chain = [target]
    if at < 0:
        return chain
    for step in (-1, 1):
        index, current = at + step, target
        while 0 <= index < len(programmes):
            other = programmes[index]
            gap = ctx.text[current.end:other.start] if step > 0 else ctx.text[other.end:current.start]
            if not RE_PROGRAMME_JOINT.fullmatch(gap.strip()):
                break
            chain.append(other)
            index, current = index + step, other
    return chain


def _title_programme(ctx: DocContext) -> Hit | None:
    """The programme named in the text's title line, when it names exactly one."""
    title = ctx.meta.get("document_line")
    if title is not None:
        start, end = title.start, title.end
        types = ("Initiative", "CertificationScheme")
    else:                         # a news headline: the campaign it reports on (a speech title's umbrella scheme is no campaign)
        start, line = next(((at, line) for at, line in head_lines(ctx.text, 3) if line), (0, ""))
        end, types = start + len(line), ("Initiative",)
    named = [h for h in ctx.of_type(*types) if start <= h.start and h.end <= end]
    return named[0] if len({h.key for h in named}) == 1 else None


def _sector_groups(ctx: DocContext) -> list[list[Hit]]:
    groups: list[list[Hit]] = []
    for sector in ctx.of_type("Sector"):
        if groups and re.fullmatch(r"[、和及与]|等?", ctx.text[groups[-1][-1].end:sector.start]):
            groups[-1].append(sector)
        else:
            groups.append([sector])
    return groups


def _nearest_programme(ctx: DocContext, programmes: list[Hit], group: list[Hit], start: int) -> Hit | None:
    """The programme a list of sectors belongs to (``programmes``: those of its sentence, which starts at
    ``start``): one following in the same clause, else one later in the sentence when the list is its scope
    (围绕A、B等产业,开展X), else the nearest one before in the sentence."""
    after = [p for p in programmes if p.start >= group[-1].end]
    same_clause = [p for p in after if "," not in ctx.text[group[-1].end:p.start]]
    if same_clause:
        return same_clause[0]
    if after and RE_SCOPE_BEFORE.search(ctx.text, max(start, group[0].start - 4), group[0].start):
        return after[0]           # 围绕A、B等产业,开展X: the list is the scope of the clause that follows
    before = [p for p in programmes if p.end <= group[0].start and ctx.text.count(",", p.end, group[0].start) <= 2]
    return before[-1] if before else None
