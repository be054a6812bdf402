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
    if missing:
        skip_unless_ci(SHARED_ABSENT, f"{', '.join(map(str, missing))} missing: ")


def skip_unless_ci(reason: str, detail: str = "") -> None:
    """Skip the test for ``reason`` (something it needs is missing); under ``CI=true`` fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {detail}{reason}", pytrace=False)
    pytest.skip(reason)


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


# Invented texts of different years (names of our own): two editions of one conference series, a notice, a text
# dated only by the meeting it reports, and an undated text. The explorer's time tests build them.
YEARS_TEXTS = {
    "a2013": "2013年全国蓝莓检测工作会议在京召开\n发布时间:2013-01-20\n1月18日,2013年全国蓝莓检测工作会议在京召开。"
             "国家认监委副主任郑一鸣出席会议并讲话。会议部署了有机产品认证工作。\n会议强调，食品是重要民生。\n",
    "b2018": "2018年全国蓝莓检测工作会议在京召开\n发布时间:2018-01-17\n1月16日,2018年全国蓝莓检测工作会议在京召开。"
             "国家认监委主任钱二青出席会议并讲话。国家认监委认证监督管理部负责同志参加会议。\n",
    "c2021": "关于推进有机产品认证的通知\n发布时间:2021-05-10\n国家认监委印发《有机产品认证推进方案》，"
             "在食品、养老领域推进有机产品认证。\n",
    "e2016": "1月12日,2016年全国蓝莓检测工作会议在京召开。国家认监委副主任孙三木出席会议并讲话。\n",
    "undated": "各地要推进绿色产品认证，服务物流行业。\n",
}


@pytest.fixture(scope="session")
def years_build(tmp_path_factory):
    """A build of YEARS_TEXTS (store and explorer page)."""
    from kg.pipeline import build

    corpus = tmp_path_factory.mktemp("years-corpus")
    for name, text in YEARS_TEXTS.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("years-build")
    build([corpus], out)
    return out


@pytest.fixture(scope="module")
def served_examples(examples_build):
    """(base URL, build folder) of ``ccakg serve`` over the example build on loopback, stopped after the module."""
    from kg.web.serve import running_server

    out, _ = examples_build
    with running_server(out / "store", timeout=30) as url:
        yield url, out


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


VIRTUOSO_ABSENT = ("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource; .ci/run installs it): "
                   "the Virtuoso tests are skipped")
VIRTUOSO_PASSWORD = "ccakg-test-Pw"


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A real Virtuoso on loopback: a throw-away database in a tmp folder, free ports, stopped at the end.

    Yields the :class:`kg.virtuoso.LocalServer` (``.server`` the SQL address with the dba password
    VIRTUOSO_PASSWORD, ``.sparql`` the endpoint) and the load folder it may read (DirsAllowed)."""
    import shutil

    from kg.virtuoso import SERVER_BINARY, local_server, stop_server

    if shutil.which(SERVER_BINARY) is None:
        skip_unless_ci(VIRTUOSO_ABSENT)
    load_dir = tmp_path_factory.mktemp("virtuoso-load")
    running = local_server(tmp_path_factory.mktemp("virtuoso-db"), [load_dir], password=VIRTUOSO_PASSWORD)
    try:
        yield running, load_dir
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def published_examples(virtuoso, examples_build):
    """The example build published to the test Virtuoso: (LocalServer, build folder, load folder)."""
    from kg.virtuoso import publish

    running, load_dir = virtuoso
    out, _ = examples_build
    publish(out, running.server, load_dir=load_dir)
    return running, out, load_dir


def sigint_default() -> None:
    """Popen preexec_fn: the child takes Ctrl-C as a user's process does, even when the tests run in a background
    job (a non-interactive shell starts those with SIGINT ignored, and children inherit that)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
