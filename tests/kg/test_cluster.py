"""Extraction on a real Dask cluster (a LocalCluster of worker processes): the same quads as a local build,
a worker killed mid-build costs a retry, a broken file is reported as a local build reports it, and a bad
scheduler gives a clear error. Dask is in the test extra; without it these tests are skipped (failed under CI=true).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import EXAMPLES, skip_unless_ci

runner = CliRunner()
pytestmark = pytest.mark.timeout(300)   # a guard, not a measure: a cluster that hung would hold CI for its 90 minutes
DASK_ABSENT = "Dask is not installed (pip install 'ccakg[dask]'): the --scheduler tests are skipped"


def require_dask():
    """The ``distributed`` package; skip without it, except under CI=true, where its absence is a failure."""
    try:
        import distributed
    except ImportError:
        skip_unless_ci(DASK_ABSENT)
    return distributed


def quads(out) -> set:
    return set(ox.Store.read_only(str(out / "store")))


def skipped_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("ccakg: skipped")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The example corpus and two files that cannot be extracted: a binary .txt and a .pdf that is not one."""
    folder = tmp_path_factory.mktemp("dask") / "corpus"
    shutil.copytree(EXAMPLES, folder)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is no PDF")
    return folder


@pytest.fixture(scope="module")
def builds(corpus):
    """(local build, its CLI result), (build on `--scheduler local:2`, its CLI result)."""
    require_dask()
    root = corpus.parent
    local = runner.invoke(cli, ["build", str(corpus), "--out", str(root / "local"), "--no-html"])
    dask = runner.invoke(cli, ["build", str(corpus), "--out", str(root / "dask"), "--no-html",
                               "--scheduler", "local:2"])
    return (root / "local", local), (root / "dask", dask)


def test_a_local_cluster_of_two_workers_gives_the_same_quads_as_a_local_build(builds):
    (local, local_result), (dask, dask_result) = builds
    assert local_result.exit_code == 0 and dask_result.exit_code == 0, dask_result.output
    assert quads(dask) == quads(local) and len(quads(local)) > 1000
    assert (dask / "graph.trig").read_bytes() == (local / "graph.trig").read_bytes()


def test_a_broken_file_is_skipped_and_reported_as_in_a_local_build(builds):
    (local, local_result), (dask, dask_result) = builds
    assert len(skipped_lines(dask_result.stderr)) == 2
    assert skipped_lines(dask_result.stderr) == skipped_lines(local_result.stderr)
    assert "broken.pdf" in dask_result.stderr and "broken.txt" in dask_result.stderr
    assert "2 files skipped" in dask_result.stderr


def test_the_scheduler_and_its_dashboard_are_named_on_stderr(builds):
    _, (_, dask_result) = builds
    line = next(line for line in dask_result.stderr.splitlines() if "Dask scheduler" in line)
    assert "2 workers" in line and "dashboard http://" in line
    assert "extracting: 7/7 texts" in dask_result.stderr   # the progress, driven by the finished tasks


