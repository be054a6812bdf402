"""Normalise raw text with an exact map back to it.

Stages, each a function ``_Mapped -> _Mapped`` that keeps the raw span of every character:
HTML → text, control characters, inline pinyin glosses, NFKC, Traditional→Simplified, corner brackets
→ curly quotes, boilerplate and spam. Boilerplate runs last so that its patterns
(``kg/data/boilerplate.txt``, ``kg/data/spam.txt``) are written once, in Simplified with ASCII
punctuation.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from itertools import accumulate
from operator import ne
from os.path import commonprefix
from pathlib import Path
from typing import Iterable

import opencc

from extractors.errors import RuleError
from kg.model import NormText

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
BOILERPLATE_PATH = DATA_DIR / "boilerplate.txt"
SPAM_PATH = DATA_DIR / "spam.txt"

T2S = opencc.OpenCC("t2s")
S2T = opencc.OpenCC("s2t")

CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ\u0300\u0301\u0304\u0308\u030c"
PINYIN = "a-z" + TONE_MARKS

# 個(gè), 會(huì ), 關（guān）: lower-case pinyin with at least one tone mark (or ü) right after a CJK
# character. (NQI), (2018), (点) and unmarked Latin such as (a) are not glosses.
RE_GLOSS = re.compile(  # the lookbehind follows the parenthesis so that `re` scans for "(" quickly
    rf"[(\uff08](?<=[{CJK}].) ?(?=[{PINYIN} ]{{0,30}}[{TONE_MARKS}])"
    rf"[{PINYIN}]{{1,7}}(?: [{PINYIN}]{{1,7}}){{0,3}} ?[)\uff09]"
)
RE_CONTROLS = re.compile("\r\n?|[\u200b\u200c\u200d\u2060\ufeff]")
RE_LINE = re.compile(r"[^\n]*\n|[^\n]+")
RE_CJK = re.compile(f"[{CJK}]+")
# Characters that may change under NFKC: everything but ASCII and the CJK Unified Ideographs block.
RE_NFKC_CANDIDATE = re.compile("[^\x00-\x7f\u4e00-\u9fff]")

BLOCK_TAGS = frozenset(
    "p div br li tr h1 h2 h3 h4 h5 h6 ul ol dl dt dd table thead tbody tfoot section article header "
    "footer nav aside blockquote pre hr form figure figcaption center".split()
)
CELL_TAGS = frozenset({"td", "th"})
RE_HTML = re.compile(
    r"""(?P<comment><!--.*?(?:-->|\Z))
      | (?P<skip><(?P<skipname>script|style|noscript|template|textarea)\b[^>]*>.*?(?:</(?P=skipname)\s*>|\Z))
      | (?P<head><head\b[^>]*>.*?(?:</head\s*>|(?=<body\b)|\Z))
      | (?P<decl><![^>]*>|<\?.*?(?:\?>|\Z))
      | (?P<tag></?(?P<name>[A-Za-z][A-Za-z0-9]*)\b[^>]*>)
      | (?P<entity>&(?:\#[0-9]{1,7}|\#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?)
      | (?P<space>[ \t\r\n\f]+)""",
    re.S | re.I | re.X,
)

# A "short" line (site name, widget title) may be dropped when boilerplate surrounds it.
SHORT_LINE_MAX = 12
# A longer line is a flattened page (a scraped dump, a page whose text sits in one <div>): boilerplate
# rules see its sentences as lines, so that a phrase removes its sentence, not the whole text.
LONG_LINE = 120
RE_PIECE = re.compile(r"[^。!?;\n]*(?:[。!?;]+|$)")   # runs after NFKC: ASCII marks
RE_CLAUSE_END = re.compile(r"[。!?;,\s]+")
# Warn when the boilerplate and spam rules remove more than this share of a text of at least WARN_MIN chars.
WARN_SHARE = 0.5
WARN_MIN = 200
RE_SENTENCE_MARK = re.compile(r"[。、!?;,.:]|\d{4}[-年./]\d{1,2}")   # runs after NFKC: ASCII marks


@dataclass(slots=True)
class _Mapped:
    """Working state: text with the raw span ``[starts[i], ends[i])`` of every character."""

    text: str
    starts: list[int]
    ends: list[int]


Edit = tuple[int, int, str]   # replace text[a:b] by a new string


def _identity(raw: str) -> _Mapped:
    """Every character maps to itself."""
    return _Mapped(raw, list(range(len(raw))), list(range(1, len(raw) + 1)))


def _apply(m: _Mapped, edits: Iterable[Edit]) -> _Mapped:
    """Apply sorted, non-overlapping edits; new characters map proportionally onto the replaced span."""
    text, starts, ends = m.text, m.starts, m.ends
    parts: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for a, b, new in edits:
        if a < pos or b <= a:
            raise ValueError(f"edit [{a}, {b}) overlaps the previous one or is empty")
        parts.append(text[pos:a])
        new_starts += starts[pos:a]
        new_ends += ends[pos:a]
        if new:
            parts.append(new)
            k, n = len(new), b - a
            if k == n:
                new_starts += starts[a:b]
                new_ends += ends[a:b]
            else:
                for i in range(k):
                    lo = a + i * n // k
                    hi = max(a + (i + 1) * n // k, lo + 1)
                    new_starts.append(starts[lo])
                    new_ends.append(ends[hi - 1])
        pos = b
    parts.append(text[pos:])
    new_starts += starts[pos:]
    new_ends += ends[pos:]
    return _Mapped("".join(parts), new_starts, new_ends)


def _deletions(spans: Iterable[tuple[int, int]]) -> list[Edit]:
    """Merge possibly overlapping spans into sorted deletion edits."""
    edits: list[Edit] = []
    for a, b in sorted(spans):
        if b <= a:
            continue
        if edits and a <= edits[-1][1]:
            if b > edits[-1][1]:
                edits[-1] = (edits[-1][0], b, "")
        else:
            edits.append((a, b, ""))
    return edits


# --- stages -----------------------------------------------------------------------------------------


def _html_edit(match: re.Match[str]) -> str | None:
    """Replacement for one HTML token, or None to keep it as it is."""
    kind = match.lastgroup
    if kind == "tag":
        name = match.group("name").lower()
        return "\n" if name in BLOCK_TAGS else " " if name in CELL_TAGS else ""
    if kind == "entity":
        decoded = unescape(match.group())
        return None if decoded == match.group() else decoded
    if kind == "space":
        return None if match.group() == " " else " "
    return ""  # comment, script/style/head contents, declarations


def _strip_html(m: _Mapped) -> _Mapped:
    """Drop markup, decode entities, collapse source whitespace; block tags become newlines."""
    edits = []
    for match in RE_HTML.finditer(m.text):
        new = _html_edit(match)
        if new is not None:
            edits.append((match.start(), match.end(), new))
    return _apply(m, edits)


def _clean_controls(m: _Mapped) -> _Mapped:
    """CRLF and CR become LF; zero-width characters and stray BOMs are dropped."""
    edits = [(x.start(), x.end(), "\n" if x.group()[0] == "\r" else "") for x in RE_CONTROLS.finditer(m.text)]
    return _apply(m, edits) if edits else m


def _drop_glosses(m: _Mapped) -> _Mapped:
    """Remove inline pinyin glosses such as ``個(gè)`` → ``個``."""
    edits = [(x.start(), x.end(), "") for x in RE_GLOSS.finditer(m.text)]
    return _apply(m, edits) if edits else m


@lru_cache(maxsize=65536)
def _nfkc_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


def _nfkc(m: _Mapped) -> _Mapped:
    """NFKC per character: one-to-one changes in place, expansions (``㈱`` → ``(株)``) by edits."""
    text = m.text
    expanding: list[str] = []
    for ch in set(RE_NFKC_CANDIDATE.findall(text)):
        out = _nfkc_char(ch)
        if len(out) == 1 and out != ch:
            text = text.replace(ch, out)   # one C-speed pass per distinct character beats translate()
        elif len(out) != 1:
            expanding.append(ch)
    m = _Mapped(text, m.starts, m.ends)
    if not expanding:
        return m
    re_expanding = re.compile("[" + "".join(map(re.escape, expanding)) + "]")
    return _apply(m, [(x.start(), x.end(), _nfkc_char(x.group())) for x in re_expanding.finditer(text)])


def _t2s(m: _Mapped) -> _Mapped:
    """Traditional → Simplified, one to one when every line keeps its length (the usual case)."""
    out = T2S.convert(m.text)
    if out == m.text:
        return m
    if len(out) == len(m.text) and _line_lengths(out) == _line_lengths(m.text):
        return _Mapped(out, m.starts, m.ends)
    log.debug("t2s changed line lengths; converting line by line")
    edits = []
    for line in RE_LINE.finditer(m.text):
        converted = T2S.convert(line.group())
        if converted != line.group():
            edits.append(_changed_middle(line.group(), converted, line.start()))
    return _apply(m, edits)


# Corner brackets, the quotation marks of Traditional texts, as the curly quotes rules look for.
QUOTES = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"})


def _quotes(m: _Mapped) -> _Mapped:
    """「同线同标同质」 → “同线同标同质”: one character for one, so the map is unchanged."""
    return _Mapped(m.text.translate(QUOTES), m.starts, m.ends)


def _line_lengths(text: str) -> list[int]:
    return [len(line) for line in text.split("\n")]


def _changed_middle(before: str, after: str, offset: int) -> Edit:
    """One edit replacing only what lies between the common prefix and suffix (mapped proportionally)."""
    prefix = len(commonprefix([before, after]))
    limit = min(len(before), len(after)) - prefix
    suffix = len(commonprefix([before[::-1], after[::-1]]))
    suffix = min(suffix, limit)
    if prefix + suffix == len(before):   # a pure insertion: widen it to one raw character
        prefix, suffix = (prefix - 1, suffix) if prefix else (prefix, suffix - 1)
    return offset + prefix, offset + len(before) - suffix, after[prefix:len(after) - suffix]


# --- boilerplate and spam ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """Compiled boilerplate and spam patterns (see the header of ``kg/data/boilerplate.txt``)."""

    line: re.Pattern[str] | None            # all whole-line patterns, one alternation, fullmatched per line
    contains: tuple[re.Pattern[str], ...]   # a match drops its whole line
    inline: tuple[re.Pattern[str], ...]     # a match is removed where it stands


def _read_patterns(path: Path) -> list[str]:
    """Patterns of one data file, each checked; errors name file:line."""
    patterns = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            re.compile(line)
        except re.error as e:
            raise RuleError(f"{path}:{lineno}: invalid regex {line!r}: {e}") from e
        patterns.append(line)
    return patterns


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """Load and compile ``boilerplate.txt`` and ``spam.txt`` once.

    Contains and inline patterns stay separate: one alternation of them would defeat the literal
    prefix scan of ``re`` and run several times slower.
    """
    kinds: dict[str, list[str]] = {"line": [], "contains": [], "inline": []}
    for pattern in _read_patterns(BOILERPLATE_PATH):
        kind = next((k for k in ("contains", "inline") if pattern.startswith(f"(?#{k})")), "line")
        kinds[kind].append(pattern)
    kinds["inline"] += _read_patterns(SPAM_PATH)
    alternation = "|".join(f"(?:{p})" for p in kinds["line"])
    line = re.compile(rf"[ \t]*(?:[•·●◆■▪►*\-][ \t]*)?(?:{alternation})[ \t]*") if alternation else None
    return Rules(
        line,
        tuple(re.compile(p, re.M) for p in kinds["contains"]),
        tuple(re.compile(p, re.M) for p in kinds["inline"]),
    )


def _units(text: str) -> tuple[list[str], list[int], list[int], set[int]]:
    """The lines the boilerplate rules see: text, start and end (newline included) of each, and the
    indices of those that are pieces of a long line.

    A line longer than LONG_LINE is cut after each sentence end (。!?;) into pieces.
    """
    lines = text.split("\n")
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    ends = [min(s + len(line) + 1, len(text)) for s, line in zip(starts, lines)]
    if max(map(len, lines)) <= LONG_LINE:
        return lines, starts, ends, set()
    units: list[str] = []
    unit_starts: list[int] = []
    unit_ends: list[int] = []
    pieced: set[int] = set()
    for line, start, end in zip(lines, starts, ends):
        if len(line) <= LONG_LINE:
            pieces = [(start, end)]
        else:
            pieces = [(start + x.start(), start + x.end()) for x in RE_PIECE.finditer(line) if x.end() > x.start()]
            pieces[-1] = (pieces[-1][0], end)   # the line's last piece takes its newline
            pieced.update(range(len(units), len(units) + len(pieces)))
        for a, b in pieces:
            units.append(text[a:min(b, start + len(line))])
            unit_starts.append(a)
            unit_ends.append(b)
    return units, unit_starts, unit_ends, pieced


def _boilerplate(text: str, lines: list[str], offsets: list[int], rules: Rules,
                 pieced: set[int]) -> tuple[set[int], list[tuple[int, int]]]:
    """Indices of lines matched by a line pattern or holding a `contains` match, and the spans of the
    `contains` matches in pieces of long lines, each widened to its clause (those lines stay)."""
    dropped = {i for i, line in enumerate(lines) if rules.line.fullmatch(line)} if rules.line else set()
    clauses: list[tuple[int, int]] = []
    for pattern in rules.contains:
        for x in pattern.finditer(text):
            i = bisect_right(offsets, x.start()) - 1
            if i in pieced:
                clauses.append(_clause(text, x.start(), x.end(), offsets[i], offsets[i] + len(lines[i])))
            else:
                dropped.add(i)
    return dropped, clauses


def _clause(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """[start, end) widened to the clause around it (up to ,;。!? or a blank), within [lo, hi)."""
    left = max((m.end() for m in RE_CLAUSE_END.finditer(text, lo, start)), default=lo)
    right = RE_CLAUSE_END.search(text, end, hi)
    return left, right.end() if right else hi


def _is_short(stripped: str) -> bool:
    return len(stripped) <= SHORT_LINE_MAX and not RE_SENTENCE_MARK.search(stripped)


def _sandwiched(lines: list[str], dropped: set[int]) -> set[int]:
    """Indices of runs of blank and short lines (site names, widget titles) between boilerplate lines.

    Short lines go only after the first content line, so a short title under a breadcrumb survives.
    """
    found: set[int] = set()
    run: list[int] = []
    has_short = prev_dropped = seen_content = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if i in dropped:
            if run and prev_dropped and (seen_content or not has_short):
                found.update(run)
            run, has_short, prev_dropped = [], False, True
        elif not stripped or _is_short(stripped):
            run.append(i)
            has_short = has_short or bool(stripped)
        else:
            run, has_short, prev_dropped, seen_content = [], False, False, True
    return found


def _drop_boilerplate(m: _Mapped) -> _Mapped:
    """Drop boilerplate lines (with their newline) and inline spam/toolbar tokens.

    Lines are :func:`_units`: in a flattened page each sentence is a line, and an inline match
    stops at the end of its sentence there.
    """
    rules, text = load_rules(), m.text
    lines, offsets, ends, pieced = _units(text)
    dropped, spans = _boilerplate(text, lines, offsets, rules, pieced)
    dropped |= _sandwiched(lines, dropped)
    spans += [(offsets[i], ends[i]) for i in dropped]
    for pattern in rules.inline:
        spans += [(x.start(), min(x.end(), ends[bisect_right(offsets, x.start()) - 1])) for x in pattern.finditer(text)]
    edits = _deletions(spans)
    return _apply(m, edits) if edits else m


# --- public API -------------------------------------------------------------------------------------


def normalize(raw: str, *, html: bool = False) -> NormText:
    """Normalise ``raw`` (HTML markup if ``html``) and map every character back to it.

    Returns:
        NormText whose ``starts``/``ends`` give the raw span of each normalised character.
    """
    m = _identity(raw)
    if html:
        m = _strip_html(m)
    for stage in (_clean_controls, _drop_glosses, _nfkc, _t2s, _quotes):
        m = stage(m)
    before = len(m.text)
    m = _drop_boilerplate(m)
    return NormText(m.text, tuple(m.starts), tuple(m.ends), before - len(m.text))


def removed_warning(norm: NormText, name: str) -> str | None:
    """A warning when the boilerplate and spam rules removed more than WARN_SHARE of a text, else None."""
    total = len(norm.text) + norm.removed
    if total < WARN_MIN or norm.removed <= WARN_SHARE * total:
        return None
    return (f"{name}: the boilerplate and spam rules removed {norm.removed} of {total} characters "
            f"({norm.removed / total:.0%}); check that the text is not a page of navigation only")


def to_simplified(s: str) -> str:
    """NFKC, gloss removal and Traditional→Simplified without a map (for aliases and queries)."""
    s = RE_CONTROLS.sub(lambda x: "\n" if x.group()[0] == "\r" else "", s)
    s = RE_GLOSS.sub("", s)
    return T2S.convert("".join(map(_nfkc_char, s))).translate(QUOTES)


def _changed(before: str, after: str) -> int:
    """Characters that differ position by position (plus any difference in length)."""
    return sum(map(ne, before, after)) + abs(len(before) - len(after))


def detect_script(raw: str) -> str:
    """``"zh-Hant"`` if more characters change under t2s than under s2t, else ``"zh-Hans"``."""
    cjk = "".join(RE_CJK.findall(raw))
    return "zh-Hant" if _changed(cjk, T2S.convert(cjk)) > _changed(cjk, S2T.convert(cjk)) else "zh-Hans"
