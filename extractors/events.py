"""Meetings: when and where they were held, and who spoke at them."""
from __future__ import annotations

import re

from extractors.context import DocContext
from extractors.dates import resolve
from extractors.meetings import DAY_EVENT_SOURCE
from extractors.records import Hit
from extractors.text import head_lines

RE_HELD = re.compile(r"召开|举行|举办|开幕|闭幕|开班|主持召开")
RE_PLACE = re.compile(r"在(?P<place>[\u4e00-\u9fff]{1,8}?)(?:隆重)?(?:召开|举行|举办|开幕)")
RE_DAY_IS = re.compile(r"^\s*(?:是|为)第[0-9一二三四五六七八九十]{1,4}(?:个|届)\s*“?$")
# verbs of speaking or taking part, said of the person before them (not 讲话精神: a speech cited)
RE_TAKES_PART = re.compile(r"(?:出席|讲话|致辞|致[^,。]{1,4}辞|主持|发言|演讲|宣读|传达|介绍|通报|带队|到会|主讲|授课|"
                           r"作[^。]{0,45}?(?:报告|辅导|讲座)|发表[^。]{0,10}?讲话|参加会议|作总结|作动员|"
                           r"在[^,。]{0,10}?(?:会议|会|论坛|开幕式)上(?:指出|强调|表示|要求))(?!精神)")
RE_TO_COME = re.compile(r"将于|将在|将承办|将举办|拟于")
RE_NAME_ONLY = re.compile(r"\s*(?:同志|等)?\s*")
RE_CEREMONY = re.compile(r"仪式")
RE_REPORTED = re.compile(r"据[^,。;]{0,20}$")       # 据X介绍: the text quotes X, X need not be at a meeting
# a meeting cited, not attended: 传达全国…会议精神, 贯彻党的二十大部署, 党的十八大以来
RE_CITED = re.compile(r"的?(?:精神|部署|要求|决策|重要讲话)|以来")
# a speech as the text's title (or subtitle): 在2019年全国…工作会议上的讲话, ——在…推进会上的讲话
RE_SPEECH_TITLE = re.compile(r"[—–-]*\s*在(?P<meeting>.{2,60}?)上的(?:总结讲话|讲话|工作报告|主题报告|报告|致辞|发言)")
SPEECH_TITLE_LINES = 2
RE_DATE_LINE = re.compile(r"^\(?(?P<date>[^()]{6,16})\)?$")
SPEECH_HEAD = 5
# 出席会议的还有X、Y, 参加活动的有…: the people listed after it take part
RE_ATTENDED_BY = re.compile(r"(?:出席|参加)[\u4e00-\u9fff]{0,6}?的(?:领导|嘉宾|同志|人员)?(?:还)?有")
# a body's numbered session: 市场监管总局第5次局务会议, 国家认监委第3次主任办公会
RE_SESSION = re.compile(r"第\s*(?P<n>\d{1,4}|[一二三四五六七八九十]{1,3})\s*次(?:局务会议|局长办公会议?|主任办公会议?|委务会议|"
                        r"党组会议|党委会议|主任会议|常委会议|部务会议|署务会议)")
PLACE_ABBREVIATIONS = {"京": "北京", "沪": "上海", "津": "天津", "渝": "重庆", "穗": "广州", "深": "深圳"}


def add_sessions(ctx: DocContext) -> None:
    """A body's numbered session (X第N次局务会议) is a meeting, named with the body's full name."""
    for match in RE_SESSION.finditer(ctx.text):
        bodies = [h for h in ctx.entities if h.end == match.start() and h.type in ("Agency", "Organization")]
        if not bodies or ctx.in_span(match.start(), match.end(), "Meeting"):
            continue
        body = min(bodies, key=lambda h: h.start)
        hit = Hit(body.start, match.end(), "Meeting", body.name + match.group(), "rx:meeting-session")
        ctx.add_entity(hit)
    ctx.sort_entities()


