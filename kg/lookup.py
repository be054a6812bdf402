"""Find an entity by any of its names, in either Chinese script or in English, and return all its names.

:func:`lookup` is fuzzy and ranked (:func:`rank`): a whole name, a prefix, a part of a name, or the pinyin
initials of a Chinese name (``gjrjw`` → 国家认监委), in Simplified, Traditional or English, any case; the
obvious entity comes first. :func:`find` matches whole names only (``why``, ``registry merge``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable


from kg.store import OxigraphStore
from extractors.errors import QueryError
from kg.namespaces import FOAF, IRI_RULES, KG, KGO, ORG, SKOS, SPARQL_PREFIXES, valid_iri
from kg.normalize import to_simplified
from kg.saved import compact, sparql_string

RE_LATIN = re.compile(r"[A-Za-z]")
RE_CJK = re.compile(r"[\u3400-\u9fff]")
# Oxigraph lower-cases language tags; print them the way BCP 47 writes them.
TAGS = {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant", "en": "en"}


@dataclass
class Found:
    iri: str
    types: list[str] = field(default_factory=list)          # prefixed, most specific first
    labels: dict[str, str] = field(default_factory=dict)    # prefLabel by tag: zh-Hans, zh-Hant, en
    alt_labels: list[tuple[str, str]] = field(default_factory=list)   # (label, tag)
    matched: list[str] = field(default_factory=list)        # the names that matched
    how: str = "exact name"                                  # how the best of them matched (MATCH_KINDS)
    texts: int = 0                                           # texts with evidence for it
    mentions: int = 0                                        # pieces of evidence for it

    @property
    def type(self) -> str:
        return self.types[0] if self.types else ""

    def as_dict(self) -> dict:
        return {"iri": self.iri, "type": self.type, "types": self.types,
                "prefLabel": self.labels, "altLabel": [{"label": l, "lang": t} for l, t in self.alt_labels],
                "matched": self.matched, "match": self.how, "texts": self.texts, "mentions": self.mentions}


# -- ranking: shared with the explorer's suggestions -------------------------------------------------------

MATCH_KINDS = ("exact name", "start of a name", "part of a name", "pinyin initials", "start of pinyin initials")
RE_INITIALS_QUERY = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Candidate:
    """An entity as :func:`rank` sees it: an id (IRI or node id), all its names, and how much evidence it has."""

    key: str
    names: tuple[str, ...]
    texts: int = 0
    mentions: int = 0


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    how: str          # one of MATCH_KINDS
    name: str         # the name that matched


def name_key(text: str) -> str:
    """A name as it is compared: Simplified, NFKC, trimmed, case-folded (國家認監委 and 国家认监委 are equal)."""
    return to_simplified(text).strip().casefold()


@lru_cache(maxsize=65536)
def initials(name: str) -> tuple[str, ...]:
    """The pinyin initials each character of a name may have, in either script: 国家认监委 and 國家認監委 →
    ``("g", "j", "r", "j", "w")``; a character with several readings has several (银行 → ``("y", "hx")``).
    Latin letters and digits stand for themselves (lower-cased); other characters are dropped. A query
    matches when its letters fit these one by one (``gjrjw``; ``yh`` and ``yx`` both fit 银行)."""
    return tuple(letters for letters in map(_initials_of, name_key(name)) if letters)


@lru_cache(maxsize=None)
def _initials_of(ch: str) -> str:
    from pypinyin.pinyin_dict import pinyin_dict

    readings = pinyin_dict.get(ord(ch))
    if readings is None:
        return ch if ch.isascii() and ch.isalnum() else ""
    return "".join(sorted({unicodedata.normalize("NFD", r)[0] for r in readings.split(",")}))


def rank(query: str, candidates: Iterable[Candidate], limit: int | None = None) -> list[Match]:
    """The candidates that ``query`` matches, the obvious one first.

    A candidate matches when one of its names, compared by :func:`name_key`, equals the query, starts with it or
    contains it, or (for a query of Latin letters and digits) when the pinyin :func:`initials` of a name equal or
    start with it. Each candidate is ranked by its best match, in the order of ``MATCH_KINDS``; ties go to the
    candidate found in more texts, then with more mentions, then with the shorter matching name, then by key.
    """
    wanted = name_key(query)
    if not wanted:
        return []
    pinyin = RE_INITIALS_QUERY.fullmatch(wanted) is not None
    typed = query.strip().casefold()
    found = []
    for candidate in candidates:
        matches = [m for m in (_match(wanted, name, pinyin) for name in candidate.names) if m]
        if matches:
            # the name to show: the best match, written as the query was, else in Simplified, else the shortest
            tier, name = min(matches, key=lambda m: (m[0], typed not in m[1].casefold(), to_simplified(m[1]) != m[1],
                                                      len(m[1]), m[1]))
            found.append((tier, -candidate.texts, -candidate.mentions, len(name), candidate.key,
                          Match(candidate, MATCH_KINDS[tier], name)))
    found.sort(key=lambda row: row[:5])
    return [row[-1] for row in found[:limit]]


def _match(wanted: str, name: str, pinyin: bool) -> tuple[int, str] | None:
    """(index in MATCH_KINDS, name) of how ``name`` matches ``wanted``, or None."""
    key = name_key(name)
    if key == wanted:
        return 0, name
    if key.startswith(wanted):
        return 1, name
    if wanted in key:
        return 2, name
    if pinyin and RE_CJK.search(key):
        letters = initials(name)
        if len(wanted) <= len(letters) and all(ch in options for ch, options in zip(wanted, letters)):
            return (3 if len(wanted) == len(letters) else 4), name
    return None


def exact_forms(name: str) -> list[str]:
    """The exact strings a label may equal: the name as given and its Simplified form."""
    name = name.strip()
    return list(dict.fromkeys([name, to_simplified(name).strip()]))


def lookup(store_dir: Path, name: str, limit: int | None = None) -> tuple[list[Found], int]:
    """(the best ``limit`` entities that NAME matches, ranked by :func:`rank`; how many matched in all).

    NAME is matched against every skos:prefLabel, skos:altLabel and rdfs:label; an IRI of the project's
    namespace finds its own entity.
    """
    if not name.strip():
        raise QueryError("lookup needs a name")
    with OxigraphStore.open_read_only(Path(store_dir)) as store:
        if name.startswith(KG):
            found = find(store, name)
            return found, len(found)
        matches = rank(name, candidates(store))
        shown = []
        for match in matches[:limit]:
            found = Found(match.candidate.key, matched=[match.name], how=match.how,
                          texts=match.candidate.texts, mentions=match.candidate.mentions)
            _describe(store, found)
            shown.append(found)
        return shown, len(matches)


def candidates(store: OxigraphStore) -> list[Candidate]:
    """Every entity of the store with its names and the number of texts and pieces of evidence about it."""
    names: dict[str, list[str]] = {}
    _, rows = store.select(SPARQL_PREFIXES + f"""SELECT DISTINCT ?e ?n WHERE {{
        ?e skos:prefLabel|skos:altLabel|rdfs:label ?n FILTER(STRSTARTS(STR(?e), {sparql_string(KG)})) }}""")
    for iri, label in rows:
        names.setdefault(iri, []).append(label)
    _, rows = store.select(SPARQL_PREFIXES + """SELECT ?e (COUNT(DISTINCT ?g) AS ?t) (COUNT(DISTINCT ?ev) AS ?m)
        WHERE { GRAPH ?g { ?ev oa:hasBody ?e } } GROUP BY ?e""")
    evidence = {iri: (int(t), int(m)) for iri, t, m in rows}
    return [Candidate(iri, tuple(labels), *evidence.get(iri, (0, 0))) for iri, labels in names.items()]


def find(store: OxigraphStore, name: str) -> list[Found]:
    """:func:`lookup` over an open store; an IRI of the project's namespace finds its own entity."""
    if name.startswith(KG):
        if not valid_iri(name):
            raise QueryError(f"{name!r} is not a valid IRI ({IRI_RULES})")
        found = Found(name, matched=[name], how="IRI")
        _describe(store, found)
        return [found] if found.types else []
    wanted = exact_forms(name)
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
    """One block per entity: IRI, type, the three prefLabels, the altLabels, how it matched, its evidence."""
    blocks = []
    for f in found:
        lines = [f"{f.labels.get('zh-Hans') or f.iri}"]
        lines.append(f"  IRI       {f.iri}")
        lines.append(f"  type      {', '.join(f.types)}")
        for tag in ("zh-Hans", "zh-Hant", "en"):
            lines.append(f"  {tag:<9} {f.labels.get(tag, '—')}")
        alts = "; ".join(f"{label} ({tag})" for label, tag in f.alt_labels) or "—"
        lines.append(f"  altLabel  {alts}")
        lines.append(f"  matched   {', '.join(f.matched)} ({f.how})")
        lines.append(f"  evidence  {f.texts} texts, {f.mentions} mentions")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
