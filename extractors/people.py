"""Officials and their posts: ORG+ROLE+NAME, NAME+ROLE, role chains (副局长、国家认监委主任X), bylines."""
from __future__ import annotations

import re
from collections import Counter

from extractors.context import ORG_TYPES, DocContext
from extractors.records import EntityInfo, Hit, SpanIndex, in_text_order
from extractors.rules import finditer_near
from extractors.text import RE_HAN, read_name_after, read_name_before

# 分管负责同志, 主要负责同志, 全体同志: a group of people, not a name before 同志
RE_NOT_A_NAME = re.compile(r"负责|领导|干部|全体|有关|广大|各位|青年|老")
# 任命X为…, 选举X为…; 免去X的…职务, 解聘X的…职务 (a post ended is a membership too)
RE_APPOINTED = re.compile(r"(?:(?:任命|聘任|聘请|推选|选举|提名|增补)(?P<name>[\u4e00-\u9fff·]{2,5}?)(?:同志)?(?:为|担任)"
                          r"|(?:免去|解聘|撤销)(?P<gone>[\u4e00-\u9fff·]{2,5}?)(?:同志)?(?:的|所任))\Z")
# X当选为…, X此前任…, X因工作调整辞去… (not 拟任: a proposed post is no membership)
RE_TAKES_OFFICE = re.compile(r"(?:当选为|当选|担任|出任|被任命为|任命为|继任|此前任|曾任|原任|现任|兼任"
                             r"|(?:因[^,。;:\n]{1,10})?(?:辞去|不再担任)|(?<=[\u4e00-\u9fff])(?<![拟将可不])[为任])\Z")
# 秘书长由X担任: the name after a post and 由, before a verb of holding it
RE_HELD_BY = re.compile(r"由(?=[\u4e00-\u9fff·]{2,8}?(?:同志)?(?:担任|兼任))")
# a body the rules do not know between a verb of taking office and the post (当选APAC执行委员会委员)
RE_BODY_BEFORE_POST = re.compile(r"[A-Za-z]{2,10}[\u4e00-\u9fff]{0,10}?(?:委员会|理事会|工作组|局|会)\Z")
# a résumé line of a personnel notice: 王某,男,1970年5月生 … 现任…
RE_RESUME_HEAD = re.compile(r"(?P<name>[\u4e00-\u9fff·]{2,5}),(?:男|女)[,(]")
# 会长:X; 副会长(按姓氏笔画排序):A、B: a post, an optional note and a colon before the names
RE_POST_COLON = re.compile(r"(?:\([^()\n]{1,12}\))?[::][ \t\u3000]*")
RE_ACRONYM_NOTE = re.compile(r"\([A-Za-z]{2,10}\)\Z")
# a clause that opens with a name and a verb of reporting or taking part (会上,王某强调; 李某主持会议)
RE_SUBJECT = re.compile(r"(?<![^,。;:!?\n])(?:会上,|随后,|最后,)?(?P<name>[\u4e00-\u9fff·]{2,8}?)(?:同志)?"
                        r"(?:在(?:讲话|致辞|总结|报告)中|在会上|在总结时)?(?:指出|强调|表示|认为|介绍说|要求|主持|出席|致辞|"
                        r"讲话|宣读|通报|传达|作了|作题为)")
