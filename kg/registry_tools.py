"""Maintaining the IRI registry: freezing what a corpus names, merging two entities, and showing the merges
in a built store."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from extractors.dictionary import default_lexicon, normalise_alias
from kg.documents import iter_corpus_files, read_document
from extractors.errors import CorpusError, KGError
from kg.namespaces import ENTITY_GRAPH, SKOS, SPARQL_PREFIXES, node
from kg.registry import BUILD_REGISTRY, REGISTRY_FILE, Registry, RegistryError, load_registry
from kg.rdf import LABEL, PREF, lexicon_id, traditional

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


def build_registry_file(store_dir: Path) -> Path:
    """The registry of the build whose store is ``store_dir`` (``DIR/store`` or the build folder ``DIR``)."""
    store_dir = Path(store_dir)
    folder = store_dir if (store_dir / "store").is_dir() else store_dir.parent
    return folder / BUILD_REGISTRY


def merge(keep: str, other: str, store_dir: Path, registry_file: Path | None = None) -> tuple[str, str, Path]:
    """Merge ``other`` into ``keep`` (names or IRIs found in the store) in ``registry_file`` (default: the
    build's own, ``DIR/registry.tsv``); returns (kept IRI, merged IRI, the registry file written)."""
    from kg.why import find_entities, open_store

    if (Path(store_dir) / "store").is_dir():
        store_dir = Path(store_dir) / "store"
    store = open_store(store_dir)
    keep_iri, other_iri = _one(store, keep, find_entities), _one(store, other, find_entities)
    path = registry_file or build_registry_file(store_dir)
    registry = load_registry(path)
    registry.merge(keep_iri, other_iri)
    registry.save(path)
    return keep_iri, other_iri, path


def apply_merges(store, registry: Registry) -> None:
    """Show the registry's merges in a built store's entities graph.

    Each merged IRI is published as ``owl:sameAs`` its kept entity (when that entity is in the store); a kept
    entity that only its merged names reached (no zh-Hans prefLabel) is named by the first of them.
    """
    if not registry.merged:
        return
    pairs = " ".join(f"(<{old}> <{kept}>)" for old, kept in sorted(registry.merged.items()))
    store.update(SPARQL_PREFIXES + f"""INSERT {{ GRAPH <{ENTITY_GRAPH}> {{ ?old owl:sameAs ?kept }} }}
        WHERE {{ VALUES (?old ?kept) {{ {pairs} }} GRAPH <{ENTITY_GRAPH}> {{ ?kept a ?type }} }}""")
    kept = " ".join(f"<{iri}>" for iri in sorted(set(registry.merged.values())))
    unnamed: dict[str, list[str]] = {}
    for iri, alt in store.select(SPARQL_PREFIXES + f"""SELECT ?k ?alt WHERE {{ VALUES ?k {{ {kept} }}
            GRAPH <{ENTITY_GRAPH}> {{ ?k skos:altLabel ?alt FILTER(langMatches(lang(?alt), "zh-Hans"))
              FILTER NOT EXISTS {{ ?k skos:prefLabel ?p FILTER(langMatches(lang(?p), "zh-Hans")) }} }} }}""")[1]:
        unnamed.setdefault(iri, []).append(alt)
    graph = node(ENTITY_GRAPH)
    for iri, names in unnamed.items():
        name = min(names)
        for text, lang in ((name, "zh-Hans"), (traditional(name), "zh-Hant")):
            label = ox.Literal(text, language=lang)
            store.update(f"DELETE DATA {{ GRAPH <{ENTITY_GRAPH}> {{ <{iri}> <{SKOS}altLabel> {label} }} }}")
            store.add([ox.Quad(node(iri), PREF, label, graph), ox.Quad(node(iri), LABEL, label, graph)])


def _one(store, name: str, find_entities) -> str:
    found = {iri for iri, _, _ in find_entities(store, name)}
    if len(found) != 1:
        raise RegistryError(f"{name!r} names {len(found)} entities in the store; give an IRI instead"
                            if found else f"no entity named {name!r} in the store")
    return found.pop()


__all__ = ["freeze", "merge", "KGError"]
