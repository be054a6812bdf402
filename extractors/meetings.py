"""Meeting names by grammar: [year] [body] [year | edition] <topic + kind | a body's session>, with coordinated
heads (X第四届会员大会暨四届一次理事会、四届一次监事会). The canonical name drops a series' edition year (the
mention keeps it), puts the issuer's province or city for 全省 / 全市, and spells a council session
第N届理事会第N次会议."""
from __future__ import annotations

import re

from extractors.context import DocContext
from extractors.records import EntityInfo, Hit
from extractors.rules import anchor_windows, clause_inside, finditer_near
from extractors.text import RE_HAN

NUM = r"[0-9一二三四五六七八九十]{1,3}"
# a body's session: 第六次会员代表大会, 第二届会员大会, 六届二次理事会, 第三届第四次理事会, 第三届理事会第四次会议
RE_SESSION = re.compile(
    rf"第(?P<term>{NUM})届(?P<council>常务理事会|理事会|监事会|委员会)第(?P<n>{NUM})次(?:全体)?会议"
    rf"|第?(?P<term2>{NUM})届第?(?P<n2>{NUM})次(?P<council2>常务理事会|理事会|监事会|会员代表大会|全体会议)议?"
    rf"|第{NUM}[届次](?:会员代表大会|全体会员大会|会员大会|代表大会)")
RE_SESSION_ANCHOR = re.compile(r"理事会|监事会|代表大会|会员大会|全体会议")
SESSION_REACH = 24
# kinds that a body's name licenses with no topic: APAC全体成员大会, 亚太认可合作组织2023年年会
RE_BODY_KIND = re.compile(r"联合年会|年会(?!员)|全体成员大会|会员代表大会|会员大会|全体会议|峰会|年度会议")
# what may stand between a body and the kind (a bracketed abbreviation, an edition year)
RE_YEAR_END = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*年度?\s*$")
RE_EDITION_END = re.compile(r"第\s*\d{1,3}\s*[届期次]\s*$")
RE_ABBR_END = re.compile(r"\(\s*[A-Za-z][A-Za-z&\-]{1,11}\s*\)\s*$")
RE_JOIN_END = re.compile(r"(?:和|与|及|、)$")
LOOK_BACK = 16
# the next head of a coordination after a body's meeting: 暨四届一次理事会, 、多边互认协议(MRA)理事会 (not
# 和第六届理事会: a council, the body, is no meeting)
RE_JOIN = re.compile(r"暨|以及|、|及|和")
RE_JOIN_ANY = re.compile(r"暨")
RE_NEXT_HEAD = re.compile(r"(?!各|有关|相关|其他|其它|第[0-9一二三四五六七八九十]{1,3}届(?:常务理事会|理事会|监事会))(?P<topic>[\u4e00-\u9fff]{2,12}?)(?:\([A-Za-z]{2,10}\))?"
                          r"(?P<kind>常务理事会|理事会|监事会|工作会议|研讨会|论坛|座谈会|推进会|年会|全体成员大会|培训班|"
                          r"表彰大会|动员大会|总结大会)")
# the kind a meeting's name ends with, and the words after which the kind alone names it again
RE_KIND_TAIL = re.compile(r"(?:全体成员大会|会员代表大会|会员大会|研讨会|论坛|年会|培训班|座谈会|推进会|博览会)$")
RE_BACK = "的在本该此次"
# coordinated plenums: 二十届二中、三中全会 (each one its own meeting)
RE_PLENUMS = re.compile(r"(?:党的)?(?P<term>[一二三四五六七八九十]{1,3})届(?P<ks>(?:[一二三四五六七]中、)+[一二三四五六七]中)全会")
# the national people's congress and political consultative conference in session (十四届全国人大二次会议)
CN = "[一二三四五六七八九十]{1,3}"
NATIONAL_SESSIONS = (
    (re.compile(rf"第?(?P<t>{CN})届全国人(?:民代表)?大(?:会)?(?P<c>常委会|常务委员会)?第?(?P<n>{CN})次(?:全体)?会议"),
     "第{t}届全国人民代表大会{c}第{n}次会议"),
    (re.compile(rf"(?:全国政协|中国人民政治协商会议)第?(?P<t>{CN})届(?:全国委员会)?第?(?P<n>{CN})次会议|"
                rf"(?P<t2>{CN})届全国政协第?(?P<n2>{CN})次会议"),
     "中国人民政治协商会议第{t}届全国委员会第{n}次会议"),
)
RE_PLENUM_ANCHOR = re.compile(r"中全会")
RE_NATIONAL_ANCHOR = re.compile(r"全国人大|全国人民代表大会|全国政协|政治协商会议")
SCOPE_LEVELS = {"全省": ("province",), "全市": ("city", "municipality")}
SHAPE_SOURCES = ("rx:meeting-event", "rx:meeting-work-conference", "rx:meeting-edition")
# a day's own events, a meeting of their own: “世界计量日”主场活动, 世界认可日安徽省主场活动
RE_DAY_EVENT = re.compile(r"[”\"]?\s*(?P<kind>(?:[\u4e00-\u9fff]{2,8}?(?:省|市|自治区|特别行政区))?(?:主场活动|系列活动))")
DAY_EVENT_SOURCE = "rx:meeting-day-event"
NO_BODY_BEFORE = ("全", "中国", "国际", "世界", "亚太")
BODY_TYPES = ("Organization", "Agency")
TITLE_REACH = 80


