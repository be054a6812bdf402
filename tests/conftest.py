"""Shared fixtures: one build of the repository's own example corpus (examples/corpus, gold in examples/gold),
and one build of the client's corpus beside the checkout (../shared), which a user's clone does not have.

Tests that measure ../shared (the client corpus and gold, the challenge set, the reference scorer) call
:func:`require_shared`: without ../shared they are skipped with one reason, except under ``CI=true``,
where its absence is a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold"
EVALUATE = SHARED / "tools" / "evaluate.py"
CHALLENGE = SHARED / "challenge"
EXAMPLES = REPO / "examples" / "corpus"
EXAMPLES_GOLD = REPO / "examples" / "gold"
SHARED_ABSENT = ("../shared (the client's corpus and gold, the challenge set and the reference scorer) is not "
                 "beside the checkout: tests that measure it are skipped")


def require_shared(*paths: Path) -> None:
    """Skip the test when ../shared (or one of ``paths`` in it) is missing; fail instead under CI=true."""
    missing = [p for p in (CORPUS, GOLD, EVALUATE, *paths) if not p.exists()]
    if not missing:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {', '.join(map(str, missing))} missing: {SHARED_ABSENT}", pytrace=False)
    pytest.skip(SHARED_ABSENT)


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """One build of ../shared/corpus, shared by the tests that measure the client's corpus."""
    require_shared()
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("corpus-build")
    report = build([CORPUS], out)
    return out, report


@pytest.fixture(scope="session")
def examples_build(tmp_path_factory):
    """One build of examples/corpus: the pipeline end to end on data in the repository."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("examples-build")
    report = build([EXAMPLES], out)
    return out, report


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, read from /proc (the kill tests use real processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found
