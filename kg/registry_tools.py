"""Maintaining the IRI registry: freezing what a corpus names, merging two entities."""
from __future__ import annotations

from pathlib import Path

from extractors.dictionary import default_lexicon, normalise_alias
from kg.documents import iter_corpus_files, read_document
from extractors.errors import CorpusError, KGError
from kg.registry import REGISTRY_FILE, RegistryError, load_registry
from kg.rdf import lexicon_id

LEXICON_TYPES = {"Role": "Role"}


def freeze(corpus: tuple[Path, ...] | list[Path], registry_file: Path | None = None) -> int:
    """Record lexicon entries and the entities of ``corpus``; returns how many rows were added."""
    from kg.pipeline import extract

    path = registry_file or REGISTRY_FILE
    registry = load_registry(path)
    before = len(registry.rows)
    for entry in default_lexicon().entries.values():
        if entry.type != "Department":    # a department's key includes its parent, known only in context
            registry.record(entry.type, normalise_alias(entry.name), entry.id)
    for file in iter_corpus_files(list(corpus)) if corpus else []:
        try:
            result = extract(read_document(file))
        except CorpusError:
            continue
        for entity in result.entities:
            registry.record(entity.ref.type, entity.ref.key, lexicon_id(entity))
    registry.save(path)
    return len(registry.rows) - before


def merge(keep: str, other: str, store_dir: Path, registry_file: Path | None = None) -> tuple[str, str]:
    """Merge ``other`` into ``keep`` (names or IRIs found in the store); returns (kept IRI, merged IRI)."""
    from kg.why import find_entities, open_store

    store = open_store(store_dir)
    keep_iri, other_iri = _one(store, keep, find_entities), _one(store, other, find_entities)
    path = registry_file or REGISTRY_FILE
    registry = load_registry(path)
    registry.merge(keep_iri, other_iri)
    registry.save(path)
    return keep_iri, other_iri


def _one(store, name: str, find_entities) -> str:
    found = {iri for iri, _, _ in find_entities(store, name)}
    if len(found) != 1:
        raise RegistryError(f"{name!r} names {len(found)} entities in the store; give an IRI instead"
                            if found else f"no entity named {name!r} in the store")
    return found.pop()


__all__ = ["freeze", "merge", "KGError"]
