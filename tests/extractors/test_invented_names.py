"""The challenge set's persons and companies are invented: none of their names may enter the project.

Its persons, companies and events (../shared/challenge/invented.txt and the Person and Organization names of its
gold) are fiction written to test the rules; a dictionary entry for one of them would score without carrying to
real texts. Real bodies (CNAS, 中国质量认证中心 …) are not in invented.txt and stay allowed.
"""
from __future__ import annotations

import json

from tests.conftest import REPO, SHARED, require_shared

CHALLENGE = SHARED / "challenge"
SCANNED = ("extractors", "kg", "ontology", "examples", "tests", "docs", "bench", "scripts")
SUFFIXES = {".py", ".jsonl", ".json", ".txt", ".tsv", ".ttl", ".md", ".html", ".rq", ".csv"}
THIS = "test_invented_names.py"


def _invented_names() -> set[str]:
    names = {line.strip() for line in (CHALLENGE / "invented.txt").read_text(encoding="utf-8").splitlines()}
    for path in sorted((CHALLENGE / "gold").glob("*.json")):
        for entity in json.loads(path.read_text(encoding="utf-8"))["entities"]:
            if entity["type"] == "Person":
                names |= {entity["name"], *entity.get("mentions", [])}
    return {n for n in names if len(n) >= 2 and not n.startswith("#")}


def _project_files():
    for top in SCANNED:
        for path in sorted((REPO / top).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and path.name != THIS:
                yield path


def test_no_invented_name_in_the_project() -> None:
    require_shared(CHALLENGE / "invented.txt")
    names = _invented_names()
    assert len(names) > 50, "the challenge set's list of invented names looks truncated"
    found = []
    for path in _project_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(REPO)}: {name}" for name in sorted(names) if name in text]
    assert not found, "invented names of ../shared/challenge in the project:\n" + "\n".join(found)
