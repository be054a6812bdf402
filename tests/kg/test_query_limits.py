"""`ccakg query` stops a runaway query: --timeout, and Ctrl-C (a real SIGINT to a real process) (issue 13, item 7)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import child_pids, sigint_default

REPO = Path(__file__).resolve().parents[2]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"   # ~10^11 rows on the examples


@pytest.fixture(scope="module")
def store(examples_build) -> Path:
    return examples_build[0] / "store"


def test_query_timeout_stops_a_runaway_query(store: Path) -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "kg", "query", RUNAWAY, "--store", str(store), "--timeout", "2"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "ran longer than --timeout 2 s" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 60


def test_query_ctrl_c_stops_a_runaway_query_and_its_worker(store: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "kg", "query", RUNAWAY, "--store", str(store), "--timeout", "0"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=sigint_default)
    deadline = time.monotonic() + 60
    while not child_pids(proc.pid) and time.monotonic() < deadline:   # the query runs in a child process
        time.sleep(0.1)
    workers = child_pids(proc.pid)
    assert workers, "no query worker started"
    time.sleep(1)
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert not [w for w in workers if Path(f"/proc/{w}").exists()
                and "Z" not in (Path(f"/proc/{w}") / "stat").read_text().rsplit(")", 1)[1].split()[0]]


def test_ctrl_c_just_after_the_fork_still_kills_the_query_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real SIGINT that lands while the query process is being started (the test places it there)."""
    from multiprocessing.context import ForkProcess

    from kg.query import run_limited

    start = ForkProcess.start

    def start_then_ctrl_c(process: ForkProcess) -> None:
        start(process)
        signal.raise_signal(signal.SIGINT)   # handled before start() returns to run_limited

    monkeypatch.setattr(ForkProcess, "start", start_then_ctrl_c)
    before = set(child_pids(os.getpid()))
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)   # as in a foreground process
    try:
        with pytest.raises(KeyboardInterrupt):
            run_limited(time.sleep, 60, timeout=0)
    finally:
        signal.signal(signal.SIGINT, ignored)
        left = [pid for pid in set(child_pids(os.getpid())) - before
                if "Z" not in (Path(f"/proc/{pid}") / "stat").read_text().rsplit(")", 1)[1].split()[0]]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert not left, "the query process outlived the Ctrl-C"


def test_query_fast_query_and_errors_unchanged(store: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--store", str(store),
                                      "--format", "csv"])
    assert result.exit_code == 0 and result.output.startswith("\ufeffn\n")
    result = CliRunner().invoke(cli, ["query", "SELEC nothing", "--store", str(store)])
    assert result.exit_code == 1 and "malformed SPARQL" in result.output
