"""The build folder (kg/outdir.py) with real processes and real signals: one writer at a time, each build
put in force atomically, a folder left by a killed run recovers on the next command."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from click.testing import CliRunner

from kg.cli import cli
from kg.pipeline import build
from kg.query import run_query
from tests.conftest import child_pids

REPO = Path(__file__).resolve().parents[2]
TEXTS = {
    "one": "国家认监委副主任石牧原出席会议。",
    "two": "市场监管总局局长柯听澜出席会议并讲话。",
    "three": "中国合格评定国家认可委员会秘书长郁青禾主持会议。",
    "four": "国家认监委主任闻知远出席座谈会。",
}


def ccakg(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


def texts(tmp_path: Path, *names: str) -> list[Path]:
    folder = tmp_path / "texts"
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / f"{name}.txt").write_text(TEXTS[name], encoding="utf-8")
    return [folder / f"{name}.txt" for name in names]


def stored(out: Path) -> list[str]:
    """Doc ids in the store that ``OUT/store`` names."""
    store = ox.Store.read_only(str(out / "store"))
    return sorted(g.value.rsplit("/", 1)[-1] for g in store.named_graphs() if "/graph/doc/" in g.value)


def reported(out: Path) -> int:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))["texts_in_store"]


def in_trig(out: Path) -> list[str]:
    data = (out / "graph.trig").read_bytes()
    found = {q.graph_name.value.rsplit("/", 1)[-1] for q in ox.parse(data, format=ox.RdfFormat.TRIG)
             if isinstance(q.graph_name, ox.NamedNode) and "/graph/doc/" in q.graph_name.value}
    return sorted(found)


def leftovers(out: Path) -> list[str]:
    """Anything in OUT besides the build in force: other versions, staging and temp files."""
    versions = sorted(p.name for p in (out / "versions").iterdir()) if (out / "versions").is_dir() else []
    current = os.readlink(out / "current").split("/")[-1] if (out / "current").is_symlink() else None
    extra = [v for v in versions if v != current]
    extra += [p.name for p in out.iterdir() if ".tmp-" in p.name or ".old-" in p.name or ".link-" in p.name]
    return extra


def build_base(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    build(texts(tmp_path, "one"), out, html=False)
    return out


def add(path: Path, out: Path) -> None:
    """`ccakg add` in this process (the spaCy pipeline is loaded once): the next writer after a kill."""
    build([path], out, html=False, need_store=True)


def paused(point: str, tmp_path: Path, *args: str) -> tuple[subprocess.Popen, int]:
    """Start ``ccakg ARGS`` paused at ``point`` (kg.outdir._pause); wait until it is there; return it and its pid."""
    marker = tmp_path / f"paused-{point}"
    marker.unlink(missing_ok=True)
    proc = ccakg(*args, env={"CCAKG_TEST_PAUSE": f"{point}={marker}"})
    deadline = time.monotonic() + 120
    while not marker.exists() or not marker.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"ccakg never paused at {point!r} (exit {proc.returncode}): {err[-2000:]}")
        time.sleep(0.05)
    return proc, int(marker.read_text())


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


# -- one writer at a time -----------------------------------------------------------------------


def test_two_concurrent_adds_both_land(tmp_path: Path) -> None:
    """Two `ccakg add` into one folder at once: both exit 0 and the store holds both texts (none lost)."""
    out = build_base(tmp_path)
    two, three = texts(tmp_path, "two", "three")
    first = ccakg("add", str(two), "--out", str(out), "--quiet", "--no-html")
    second = ccakg("add", str(three), "--out", str(out), "--quiet", "--no-html")
    for proc in (first, second):
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert stored(out) == ["one", "three", "two"]
    assert in_trig(out) == ["one", "three", "two"]
    assert leftovers(out) == []


def test_a_second_writer_waits_then_fails_clearly_and_a_killed_writer_leaves_no_stale_lock(tmp_path: Path) -> None:
    out = build_base(tmp_path)
    two, three = texts(tmp_path, "two", "three")
    holder, pid = paused("before-switch", tmp_path, "add", str(two), "--out", str(out), "--quiet", "--no-html")
    try:
        started = time.monotonic()
        result = CliRunner().invoke(cli, ["add", str(three), "--out", str(out), "--quiet", "--no-html", "--wait", "1"])
        assert result.exit_code == 1
        assert time.monotonic() - started >= 1
        assert "being written by another ccakg process" in result.output and f"pid {pid}" in result.output
    finally:
        kill(holder)
    assert stored(out) == ["one"]   # the killed writer changed nothing
    build([three], out, html=False, need_store=True, wait=5)   # the dead writer's lock went with it
    assert stored(out) == in_trig(out) == ["one", "three"]
    assert leftovers(out) == []   # and its staging version is gone


# -- kill -9 at each step of a write ------------------------------------------------------------


@pytest.mark.parametrize("point, expected", [
    ("staged", ["one"]),          # store copied, texts being extracted
    ("before-switch", ["one"]),   # every output written, not yet in force
    ("after-switch", ["one", "two"]),   # in force, links and the old version not yet tidied
])
def test_kill_9_leaves_a_consistent_folder_that_recovers(tmp_path: Path, point: str, expected: list[str]) -> None:
    out = build_base(tmp_path)
    two, three = texts(tmp_path, "two", "three")
    proc, _ = paused(point, tmp_path, "add", str(two), "--out", str(out), "--quiet", "--no-html")
    kill(proc)
    # readers see one whole build: store, report and graph files agree
    assert stored(out) == in_trig(out) == expected and reported(out) == len(expected)
    assert run_query(out / "store", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[1][0][0] != "0"
    add(three, out)   # the next writer cleans up and builds on what is in force
    assert stored(out) == in_trig(out) == sorted(expected + ["three"])
    assert leftovers(out) == []


def test_a_folder_left_between_the_two_renames_of_the_old_swap_recovers(tmp_path: Path) -> None:
    """Older ccakg swapped with two renames; killed between them, OUT/store was gone and `add` refused."""
    out = build_base(tmp_path)
    version = (out / "current").resolve()
    for name in ("store", "graph.trig", "graph.ttl", "report.json", "current"):
        (out / name).unlink()
    (version / "store").rename(out / ".store.old-4242")
    for name in ("graph.trig", "graph.ttl", "report.json"):
        (version / name).rename(out / name)
    (out / ".store.tmp-4242").mkdir()   # a killed run's staging copy
    (out / ".store.tmp-4242" / "000001.sst").write_bytes(b"x" * 1000)
    (out / "versions").rename(tmp_path / "gone")
    add(texts(tmp_path, "two")[0], out)
    assert stored(out) == in_trig(out) == ["one", "two"]
    assert leftovers(out) == []


def test_an_old_layout_folder_is_taken_over(tmp_path: Path) -> None:
    """A folder built by older ccakg (real store/ and files) is moved into a version by the next build."""
    out = build_base(tmp_path)
    version = (out / "current").resolve()
    for name in ("store", "graph.trig", "graph.ttl", "report.json", "current"):
        (out / name).unlink()
        if (version / name).exists():
            (version / name).rename(out / name)
    (out / "versions").rename(tmp_path / "gone")
    add(texts(tmp_path, "two")[0], out)
    assert stored(out) == in_trig(out) == ["one", "two"]
    assert (out / "store").is_symlink() and leftovers(out) == []


def test_a_folder_that_is_not_a_build_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "store").mkdir(parents=True)
    (out / "store" / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(texts(tmp_path, "one")[0]), "--out", str(out), "--quiet"])
    assert result.exit_code == 1 and "is not an Oxigraph store" in result.output
    assert (out / "store" / "notes.txt").read_text(encoding="utf-8") == "mine"


# -- a worker killed under --workers 2 (issue 13, item 13) -------------------------------------------


def test_a_killed_extraction_worker_loses_no_text(tmp_path: Path) -> None:
    corpus = tmp_path / "many"
    corpus.mkdir()
    names = list(TEXTS)
    for i in range(40):
        (corpus / f"t{i:02d}.txt").write_text(TEXTS[names[i % 4]] * 20, encoding="utf-8")
    out = tmp_path / "out"
    proc = ccakg("build", str(corpus), "--out", str(out), "--workers", "2", "--no-html")
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        workers = [w for w in child_pids(proc.pid)]
        time.sleep(0.02)
    assert workers, "the build started no worker"
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "BrokenProcessPool" not in err
    assert "worker process died" in err   # said once, on stderr and in report.json
    assert len(stored(out)) == 40