def name_meetings(ctx: DocContext) -> None:
    """Lengthen and rename the meetings the rules found; add sessions and meetings named by a body."""
    ends = _ends(ctx)
    taken = [(h.start, h.end) for h in ctx.of_type("Meeting")]
    named: list[tuple[Hit, str | None]] = []           # new hit, body prefix
    renamed: list[Hit] = []
    for hit in ctx.of_type("Meeting"):
        day_event = RE_DAY_EVENT.match(ctx.text, hit.end)
        if day_event and hit.name.endswith("日"):
            named.append((Hit(hit.start, day_event.end(), "Meeting", hit.name + day_event.group("kind"),
                              DAY_EVENT_SOURCE), None))
        found = _lengthened(ctx, ends, hit, hit.name, hit.source in SHAPE_SOURCES and _may_take_body(ctx, hit))
        if found is not None:
            renamed.append(hit)
            named.append(found)
    for hit in renamed:                    # after the loop: each removal drops the span index in_span needs
        ctx.remove_entity(hit)
    pending = []
    for match in finditer_near(RE_SESSION, RE_SESSION_ANCHOR, SESSION_REACH, ctx.text):
        if _taken(taken, match.start(), match.end()):
            continue
        hit = Hit(match.start(), match.end(), "Meeting", _session_name(match), "rx:meeting-session-of")
        found = _lengthened(ctx, ends, hit, hit.name, True)
        if found is not None and found[1]:
            named.append(found)
        else:
            pending.append(hit)
    for match in RE_BODY_KIND.finditer(ctx.text):
        if _taken(taken, match.start(), match.end()) or _inside_body(ctx, match.start(), match.end()):
            continue
        hit = Hit(match.start(), match.end(), "Meeting", match.group(), "rx:meeting-of-body")
        found = _lengthened(ctx, ends, hit, hit.name, True)
        if found is not None and found[1]:
            named.append(found)
    named += [(hit, None) for hit in _plenums(ctx, taken) + _national_sessions(ctx, taken)]
    named.sort(key=lambda item: item[0].start)
    named += _coordinated(ctx, named, pending)
    named += _repeated_sessions(named, pending)
    for hit, _ in named:
        ctx.add_entity(hit, _info(ctx, hit))
    ctx.sort_entities()
    _repeated_kinds(ctx)


def _repeated_kinds(ctx: DocContext) -> None:
    """在…举行的全体成员大会上: a kind alone, where the text names exactly one meeting of that kind, is that
    meeting named again."""
    meetings = ctx.of_type("Meeting")
    by_kind: dict[str, set[str]] = {}
    for hit in meetings:
        tail = RE_KIND_TAIL.search(hit.name)
        if tail and tail.start() > 0:
            by_kind.setdefault(tail.group(), set()).add(hit.name)
    spans = [(h.start, h.end) for h in meetings]
    for kind, names in by_kind.items():
        if len(names) != 1:
            continue
        name = next(iter(names))
        for match in re.finditer(kind, ctx.text):
            before = ctx.text[match.start() - 1:match.start()]
            if _taken(spans, match.start(), match.end()) or before and RE_HAN.match(before) and before not in RE_BACK:
                continue
            ctx.add_entity(Hit(match.start(), match.end(), "Meeting", name, "rx:meeting-named-again"))
    ctx.sort_entities()


