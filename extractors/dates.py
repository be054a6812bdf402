"""The text's own date and year, and dates without a year resolved against them."""
from __future__ import annotations

import datetime
import re

from extractors.context import DocContext
from extractors.records import Hit
from extractors.text import cn_number

RE_PUBLISHED = re.compile(r"(?:发布日期|发布时间|发文日期|成文日期|日期|时间)\s*[::]\s*$")
RE_ORDINAL_DAY = re.compile(r"第(?P<n>[0-9一二三四五六七八九十]{1,4})(?:个|届)\s*“?$")
YEAR_RANGE = range(1978, 2100)
RE_DATELINE_GAP = re.compile(r"[ \t\u3000]+\S")
DATELINE_REACH = 200
TITLE_MAX = 60


def set_document_dates(ctx: DocContext) -> None:
    """Store ``published`` (ISO date or None) and ``year`` (int or None) in ctx.meta."""
    ctx.meta["published"] = _published(ctx)
    years = [int(h.name) for h in ctx.cue("Year") if int(h.name) in YEAR_RANGE]
    if ctx.meta["published"]:
        ctx.meta["year"] = int(ctx.meta["published"][:4])
    elif years:
        ctx.meta["year"] = _title_year(ctx) or max(years)
    else:
        ctx.meta["year"] = _year_from_ordinal_day(ctx)


def _title_year(ctx: DocContext) -> int | None:
    """The year the first line names (2016年全国…工作会议, 2020年…工作要点): later years are targets."""
    first_line_start = len(ctx.text) - len(ctx.text.lstrip())
    first_line_end = ctx.text.find("\n", first_line_start)
    first_line_end = len(ctx.text) if first_line_end < 0 else first_line_end
    title = ctx.text[first_line_start:first_line_end]
    if len(title) > TITLE_MAX or re.search(r"[。,;]", title):
        return None       # a sentence, not a title
    years = [int(h.name) for h in ctx.cue("Year") if h.end <= first_line_end and int(h.name) in YEAR_RANGE]
    return max(years) if years else None


def _published(ctx: DocContext) -> str | None:
    """A date labelled 发布日期, or a date standing alone on a line (a signature)."""
    for cue in ctx.cue("Date"):
        if len(cue.name) != 10:
            continue
        line_start = ctx.text.rfind("\n", 0, cue.start) + 1
        line_end = ctx.text.find("\n", cue.end)
        line_end = len(ctx.text) if line_end < 0 else line_end
        if RE_PUBLISHED.search(ctx.text[max(line_start, cue.start - 12):cue.start]):
            return cue.name
        if not ctx.text[line_start:cue.start].strip() and not ctx.text[cue.end:line_end].strip():
            return cue.name
        if line_start == cue.start and cue.start < DATELINE_REACH and RE_DATELINE_GAP.match(ctx.text, cue.end):
            return cue.name       # a dateline: 2023-03-27 某某协会 / 2023-03-27 来源:…
    return None


def _year_from_ordinal_day(ctx: DocContext) -> int | None:
    """第十个世界认可日 → the year of its tenth occurrence, from the day's first year in the lexicon."""
    for meeting in ctx.of_type("Meeting"):
        entry = ctx.lexicon.get(meeting.source)
        if entry is None or not entry.first_year:
            continue
        match = RE_ORDINAL_DAY.search(ctx.text[max(0, meeting.start - 8):meeting.start])
        if match and cn_number(match.group("n")):
            return entry.first_year + cn_number(match.group("n")) - 1
    return None


def resolve(ctx: DocContext, cue: Hit) -> str | None:
    """ISO value of a Date cue; a month-day gets the text's year (the year before if it lies after publication)."""
    if cue.name.startswith(("day:", "rel:")):
        return _from_published(ctx, cue.name)
    if not cue.name.startswith("--"):
        return cue.name
    year = ctx.meta.get("year")
    if year is None:
        return None
    month_day = cue.name[2:]
    published = ctx.meta.get("published")
    if published and published[:4] == str(year) and month_day > published[5:]:
        year -= 1
    return f"{year:04d}-{month_day}"


def _from_published(ctx: DocContext, name: str) -> str | None:
    """14日 (this month, or the one before if the day is still to come), 昨天 / 今天: against the text's full
    publication date; None when the text has none."""
    published = ctx.meta.get("published")
    if not published or len(published) != 10:
        return None
    day = datetime.date.fromisoformat(published)
    if name.startswith("rel:"):
        return (day + datetime.timedelta(days=int(name[4:]))).isoformat()
    wanted = int(name.split(":")[1])
    month_start = day.replace(day=1)
    if wanted > day.day and not name.endswith(":this-month"):      # a day still to come: last month's
        month_start = (month_start - datetime.timedelta(days=1)).replace(day=1)
    try:
        return month_start.replace(day=wanted).isoformat()
    except ValueError:
        return None


def date_before(ctx: DocContext, offset: int, *, same_sentence: bool = True) -> str | None:
    """The resolved date nearest before ``offset`` (in its sentence, or anywhere before)."""
    candidates = [c for c in ctx.cue("Date") if c.end <= offset and
                  (not same_sentence or ctx.same_sentence(c.start, offset))]
    return resolve(ctx, candidates[-1]) if candidates else None


def reference_date(ctx: DocContext) -> str | None:
    """The date the text speaks from: its main meeting's date, else its publication date."""
    return ctx.meta.get("meeting_date") or ctx.meta.get("published")
