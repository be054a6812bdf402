"""Regex rules → Hits: cues (dates, titles, document numbers) and entities recognised by their shape."""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.rules import DATA_DIR, RegexRule, RuleMatch, clause_inside, default_rules, run_rule
from extractors.records import Hit
from extractors.text import cn_number, iso_date

# 设区市市场监督管理局, 县级人民政府: a kind of place, not a place, so not one body
RE_GENERIC_PLACE = re.compile(r"^(?:各|直辖市|自治区|计划单列市|副省级|设区的?市|市州|地级市|县级市|县市区|市县|省市|省级|市级|县级|地方|当地|属地|所在地)")
RE_SCHEME_VERB = re.compile(r".*(?:建设|发展)")      # verbs a scheme's name never holds
RE_NUMERAL_START = re.compile(r"^(?:[一二三四五六七八九十百千万几两多数]+(?:大|项|个|类|批|种|方面|家|条|期|届|场)|[各每本该此这那其家个项批种名位度])")


@lru_cache(maxsize=1)
def stop_names() -> frozenset[str]:
    """Names a shape rule must never produce (generic phrases that look like names)."""
    path = DATA_DIR / "stop_names.txt"
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def scheme_heads() -> tuple[str, ...]:
    """What a scheme's name ends with before 认证 (产品, 服务, 体系 …)."""
    path = DATA_DIR / "scheme_heads.txt"
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#"))


def match_rules(text: str, rules: tuple[RegexRule, ...] | None = None) -> list[Hit]:
    """Every rule hit in the text, as Hits with their normalised names."""
    hits = []
    for rule in rules if rules is not None else default_rules():
        for match in run_rule(rule, text):
            hit = to_hit(match, text)
            if hit is not None:
                hits.append(hit)
    return hits


def to_hit(match: RuleMatch, text: str) -> Hit | None:
    """Name the match; None when a shape match is a known false friend."""
    rule, groups = match.rule, match.groups
    surface = text[match.start:match.end]
    name = NAMERS.get(rule.id, _surface)(surface, groups)
    if name is None:
        return None
    data = tuple((k, v) for k, v in groups.items() if v is not None and k != "body")
    if rule.trim and (name in stop_names() or RE_NUMERAL_START.match(name)):
        return None
    if rule.label == "Agency" and (RE_GENERIC_PLACE.match(name) or text[match.start - 1:match.start] in ("以", "级", "各")):
        return None                       # 各地级以上市市场监管局: a kind of place
    if groups.get("tail") and rule.label == "Agency" and clause_inside(groups["tail"]):
        return None                       # 东方省开展认证工作委员会: a verb inside is a clause (经济和信息化 is a name)
    start = match.start
    if rule.label == "CertificationScheme":
        verb = RE_SCHEME_VERB.search(name)
        if verb:                          # 在园区打造质量认证…, 有序发展碳足迹认证: the verb before the scheme
            start, name = start + verb.end(), name[verb.end():]
        if len(name) < 4 or not name[:-2].endswith(scheme_heads()):
            return None
    return Hit(start, match.end, rule.label, name, rule.id, data)


def _surface(surface: str, groups: dict) -> str:
    return surface


def _doc_number(surface: str, groups: dict) -> str:
    code = re.sub(r"\s+", "", surface.split(groups["year"])[0]).rstrip("〔[【(﹝")
    return f"{code}〔{groups['year']}〕{int(groups['num'])}号"


def _date(surface: str, groups: dict) -> str | None:
    year = int(groups["y"]) if groups.get("y") else None
    month, day = int(groups["m"]), int(groups["d"]) if groups.get("d") else None
    if year is None:
        return f"--{month:02d}-{day:02d}" if 1 <= month <= 12 and day and 1 <= day <= 31 else None
    return iso_date(year, month, day)


def _day(surface: str, groups: dict) -> str | None:
    day = int(groups["d"])
    if not 1 <= day <= 31:
        return None
    return f"day:{day}:this-month" if surface.startswith("本月") else f"day:{day}"


RELATIVE_DAYS = {"前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "当天": 0, "当日": 0}


def _relative_day(surface: str, groups: dict) -> str:
    return f"rel:{RELATIVE_DAYS[groups['w']]}"


def _year(surface: str, groups: dict) -> str:
    return groups["y"]


def _state_council(surface: str, groups: dict) -> str:
    return f"国务院第{int(groups['n'])}次常务会议"


def _party_congress(surface: str, groups: dict) -> str | None:
    number = cn_number(groups["n"])
    return f"中国共产党第{groups['n']}次全国代表大会" if number else None


def _plenum(surface: str, groups: dict) -> str | None:
    if not cn_number(groups["n"]) or not cn_number(groups["k"]):
        return None
    return f"中国共产党第{groups['n']}届中央委员会第{groups['k']}次全体会议"


def _internet_plus(surface: str, groups: dict) -> str:
    return groups["name"]


def _announcement_number(surface: str, groups: dict) -> str:
    number = f"{groups['year']}年第{int(groups['num'])}号"
    if not groups.get("body"):
        return number
    issuers = re.sub(r"[\s\u3000]+", " ", surface.split(groups["year"])[0]).strip()
    return issuers + number


def _decree_number(surface: str, groups: dict) -> str:
    """国家市场监督管理总局令\n第82号 (the heading of a decree on two lines) → 国家市场监督管理总局令第82号."""
    return re.sub(r"\s+", "", surface)


NAMERS = {
    "rx:doc-number": _doc_number,
    "rx:doc-number-announcement": _announcement_number,
    "rx:doc-number-decree": _decree_number,
    "rx:date-ymd": _date, "rx:date-iso": _date, "rx:date-ym": _date, "rx:date-md": _date,
    "rx:date-year": _year,
    "rx:date-day": _day, "rx:date-relative": _relative_day,
    "rx:meeting-state-council": _state_council,
    "rx:meeting-party-congress": _party_congress,
    "rx:meeting-plenum": _plenum,
    "rx:init-internet-plus": _internet_plus,
}