RE_SUBJECT_VERB = re.compile(r"指出|强调|表示|认为|介绍说|要求|主持|出席|致辞|讲话|宣读|通报|传达|作了|作题为")
SUBJECT_REACH = 20      # 会上, + a name + 同志 + 在讲话中 before the verb
RE_PADDED_NAME = re.compile(r"([\u4e00-\u9fff])[ ]{1,3}([\u4e00-\u9fff])(?=[ ]*(?:\n|$|[、,)]))")
# names listed after a collective noun (省局领导A、B、C) or before 等同志 (A、B等同志)
RE_COLLECTIVE = re.compile(r"(?:领导|负责同志|专家|嘉宾|代表|委员)(?=[\u4e00-\u9fff·]{2,5}、)")
RE_LIST_END = re.compile(r"等(?:同志|人|领导|专家)")
RE_GOVERNMENT_HEAD = re.compile(r"(?:常务)?副?(?:省|市|县|区|州)长$")
RE_CLOSING_NAMES = re.compile(r"\((?P<names>[\u4e00-\u9fff]{2,4}(?:[ 、]+[\u4e00-\u9fff]{2,4}){0,3})\)\s*\Z")
RE_HAN_RUN_END = re.compile(r"[\u4e00-\u9fff]{3,16}\Z")
# a body's name the rules did not find, right before a post (某某新区管理委员会副主任): its post is in no known body
RE_UNKNOWN_BODY = re.compile(r"(?<![\u4e00-\u9fff])(?![该本此各我其])[\u4e00-\u9fff]{2,}(?:局|处|委员会|委|司|厅|中心|公司|集团|大学|学院|研究院|协会|学会)\Z")
NAME_LEFT_OF_SHORT = "为、由任和与及,:("
# short names a text uses for a body it has named in full before (协会 for 中国认证认可协会), with the
# ending of the full name each stands for
ANAPHORS = {"联合会": "联合会", "研究会": "研究会", "委员会": "委员会", "认可委": "认可委员会", "协会": "协会",
            "学会": "学会", "中心": "中心", "研究院": "研究院", "本会": "会", "总局": "总局", "省局": "局",
            "市局": "局", "本局": "局", "我局": "局", "省市场监管局": "局", "市市场监管局": "局",
            "自治区市场监管局": "局", "区市场监管局": "局", "局": "局"}
# a short name that also says what kind of place the body serves (省局: a provincial bureau)
ANAPHOR_PLACE = {"省局": "省", "市局": "市", "省市场监管局": "省", "市市场监管局": "市", "自治区市场监管局": "自治区",
                 "区市场监管局": "区"}
RE_ANAPHOR = re.compile("|".join(sorted(ANAPHORS, key=len, reverse=True)))
RE_POST_NOTE = re.compile(r"\((?:主持工作|正[部局厅司处]级|副[部局厅司处]级|挂职|兼职|试用期)\)")
RE_ACRONYM_BEFORE = re.compile(r"(?<![A-Za-z])[A-Z]{2,10}\)?$")
RE_SPACES = re.compile(r"[ \t\u3000]+")
RE_LINE_REST = re.compile(r"[ \t\u3000]*(?:\n|$)")
# the character an organisation's name ends with, for a role that carries no organisation of its own
ROLE_UNIT = (("局长", "局"), ("主任", "委办室心会部"), ("部长", "部"), ("司长", "司"), ("处长", "处"),
             ("院长", "院"), ("所长", "所"), ("会长", "会"), ("理事长", "会"), ("秘书长", "会委"), ("监事长", "会"),
             ("书记", "委组局部"), ("总理", "院"), ("总经理", "司团"), ("董事长", "司团"), ("主席", "会委"),
             ("科长", "科"), ("厅长", "厅"), ("委员", "会"), ("巡视员", "局厅委"), ("调研员", "局厅委"),
             ("总工程师", "局司团院心"), ("总经济师", "局司团院心"), ("院士", "院"), ("教授", "学院"),
             ("研究员", "院所心"))


def find_officials(ctx: DocContext) -> None:
    """Add Person mentions and membership relations for every role followed or preceded by a name."""
    roles = _outer_roles(ctx.cue("Role"))
    taken = SpanIndex([h for h in ctx.entities if h.type != "Person"])   # names of other kinds
    chain: list[Hit] = []
    for role in roles:
        chain.append(role)
        start = _name_start(ctx.text, role.end)
        length = read_name_after(ctx.text, start)
        padded = None if length else padded_name(ctx.text, start)
        if padded and not _overlaps(start, padded.end(), taken):   # 局长:王  勇
            _add_person_with_chain(ctx, chain, start, padded.end(), name=padded.group(1) + padded.group(2))
            chain = []
        elif length and not _overlaps(start, start + length, taken):
            end = start + length
            _add_person_with_chain(ctx, chain, start, end)
            for start, end in _listed_names(ctx, end, roles, taken):   # 副主任刘卫军、许增德: both hold it
                _add_person_with_chain(ctx, chain, start, end)
            chain = []
        elif not _continues(ctx, role, roles):
            _name_before(ctx, chain, taken)
            chain = []
    add_byline_people(ctx, taken)
    add_closing_names(ctx, taken)
    add_subject_people(ctx, taken)
    add_listed_people(ctx, taken)
    propagate_people(ctx)