def _plenums(ctx: DocContext, taken: list[tuple[int, int]]) -> list[Hit]:
    """党的二十届二中、三中全会: each plenum of the list, named in full."""
    hits = []
    for match in finditer_near(RE_PLENUMS, RE_PLENUM_ANCHOR, 24, ctx.text):
        if _taken(taken, match.start(), match.end()):
            continue
        offset = match.start("ks")
        for index, plenum in enumerate(match.group("ks").split("、")):
            start = match.start() if index == 0 else offset
            end = offset + len(plenum) if offset + len(plenum) < match.start("ks") + len(match.group("ks")) \
                else match.end()
            name = f"中国共产党第{match.group('term')}届中央委员会第{plenum[0]}次全体会议"
            hits.append(Hit(start, end, "Meeting", name, "rx:meeting-plenums"))
            offset += len(plenum) + 1
    return hits


def _national_sessions(ctx: DocContext, taken: list[tuple[int, int]]) -> list[Hit]:
    """十四届全国人大二次会议, 全国政协十四届二次会议: a session of the NPC (or its standing committee) or the
    CPPCC, named in full."""
    hits = []
    for low, high in anchor_windows(RE_NATIONAL_ANCHOR, 16, ctx.text):
        for pattern, form in NATIONAL_SESSIONS:
            for match in pattern.finditer(ctx.text, low, high):
                if _taken(taken, match.start(), match.end()):
                    continue
                groups = match.groupdict()
                name = form.format(t=groups.get("t") or groups.get("t2"), n=groups.get("n") or groups.get("n2"),
                                   c="常务委员会" if groups.get("c") else "")
                hits.append(Hit(match.start(), match.end(), "Meeting", name, "rx:meeting-national-session"))
    return hits


def _ends(ctx: DocContext) -> dict[int, list[Hit]]:
    ends: dict[int, list[Hit]] = {}
    for hit in ctx.of_type(*BODY_TYPES, "Region"):
        ends.setdefault(hit.end, []).append(hit)
    return ends


def _inside_body(ctx: DocContext, start: int, end: int) -> bool:
    return any(h.end > start for h in ctx.in_span(max(0, start - LOOK_BACK), end, *BODY_TYPES))


