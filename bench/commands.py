"""Command benchmark: every command a user runs on a build, timed on a small and a large build.

    /work/main/.venv/bin/python bench/commands.py                 # 10 MB and 50 MB builds (~30 min)
    /work/main/.venv/bin/python bench/commands.py --sizes 1 5     # quicker
    /work/main/.venv/bin/python bench/commands.py --keep /tmp/cb  # keep (and reuse) the corpora and builds

For each command it prints the seconds on both builds, the large/small ratio (linear in the build is the
ratio of the sizes: 5 for 10 and 50 MB) and the time relative to `export --format nq` on the large build
(which reads every quad once). A command that runs past --timeout is stopped and shown as such.
Prints measured numbers only; asserts nothing. Needs ../shared/corpus (the texts copied to the sizes asked).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import MB, ROOT, run_build, write_corpus  # noqa: E402  (bench/build.py beside this file)

ENTITY = "国家认监委"     # an entity every text of the client corpus names: the worst case for why/viz


def commands(build: Path, scratch: Path) -> list[tuple[str, list[str]]]:
    """(label, argv after `python -m kg`) for every command worth timing on ``build``."""
    store = str(build / "store")
    runs = [(f"export {fmt}", ["export", str(build), "--format", fmt, "-o", str(scratch / f"export.{fmt}")])
            for fmt in ("nq", "ttl", "trig", "jsonld", "graphml", "gexf", "csv")]
    runs += [("validate", ["validate", str(build)]),
             ("lookup", ["lookup", "认监委", "--store", store]),
             ("why", ["why", ENTITY, "--store", store] + (["--limit", "50"] if _has_option("why", "--limit") else [])),
             ("viz --focus", ["viz", "--store", store, "--focus", ENTITY, "--hops", "1", "-o", str(scratch / "v.html")])]
    for name in saved_queries():
        params = ["--param", f"other={store}"] if name == "build-diff" else []
        runs.append((f"query --saved {name}", ["query", "--saved", name, "--store", store, "--format", "csv"] + params))
    return runs


def saved_queries() -> list[str]:
    return sorted(p.stem for p in (ROOT / "ontology" / "queries").glob("*.rq"))


def _has_option(command: str, option: str) -> bool:
    out = subprocess.run([sys.executable, "-m", "kg", command, "--help"], cwd=ROOT, capture_output=True, text=True)
    return option in out.stdout


def time_command(argv: list[str], timeout: float) -> tuple[float, str]:
    """Wall seconds of one command in a child process, and 'ok', 'exit N' or 'timeout'."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "kg", *argv], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, "timeout"
    status = "ok" if done.returncode == 0 else f"exit {done.returncode}"
    if done.returncode:
        print(f"    {' '.join(argv[:2])}: {done.stderr.decode('utf-8', 'replace').strip()[-300:]}", file=sys.stderr)
    return time.perf_counter() - started, status


def built(work: Path, size_mb: float) -> Path:
    """A build of a corpus of ``size_mb`` MB in ``work`` (reused when it is there from an earlier run)."""
    corpus, out = work / f"corpus-{size_mb:g}mb", work / f"build-{size_mb:g}mb"
    if (out / "report.json").is_file():
        print(f"reusing {out}")
        return out
    shutil.rmtree(corpus, ignore_errors=True)
    files, n_bytes = write_corpus(corpus, int(size_mb * MB))
    result = run_build(corpus, out, 1, work)
    print(f"built {size_mb:g} MB ({files:,} files, {n_bytes / MB:.1f} MB): {result['seconds']:.0f} s, "
          f"{result.get('quads', 0):,} quads", flush=True)
    if result["rc"]:
        sys.exit(f"bench: the {size_mb:g} MB build failed")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs=2, default=(10, 50), metavar=("SMALL_MB", "LARGE_MB"))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a command is stopped")
    parser.add_argument("--keep", type=Path, help="keep corpora and builds here (and reuse them next time)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ccakg-commands-"))
    work.mkdir(parents=True, exist_ok=True)
    small_mb, large_mb = args.sizes
    builds = {size: built(work, size) for size in (small_mb, large_mb)}
    times: dict[str, dict[float, tuple[float, str]]] = {}
    for size, build in builds.items():
        scratch = work / f"scratch-{size:g}"
        scratch.mkdir(exist_ok=True)
        for label, argv in commands(build, scratch):
            times.setdefault(label, {})[size] = time_command(argv, args.timeout)
            seconds, status = times[label][size]
            print(f"  {size:g} MB  {label:34} {seconds:8.1f} s  {status}", flush=True)
    report(times, small_mb, large_mb)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(times: dict, small_mb: float, large_mb: float) -> None:
    linear = large_mb / small_mb
    nq = times["export nq"][large_mb][0]
    print(f"\n== commands: {small_mb:g} MB and {large_mb:g} MB builds (linear ratio {linear:g}) " + "=" * 20)
    print(f"{'command':36} {f'{small_mb:g} MB':>9} {f'{large_mb:g} MB':>9} {'ratio':>7} {'/ export nq':>12}")
    for label, by_size in times.items():
        (small, s_status), (large, l_status) = by_size[small_mb], by_size[large_mb]
        flag = "" if s_status == l_status == "ok" else f"  ({s_status} / {l_status})"
        print(f"{label:36} {small:8.1f}s {large:8.1f}s {large / small:6.1f}x {large / nq:11.1f}x{flag}")


if __name__ == "__main__":
    sys.exit(main())
