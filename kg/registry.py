"""Stable, opaque entity IRIs.

An IRI is minted once as a hash of (family, canonical key) and then frozen in a committed registry
(``kg/data/registry.tsv``), like Wikidata QIDs. Resolution order: the lexicon entry id (so renaming an
entry's canonical name keeps its IRI), then the key, then a fresh hash. Merging two entities keeps the
older IRI; the other one is recorded as merged and published as ``owl:sameAs`` the kept one.

A build folder may hold a registry of its own (``DIR/registry.tsv``, written by ``ccakg registry merge``):
a build reads the shipped registry with that file's rows on top (:func:`use_registry`).

TSV columns: ``iri  family  key  entry_id  status  kept_iri`` (status ``active`` or ``merged``).
"""
from __future__ import annotations

import csv
import hashlib
import os
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extractors.errors import KGError
from kg.namespaces import IRI_RULES, valid_iri
from kg.namespaces import KG

REGISTRY_FILE = Path(__file__).parent / "data" / "registry.tsv"
BUILD_REGISTRY = "registry.tsv"    # a build folder's own registry, beside its store
COLUMNS = ("iri", "family", "key", "entry_id", "status", "kept_iri")
FAMILIES = {
    "Agency": "o", "Department": "o", "Organization": "o", "UnitGroup": "o",
    "Person": "p", "Initiative": "c", "CertificationScheme": "c", "Sector": "c", "Indicator": "c",
    "Concept": "c", "PolicyDocument": "d", "Meeting": "e", "Region": "r", "Role": "role",
    "Statistic": "s", "Target": "g", "Task": "t",
}


class RegistryError(KGError):
    """The registry file is malformed or a merge is impossible."""


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"           # RFC 4648's alphabet, lower case
_BASE32_PAIRS = [a + b for a in _BASE32 for b in _BASE32]  # every 10 bits as two characters


@lru_cache(maxsize=65536)
def mint(family: str, key: str) -> str:
    """``kg:{family}-{10 base32 chars of SHA-256(family␟NFKC(key))}``: the same key always gives the same IRI.

    The 10 characters are the first 50 bits of the digest, as ``base64.b32encode`` spells them (read off
    an integer here: the pure-Python encoder took half of the time of every evidence node's IRI).
    """
    digest = hashlib.sha256(f"{family}\x1f{unicodedata.normalize('NFKC', key)}".encode("utf-8")).digest()
    bits = int.from_bytes(digest[:7], "big") >> 6
    pairs = _BASE32_PAIRS
    return (f"{KG}{family}-{pairs[bits >> 40]}{pairs[(bits >> 30) & 1023]}{pairs[(bits >> 20) & 1023]}"
            f"{pairs[(bits >> 10) & 1023]}{pairs[bits & 1023]}")


@dataclass
class Registry:
    """Frozen IRIs by lexicon entry id and by (family, key); merged IRIs and what they became."""

    by_entry: dict[str, str] = field(default_factory=dict)
    by_key: dict[tuple[str, str], str] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)          # old IRI -> kept IRI
    rows: list[dict] = field(default_factory=list)

    def iri(self, type_: str, key: str, entry_id: str | None = None) -> str:
        own = self.own_iri(type_, key, entry_id)
        return self.merged.get(own, own)

    def own_iri(self, type_: str, key: str, entry_id: str | None = None) -> str:
        """The IRI an entity has before merges (:meth:`iri` follows them)."""
        family = FAMILIES.get(type_, "c")
        found = (self.by_entry.get(entry_id) if entry_id else None) or self.by_key.get((family, key))
        return found or mint(family, key)

    def same_as(self, iri: str) -> list[str]:
        """IRIs merged into ``iri``."""
        return sorted(old for old, kept in self.merged.items() if kept == iri)

    def record(self, type_: str, key: str, entry_id: str | None = None) -> str:
        """Freeze the IRI of an entity (no change if it is known already)."""
        family = FAMILIES.get(type_, "c")
        iri = self.iri(type_, key, entry_id)
        if (family, key) not in self.by_key:
            self._add({"iri": iri, "family": family, "key": key, "entry_id": entry_id or "",
                       "status": "active", "kept_iri": ""})
        if entry_id and entry_id not in self.by_entry:
            self.by_entry[entry_id] = iri
        return iri

    def merge(self, keep_iri: str, other_iri: str) -> None:
        """``other`` becomes ``owl:sameAs`` ``keep``; everything that resolved to ``other`` resolves to ``keep``."""
        for iri in (keep_iri, other_iri):
            if not valid_iri(iri):
                raise RegistryError(f"{iri!r} is not a valid IRI ({IRI_RULES}); the registry is unchanged")
        if keep_iri == other_iri or self.merged.get(keep_iri) == other_iri:
            raise RegistryError(f"cannot merge {other_iri} into {keep_iri}")
        self.merged[other_iri] = keep_iri
        for old, kept in list(self.merged.items()):
            if kept == other_iri:
                self.merged[old] = keep_iri
        self._add({"iri": other_iri, "family": "", "key": "", "entry_id": "", "status": "merged",
                   "kept_iri": keep_iri})

    def _add(self, row: dict) -> None:
        self.rows.append(row)
        _index(self, row)

    def save(self, path: Path = REGISTRY_FILE) -> None:
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, COLUMNS, delimiter="\t", lineterminator="\n")
            writer.writeheader()
            writer.writerows(self.rows)
        tmp.replace(path)


def _index(registry: Registry, row: dict) -> None:
    if row["status"] == "merged":
        registry.merged[row["iri"]] = row["kept_iri"]
        return
    registry.by_key.setdefault((row["family"], row["key"]), row["iri"])
    if row["entry_id"]:
        registry.by_entry.setdefault(row["entry_id"], row["iri"])


def load_registry(path: Path = REGISTRY_FILE, base: Registry | None = None) -> Registry:
    """The registry in ``path`` (an empty one if the file does not exist), or ``base`` with its rows on top."""
    registry = base or Registry()
    if not path.exists():
        return registry
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            if set(COLUMNS) - set(row) or row["status"] not in ("active", "merged"):
                raise RegistryError(f"{path}:{number}: expected columns {', '.join(COLUMNS)} and status "
                                    f"active|merged")
            bad = [row[c] for c in ("iri", "kept_iri") if row[c] and not valid_iri(row[c])]
            if bad or (row["status"] == "merged" and not row["kept_iri"]):
                raise RegistryError(f"{path}:{number}: {bad[0] if bad else row['kept_iri']!r} is not a valid IRI "
                                    f"({IRI_RULES})")
            registry.rows.append(row)
            _index(registry, row)
    return registry


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return load_registry()


_active: list[Registry] = []    # the registry of the build in this process, if it has one


def use_registry(path: Path | str | None) -> Registry:
    """From now on, in this process, entity IRIs follow the shipped registry plus the rows of ``path``
    (a build's own registry); ``None``: the shipped one alone. Also a process pool's initializer.

    Raises:
        RegistryError: ``path`` is malformed (naming the file and line).
    """
    registry = load_registry(Path(path), base=load_registry()) if path else default_registry()
    _active[:] = [registry] if path else []
    return registry


@contextmanager
def registry_in_use(path: Path | str | None):
    """:func:`use_registry` for the block, then the shipped registry again."""
    try:
        yield use_registry(path)
    finally:
        use_registry(None)


def active_registry() -> Registry:
    return _active[0] if _active else default_registry()


def entity_iri(type_: str, key: str, entry_id: str | None = None) -> str:
    """IRI of an entity of an ontology type with its canonical key (and lexicon entry id, if any)."""
    return active_registry().iri(type_, key, entry_id)
