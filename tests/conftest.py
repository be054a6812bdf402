"""Shared fixtures: the client's corpus and gold beside the checkout (../shared), and one build of it."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold"
EVALUATE = SHARED / "tools" / "evaluate.py"
EXAMPLES = REPO / "examples" / "corpus"


def require_shared() -> None:
    if not CORPUS.is_dir() or not GOLD.is_dir():
        pytest.fail(f"the client's corpus and gold are expected at {SHARED} (../shared beside the checkout)")


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """One build of ../shared/corpus, shared by the end-to-end tests."""
    require_shared()
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("corpus-build")
    report = build([CORPUS], out)
    return out, report