def _name_start(text: str, offset: int) -> int:
    """Where a name after a post starts: right after it, or after spaces when the name ends its line (a byline:
    副局长 国家认监委主任 甘霖)."""
    note = RE_POST_NOTE.match(text, offset) or RE_POST_COLON.match(text, offset) or RE_HELD_BY.match(text, offset)
    if note:                                  # 副主任(主持工作)赵刚, 秘书长:李某
        return note.end()
    spaces = RE_SPACES.match(text, offset)
    if spaces is None:
        return offset
    length = read_name_after(text, spaces.end())
    return spaces.end() if length and RE_LINE_REST.match(text, spaces.end() + length) else offset


def padded_name(text: str, offset: int) -> re.Match | None:
    """A two-character name padded to the width of three (王  勇), ending its line or list item."""
    match = RE_PADDED_NAME.match(text, offset)
    if match is None or read_name_after(match.group(1) + match.group(2) + "\n", 0) != 2:
        return None
    return match


def _listed_names(ctx: DocContext, end: int, roles: list[Hit], taken: SpanIndex) -> list[tuple[int, int]]:
    """Further names listed after the first one with 、 (not a further post: 局长X、副局长Y)."""
    found = []
    role_starts = {r.start for r in roles}
    while ctx.text[end:end + 1] == "、" and end + 1 not in role_starts:
        length = read_name_after(ctx.text, end + 1)
        if not length or _overlaps(end + 1, end + 1 + length, taken):
            break
        found.append((end + 1, end + 1 + length))
        end += 1 + length
    return found


def _outer_roles(roles: list[Hit]) -> list[Hit]:
    ordered = in_text_order(roles)
    kept: list[Hit] = []
    for role in ordered:
        if kept and kept[-1].start <= role.start and role.end <= kept[-1].end:
            continue
        kept.append(role)
    return kept


def _continues(ctx: DocContext, role: Hit, roles: list[Hit]) -> bool:
    """True when the next role follows after 、, ',' or 兼, possibly behind the name of its organisation or a
    short name for one (副主任、协会会长X)."""
    later = [r for r in roles if r.start >= role.end]
    if not later:
        return False
    gap = ctx.text[role.end:later[0].start]
    if not gap or gap[0] not in "、,兼 \t\u3000":
        return False
    rest = gap[1:].strip()
    return not rest or rest in ANAPHORS or any(h.type in ORG_TYPES and ctx.text[h.start:h.end] == rest
                                               and h.end == later[0].start for h in ctx.entities)


def _overlaps(start: int, end: int, taken: SpanIndex) -> bool:
    return bool(taken.overlapping_span(start, end))


def _name_before(ctx: DocContext, chain: list[Hit], taken: SpanIndex) -> None:
    """A name before the posts of a chain (X副会长兼秘书长): right before them, or before a verb of taking office,
    after a verb of appointing, or opening a résumé; each post of the chain is the person's."""
    first = chain[0]
    end = _name_end_before(ctx, first)
    names = _name_before_verb(ctx, first, taken)       # X为会长 before X(为) 会长
    length = 0 if names else read_name_before(ctx.text, end)
    if length and _overlaps(end - length, end, taken):
        return
    if length:
        names = [(end - length, end, "rx:person-name-role")]
    names = names or _name_appointed(ctx, first, taken) or _resume(ctx, first, taken)
    for start, end, source in names:
        _add_person_with_chain(ctx, chain, start, end, source)


def _name_end_before(ctx: DocContext, role: Hit) -> int:
    """Where a name before a post ends: right before it, or before a bracket that holds the post and its body
    (李某(某某中心主任))."""
    start = _org_start(ctx, role)
    if start < role.start and ctx.text[start - 1:start] == "(":
        return start - 1
    return role.start


