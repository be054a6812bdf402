"""Find an entity by any of its names, in either Chinese script or in English, and return all its names."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


from kg.store import OxigraphStore
from extractors.errors import QueryError
from kg.namespaces import FOAF, IRI_RULES, KG, KGO, ORG, SKOS, SPARQL_PREFIXES, valid_iri
from kg.normalize import to_simplified
from kg.saved import compact, sparql_string

RE_LATIN = re.compile(r"[A-Za-z]")
# Oxigraph lower-cases language tags; print them the way BCP 47 writes them.
TAGS = {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant", "en": "en"}


@dataclass
class Found:
    iri: str
    types: list[str] = field(default_factory=list)          # prefixed, most specific first
    labels: dict[str, str] = field(default_factory=dict)    # prefLabel by tag: zh-Hans, zh-Hant, en
    alt_labels: list[tuple[str, str]] = field(default_factory=list)   # (label, tag)
    matched: list[str] = field(default_factory=list)        # the names that matched

    @property
    def type(self) -> str:
        return self.types[0] if self.types else ""

    def as_dict(self) -> dict:
        return {"iri": self.iri, "type": self.type, "types": self.types,
                "prefLabel": self.labels, "altLabel": [{"label": l, "lang": t} for l, t in self.alt_labels],
                "matched": self.matched}


def candidates(name: str) -> list[str]:
    """The exact strings a label may equal: the name as given and its Simplified form."""
    name = name.strip()
    return list(dict.fromkeys([name, to_simplified(name).strip()]))


def lookup(store_dir: Path, name: str) -> list[Found]:
    """Entities whose skos:prefLabel, skos:altLabel or rdfs:label equals NAME, its Simplified form, or
    (for names with Latin letters) NAME ignoring case. Sorted by IRI."""
    if not name.strip():
        raise QueryError("lookup needs a name")
    return find(OxigraphStore.open_read_only(Path(store_dir)), name)


def find(store: OxigraphStore, name: str) -> list[Found]:
    """:func:`lookup` over an open store; an IRI of the project's namespace finds its own entity."""
    if name.startswith(KG):
        if not valid_iri(name):
            raise QueryError(f"{name!r} is not a valid IRI ({IRI_RULES})")
        found = Found(name)
        _describe(store, found)
        return [found] if found.types else []
    wanted = candidates(name)
    test = f"STR(?n) IN ({', '.join(sparql_string(w) for w in wanted)})"
    if RE_LATIN.search(name):
        test += f" || LCASE(STR(?n)) = {sparql_string(name.strip().lower())}"
    query = SPARQL_PREFIXES + f"""SELECT DISTINCT ?e ?n WHERE {{
        ?e skos:prefLabel|skos:altLabel|rdfs:label ?n .
        FILTER(STRSTARTS(STR(?e), {sparql_string(KG)}) && ({test})) }}"""
    matches: dict[str, Found] = {}
    for row in store.query(query):
        found = matches.setdefault(row["e"].value, Found(row["e"].value))
        if row["n"].value not in found.matched:
            found.matched.append(row["n"].value)
    for found in matches.values():
        _describe(store, found)
    return [matches[iri] for iri in sorted(matches)]


def _describe(store: OxigraphStore, found: Found) -> None:
    query = SPARQL_PREFIXES + f"""SELECT DISTINCT ?p ?o WHERE {{
        <{found.iri}> ?p ?o FILTER(?p IN (rdf:type, skos:prefLabel, skos:altLabel)) }}"""
    types, alts = set(), set()
    for row in store.query(query):
        p, o = row["p"].value, row["o"]
        if p == SKOS + "prefLabel":
            found.labels.setdefault(TAGS.get(o.language or "", o.language or ""), o.value)
        elif p == SKOS + "altLabel":
            alts.add((o.value, TAGS.get(o.language or "", o.language or "")))
        else:
            types.add(o.value)
    found.labels = {tag: found.labels[tag] for tag in sorted(found.labels, key=_tag_order)}
    found.types = [compact(t) for t in sorted(types, key=_type_order)]
    found.alt_labels = sorted(alts, key=lambda a: (_tag_order(a[1]), a[0]))


def _tag_order(tag: str) -> tuple[int, str]:
    return (["zh-Hans", "zh-Hant", "en"].index(tag) if tag in ("zh-Hans", "zh-Hant", "en") else 3, tag)


def _type_order(iri: str) -> tuple[int, str]:
    """kgo: classes first, then foaf:Person / org:Role, then the rest."""
    if iri.startswith(KGO):
        rank = 0
    elif iri in (FOAF + "Person", ORG + "Role", ORG + "Membership"):
        rank = 1
    else:
        rank = 2
    return (rank, iri)


def format_table(found: list[Found]) -> str:
    """One block per entity: IRI, type, the three prefLabels, the altLabels."""
    blocks = []
    for f in found:
        lines = [f"{f.labels.get('zh-Hans') or f.iri}"]
        lines.append(f"  IRI       {f.iri}")
        lines.append(f"  type      {', '.join(f.types)}")
        for tag in ("zh-Hans", "zh-Hant", "en"):
            lines.append(f"  {tag:<9} {f.labels.get(tag, '—')}")
        alts = "; ".join(f"{label} ({tag})" for label, tag in f.alt_labels) or "—"
        lines.append(f"  altLabel  {alts}")
        lines.append(f"  matched   {', '.join(f.matched)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
