"""Facts that many texts state again (issue: joins over the union default graph multiplied per text).

Each text's graph restates the memberships, tasks, statistics and targets it attests, so a pattern over
the union default graph matches a fact once per text, and a join of four such patterns k⁴ times. The saved
queries, `why` and the CSV export match a fact and its evidence inside one text's graph instead, so their
cost grows with the number of texts, not its fourth power. At 24 copies of one text the old queries ran for
hours; here 200 copies, and each command gets a minute, which the linear ones need a small part of.
"""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from kg.pipeline import build
from kg.saved import list_saved

COPIES = 200
TEXT = ("《2021年认证认可工作要点》\n"   # a named work plan: every copy states the same tasks
        "2021年3月，国家认监委主任陈立新出席全国认证认可工作会议并讲话。截至2020年底，全国共有认证机构724家。"
        "到2025年，认证认可体系基本完善。\n"
        "一、重点任务\n1. 推进强制性产品认证制度改革。(牵头单位:认证部,配合单位:认可部)\n"
        "2. 完善检验检测机构资质认定。(牵头单位:认可部,配合单位:认证部)\n")
LIMIT = 60  # seconds per command; far above what a linear query needs, far below what k⁴ needs


@pytest.fixture(scope="module")
def repeated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repeated")
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(COPIES):
        (corpus / f"copy-{i:02d}.txt").write_text(TEXT, encoding="utf-8")
    build([corpus], root / "out", html=False)
    return root / "out"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=LIMIT)


@pytest.mark.parametrize("name", [s.name for s in list_saved() if s.runner != "diff"])
def test_saved_query_on_a_fact_stated_by_many_texts(repeated: Path, name: str) -> None:
    params = [arg for saved in list_saved() if saved.name == name for p in saved.params
              if p.name in ("entity", "person", "unit") for arg in ("--param", f"{p.name}=陈立新")]
    done = run_cli("query", "--saved", name, "--store", str(repeated / "store"), "--format", "csv", *params)
    assert done.returncode == 0, done.stderr


def test_posts_by_year_counts_every_text_once(repeated: Path) -> None:
    done = run_cli("query", "--saved", "posts-by-year", "--store", str(repeated / "store"), "--format", "csv")
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("陈立新"))
    assert row.split(",")[1:3] == ["主任", "国家认证认可监督管理委员会"] and row.endswith(f",{COPIES}")


def test_why_lists_the_fact_once_per_text(repeated: Path) -> None:
    done = run_cli("why", "陈立新", "--store", str(repeated / "store"))
    assert done.returncode == 0, done.stderr
    memberships = [line for line in done.stdout.splitlines() if "membership:" in line]
    assert len(memberships) == COPIES, done.stdout[:2000]


def test_csv_export_of_facts_stated_by_many_texts(repeated: Path, tmp_path: Path) -> None:
    done = run_cli("export", str(repeated), "--format", "csv", "-o", str(tmp_path / "csv"))
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader((tmp_path / "csv" / "relations.csv").open(encoding="utf-8-sig")))
    header = rows[0]
    memberships = [dict(zip(header, row)) for row in rows[1:] if "陈立新" in row and "org:Membership" in row]
    assert len(memberships) == COPIES                       # one row per text that states it
    assert len({m[header[5]] for m in memberships}) == COPIES


def test_co_working_units_counts_each_shared_task_once(repeated: Path) -> None:
    """Both tasks are stated by every copy: one pair of units, two shared tasks, each leading once."""
    done = run_cli("query", "--saved", "co-working-units", "--store", str(repeated / "store"), "--format", "csv",
                   "--param", "min_tasks=1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip("\ufeff").splitlines()[1:] == ["认可部,认证部,2,1,1"]