def _name_appointed(ctx: DocContext, role: Hit, taken: SpanIndex) -> list[tuple[int, int, str]]:
    """任命X同志为国家认监委某部主任, 选举X为会长: the name between the verb of appointing and 为."""
    start = _org_start(ctx, role)
    match = RE_APPOINTED.search(ctx.text, max(0, start - 16), start)
    group = "name" if match is not None and match.group("name") else "gone"
    if match is None or read_name_after(ctx.text, match.start(group)) != len(match.group(group)) \
            or _overlaps(match.start(group), match.end(group), taken):
        return []
    return [(match.start(group), match.end(group), "rx:person-appointed")]


def _name_before_verb(ctx: DocContext, role: Hit, taken: SpanIndex) -> list[tuple[int, int, str]]:
    """王某当选为协会会长, 李某担任秘书长, A、B、C当选为副会长: names, a verb of taking office, the post."""
    org_start = _org_start(ctx, role)
    body = None if org_start < role.start else RE_BODY_BEFORE_POST.search(ctx.text, max(0, org_start - 20), org_start)
    org_start = body.start() if body else org_start
    verb = RE_TAKES_OFFICE.search(ctx.text, max(0, org_start - 16), org_start)
    if verb is None:
        return []
    return [(start, end, "rx:person-takes-office") for start, end in _names_before(ctx, verb.start(), taken)]


def _names_before(ctx: DocContext, end: int, taken: SpanIndex) -> list[tuple[int, int]]:
    """The names of a list ending at ``end`` (A、B、C), last first."""
    found: list[tuple[int, int]] = []
    while True:
        length = read_name_before(ctx.text, end)
        if not length or _overlaps(end - length, end, taken):
            return found
        found.append((end - length, end))
        end -= length
        if ctx.text[end - 1:end] != "、":
            return found
        end -= 1


def _resume(ctx: DocContext, role: Hit, taken: SpanIndex) -> list[tuple[int, int, str]]:
    """王某,男,…,现任某局某处处长: the name that opens the résumé's line holds the post after 现任."""
    org_start = _org_start(ctx, role)
    verb = RE_TAKES_OFFICE.search(ctx.text, max(0, org_start - 4), org_start)
    if verb is None or not verb.group().endswith("任"):
        return []
    line_start = ctx.text.rfind("\n", 0, verb.start()) + 1
    head = RE_RESUME_HEAD.match(ctx.text, line_start)
    if head is None or read_name_after(ctx.text, line_start) != len(head.group("name")) \
            or _overlaps(line_start, head.end("name"), taken) or "。" in ctx.text[line_start:verb.start()]:
        return []
    return [(line_start, head.end("name"), "rx:person-resume")]


def _add_person_with_chain(ctx: DocContext, chain: list[Hit], start: int, end: int,
                           source: str = "rx:person-role-name", name: str | None = None) -> None:
    """Every post of the chain. A post after 兼 with no body of its own is in the body of the post before
    (协会副会长兼秘书长); so is a post after 、 that no body in the sentence fits (副主任、党组成员X)."""
    person = _person(ctx, start, end, source, name)
    previous, previous_org, orgs = None, None, []
    for role in chain:
        gap = ctx.text[previous.end:role.start] if previous else None
        if gap == "兼" and _adjacent_org(ctx, role) is None:
            org = previous_org
        else:
            org = _org_of_post(ctx, person, role) or (previous_org if gap in ("、", ",") else None)
        orgs.append(org)
        previous, previous_org = role, org
    for i in range(len(chain) - 2, -1, -1):  # 党组成员、副主任X: a post with no body of its own shares the next's
        if orgs[i] is None and ctx.text[chain[i].end:chain[i + 1].start] in ("、", ","):
            orgs[i] = orgs[i + 1]
    for role, org in zip(chain, orgs):
        _relate_membership(ctx, person, role, org, min(start, _org_start(ctx, role)), max(end, role.end))


def _person(ctx: DocContext, start: int, end: int, source: str, name: str | None = None) -> Hit:
    hit = Hit(start, end, "Person", name or ctx.text[start:end], source)
    return ctx.add_entity(hit, EntityInfo(hit.key, source))


