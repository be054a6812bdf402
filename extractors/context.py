"""The working state of one document while relations are extracted from it."""
from __future__ import annotations

from dataclasses import dataclass, field

from extractors.lexicon import Lexicon
from extractors.records import EntityInfo, EntityKey, Hit, RelationHit
from extractors.text import Sentences

ORG_TYPES = frozenset({"Agency", "Department", "Organization"})


@dataclass
class DocContext:
    """Text, hits and findings of one document. Built and filled by extractors.relations only."""

    text: str
    lexicon: Lexicon
    sentences: Sentences
    cues: list[Hit]                                   # dates, titles, numbers, roles …
    entities: list[Hit] = field(default_factory=list)  # entity mentions, sorted by start
    infos: dict[EntityKey, EntityInfo] = field(default_factory=dict)
    relations: list[RelationHit] = field(default_factory=list)
    meta: dict = field(default_factory=dict)          # title, published, year, main_agency …

    def cue(self, type_: str) -> list[Hit]:
        return [h for h in self.cues if h.type == type_]

    def of_type(self, *types: str) -> list[Hit]:
        return [h for h in self.entities if h.type in types]

    def in_span(self, start: int, end: int, *types: str) -> list[Hit]:
        return [h for h in self.entities if start <= h.start and h.end <= end and (not types or h.type in types)]

    def same_sentence(self, a: int, b: int) -> bool:
        return self.sentences.index(a) == self.sentences.index(b)

    def add_entity(self, hit: Hit, info: EntityInfo | None = None) -> Hit:
        self.entities.append(hit)
        if hit.key not in self.infos:
            self.infos[hit.key] = info or EntityInfo(hit.key, hit.source)
        return hit

    def relate(self, kind: str, args: dict, start: int, end: int, source: str) -> None:
        self.relations.append(RelationHit(kind, tuple(args.items()), start, end, source))

    def info_for_entry(self, hit: Hit) -> EntityInfo:
        entry = self.lexicon.get(hit.source)
        if entry is None:
            return EntityInfo(hit.key, hit.source)
        return EntityInfo(hit.key, hit.source, entry.id, None, entry.en,
                          tuple(a for a in entry.aliases), tuple(entry.en_aliases))
