"""Load benchmark of `ccakg serve`: many clients for a while, with a few runaway queries mixed in.

    .venv/bin/python bench/load.py                       # 50 clients, 30 s, a runaway query every 5 s
    .venv/bin/python bench/load.py --clients 10 --seconds 10 --runaway-every 3

Builds a store from the bundled example corpus (each text copied --copies times under another name), starts
`python -m kg serve` on a free loopback port as a real process, and runs the clients as threads on this
machine. Every request goes to 127.0.0.1 only and the run stops by itself. Prints the requests, their
statuses, p50/p95/p99 latency of the ordinary queries, what became of the runaway queries, and the peak
memory (RSS) of the server with its workers, sampled every 0.2 s. Never asserts a timing.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.namespaces import SPARQL_PREFIXES  # noqa: E402
from kg.web.serve import _free_port  # noqa: E402

ORDINARY = [
    "SELECT DISTINCT ?person ?role ?org WHERE { ?m a org:Membership ; org:member/skos:prefLabel ?person ; "
    "org:role/skos:prefLabel ?role ; org:organization/skos:prefLabel ?org } LIMIT 50",
    "SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?type } GROUP BY ?type",
    "SELECT DISTINCT ?e ?name WHERE { ?e skos:prefLabel ?name . FILTER(CONTAINS(STR(?name), \"认证\")) } LIMIT 20",
    "ASK { ?s a kgo:Agency }",
]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def build_store(work: Path, copies: int) -> Path:
    from kg.pipeline import build

    corpus = work / "corpus"
    corpus.mkdir()
    for path in sorted((ROOT / "examples" / "corpus").iterdir()):
        for i in range(copies):
            shutil.copy(path, corpus / f"{path.stem}-{i}{path.suffix}")
    build([corpus], work / "out", html=False)
    return work / "out" / "store"


def start_server(store: Path, port: int, timeout: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port),
                                "--timeout", str(timeout), "--workers", str(workers)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        if "Ctrl-C" in line:
            return process
    raise SystemExit("the server did not start")


def tree_rss(pid: int) -> int:
    """Resident memory of a process and its children, in bytes (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


def ask(base: str, query: str) -> tuple[int, float]:
    url = base + "/query?" + urllib.parse.urlencode({"query": SPARQL_PREFIXES + query})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}),
                                    timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, time.monotonic() - started


def run(base: str, clients: int, seconds: float, runaway_every: float) -> tuple[list, list]:
    ordinary, runaway = [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            result = ask(base, rng.choice(ORDINARY))
            with lock:
                ordinary.append(result)

    def runaways() -> None:
        while time.monotonic() + runaway_every < stop_at:
            time.sleep(runaway_every)
            result = ask(base, RUNAWAY)
            with lock:
                runaway.append(result)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    threads.append(threading.Thread(target=runaways))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ordinary, runaway


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else (values or [0.0])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--runaway-every", type=float, default=5, help="seconds between runaway queries")
    parser.add_argument("--timeout", type=int, default=5, help="the server's --timeout")
    parser.add_argument("--workers", type=int, default=2, help="the server's --workers")
    parser.add_argument("--copies", type=int, default=3, help="copies of each example text in the store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ccakg-load-") as tmp:
        store = build_store(Path(tmp), args.copies)
        port = _free_port("127.0.0.1")
        server = start_server(store, port, args.timeout, args.workers)
        peak, sampling = [tree_rss(server.pid)], True
        start_rss = peak[0]

        def sample() -> None:
            while sampling:
                peak[0] = max(peak[0], tree_rss(server.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            ordinary, runaway = run(f"http://127.0.0.1:{port}", args.clients, args.seconds, args.runaway_every)
        finally:
            sampling = False
            sampler.join()
            server.terminate()
            server.wait(30)
    report(args, ordinary, runaway, start_rss, peak[0])


def report(args, ordinary: list, runaway: list, start_rss: int, peak_rss: int) -> None:
    statuses = Counter(status for status, _ in ordinary)
    fine = sorted(took for status, took in ordinary if status == 200)
    print(f"clients {args.clients}, {args.seconds:g} s, server --timeout {args.timeout} --workers {args.workers}")
    print(f"ordinary queries: {len(ordinary)} ({len(ordinary) / args.seconds:.0f}/s), statuses "
          + ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items())))
    print(f"errors (not 200): {len(ordinary) - len(fine)}")
    if fine:
        print(f"latency of answered queries: p50 {percentile(fine, 50) * 1000:.0f} ms, "
              f"p95 {percentile(fine, 95) * 1000:.0f} ms, p99 {percentile(fine, 99) * 1000:.0f} ms")
    print("runaway queries: " + (", ".join(f"{status} after {took:.1f} s" for status, took in runaway) or "none"))
    print(f"server memory (RSS, gateway + workers): {start_rss / 2**20:.0f} MiB at start, "
          f"peak {peak_rss / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