def _org_of_post(ctx: DocContext, person: Hit, role: Hit) -> tuple[str, str] | None:
    """The body written with the post, else the one the text gave this person's post before, else the one
    the sentence or text names, else the lexicon's."""
    held = None if _adjacent_org(ctx, role) or _anaphor_org(ctx, role) else _held_before(ctx, person, role)
    return held or org_for_role(ctx, role) or _known_post(ctx, person.name, role.name)


def _held_before(ctx: DocContext, person: Hit, role: Hit) -> tuple[str, str] | None:
    """钮某局长 after 某省局局长钮某: the post the text has given this person already, in the same body."""
    orgs = [dict(r.args)["organization"] for r in ctx.relations if r.kind == "membership"
            and dict(r.args)["person"] == person.key and dict(r.args)["role"] == role.name]
    return orgs[-1] if orgs else None


def _relate_membership(ctx: DocContext, person: Hit, role: Hit, org: tuple[str, str] | None,
                       start: int, end: int) -> None:
    if org is not None:
        ctx.relate("membership", {"person": person.key, "role": role.name, "organization": org},
                   min(start, role.start), end, role.source)


def _known_post(ctx: DocContext, name: str, role: str) -> tuple[str, str] | None:
    """支树平局长 with no body in the sentence: the body of that post in the person's lexicon entry."""
    for entry_id in ctx.lexicon.strong.get(name, ()):
        entry = ctx.lexicon.entries[entry_id]
        org = next((ctx.entry_key(o) for r, o in entry.posts if r == role), None) if entry.type == "Person" else None
        if org is not None:
            return org
    return None


def _org_ending_at(ctx: DocContext, offset: int) -> Hit | None:
    return next((h for h in ctx.entities if h.type in ORG_TYPES and h.end == offset), None)


def _adjacent_org(ctx: DocContext, role: Hit) -> Hit | None:
    """The body written right before a post, also across its acronym (马来西亚标准局(DSM)局长)."""
    org = _org_ending_at(ctx, role.start)
    note = None if org else RE_ACRONYM_NOTE.search(ctx.text, max(0, role.start - 12), role.start)
    org = _org_ending_at(ctx, note.start()) if note else org
    return _longer_named(ctx, org) if org is not None and org.source.startswith("rx:") else org


def _longer_named(ctx: DocContext, org: Hit) -> Hit:
    """标准化研究院 after 东方省标准化研究院: a shape-found name that is the tail of a body named before stands
    for that body."""
    longer = [h for h in ctx.entities if h.type in ORG_TYPES and h.end <= org.start and len(h.name) > len(org.name)
              and h.name.endswith(org.name)]
    return Hit(org.start, org.end, longer[-1].type, longer[-1].name, longer[-1].source) if longer else org


def _anaphor_org(ctx: DocContext, role: Hit) -> Hit | None:
    """协会会长X, 认可委秘书长Y: a short name of a body the text has named before, right before the post
    (the body, placed where its short name is)."""
    for short in ANAPHORS:
        if ctx.text.endswith(short, 0, role.start):
            org = _anaphor_hit(ctx, short, role.start - len(short))
            if org is not None:
                return org
    return _tail_of_named(ctx, role.start)


def _tail_of_named(ctx: DocContext, end: int) -> Hit | None:
    """昆明分中心主任, 任命X为福建分公司总经理: the tail of a body's full name named earlier, standing alone."""
    run = RE_HAN_RUN_END.search(ctx.text, max(0, end - 16), end)
    if run is None:
        return None
    named = [h for h in ctx.entities if h.type in ORG_TYPES and h.end <= run.start()]
    for start in range(run.start(), end - 2):
        if start > run.start() and ctx.text[start - 1] not in NAME_LEFT_OF_SHORT:
            continue
        tail = ctx.text[start:end]
        org = next((h for h in reversed(named) if len(h.name) > len(tail) and h.name.endswith(tail)), None)
        if org is not None:
            return Hit(start, end, org.type, org.name, org.source)
    return None


