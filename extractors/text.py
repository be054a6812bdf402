"""Small text helpers shared by the extractors: sentences, Chinese numerals, dates, name reading."""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
RE_SENTENCE_END = re.compile(r"[。!?;\n]")
RE_HAN = re.compile(r"[\u4e00-\u9fff]")
RE_HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+")
NOT_IN_NAMES = frozenset("的了是在和与及等")
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
# what may directly follow a person's name: the start of the predicate
FOLLOWER_WORDS = frozenset({
    "出席", "主持", "指出", "强调", "表示", "介绍", "代表", "参加", "讲话", "致辞", "作了", "作出", "发表", "要求",
    "提出", "会见", "考察", "调研", "宣布", "签署", "带队", "陪同", "率团", "主讲", "解读", "回答", "透露", "认为",
    "同志", "一行", "分别", "当选", "担任", "兼任", "出任", "希望", "充分", "总结", "部署", "听取", "通报", "作工",
    "作重", "作报", "说明", "带领", "前往", "到会", "莅临", "出任", "就任", "主任", "局长", "率队", "率领",
    "一同", "共同", "亲切", "专程", "先后", "实地", "深入", "走访", "看望", "慰问", "来到", "视察", "宣读", "传达",
    "应邀", "作为", "随团", "随同", "强调", "发言", "表态", "签字", "签约", "揭牌", "颁发", "获得", "荣获", "回顾",
    "肯定", "分析", "汇报", "发布", "审议", "批示", "接受", "参观", "主讲", "授课", "讲解", "致信", "寄语",
})
PARTICLES = frozenset("在和等的是与及对向为将说作从也就都又还已曾并于赴到、")
# what may stand right before a name that a post follows (听取了X会长的报告, 由X局长主持, 同意X辞去…)
NAME_LEFT = PARTICLES | frozenset("了由请邀意人")
RE_FOLLOWER_START = "|".join(sorted(FOLLOWER_WORDS, key=len, reverse=True))
# a transliterated foreign name: parts joined by a middle dot, ending where a predicate or non-Han text starts
RE_FOREIGN_NAME = re.compile(r"[\u4e00-\u9fff]{1,6}(?:[·・•‧][\u4e00-\u9fff]{1,8}?)+"
                             rf"(?=[^\u4e00-\u9fff]|$|[{''.join(sorted(PARTICLES))}]|{RE_FOLLOWER_START})")


class Sentences:
    """Sentence boundaries of a text, for 'same sentence' tests."""

    def __init__(self, text: str) -> None:
        self.ends = [m.end() for m in RE_SENTENCE_END.finditer(text)]
        if not self.ends or self.ends[-1] != len(text):
            self.ends.append(len(text))

    def index(self, offset: int) -> int:
        """Number of the sentence holding ``offset``."""
        return bisect_right(self.ends, offset)

    def span(self, offset: int) -> tuple[int, int]:
        i = self.index(offset)
        start = self.ends[i - 1] if i > 0 else 0
        return start, self.ends[min(i, len(self.ends) - 1)]


def head_lines(text: str, count: int = 12) -> list[tuple[int, str]]:
    """(offset, stripped line) of the first ``count`` lines, where a text's own title stands."""
    lines, offset = [], 0
    for line in text.split("\n", count)[:count]:
        stripped = line.strip()
        lines.append((offset + line.find(stripped) if stripped else offset, stripped))
        offset += len(line) + 1
    return lines


def cn_number(text: str) -> int | None:
    """Value of a small Chinese or Arabic numeral (十八 → 18, 二十一 → 21, 185 → 185)."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in CN_DIGITS and ch not in "十百" for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = CN_DIGITS[ch]
    return total + current


def iso_date(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    """ISO date, year-month or year, or None when the year is unknown or values are impossible."""
    if year is None:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


@lru_cache(maxsize=1)
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """Single- and double-character Chinese surnames."""
    path = DATA_DIR / "surnames.txt"
    words = {w.strip() for w in path.read_text(encoding="utf-8").splitlines()
             if w.strip() and not w.startswith("#")} if path.exists() else set()
    return frozenset(w for w in words if len(w) == 1), frozenset(w for w in words if len(w) == 2)


@lru_cache(maxsize=1)
def name_stops() -> frozenset[str]:
    """Common words that start with a surname's character (高度, 常务, 单位): no name starts with one."""
    path = DATA_DIR / "name_stops.txt"
    return frozenset(w.strip() for w in path.read_text(encoding="utf-8").splitlines()
                     if w.strip() and not w.startswith("#"))


def _is_name(candidate: str) -> bool:
    """A surname and a given name of one or two characters (欧阳 + 晓梅: four)."""
    single, double = surnames()
    if not RE_HAN_ONLY.fullmatch(candidate) or not NOT_IN_NAMES.isdisjoint(candidate) \
            or candidate[:2] in name_stops():
        return False
    if candidate[:2] in double and len(candidate) >= 3:
        return True
    return candidate[0] in single and len(candidate) <= 3


def _boundary(text: str, offset: int) -> bool:
    """True where a name may end: end of text, non-Han, a particle or the start of a predicate."""
    if offset >= len(text) or not RE_HAN.match(text[offset]):
        return True
    return text[offset] in PARTICLES or text[offset:offset + 2] in FOLLOWER_WORDS


def read_name_after(text: str, offset: int) -> int:
    """Length (4 to 2) of a personal name starting at ``offset``, or 0; a transliterated name
    (约翰·史密斯) to its end."""
    if text[offset:offset + 2] in FOLLOWER_WORDS:
        return 0              # 副局长强调: a predicate, not a name
    foreign = RE_FOREIGN_NAME.match(text, offset)
    if foreign:
        return foreign.end() - offset
    for length in (4, 3, 2):
        candidate = text[offset:offset + length]
        if len(candidate) != length or not _is_name(candidate):
            continue
        if length >= 3 and _boundary(text, offset + length - 1) and RE_HAN.match(text[offset + length - 1]):
            continue
        if _boundary(text, offset + length):
            return length
    return 0


def read_name_before(text: str, offset: int) -> int:
    """Length (4 to 2) of a personal name ending at ``offset``, or 0."""
    for length in (4, 3, 2):
        start = offset - length
        if start < 0:
            continue
        candidate = text[start:offset]
        before_ok = start == 0 or not RE_HAN.match(text[start - 1]) or text[start - 1] in NAME_LEFT
        if _is_name(candidate) and before_ok:
            return length
    return 0