def test_add_takes_the_scheduler_too_and_quiet_prints_nothing(builds, tmp_path):
    _, (dask, _) = builds
    extra = tmp_path / "extra.txt"
    extra.write_text("国家认监委副主任陈立新主持召开座谈会。", encoding="utf-8")
    result = runner.invoke(cli, ["add", str(extra), "--out", str(dask), "--no-html", "--quiet",
                                 "--scheduler", "local:1"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    graphs = {g.value for g in ox.Store.read_only(str(dask / "store")).named_graphs()}
    assert any(g.endswith("/extra") for g in graphs)


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 worker processes started here (so the workers' pids are known) and a client of it;
    builds reach it by its tcp:// address, as a remote cluster."""
    distributed = require_dask()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local, \
            distributed.Client(local, set_as_default=False) as client:
        yield local.scheduler_address, client


def test_a_worker_killed_mid_task_costs_a_retry_not_the_build(cluster, tmp_path):
    """The client ships the files' contents. Once the first results are in, a busy worker process is killed."""
    from kg.cluster import Scheduler
    from kg.pipeline import build

    address, client = cluster
    corpus = tmp_path / "corpus"
    for copy in range(8):
        shutil.copytree(EXAMPLES, corpus / f"copy{copy}")
    local = build([corpus], tmp_path / "local", html=False)
    killed: list[int] = []

    def kill_a_busy_worker(done: int, total: int, path: str) -> None:
        if not killed:
            busy = [worker for worker, keys in client.processing().items() if keys]
            pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    scheduler = Scheduler.parse(address)
    report = build([corpus], tmp_path / "dask", html=False, scheduler=scheduler, progress=kill_a_busy_worker)
    assert scheduler.ship and killed
    assert not report.skipped and len(report.documents) == len(local.documents) == 40
    assert any("a Dask worker" in w and "died while it ran" in w for w in report.warnings), report.warnings
    assert quads(tmp_path / "dask") == quads(tmp_path / "local")


def test_a_shared_corpus_goes_to_the_workers_as_absolute_paths(cluster, builds, corpus, tmp_path, monkeypatch):
    from extractors.errors import KGError
    from kg.cluster import Scheduler
    from kg.pipeline import build

    address, _ = cluster
    (local, _), _ = builds
    shared = Scheduler.parse(address, shared_corpus=True)
    report = build([corpus], tmp_path / "shared", html=False, scheduler=shared)
    assert not shared.ship and len(report.skipped) == 2
    assert quads(tmp_path / "shared") == quads(local)
    monkeypatch.chdir(corpus.parent)
    with pytest.raises(KGError, match="--shared-corpus: corpus/.* is a relative path"):
        build([corpus.name], tmp_path / "relative", html=False, scheduler=shared)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_scheduler_that_does_not_answer_is_a_clear_error(tmp_path, monkeypatch):
    require_dask()
    monkeypatch.setattr("kg.cluster.CONNECT_TIMEOUT", 2)
    address = f"tcp://127.0.0.1:{free_port()}"
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(EXAMPLES), "--out", str(out), "--scheduler", address])
    assert result.exit_code == 1
    assert f"--scheduler {address}: cannot reach a Dask scheduler there" in result.stderr
    assert not (out / "store").exists()


@pytest.mark.parametrize("spec", ["local:0", "local:two", "nowhere", "http://host:8786"])
def test_a_malformed_scheduler_is_named(tmp_path, spec):
    result = runner.invoke(cli, ["build", str(EXAMPLES), "--out", str(tmp_path / "out"), "--scheduler", spec])
    assert result.exit_code == 1
    assert f"--scheduler {spec!r}: expected local, local:N" in result.stderr


def test_workers_and_a_scheduler_do_not_go_together(tmp_path):
    result = runner.invoke(cli, ["build", str(EXAMPLES), "--out", str(tmp_path / "out"), "--workers", "2",
                                 "--scheduler", "local:2"])
    assert result.exit_code == 2 and "--workers and --scheduler: give one" in result.stderr


def test_without_dask_the_scheduler_option_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)   # what `import distributed` meets when it is absent
    result = runner.invoke(cli, ["build", str(EXAMPLES), "--out", str(tmp_path / "out"), "--scheduler", "local:1"])
    assert result.exit_code == 1
    assert "--scheduler needs Dask" in result.stderr and "pip install 'ccakg[dask]'" in result.stderr


def test_the_workers_follow_the_builds_registry(builds, tmp_path):
    """A merge recorded in a registry (`ccakg registry merge`) reaches the workers: a text that names only the
    merged entity gets the kept IRI, as in a local build (tests/kg/test_registry_tools.py)."""
    (local, _), _ = builds
    keep, other = "消费品", "一般消费品"      # two sectors of the example texts
    merged = tmp_path / "merged"
    shutil.copytree(local, merged, symlinks=True)
    assert runner.invoke(cli, ["registry", "merge", str(merged), keep, other]).exit_code == 0
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "only.txt").write_text(f"市场监管总局推进{other}质量认证工作。", encoding="utf-8")
    out = tmp_path / "only"
    result = runner.invoke(cli, ["build", str(corpus), "--out", str(out), "--quiet", "--no-html",
                                 "--scheduler", "local:1", "--registry", str(merged / "registry.tsv")])
    assert result.exit_code == 0, result.output
    kept = iri_named(merged, keep)
    assert kept and iri_named(out, other) == kept


def iri_named(out, name: str) -> str:
    result = runner.invoke(cli, ["lookup", str(out), name, "--format", "json"])
    return next(f["iri"] for f in json.loads(result.stdout) if f["match"] == "exact name")