def add_meeting_dates(ctx: DocContext) -> None:
    """meeting_date relations; the first dated meeting becomes the text's focal meeting."""
    for meeting in ctx.of_type("Meeting"):
        date_cue = _meeting_date_cue(ctx, meeting)
        if date_cue is None:
            continue
        date = _meeting_year_date(ctx, meeting, date_cue) or resolve(ctx, date_cue)
        if date is None or len(date) != len("2000-01-01"):
            continue                      # a month or a year alone dates no meeting
        args = {"meeting": meeting.key, "date": date, "place": _place(ctx, meeting)}
        ctx.relate("meeting_date", args, min(date_cue.start, meeting.start), max(date_cue.end, meeting.end),
                   "rx:meeting-date")
        ctx.meta.setdefault("focal_meeting", meeting.key)
        ctx.meta.setdefault("meeting_date", date)
    if "focal_meeting" not in ctx.meta:
        first = ctx.of_type("Meeting")
        title_meetings = [m for m in first if m.start < 80]
        if title_meetings:
            ctx.meta["focal_meeting"] = title_meetings[0].key


def add_speech_title(ctx: DocContext) -> None:
    """A text titled 在X会议上的讲话: X is its focal meeting, held on the date on a line of its own under the
    title ((2019年1月22日)); the people on the lines between speak at it."""
    lines = [(start, line) for start, line in head_lines(ctx.text, SPEECH_HEAD) if line]
    found = next(((i, match) for i, (_, line) in enumerate(lines[:SPEECH_TITLE_LINES])
                  if (match := RE_SPEECH_TITLE.fullmatch(line))), None)
    if found is None:
        return
    index, match = found
    title_start = lines[index][0]
    meetings = ctx.in_span(title_start + match.start("meeting"), title_start + match.end("meeting"), "Meeting")
    if not meetings:
        return
    meeting = meetings[-1]
    ctx.meta["focal_meeting"] = meeting.key
    head_end = title_start + len(lines[index][1])
    for start, line in lines[index + 1:]:
        date = _date_line(ctx, start, line)
        if date is not None:
            ctx.relate("meeting_date", {"meeting": meeting.key, "date": date, "place": None},
                       meeting.start, start + len(line), "rx:speech-title")
            ctx.meta["meeting_date"] = date
            break
        head_end = start + len(line)
    for person in ctx.in_span(meeting.end, head_end, "Person"):
        ctx.relate("speaks_at", {"person": person.key, "meeting": meeting.key}, meeting.start, person.end,
                   "rx:speech-title")


def _date_line(ctx: DocContext, start: int, line: str) -> str | None:
    match = RE_DATE_LINE.match(line)
    if match is None:
        return None
    cue = next((c for c in ctx.cue("Date") if c.start == start + match.start("date")
                and c.end == start + match.end("date")), None)
    return resolve(ctx, cue) if cue is not None else None


def _meeting_year_date(ctx: DocContext, meeting: Hit, cue: Hit) -> str | None:
    """1月12日,2016年全国…工作会议: a month and day take the year the meeting is named with."""
    if not cue.name.startswith("--"):
        return None
    year = meeting.get("year") or next((y.name for y in ctx.cue("Year") if 0 <= meeting.start - y.end <= 1), None)
    return f"{year}-{cue.name[2:]}" if year is not None else None


def _meeting_date_cue(ctx: DocContext, meeting: Hit) -> Hit | None:
    start, end = ctx.sentences.span(meeting.start)
    dates = [c for c in ctx.cue("Date") if start <= c.start and c.end <= end]
    for cue in dates:
        if cue.end <= meeting.start and RE_DAY_IS.match(ctx.text[cue.end:meeting.start]):
            return cue
        if cue.source == "rx:date-ymd" and 0 <= meeting.start - cue.end <= 1:
            return cue                    # 经2021年3月2日市场监管总局第5次局务会议通过
    if not dates or not RE_HELD.search(ctx.text[meeting.end:end]) and not RE_HELD.search(ctx.text[start:meeting.start]):
        return None
    before = [c for c in dates if c.end <= meeting.start]
    return before[-1] if before else dates[0]


def _place(ctx: DocContext, meeting: Hit) -> tuple[str, str] | None:
    start, end = ctx.sentences.span(meeting.start)
    match = RE_PLACE.search(ctx.text, meeting.end, end) or RE_PLACE.search(ctx.text, start, meeting.start)
    if not match:
        return None
    regions = ctx.in_span(match.start("place"), match.end("place"), "Region")
    if regions:
        return regions[0].key
    name = PLACE_ABBREVIATIONS.get(match.group("place"))
    if name is None:
        return None
    return _region_named(ctx, name, match.start("place"), match.end("place"))


