"""The working state of one document while relations are extracted from it."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from extractors.lexicon import Lexicon
from extractors.records import EntityInfo, EntityKey, Hit, RelationHit, in_text_order
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
    _indexed: tuple | None = field(default=None, repr=False)
    _version: int = field(default=0, repr=False)       # bumped whenever ``entities`` changes
    _by_types: dict = field(default_factory=dict, repr=False)
    _cues_by_type: dict | None = field(default=None, repr=False)
    _in_order: bool = field(default=True, repr=False)    # ``entities`` is in (start, -end) order

    def cue(self, type_: str) -> list[Hit]:
        if self._cues_by_type is None:
            self._cues_by_type = {}
            for hit in self.cues:
                self._cues_by_type.setdefault(hit.type, []).append(hit)
        return list(self._cues_by_type.get(type_, ()))

    def of_type(self, *types: str) -> list[Hit]:
        """Entity mentions of these types, in the order of ``entities`` (a fresh list: callers may keep it)."""
        cached = self._by_types.get(types)
        if cached is None or cached[0] != self._version:
            cached = (self._version, [h for h in self.entities if h.type in types])
            self._by_types[types] = cached
        return list(cached[1])

    def sort_entities(self) -> None:
        """Put ``entities`` in (start, -end) order, stably; a no-op when every addition kept that order."""
        if not self._in_order:
            self.entities[:] = in_text_order(self.entities)
            self._in_order = True
            self._version += 1

    def in_span(self, start: int, end: int, *types: str) -> list[Hit]:
        """Entity mentions inside [start, end), in order of their start."""
        starts, ordered = self._index()
        first, last = bisect_left(starts, start), bisect_left(starts, end)
        return [h for h in ordered[first:last] if h.end <= end and (not types or h.type in types)]

    def _index(self) -> tuple[list[int], list[Hit]]:
        if self._indexed is None:
            ordered = in_text_order(self.entities)
            self._indexed = ([h.start for h in ordered], ordered)
        return self._indexed

    def same_sentence(self, a: int, b: int) -> bool:
        return self.sentences.index(a) == self.sentences.index(b)

    def add_entity(self, hit: Hit, info: EntityInfo | None = None) -> Hit:
        if self.entities and (hit.start, -hit.end) < (self.entities[-1].start, -self.entities[-1].end):
            self._in_order = False
        self.entities.append(hit)
        self._version += 1
        if self._indexed is not None:      # keep the start index sorted instead of rebuilding it
            starts, ordered = self._indexed
            at = bisect_right(ordered, (hit.start, -hit.end), key=lambda h: (h.start, -h.end))
            starts.insert(at, hit.start)
            ordered.insert(at, hit)
        if hit.key not in self.infos:
            self.infos[hit.key] = info or EntityInfo(hit.key, hit.source)
        return hit

    def remove_entity(self, hit: Hit) -> None:
        """Take a mention back (a shorter name that turned out to be part of a longer one)."""
        self.entities.remove(hit)
        self._version += 1
        self._indexed = None
        if not any(h.key == hit.key for h in self.entities):
            self.infos.pop(hit.key, None)

    def relate(self, kind: str, args: dict, start: int, end: int, source: str) -> None:
        self.relations.append(RelationHit(kind, tuple(args.items()), start, end, source))

    def entry_key(self, entry_id: str | None) -> EntityKey | None:
        """The key the entity of a lexicon entry has in this text: its type and normalised canonical name."""
        from extractors.dictionary import normalise_alias

        entry = self.lexicon.get(entry_id)
        return (entry.type, normalise_alias(entry.name)) if entry else None

    def info_for_entry(self, hit: Hit) -> EntityInfo:
        entry = self.lexicon.get(hit.source)
        if entry is None:
            return EntityInfo(hit.key, hit.source)
        return EntityInfo(hit.key, hit.source, entry.id, None, entry.en,
                          tuple(a for a in entry.aliases), tuple(entry.en_aliases))
