"""What the extractor components leave on a spaCy Doc: plain records in normalised-text offsets."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from operator import attrgetter, sub

EntityKey = tuple[str, str]   # (type, canonical name); departments: name is "parent/unit"


@dataclass(slots=True, unsafe_hash=True)
class Hit:
    """A span the dictionary or a rule recognised: an entity mention or a rule cue (date, role …)."""

    start: int
    end: int
    type: str            # entity type (Agency …) or cue label (Role, Date, DocNumber …)
    name: str            # canonical name for entities; normalised value for cues
    source: str          # lexicon entry id or rule id
    data: tuple[tuple[str, object], ...] = ()

    @property
    def key(self) -> EntityKey:
        return (self.type, self.name)

    def get(self, name: str, default: object = None) -> object:
        for key, value in self.data:
            if key == name:
                return value
        return default


@dataclass(slots=True, unsafe_hash=True)
class EntityInfo:
    """What the extractor knows about an entity beyond its mentions."""

    key: EntityKey
    source: str
    entry_id: str | None = None
    parent: EntityKey | None = None
    en: str | None = None
    aliases: tuple[str, ...] = ()
    en_aliases: tuple[str, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class RelationHit:
    """A fact: kind, arguments (EntityKeys or literals) and the normalised span that states it."""

    kind: str
    args: tuple[tuple[str, object], ...]
    start: int
    end: int
    source: str


START, END = attrgetter("start"), attrgetter("end")


def in_text_order(hits) -> list[Hit]:
    """The hits sorted by start, the longer first among those starting together; stable (two sorts by
    attribute cost far less than one by a (start, -end) key built per hit)."""
    ordered = sorted(hits, key=END, reverse=True)
    ordered.sort(key=START)
    return ordered


class SpanIndex:
    """Hits sorted by start, for the question "which of them overlap this span?" without a scan of them all."""

    def __init__(self, hits: list[Hit]) -> None:
        self.hits = sorted(hits, key=START)
        self.starts = list(map(START, self.hits))
        self.longest = max(map(sub, map(END, self.hits), self.starts), default=0)

    def overlapping(self, hit: Hit) -> list[Hit]:
        return self.overlapping_span(hit.start, hit.end)

    def overlapping_span(self, start: int, end: int) -> list[Hit]:
        first, limit = bisect_left(self.starts, start - self.longest), bisect_left(self.starts, end)
        return [o for o in self.hits[first:limit] if o.end > start]

    def starting(self, low: int, high: int) -> list[Hit]:
        """Hits starting in [low, high)."""
        return self.hits[bisect_left(self.starts, low):bisect_left(self.starts, high)]