def _region_named(ctx: DocContext, name: str, start: int, end: int) -> tuple[str, str] | None:
    from extractors.dictionary import normalise_alias
    for entry_id in ctx.lexicon.strong.get(name, ()):
        entry = ctx.lexicon.entries[entry_id]
        if entry.type == "Region":
            hit = Hit(start, end, "Region", normalise_alias(entry.name), entry.id)
            ctx.add_entity(hit, ctx.info_for_entry(hit))
            return hit.key
    return None


def add_speakers(ctx: DocContext) -> None:
    """speaks_at: a person who attends, speaks or reports, at the named meeting of that sentence, else of the
    paragraph, else of the text."""
    venues = [m for m in ctx.of_type("Meeting") if not RE_CITED.match(ctx.text, m.end) and not _to_come(ctx, m)]
    people = ctx.of_type("Person")
    for person in people:
        start, end = ctx.sentences.span(person.start)
        clause_end = _shared_clause_end(ctx, people, person, end)
        if not RE_TAKES_PART.search(ctx.text, person.end, clause_end) and \
                not RE_ATTENDED_BY.search(ctx.text, start, person.start) or \
                RE_REPORTED.search(ctx.text, max(0, person.start - 21), person.start):
            continue
        meeting = _venue(ctx, venues, start, end)
        if meeting is None or RE_CEREMONY.search(ctx.text, person.end, clause_end) and \
                not any(person.end <= m.start < clause_end for m in venues):
            continue                      # 出席签约仪式: an unnamed ceremony, not the text's meeting
        if meeting is not None:
            ctx.relate("speaks_at", {"person": person.key, "meeting": meeting}, person.start, clause_end,
                       "rx:speaks-at")


def _to_come(ctx: DocContext, meeting: Hit) -> bool:
    """第九届论坛将于2031年举办, 将承办APAC研讨会: a meeting still to come has no speakers yet."""
    start, end = ctx.sentences.span(meeting.start)
    clause_start = ctx.text.rfind(",", start, meeting.start) + 1 or start
    return bool(RE_TO_COME.search(ctx.text, max(clause_start, start), _clause_end(ctx.text, meeting.end, end)))


def _venue(ctx: DocContext, venues: list[Hit], start: int, end: int) -> tuple[str, str] | None:
    """The first meeting named in the sentence; else the first of the last sentence of the paragraph that
    names one before it (X第四届会员大会暨四届一次理事会 … : the congress); else the text's focal meeting."""
    in_sentence = [m for m in venues if start <= m.start < end]
    if in_sentence:
        return _attended(venues, in_sentence[0].key)
    paragraph = ctx.text.rfind("\n", 0, start) + 1
    before = [m for m in venues if paragraph <= m.start < start]
    if before:
        last = ctx.sentences.index(before[-1].start)
        return _attended(venues, next(m for m in before if ctx.sentences.index(m.start) == last).key)
    focal = ctx.meta.get("focal_meeting")
    return _attended(venues, focal) if any(m.key == focal for m in venues) else None


def _attended(venues: list[Hit], key: tuple[str, str]) -> tuple[str, str]:
    """Nobody attends a day: people at 世界认可日 are at its event (世界认可日主场活动) when the text names one."""
    name = key[1]
    if not name.endswith("日"):
        return key
    events = [m.key for m in venues if m.source == DAY_EVENT_SOURCE and m.name.startswith(name)]
    return events[0] if events else key


def _shared_clause_end(ctx: DocContext, people: list[Hit], person: Hit, sentence_end: int) -> int:
    """The end of the clause that says what the person does; a name whose clause holds nothing but the name
    (院士X,主席Y分别作主旨演讲) shares the clause of the next name."""
    end = _clause_end(ctx.text, person.end, sentence_end)
    while end < sentence_end and RE_NAME_ONLY.fullmatch(ctx.text, person.end, end):
        following = [p for p in people if end < p.start and p.end <= _clause_end(ctx.text, end + 1, sentence_end)]
        if not following:
            break
        person, end = following[0], _clause_end(ctx.text, following[0].end, sentence_end)
    return end


def _clause_end(text: str, offset: int, sentence_end: int) -> int:
    comma = text.find(",", offset, sentence_end)
    return comma if comma >= 0 else sentence_end
