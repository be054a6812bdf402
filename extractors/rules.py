"""Regex rules from JSONL files: compiled once, each with an id, examples and counter-examples."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from extractors.jsonl import read_jsonl
from extractors.errors import RuleError

DATA_DIR = Path(__file__).parent / "data"
RULES_DIR = DATA_DIR / "rules"
CUT_WORDS_FILE = DATA_DIR / "cut_words.txt"
RE_INSTITUTION_TAIL = re.compile(r"(?:院|所|中心|会|室|站|馆|社|基地)$")


@dataclass(frozen=True)
class RegexRule:
    """One pattern. ``label`` is the Hit type it produces; group ``body`` (if any) is left-trimmed."""

    id: str
    label: str
    regex: re.Pattern
    trim: bool = False
    min_body: int = 2
    name_group: str | None = None
    examples: tuple[tuple[str, str], ...] = ()
    counter_examples: tuple[str, ...] = ()
    anchor: re.Pattern | None = None   # a word every match contains: the pattern runs only near it
    reach: int = 0                     # how far a match can extend before its anchor


@dataclass(slots=True)
class RuleMatch:
    start: int
    end: int
    rule: RegexRule
    groups: dict


def parse_rule(obj: dict, where: str) -> RegexRule:
    """Validate and compile one rule object."""
    for key in ("id", "label", "pattern"):
        if not isinstance(obj.get(key), str):
            raise RuleError(f"{where}: field {key!r} missing or not a string")
    try:
        regex = re.compile(obj["pattern"])
    except re.error as exc:
        raise RuleError(f"{where}: rule {obj['id']}: bad pattern ({exc})") from exc
    examples = tuple((e["text"], e["match"]) for e in obj.get("examples", ()))
    anchor = _compile(obj["anchor"], where, obj["id"]) if obj.get("anchor") else None
    return RegexRule(obj["id"], obj["label"], regex, bool(obj.get("trim", False)),
                     int(obj.get("min_body", 2)), obj.get("name_group"), examples,
                     tuple(obj.get("counter_examples", ())), anchor, int(obj.get("reach", 40)))


def _compile(pattern: str, where: str, rule_id: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RuleError(f"{where}: rule {rule_id}: bad anchor ({exc})") from exc


def read_rules(path: Path) -> Iterator[RegexRule]:
    for obj, where in read_jsonl(path, RuleError):
        yield parse_rule(obj, where)


@lru_cache(maxsize=1)
def default_rules() -> tuple[RegexRule, ...]:
    return load_rules()


def load_rules(paths: Iterable[Path] | None = None) -> tuple[RegexRule, ...]:
    """All rules of the given files (default: data/rules/*.jsonl); ids must be unique."""
    files = sorted(RULES_DIR.glob("*.jsonl")) if paths is None else list(paths)
    rules: dict[str, RegexRule] = {}
    for path in files:
        for rule in read_rules(path):
            if rule.id in rules:
                raise RuleError(f"{path}: duplicate rule id {rule.id}")
            rules[rule.id] = rule
    return tuple(rules.values())


@lru_cache(maxsize=1)
def cut_regex() -> re.Pattern:
    """Words after which a name cannot continue leftwards (verbs, particles)."""
    words = [w.strip() for w in CUT_WORDS_FILE.read_text(encoding="utf-8").splitlines()
             if w.strip() and not w.startswith("#")]
    words.sort(key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


def clause_inside(name: str) -> bool:
    """True when a name holds a verb or a joining word, as a clause does and a name does not: any cut word of two
    characters or more, or a one-character one at the start (与 inside 认证认可与检验检测处 is part of the name)."""
    return any(len(word.group()) >= 2 or word.start() < 2 for word in cut_regex().finditer(name))


def trim_left(body: str) -> int:
    """Offset where a name really starts inside ``body``: after the last cut word, if any."""
    start = 0
    for match in cut_regex().finditer(body):
        if len(match.group()) >= 2 and RE_INSTITUTION_TAIL.match(body, match.end()):
            continue          # 研究院, 创新中心: the verb is part of the body's own name
        start = max(start, match.end())
    return start


def windows(rule: RegexRule, text: str) -> Iterator[tuple[int, int]]:
    """Stretches of the text where the rule can match: around its anchor word, or the whole text.

    A shape rule such as ``[汉]{2,16}(?:协会|学会)`` tries every position of the text; searching for the
    anchor first and running the pattern only in ``reach`` characters before it is several times faster
    and finds the same matches (look-behinds still see the text before a window).
    """
    if rule.anchor is None:
        yield 0, len(text)
        return
    yield from anchor_windows(rule.anchor, rule.reach, text)


def anchor_windows(anchor: re.Pattern, reach: int, text: str, after: int | None = None) -> Iterator[tuple[int, int]]:
    """Merged stretches of ``reach`` characters before and ``after`` (default: ``reach``) characters after every
    match of ``anchor``."""
    after = reach if after is None else after
    start = end = -1
    for found in anchor.finditer(text):
        low, high = max(0, found.start() - reach), found.end() + after
        if low > end:
            if end >= 0:
                yield start, end
            start = low
        end = max(end, high)
    if end >= 0:
        yield start, min(end, len(text))


def finditer_near(pattern: re.Pattern, anchor: re.Pattern, reach: int, text: str, pos: int = 0,
                  after: int | None = None) -> Iterator[re.Match]:
    """``pattern.finditer(text, pos)`` for a pattern every match of which holds ``anchor`` and reaches at most
    ``reach`` characters before it and ``after`` (default: ``reach``) after it, look-aheads included: the same
    matches, found only near the anchors."""
    for low, high in anchor_windows(anchor, reach, text, after):
        if high > pos:
            yield from pattern.finditer(text, max(low, pos), high)


def run_rule(rule: RegexRule, text: str) -> Iterator[RuleMatch]:
    """Matches of one rule, with ``body`` trimmed where the rule asks for it."""
    for low, high in windows(rule, text):
        yield from _matches(rule, text, low, high)


def _matches(rule: RegexRule, text: str, low: int, high: int) -> Iterator[RuleMatch]:
    for match in rule.regex.finditer(text, low, high):
        start, end = match.span(rule.name_group) if rule.name_group else match.span()
        if rule.trim and "body" in rule.regex.groupindex and match.group("body") is not None:
            start = _name_start(rule, match, text)
            if start is None:
                continue
        if start < end:
            yield RuleMatch(start, end, rule, match.groupdict())


def _name_start(rule: RegexRule, match: re.Match, text: str) -> int | None:
    """Where the name starts in a trimmed match; None when no sure start exists.

    A body cut short by the pattern's length limit (Han text continues to its left) and holding no
    cut word has no known start: the rule then names only what follows the body, or nothing.
    """
    body_start, body_end = match.span("body")
    offset = trim_left(match.group("body"))
    truncated = body_start > 0 and "\u4e00" <= text[body_start - 1] <= "\u9fff"
    if offset == 0 and truncated and body_end > body_start:
        return body_end if rule.min_body == 0 else None
    start = body_start + offset
    return start if body_end - start >= rule.min_body else None