def _anaphor_hit(ctx: DocContext, short: str, start: int) -> Hit | None:
    """The body a short name at ``start`` stands for (the last one named before it with the right ending),
    as a Hit on the short name."""
    if start > 0 and RE_HAN.match(ctx.text[start - 1]) and ctx.text[start - 1] not in "本该为任由经":
        return None                          # 市场监管总局: the end of a full name, not a short one
    ending, place = ANAPHORS[short], ANAPHOR_PLACE.get(short, "")
    named = [h for h in ctx.entities if h.type in ORG_TYPES and h.end <= start
             and len(h.name) > len(short) and h.name.endswith(ending) and place in h.name]
    if not named:
        return None
    org = max(named, key=lambda h: h.end)
    return Hit(start, start + len(short), org.type, org.name, org.source)


def _anaphors_in(ctx: DocContext, start: int, end: int) -> list[Hit]:
    """Bodies that short names between ``start`` and ``end`` stand for, placed where the short names are."""
    found = (_anaphor_hit(ctx, m.group(), m.start()) for m in RE_ANAPHOR.finditer(ctx.text, start, end))
    return [hit for hit in found if hit is not None]


def _org_start(ctx: DocContext, role: Hit) -> int:
    """Where the bodies written right before a post start: 国家认监委 + 认可与检测监管部 + 主任, 协会 + 会长."""
    start = role.start
    org = _adjacent_org(ctx, role) or _anaphor_org(ctx, role)
    while org is not None:
        start = org.start
        org = _org_ending_at(ctx, start)
    return start


def org_for_role(ctx: DocContext, role: Hit) -> tuple[str, str] | None:
    """The organisation a role belongs to: adjacent, else the last fitting one in the sentence, else default."""
    adjacent = _adjacent_org(ctx, role) or _anaphor_org(ctx, role)
    if adjacent is not None:
        return adjacent.key
    government = _government_of_place(ctx, role)
    if government is not None:
        return government
    if RE_ACRONYM_BEFORE.search(ctx.text, max(0, role.start - 12), role.start) \
            or RE_UNKNOWN_BODY.search(ctx.text, max(0, role.start - 16), role.start):
        return None                       # ACCSQ主席X, 某某新区管理委员会副主任X: a body we do not know
    units = next((u for r, u in ROLE_UNIT if role.name.endswith(r)), "")
    sent_start, _ = ctx.sentences.span(role.start)
    earlier = [h for h in ctx.entities if h.type in ORG_TYPES and sent_start <= h.start and h.end <= role.start]
    earlier = sorted(earlier + _anaphors_in(ctx, sent_start, role.start), key=lambda h: h.start)
    for hit in reversed(earlier):
        if hit.name[-1:] in units:
            return hit.key
    entry = ctx.lexicon.get(role.source)
    return ctx.entry_key(entry.default_org) if entry and entry.default_org else _text_body(ctx, role, units)


def _government_of_place(ctx: DocContext, role: Hit) -> tuple[str, str] | None:
    """东方市副市长X: the head of a place's government, when the text names that 人民政府."""
    place = next((h for h in ctx.entities if h.type == "Region" and h.end == role.start), None)
    if place is None or not RE_GOVERNMENT_HEAD.match(role.name):
        return None
    government = place.name + "人民政府"
    return next((h.key for h in ctx.entities if h.type in ORG_TYPES and h.name == government), None)


def _text_body(ctx: DocContext, role: Hit, units: str) -> tuple[str, str] | None:
    """A post whose sentence names no body (揭某当选为会长): the body of its kind the text names most
    (the latest of those) before it."""
    earlier = [h for h in ctx.entities if h.type in ORG_TYPES and h.end <= role.start and h.name[-1:] in units]
    if not earlier or not units:
        return None
    counts = Counter(h.key for h in earlier)
    return max(reversed(earlier), key=lambda h: counts[h.key]).key


def add_byline_people(ctx: DocContext, taken: SpanIndex) -> None:
    """Editors, reporters ((记者 X、Y), a closing (X)) and 'X同志' become persons (no post)."""
    for cue in ctx.cues:
        if cue.type == "Person" and not _overlaps(cue.start, cue.end, taken) and _byline_name(ctx.text, cue):
            ctx.add_entity(cue, EntityInfo(cue.key, cue.source))
            for start, end in _byline_list(ctx.text, cue.end):
                ctx.add_entity(Hit(start, end, "Person", ctx.text[start:end], cue.source))
        elif cue.type == "PersonCue" and read_name_after(cue.name + "同志", 0) == len(cue.name) \
                and not RE_NOT_A_NAME.search(ctx.text, max(0, cue.start - 2), cue.end):
            if not _overlaps(cue.start, cue.end, taken):
                ctx.add_entity(Hit(cue.start, cue.end, "Person", cue.name, cue.source))


