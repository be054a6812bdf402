"""Command benchmark: every command a user runs on a build, timed on a small and a large build.

    /work/main/.venv/bin/python bench/commands.py                 # 10 MB and 50 MB builds (~1.5 h)
    /work/main/.venv/bin/python bench/commands.py --sizes 1 5     # quicker
    /work/main/.venv/bin/python bench/commands.py --keep /tmp/cb  # keep (and reuse) the corpora and builds
    /work/main/.venv/bin/python bench/commands.py --keep /tmp/cb --only validate 'query --saved'   # some again

For each command it prints the seconds on both builds, the large/small ratio (linear in the build is the
ratio of the sizes: 5 for 10 and 50 MB) and the time relative to `export --format nq` on the large build
(which reads every quad once), in CPU seconds (user + sys: steadier than wall time on a shared
machine), with the wall-time ratio beside. A command that runs past --timeout is stopped and shown as such.
Prints measured numbers only; asserts nothing. Needs ../shared/corpus (the texts copied to the sizes asked).
"""
from __future__ import annotations

import argparse
import resource
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
        runs.append((f"query --saved {name}", ["query", "--saved", name, "--store", store, "--format", "csv",
                                                "--timeout", "0"] + params))   # the bench's --timeout stops it
    return runs


def saved_queries() -> list[str]:
    return sorted(p.stem for p in (ROOT / "ontology" / "queries").glob("*.rq"))


def _has_option(command: str, option: str) -> bool:
    out = subprocess.run([sys.executable, "-m", "kg", command, "--help"], cwd=ROOT, capture_output=True, text=True)
    return option in out.stdout


def time_command(argv: list[str], timeout: float) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + sys) of one command in a child process, and 'ok', 'exit N' or 'timeout'.

    CPU time is the steadier number on a shared machine: wall time also counts waiting for a core.
    """
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kg", *argv], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return time.perf_counter() - started, float("nan"), "timeout"
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - _cpu_before(usage)
    status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
    if proc.returncode:
        print(f"    {' '.join(argv[:2])}: {err.decode('utf-8', 'replace').strip()[-300:]}", file=sys.stderr)
    return wall, cpu, status


_CPU_SEEN = [0.0]


def _cpu_before(usage) -> float:
    """Children's CPU seconds counted so far (RUSAGE_CHILDREN only grows); remembers the new total."""
    before, _CPU_SEEN[0] = _CPU_SEEN[0], usage.ru_utime + usage.ru_stime
    return before


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
    parser.add_argument("--only", nargs="+", metavar="LABEL",
                        help="time only the commands whose label starts with one of these (e.g. validate 'query --saved')")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ccakg-commands-"))
    work.mkdir(parents=True, exist_ok=True)
    small_mb, large_mb = args.sizes
    builds = {size: built(work, size) for size in (small_mb, large_mb)}
    times: dict[str, dict[float, tuple[float, float, str]]] = {}
    _cpu_before(resource.getrusage(resource.RUSAGE_CHILDREN))   # the builds' CPU is not a command's
    for size, build in builds.items():
        scratch = work / f"scratch-{size:g}"
        scratch.mkdir(exist_ok=True)
        for label, argv in commands(build, scratch):
            if args.only and label != "export nq" and not label.startswith(tuple(args.only)):
                continue   # export nq is always timed: the other times are read against it
            times.setdefault(label, {})[size] = time_command(argv, args.timeout)
            seconds, cpu, status = times[label][size]
            print(f"  {size:g} MB  {label:34} {seconds:8.1f} s wall {cpu:8.1f} s CPU  {status}", flush=True)
    report(times, small_mb, large_mb)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(times: dict, small_mb: float, large_mb: float) -> None:
    linear = large_mb / small_mb
    nq_wall, nq_cpu, _ = times["export nq"][large_mb]
    print(f"\n== commands: {small_mb:g} MB and {large_mb:g} MB builds (linear ratio {linear:g}) " + "=" * 20)
    print(f"{'command':36} {f'CPU {small_mb:g} MB':>11} {f'CPU {large_mb:g} MB':>11} {'ratio':>7} "
          f"{'/ export nq':>12} {'wall ratio':>11}")
    for label, by_size in times.items():
        (s_wall, s_cpu, s_status), (l_wall, l_cpu, l_status) = by_size[small_mb], by_size[large_mb]
        flag = "" if s_status == l_status == "ok" else f"  ({s_status} / {l_status})"
        print(f"{label:36} {s_cpu:10.1f}s {l_cpu:10.1f}s {l_cpu / s_cpu:6.1f}x {l_cpu / nq_cpu:11.1f}x "
              f"{l_wall / s_wall:10.1f}x{flag}")


if __name__ == "__main__":
    sys.exit(main())
