"""Embedded Oxigraph against Virtuoso on one build: store size, publish time and the latency of every saved query.

    .venv/bin/python bench/virtuoso.py --mb 3            # a ~1M-quad build of copies of ../shared/corpus
    .venv/bin/python bench/virtuoso.py --build DIR       # an existing build

Starts its own Virtuoso (virtuoso-t, a throw-away database in a temp folder, free ports), publishes the build
with `kg.virtuoso.publish`, and runs each saved query (defaults; build-diff excluded) --rounds times on the
build folder (in process, the store opened once per query as `ccakg query` does) and on Virtuoso's endpoint
over HTTP; prints the median. docs/scaling.md quotes its output.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.build import write_corpus  # noqa: E402
from kg.endpoint import run_saved_endpoint  # noqa: E402
from extractors.errors import KGError  # noqa: E402
from kg.counts import texts as list_texts  # noqa: E402
from kg.query import run_limited  # noqa: E402
from kg.saved import list_saved, run_saved  # noqa: E402
from kg.store import OxigraphStore  # noqa: E402
from kg.virtuoso import local_server, publish, stop_server  # noqa: E402


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def timed(function, rounds: int) -> tuple[str, str]:
    """(median seconds of ``rounds`` runs, or what stopped it; rows). A run over 10 s is not repeated."""
    times, rows = [], "?"
    for _ in range(rounds):
        started = time.perf_counter()
        try:
            rows = str(len(function()[1]))
        except KGError as exc:
            return ("timeout" if "time" in str(exc) else f"error: {str(exc)[:40]}"), rows
        times.append(time.perf_counter() - started)
        if times[-1] > 10:
            break
    return f"{statistics.median(times):.2f}", rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, help="an existing build folder")
    parser.add_argument("--mb", type=float, default=3.0, help="corpus size to build when --build is not given")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-mb", type=int, default=1000, help="Virtuoso's buffer pool")
    parser.add_argument("--limit", type=int, default=300, help="seconds a query may run on either engine")
    parser.add_argument("--skip-publish-twice", action="store_true", help="publish once only")
    parser.add_argument("--queries", help="comma-separated saved queries to time (default: all)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ccakg-bench-virtuoso-"))
    build = args.build
    if build is None:
        from kg.pipeline import build as run_build

        files, size = write_corpus(work / "corpus", int(args.mb * 1e6))
        build = work / "build"
        started = time.perf_counter()
        run_build([work / "corpus"], build, workers=2, html=False)
        print(f"build: {files} texts, {size / 1e6:.1f} MB, {time.perf_counter() - started:.0f} s")
    with OxigraphStore.open_read_only(build / "store") as store:
        quads, texts = len(store), len(list_texts(store))
    oxigraph_bytes = folder_bytes((build / "store").resolve())
    print(f"quads: {quads} in {texts} texts ({quads / max(texts, 1):.0f} per text)")
    print(f"Oxigraph store: {oxigraph_bytes / 1e6:.0f} MB ({oxigraph_bytes / quads * 1e6 / 1e6:.0f} MB per million quads)")
    load_dir = work / "load"
    load_dir.mkdir()
    running = local_server(work / "virtuoso", [load_dir], memory_mb=args.memory_mb, query_seconds=args.limit)
    try:
        before = folder_bytes(work / "virtuoso")
        done = publish(build, running.server, load_dir=load_dir)
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in done.seconds.items())
        print(f"publish: {done.quads} quads, {steps}")
        grown = folder_bytes(work / "virtuoso") - before
        print(f"Virtuoso database grew {grown / 1e6:.0f} MB ({grown / quads * 1e6 / 1e6:.0f} MB per million quads)")
        if not args.skip_publish_twice:
            again = publish(build, running.server, load_dir=load_dir)
            print("republish: " + ", ".join(f"{k} {v:.1f} s" for k, v in again.seconds.items()))
        print(f"\n{'saved query':26} {'rows':>6} {'Oxigraph s':>11} {'Virtuoso s':>11}")
        for saved in list_saved():
            if saved.runner != "sparql" or (args.queries and saved.name not in args.queries.split(",")):
                continue
            local, rows = timed(lambda: run_limited(run_saved, saved, build / "store", {}, "turtle",
                                                    timeout=args.limit), args.rounds)
            remote, _ = timed(lambda: run_saved_endpoint(saved, running.sparql, timeout=args.limit), args.rounds)
            print(f"{saved.name:26} {rows:>6} {local:>11} {remote:>11}")
    finally:
        stop_server(running)
        shutil.rmtree(work / "virtuoso", ignore_errors=True)
        shutil.rmtree(load_dir, ignore_errors=True)
    if args.build is None:
        print(f"\nthe build is kept in {build} (run again with --build {build}; remove {work} when done)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
