"""Lexicon entries from JSONL files and the alias index built from them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from extractors.jsonl import read_jsonl
from extractors.errors import LexiconError as DataFileError

LEXICON_DIR = Path(__file__).parent / "data" / "lexicons"
ENTRY_TYPES = frozenset({
    "Agency", "Department", "Organization", "Person", "Role", "Initiative", "CertificationScheme",
    "Sector", "Region", "Meeting", "PolicyDocument",
})
RE_ID = re.compile(r"^[a-z]+:[a-z0-9-]+$")


@dataclass(frozen=True)
class LexiconEntry:
    """One named thing the dictionaries know."""

    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    en: str | None = None
    en_aliases: tuple[str, ...] = ()
    parent: str | None = None
    default_org: str | None = None
    first_year: int | None = None
    level: str | None = None             # regions: country, province, city …
    recurring: str | None = None         # meetings held again and again ("annual"): each edition is its own entity
    part_of: str | None = None           # regions: the region a city lies in
    posts: tuple[tuple[str, str], ...] = ()
    weak_name: bool = False
    guards: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()   # (form, not_preceded_by, not_followed_by)

    def guard(self, form: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Strings that may not stand right before / right after this surface form."""
        for guarded, before, after in self.guards:
            if guarded == form:
                return before, after
        return (), ()


@dataclass(frozen=True)
class Lexicon:
    """All entries, by id, and the surface forms that name them."""

    entries: dict[str, LexiconEntry]
    strong: dict[str, tuple[str, ...]]   # normalised surface form -> entry ids
    weak: dict[str, tuple[str, ...]]

    def get(self, entry_id: str | None) -> LexiconEntry | None:
        return self.entries.get(entry_id) if entry_id else None

    def by_type(self, type_: str) -> list[LexiconEntry]:
        return [e for e in self.entries.values() if e.type == type_]


def parse_entry(obj: dict, where: str) -> LexiconEntry:
    """Validate one JSON object and turn it into a LexiconEntry."""
    for key in ("id", "type", "name"):
        if not isinstance(obj.get(key), str) or not obj[key]:
            raise DataFileError(f"{where}: field {key!r} missing or not a string")
    if not RE_ID.match(obj["id"]):
        raise DataFileError(f"{where}: id {obj['id']!r} is not of the form prefix:slug")
    if obj["type"] not in ENTRY_TYPES:
        raise DataFileError(f"{where}: type {obj['type']!r} of {obj['id']} is not one of {sorted(ENTRY_TYPES)}")
    posts = tuple((p.get("role", ""), p.get("org", "")) for p in obj.get("posts", ()) if isinstance(p, dict))
    return LexiconEntry(
        id=obj["id"], type=obj["type"], name=obj["name"],
        aliases=tuple(obj.get("aliases", ())), weak_aliases=tuple(obj.get("weak_aliases", ())),
        en=obj.get("en"), en_aliases=tuple(obj.get("en_aliases", ())), parent=obj.get("parent"),
        default_org=obj.get("default_org"), first_year=obj.get("first_year"), level=obj.get("level"),
        recurring=obj.get("recurring"), part_of=obj.get("part_of"), posts=posts,
        weak_name=bool(obj.get("weak_name", False)), guards=_guards(obj.get("guards", {}), where),
    )


def _guards(raw: object, where: str) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    if not isinstance(raw, dict):
        raise DataFileError(f"{where}: 'guards' must map a surface form to its guard lists")
    return tuple((form, tuple(g.get("not_preceded_by", ())), tuple(g.get("not_followed_by", ())))
                 for form, g in raw.items())


def read_entries(path: Path) -> Iterable[LexiconEntry]:
    """Entries of one JSONL file; errors name file and line."""
    for obj, where in read_jsonl(path, DataFileError):
        yield parse_entry(obj, where)


def load_lexicon(paths: Iterable[Path] | None = None, *,
                 normalise: Callable[[str], str] = lambda s: s) -> Lexicon:
    """Load lexicon files (default: every ``*.jsonl`` in data/lexicons) into an alias index."""
    files = sorted(LEXICON_DIR.glob("*.jsonl")) if paths is None else list(paths)
    entries: dict[str, LexiconEntry] = {}
    for path in files:
        for entry in read_entries(path):
            if entry.id in entries:
                raise DataFileError(f"{path}: duplicate id {entry.id}")
            entries[entry.id] = entry
    return Lexicon(entries, _index(entries.values(), normalise, weak=False),
                   _index(entries.values(), normalise, weak=True))


def _index(entries: Iterable[LexiconEntry], normalise: Callable[[str], str], *, weak: bool) -> dict:
    index: dict[str, list[str]] = {}
    for entry in entries:
        names = () if entry.weak_name else (entry.name,)
        forms = (*entry.weak_aliases, *((entry.name,) if entry.weak_name else ())) if weak \
            else (*names, *entry.aliases, *entry.en_aliases)
        for form in forms:
            key = normalise(form).strip()
            if len(key) < 2 and not weak:
                continue
            ids = index.setdefault(key, [])
            if entry.id not in ids:
                ids.append(entry.id)
    return {key: tuple(ids) for key, ids in index.items() if key}