def _taken(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _may_take_body(ctx: DocContext, hit: Hit) -> bool:
    """A shape meeting (能力验证研讨会) may take the body written before it, unless it names its own scope."""
    return not hit.name.startswith(NO_BODY_BEFORE) and not any(
        h.start == hit.start for h in ctx.in_span(hit.start, hit.end, "Region", *BODY_TYPES))


def _lengthened(ctx: DocContext, ends: dict[int, list[Hit]], hit: Hit, core: str,
                take_body: bool) -> tuple[Hit, str | None] | None:
    """The meeting with what its name holds before ``hit``: an edition, a series year, a body; None when
    nothing changes."""
    text, start = ctx.text, hit.start
    edition = RE_EDITION_END.search(text, max(0, start - 8), start)
    if edition:
        start, core = edition.start(), re.sub(r"\s", "", edition.group()) + core
    year = RE_YEAR_END.search(text, max(0, start - 8), start)
    if year:
        start = year.start()
    prefix = None
    if take_body:
        body_start, prefix = _body_before(ctx, ends, start)
        if prefix:
            start = body_start
            lead = RE_YEAR_END.search(text, max(0, start - 8), start)
            year = year or lead
            start = lead.start() if lead else start
    name = (prefix or "") + _scoped(ctx, core)
    if start == hit.start and name == hit.name and hit.source != "rx:meeting-session-of":
        return None
    data = hit.data + ((("year", year.group("y")),) if year else ()) + ((("text_name", core),) if name != core else ())
    return Hit(start, hit.end, "Meeting", name, hit.source, data), prefix


def _body_before(ctx: DocContext, ends: dict[int, list[Hit]], offset: int) -> tuple[int, str | None]:
    """Start and name of the body written right before ``offset`` (中国认证认可协会(CCAA), 广东省认证认可协会,
    国际认可论坛(IAF)和国际实验室认可合作组织(ILAC))."""
    body = _one_body(ctx, ends, offset)
    if body is None:
        return offset, None
    start, name = body
    join = RE_JOIN_END.search(ctx.text, max(0, start - 1), start)
    first = _one_body(ctx, ends, join.start()) if join else None
    if first is not None:
        return first[0], first[1] + join.group() + name
    return start, name


def _one_body(ctx: DocContext, ends: dict[int, list[Hit]], offset: int) -> tuple[int, str] | None:
    abbr = RE_ABBR_END.search(ctx.text, max(0, offset - LOOK_BACK), offset)
    end = abbr.start() if abbr else offset
    bodies = [h for h in ends.get(end, ()) if h.type in BODY_TYPES]
    if not bodies:
        return None
    body = min(bodies, key=lambda h: h.start)
    place = [h for h in ends.get(body.start, ()) if h.type == "Region"]
    if place:                                   # 广东省 + 认证认可协会: the body's name as written
        return place[0].start, ctx.text[place[0].start:body.end]
    return body.start, body.name


def _scoped(ctx: DocContext, name: str) -> str:
    """全省质量工作会议 in a province's text → <province>质量工作会议."""
    scope = name[:2]
    if scope not in SCOPE_LEVELS:
        return name
    home = _home(ctx, SCOPE_LEVELS[scope])
    return home + name[2:] if home else name


def _home(ctx: DocContext, levels: tuple[str, ...]) -> str | None:
    """The text's own province or city: the first such place that heads an agency's name or stands in the title."""
    cached = ctx.meta.setdefault("home_regions", {})
    if levels not in cached:
        agencies = {h.start for h in ctx.of_type("Agency")}
        cached[levels] = next((r.name for r in ctx.of_type("Region")
                               if (entry := ctx.lexicon.get(r.source)) is not None and entry.level in levels
                               and (r.start in agencies or r.start < TITLE_REACH)), None)
    return cached[levels]


def _session_name(match: re.Match) -> str:
    """六届二次理事会, 第六届第二次理事会 → 第六届理事会第二次会议; the other forms as written."""
    if match.group("term2"):
        return f"第{match.group('term2')}届{match.group('council2')}第{match.group('n2')}次会议"
    return match.group()


def _coordinated(ctx: DocContext, named: list[tuple[Hit, str | None]], pending: list[Hit]) -> list[tuple[Hit, str]]:
    """Heads joined to a body's meeting by 暨, 、, 及, 和 share its body; any meeting takes a head joined by 暨
    (…工作会议暨党风廉政建设工作会议)."""
    sessions = {h.start: h for h in pending}
    added = []
    for hit, prefix in sorted(named + [(h, None) for h in ctx.of_type("Meeting")], key=lambda item: item[0].start):
        end = hit.end
        while (join := (RE_JOIN if prefix else RE_JOIN_ANY).match(ctx.text, end)) is not None:
            head = _next_head(ctx, sessions, join.end(), prefix)
            if head is None or ctx.in_span(head.start, head.end, "Meeting"):
                break
            added.append((head, prefix))
            end = head.end
    pending[:] = list(sessions.values())
    return added


def _next_head(ctx: DocContext, sessions: dict[int, Hit], start: int, prefix: str | None) -> Hit | None:
    session = sessions.get(start)
    if session is not None:
        if not prefix:
            return None
        del sessions[start]
        return Hit(session.start, session.end, "Meeting", prefix + session.name, session.source,
                   (("text_name", session.name),))
    match = RE_NEXT_HEAD.match(ctx.text, start)
    if match is None or clause_inside(match.group("topic")):
        return None
    name = match.group("topic") + match.group("kind")
    return Hit(match.start(), match.end(), "Meeting", prefix + name if prefix else _scoped(ctx, name),
               "rx:meeting-coordinated", (("text_name", name),))


def _repeated_sessions(named: list[tuple[Hit, str | None]], pending: list[Hit]) -> list[tuple[Hit, None]]:
    """其后举行的二届四次理事会: a session named again without its body is the body's session named before."""
    found = []
    for session in pending:
        same = [h for h, _ in named if h.name.endswith(session.name) and h.name != session.name]
        if same:
            found.append((Hit(session.start, session.end, "Meeting", same[0].name, session.source,
                              (("text_name", session.name),)), None))
    return found


def _info(ctx: DocContext, hit: Hit) -> EntityInfo:
    """A meeting renamed for its province keeps the text's own form as an alias."""
    info = ctx.info_for_entry(hit)
    text_name = hit.get("text_name")
    if text_name and text_name.startswith(tuple(SCOPE_LEVELS)) and text_name != hit.name:
        return EntityInfo(info.key, info.source, info.entry_id, info.parent, info.en, info.aliases + (text_name,),
                          info.en_aliases)
    return info