def _byline_name(text: str, cue: Hit) -> bool:
    """A name after 记者: (not after 记者:, where any name is taken) must have a name's shape."""
    return text[cue.start - 1:cue.start] in ":" or read_name_after(cue.name + ")", 0) == len(cue.name)


def _byline_list(text: str, end: int) -> list[tuple[int, int]]:
    """Further reporters after the first: (记者王某、李某)."""
    found = []
    while text[end:end + 1] == "、":
        length = read_name_after(text, end + 1)
        if not length:
            break
        found.append((end + 1, end + 1 + length))
        end += 1 + length
    return found


def add_closing_names(ctx: DocContext, taken: SpanIndex) -> None:
    """A text that closes with its writers' names in brackets: (王某) or (王某 李某)."""
    match = RE_CLOSING_NAMES.search(ctx.text, max(0, len(ctx.text) - 40))
    if match is None:
        return
    for name in re.finditer(r"[\u4e00-\u9fff]+", match.group("names")):
        start, end = match.start("names") + name.start(), match.start("names") + name.end()
        if read_name_after(ctx.text[start:end] + ")", 0) == end - start and not _overlaps(start, end, taken):
            ctx.add_entity(Hit(start, end, "Person", name.group(), "rx:person-closing"))


def add_subject_people(ctx: DocContext, taken: SpanIndex) -> None:
    """会上,王某强调…; 李某主持会议: a name opening a clause as the subject of a verb of reporting or taking part."""
    for match in finditer_near(RE_SUBJECT, RE_SUBJECT_VERB, SUBJECT_REACH, ctx.text):
        start, end = match.span("name")
        if read_name_after(ctx.text, start) == end - start and not _overlaps(start, end, taken) \
                and not ctx.in_span(start, end, "Person"):
            ctx.add_entity(Hit(start, end, "Person", match.group("name"), "rx:person-subject"))


def add_listed_people(ctx: DocContext, taken: SpanIndex) -> None:
    """省局领导A、B、C出席; A、B等同志参加: names in a list after a collective noun (two at least) or before 等同志."""
    spans = []
    for match in RE_COLLECTIVE.finditer(ctx.text):
        length = read_name_after(ctx.text, match.end())
        if length and not _overlaps(match.end(), match.end() + length, taken):
            listed = _listed_names(ctx, match.end() + length, [], taken)
            spans += [(match.end(), match.end() + length)] + listed if listed else []
    for match in RE_LIST_END.finditer(ctx.text):
        spans += [(start, end) for start, end in _names_before(ctx, match.start(), taken)]
    for start, end in spans:
        if not ctx.in_span(start, end, "Person"):
            ctx.add_entity(Hit(start, end, "Person", ctx.text[start:end], "rx:person-listed"))


def propagate_people(ctx: DocContext) -> None:
    """Every later occurrence of a known person's name is a mention too."""
    names, seen, others = set(), set(), []
    for hit in ctx.entities:
        if hit.type == "Person":
            names.add(hit.name)
            seen.add((hit.start, hit.end))
        else:
            others.append(hit)
    taken = SpanIndex(others)
    for name in names:
        start = ctx.text.find(name)
        while start >= 0:
            end = start + len(name)
            if (start, end) not in seen and not _overlaps(start, end, taken) and not _inside_name(ctx.text, start, end):
                ctx.add_entity(Hit(start, end, "Person", name, "rx:person-known"))
                seen.add((start, end))
            start = ctx.text.find(name, end)
    ctx.sort_entities()


def _inside_name(text: str, start: int, end: int) -> bool:
    """A known name glued to more Han characters on both sides is probably part of another word."""
    left = start > 0 and RE_HAN.match(text[start - 1]) is not None
    right = end < len(text) and RE_HAN.match(text[end]) is not None
    return left and right and len(text[start:end]) == 2
