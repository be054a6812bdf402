"""Record types for every arrow of the data flow (see ARCHITECTURE: documents → text → mentions → graph)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One source text as read from disk, decoded but otherwise untouched."""

    doc_id: str          # file stem, e.g. "004_7a1c7de3253825f7"
    path: str            # the path it was read from
    raw_text: str        # decoded text; every evidence offset points into this string
    sha256: str          # of the raw bytes
    encoding: str        # "utf-8", "gb18030", "big5" …
    media_type: str = "text/plain"   # or "text/html"


@dataclass(frozen=True)
class NormText:
    """Normalised text with a map back to the raw text.

    ``text`` is Simplified, NFKC-normalised, with inline pinyin glosses, HTML markup and boilerplate
    removed. ``starts[i]``/``ends[i]`` give the raw span ``[start, end)`` that normalised character ``i``
    came from, so a normalised span ``[s, e)`` is ``raw[starts[s]:ends[e-1]]``.
    """

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    removed: int = 0     # characters the boilerplate and spam rules removed

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` of the normalised span ``[start, end)`` (end exclusive, non-empty)."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside normalised text of length {len(self.text)}")
        return self.starts[start], self.ends[end - 1]

    def slice(self, start: int, end: int) -> NormText:
        """The normalised text ``[start, end)`` with its own map back to the same raw text."""
        return NormText(self.text[start:end], self.starts[start:end], self.ends[start:end])


@dataclass(frozen=True)
class Provenance:
    """Where a mention or fact was read: raw offsets, the exact raw quote, and the rule/entry id."""

    doc_id: str
    start: int
    end: int
    quote: str
    rule: str


@dataclass(frozen=True)
class EntityRef:
    """Identity of an entity: its ontology type and its canonical key (zh-Hans)."""

    type: str
    key: str


@dataclass(frozen=True)
class Entity:
    """An entity as one document knows it."""

    ref: EntityRef
    name: str                         # canonical zh-Hans name (skos:prefLabel @zh-Hans)
    en: str | None = None             # reviewed English name, if any
    aliases: tuple[str, ...] = ()     # known aliases (lexicon), zh-Hans or Latin
    en_aliases: tuple[str, ...] = ()  # English abbreviations and names (CNCA, AQSIQ …)
    surfaces: tuple[str, ...] = ()    # surface forms seen in this text, as written (own script)
    source: str = ""                  # lexicon entry id or rule id that produced it
    parent: EntityRef | None = None   # for departments: the agency they belong to
    edition: str | None = None        # for one edition of a recurring meeting: its year (the ref's key ends /year)


@dataclass(frozen=True)
class Fact:
    """A relation stated by a text. ``args`` pairs role names with EntityRefs or literals."""

    kind: str
    args: tuple[tuple[str, object], ...]
    evidence: Provenance

    def arg(self, role: str, default: object = None) -> object:
        for name, value in self.args:
            if name == role:
                return value
        return default


@dataclass(frozen=True)
class SourceInfo:
    """What a document says about itself."""

    doc_id: str
    path: str
    sha256: str
    encoding: str
    script: str                    # "zh-Hans" | "zh-Hant"
    title: str | None = None
    published: str | None = None   # ISO date if the text gives one


@dataclass(frozen=True)
class DocResult:
    """Everything extracted from one document: a pure function of its text."""

    source: SourceInfo
    entities: tuple[Entity, ...]
    mentions: tuple[tuple[EntityRef, Provenance], ...]
    facts: tuple[Fact, ...]
    stats: dict = field(default_factory=dict, compare=False)
    warnings: tuple[str, ...] = ()   # about the text itself, e.g. normalisation removed most of it
