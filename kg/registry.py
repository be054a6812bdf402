"""Stable, opaque entity IRIs: a deterministic hash of (family, canonical key)."""
from __future__ import annotations

import base64
import hashlib
import unicodedata
from functools import lru_cache

from kg.namespaces import KG

FAMILIES = {
    "Agency": "o", "Department": "o", "Organization": "o", "UnitGroup": "o",
    "Person": "p", "Initiative": "c", "CertificationScheme": "c", "Sector": "c", "Indicator": "c",
    "Concept": "c", "PolicyDocument": "d", "Meeting": "e", "Region": "r", "Role": "role",
    "Statistic": "s", "Target": "g", "Task": "t",
}


@lru_cache(maxsize=65536)
def mint(family: str, key: str) -> str:
    """``kg:{family}-{10 base32 chars of SHA-256(family␟NFKC(key))}``: the same key always gives the same IRI."""
    digest = hashlib.sha256(f"{family}\x1f{unicodedata.normalize('NFKC', key)}".encode("utf-8")).digest()
    return f"{KG}{family}-{base64.b32encode(digest).decode('ascii').lower()[:10]}"


def entity_iri(type_: str, key: str) -> str:
    """IRI of an entity of an ontology type with its canonical key."""
    return mint(FAMILIES.get(type_, "c"), key)
