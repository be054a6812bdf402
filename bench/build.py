"""Build benchmark: extraction speed vs stock spaCy, end-to-end build throughput and memory, workers, Dask.

    /work/main/.venv/bin/python bench/build.py            # full: 2 MB extraction, 10 MB and 50 MB builds
    /work/main/.venv/bin/python bench/build.py --quick    # smoke test: 0.5 MB extraction, 1 MB and 3 MB builds

Prints measured numbers and ratios; never asserts a timing. See bench/README.md for what each number means.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]                    # the ccakg checkout
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

MB = 1_000_000   # bytes; corpus sizes are UTF-8 bytes on disk

try:
    import psutil
except ImportError:  # the exact per-build peak (wait4) does not need it; only the tree sum does
    psutil = None


# -- helpers ----------------------------------------------------------------------------------------

def corpus_files() -> list[Path]:
    files = sorted(CORPUS.glob("*.txt"))
    if not files:
        sys.exit(f"bench: no .txt files in {CORPUS}")
    return files


def human_mb(n_bytes: float) -> str:
    return f"{n_bytes / MB:.2f} MB"


def rule(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 76 - len(title)), flush=True)


# -- (a) extraction alone ---------------------------------------------------------------------------

def stock_pipeline():
    """spacy.blank("zh") (its default character segmenter) + an EntityRuler with one phrase pattern per
    strong alias of ccakg's lexicon (label = the type of the alias's first entry)."""
    import spacy

    from extractors.dictionary import default_lexicon

    lexicon = default_lexicon()
    nlp = spacy.blank("zh")
    ruler = nlp.add_pipe("entity_ruler")
    patterns = [{"label": lexicon.entries[ids[0]].type, "pattern": form}
                for form, ids in lexicon.strong.items() if ids]
    ruler.add_patterns(patterns)
    return nlp, len(patterns)


def extraction_texts(target_bytes: int) -> tuple[list[str], list[str]]:
    """The corpus texts normalised, repeated until ``target_bytes`` UTF-8 bytes; one text per document."""
    from kg.documents import read_document
    from kg.normalize import normalize

    base = [normalize(read_document(p).raw_text).text for p in corpus_files()]
    texts, size = [], 0
    while size < target_bytes:
        for text in base:
            texts.append(text)
            size += len(text.encode("utf-8"))
    raw = [read_document(p) for p in corpus_files()]
    return texts, raw


def bench_normalize(rounds: int) -> float:
    """kg.normalize.normalize over the corpus joined and repeated to ~1 M chars: chars per second, best round.

    Was a unit test with a 1 M chars/s bound (about 3 M on a 2-core box); a loaded machine failed it.
    """
    from kg.normalize import normalize

    raw = "\n".join(p.read_text(encoding="utf-8") for p in corpus_files())
    big = raw * (1_000_000 // len(raw) + 1)
    best = min(_timed(normalize, big) for _ in range(rounds))
    return len(big) / best


def _timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def time_pipeline(nlp, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        nlp(text)
    return time.perf_counter() - started


def bench_extraction(target_bytes: int, rounds: int) -> dict:
    from kg.nlp import make_nlp
    from kg.pipeline import extract, serialise

    texts, documents = extraction_texts(target_bytes)
    chars = sum(map(len, texts))
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    lengths = sorted(map(len, texts))
    print(f"texts: {len(texts)} documents (the {len(documents)} corpus texts, normalised, repeated), "
          f"{chars:,} chars, {human_mb(n_bytes)}; document length {lengths[0]:,}-{lengths[-1]:,} chars "
          f"(median {lengths[len(lengths) // 2]:,})")
    print("each pipeline is called once per document (nlp(text)); one long document would be unfair to the")
    print("stock zh tokenizer, which slows down on long texts (STACK.md: ~0.1 M chars/s on 500k chars).")

    built = time.perf_counter()
    ours = make_nlp()
    ours_build = time.perf_counter() - built
    built = time.perf_counter()
    stock, n_patterns = stock_pipeline()
    stock_build = time.perf_counter() - built
    print(f"ccakg pipeline: {ours.pipe_names} + clause tokenizer (built in {ours_build:.2f} s)")
    print(f"stock pipeline: spacy.blank('zh') + entity_ruler with {n_patterns:,} phrase patterns "
          f"(built in {stock_build:.2f} s)")

    # What each produces on one pass over the base texts (not timed).
    base = texts[:len(documents)]
    stock_ents = sum(len(stock(t).ents) for t in base)
    dict_hits = rule_hits = ents = rels = 0
    for text in base:
        doc = ours(text)
        dict_hits += len(doc._.kg_dictionary_hits)
        rule_hits += len(doc._.kg_rule_hits)
        ents += len(doc._.kg_context.entities)
        rels += len(doc._.kg_context.relations)
    print(f"output over the {len(base)} corpus texts: stock {stock_ents} entity spans; ccakg {dict_hits} dictionary "
          f"hits + {rule_hits} rule hits -> {ents} entity mentions + {rels} relations")

    # Warm up both (lazy tables, caches), then alternate rounds; keep the best round of each.
    time_pipeline(ours, texts[:20])
    time_pipeline(stock, texts[:20])
    ours_times, stock_times = [], []
    for i in range(rounds):
        ours_times.append(time_pipeline(ours, texts))
        stock_times.append(time_pipeline(stock, texts))
        print(f"  round {i + 1}: ccakg {chars / ours_times[-1] / 1e6:5.2f} M chars/s   "
              f"stock {chars / stock_times[-1] / 1e6:5.2f} M chars/s   "
              f"ratio {stock_times[-1] / ours_times[-1]:.2f}x", flush=True)
    ours_cps, stock_cps = chars / min(ours_times), chars / min(stock_times)

    # Where the time goes: the same pipeline without its relation step (tokenizer, dictionary, rules).
    with ours.select_pipes(disable=["kg_relations"]):
        matching_cps = chars / min(time_pipeline(ours, texts) for _ in range(rounds))

    # The floor: only the mechanical work of this rule set, with no logic at all: the clause Doc, the
    # Aho-Corasick scan, every rule's regex over its windows and one Doc re-cut at the final entity edges.
    floor_cps = chars / min(floor_seconds(ours, texts, base) for _ in range(rounds))

    # For context: the whole per-document extraction ccakg does in a build (normalise + nlp + mentions
    # + RDF quads), on the raw documents repeated the same number of times.
    reps = len(texts) // len(documents)
    raw_chars = sum(len(d.raw_text) for d in documents) * reps
    started = time.perf_counter()
    trig_bytes = 0
    for _ in range(reps):
        for document in documents:
            _, _, trig, _ = serialise(extract(document))   # what a fresh build's worker does with a text
            trig_bytes += len(trig)
    full_seconds = time.perf_counter() - started
    full_cps = raw_chars / full_seconds

    print(f"ccakg pipeline (best of {rounds}): {ours_cps / 1e6:.2f} M chars/s")
    print(f"stock pipeline (best of {rounds}): {stock_cps / 1e6:.2f} M chars/s")
    print(f"ratio ccakg / stock: {ours_cps / stock_cps:.2f}x  (no target: issue 15 judges the whole build, part (b))")
    print(f"ccakg without kg_relations (tokenizer + dictionary + rules only): {matching_cps / 1e6:.2f} M chars/s, "
          f"{matching_cps / stock_cps:.2f}x stock")
    print(f"floor of the same work with no logic (clause Doc + dictionary scan + every rule regex + re-cut Doc): "
          f"{floor_cps / 1e6:.2f} M chars/s, {floor_cps / stock_cps:.2f}x stock")
    print(f"ccakg full per-document extraction (normalise + pipeline + mentions + TriG and Turtle of the text's "
          f"graph, entity N-Quads): {full_cps / 1e6:.2f} M chars/s, {trig_bytes / MB:.1f} MB of TriG")
    return {"docs": len(texts), "chars": chars, "bytes": n_bytes, "ours_cps": ours_cps, "stock_cps": stock_cps,
            "ratio": ours_cps / stock_cps, "full_cps": full_cps, "matching_cps": matching_cps, "floor_cps": floor_cps}


def floor_seconds(ours, texts: list[str], base: list[str]) -> float:
    """Seconds for the work any implementation of ccakg's rules on spaCy Docs must do, without its logic."""
    from extractors.components import ClauseTokenizer, segment
    from extractors.dictionary import DictionaryMatcher, default_lexicon
    from extractors.rules import default_rules, windows

    tokenizer, rules = ClauseTokenizer(ours.vocab), default_rules()
    automaton = DictionaryMatcher(default_lexicon()).automaton
    entities = {text: ours(text)._.kg_context.entities for text in base}
    started = time.perf_counter()
    for text in texts:
        doc = tokenizer(text)
        for _ in automaton.iter(text):
            pass
        for rule_ in rules:
            for low, high in windows(rule_, text):
                for _ in rule_.regex.finditer(text, low, high):
                    pass
        segment(doc, entities[text])
    return time.perf_counter() - started


# -- (b), (c) end-to-end builds --------------------------------------------------------------------

def write_corpus(folder: Path, target_bytes: int) -> tuple[int, int]:
    """Copy the corpus files under new names (one file per copy) until ``target_bytes``; files, bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [(p.stem, p.read_bytes()) for p in corpus_files()]
    n_files = n_bytes = copy = 0
    while n_bytes < target_bytes:
        for stem, data in sources:
            # A new name is a new document (doc id = file stem), with its own named graph.
            (folder / f"c{copy:05d}_{stem}.txt").write_bytes(data)
            n_files += 1
            n_bytes += len(data)
        copy += 1
    return n_files, n_bytes


def tree_rss(proc) -> int:
    """RSS of a process and all its descendants, summed (shared pages of forked workers count twice)."""
    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_build(corpus: Path, out: Path, workers: int, log_dir: Path, scheduler: str | None = None) -> dict:
    """Run `python -m kg build` in a child process; wall time, exact peak RSS (wait4) and sampled tree RSS.

    ``scheduler``: extract on Dask (`--scheduler local:2` starts its cluster inside the child, so its wall
    time counts the cluster's start and stop) instead of ``workers`` processes.
    """
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(out), "--quiet", "--no-html",
           *(["--scheduler", scheduler] if scheduler else ["--workers", str(workers)])]
    stdout = open(log_dir / f"{out.name}.out", "wb")
    stderr = open(log_dir / f"{out.name}.err", "wb")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=stdout, stderr=stderr)
    watched = psutil.Process(proc.pid) if psutil else None
    samples: list[tuple[float, int]] = []   # (seconds since start, RSS of the build's process tree)
    while True:
        # wait4 on this one pid: its rusage covers the child and every descendant it reaped (the
        # extraction workers), so ru_maxrss is the peak of the largest single process of this build only.
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if watched is not None:
            samples.append((time.perf_counter() - started, tree_rss(watched)))
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout.close()
    stderr.close()
    result = {"workers": workers, "seconds": seconds, "rc": proc.returncode, "load_before": load_before,
              "load_after": os.getloadavg()[0], "cpu": usage.ru_utime + usage.ru_stime,
              "peak_rss": usage.ru_maxrss * 1024, "tree_peak": max((r for _, r in samples), default=0)}
    report_path = out / "report.json"
    if proc.returncode == 0 and report_path.is_file():
        report = json.loads(report_path.read_text(encoding="utf-8"))
        timings = report["timings_seconds"]
        result.update(quads=report["quads_in_store"], docs=report["documents_read"],
                      chars=sum(d["chars"] for d in report["documents"]) or 1,
                      skipped=report["documents_skipped"], timings=timings)
        # Split the sampled RSS at the end of extraction+loading: report.json says how long the build
        # ran after it (exports, store compaction); the child exits right after writing the report.
        boundary = seconds - (timings["total"] - timings["extract_and_load"])
        result["load_peak"] = max((r for t, r in samples if t <= boundary), default=0)
        result["after_peak"] = max((r for t, r in samples if t > boundary), default=0)
    else:
        err = (log_dir / f"{out.name}.err").read_text(encoding="utf-8", errors="replace")[-2000:]
        print(f"  build failed (exit {proc.returncode}):\n{err}")
    return result


STOCK_E2E = CORPUS.parent / "tools" / "stock_e2e.py"   # what a user would write instead (spaCy + rdflib)
GOLD = CORPUS.parent / "gold"


def run_stock_e2e(corpus: Path, out: Path) -> dict | None:
    """`stock_e2e.py CORPUS GOLD OUT.trig` in a child process: wall and CPU seconds; None when it is not there."""
    if not STOCK_E2E.is_file():
        return None
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(STOCK_E2E), str(corpus), str(GOLD), str(out / "stock.trig")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        print(f"  stock_e2e.py failed (exit {rc}): {proc.stderr.read().decode(errors='replace')[-500:]}")
        return None
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime}


def compare_stock(results: dict, stock: dict | None, size: float) -> list[tuple[str, str]]:
    """ccakg build against stock_e2e.py on the same corpus (issue targets: >= 2x with one worker, >= 3x with two)."""
    if stock is None:
        print(f"stock_e2e.py: not run ({STOCK_E2E} is not there)")
        return []
    lines = []
    print(f"stock_e2e.py (spaCy zh + EntityRuler over the dev-gold names, rdflib, TriG): {stock['seconds']:.1f} s wall, "
          f"CPU {stock['cpu']:.1f} s")
    for label, key in (("--workers 1", 1), ("--workers 2", 2)):
        r = results.get((size, key))
        if r and "quads" in r:
            ratio = stock["seconds"] / r["seconds"]
            print(f"ccakg build {label}: {r['seconds']:.1f} s wall: {ratio:.2f}x as fast as stock_e2e.py")
            lines.append((f"(b) build {label} vs stock_e2e.py, {size:g} MB", f"{ratio:.2f}x"))
    return lines


DASK = "local:2"   # the --scheduler of (c): a Dask LocalCluster of two worker processes


def dask_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


def compare_dask(one: dict, two: dict, dask: dict | None, size: float) -> list[tuple[str, str]]:
    """`--scheduler local:2` beside `--workers 2` (and 1): texts/min and speed-ups; summary lines."""
    if not dask or not all("quads" in r for r in (one, two, dask)):
        return []
    same = "same" if dask["quads"] == one["quads"] else f"DIFFERENT ({dask['quads']:,} vs {one['quads']:,})"
    per_min = {name: r["docs"] / (r["seconds"] / 60) for name, r in (("w2", two), ("dask", dask))}
    print(f"--scheduler {DASK}: {dask['seconds']:.1f} s, {per_min['dask']:,.0f} texts/min; --workers 2: "
          f"{two['seconds']:.1f} s, {per_min['w2']:,.0f} texts/min; ratio dask / workers 2 "
          f"{two['seconds'] / dask['seconds']:.2f}x; speed-up over --workers 1 {one['seconds'] / dask['seconds']:.2f}x; "
          f"quads {same}")
    print(f"extraction+load only: --scheduler {DASK} {dask['timings']['extract_and_load']:.1f} s vs --workers 2 "
          f"{two['timings']['extract_and_load']:.1f} s (the cluster's start is inside it)")
    return [(f"(c) --scheduler {DASK}, {size:g} MB", f"{per_min['dask']:,.0f} texts/min "
             f"(--workers 2: {per_min['w2']:,.0f}), {two['seconds'] / dask['seconds']:.2f}x --workers 2")]


def print_build(label: str, n_bytes: int, r: dict) -> None:
    if "quads" not in r:
        print(f"{label}: FAILED after {r['seconds']:.1f} s (exit {r['rc']})")
        return
    mb_min = n_bytes / MB / (r["seconds"] / 60)
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in r["timings"].items())
    print(f"{label}: {r['docs']:,} docs ({r['skipped']} skipped), {r['seconds']:.1f} s wall, "
          f"{mb_min:.2f} MB/min, {r['docs'] / (r['seconds'] / 60):,.0f} texts/min, {r['quads']:,} quads in store ({r['quads'] / r['chars']:.2f} per character), peak RSS {r['peak_rss'] / 2**20:,.0f} MiB")
    print(f"    report.json timings: {timings}")
    print(f"    CPU {r['cpu']:.1f} s (user+sys, workers included; {r['cpu'] / r['seconds']:.2f} cores busy on average); "
          f"machine load average {r['load_before']:.1f} before, {r['load_after']:.1f} after")
    if r["tree_peak"]:
        print(f"    sampled RSS of the process tree (workers summed): peak {r['tree_peak'] / 2**20:,.0f} MiB; "
              f"while extracting+loading {r['load_peak'] / 2**20:,.0f} MiB, "
              f"after it (finishing graph files, counting quads, compaction) {r['after_peak'] / 2**20:,.0f} MiB", flush=True)


# -- main ----------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test (about a minute)")
    parser.add_argument("--sizes", type=float, nargs=2, metavar=("SMALL_MB", "LARGE_MB"),
                        help="build sizes in MB (default 10 50; --quick 1 3)")
    parser.add_argument("--extract-mb", type=float, help="extraction benchmark size (default 2; --quick 0.5)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per pipeline in (a)")
    parser.add_argument("--skip", choices=["a", "b", "c"], action="append", default=[],
                        help="skip a part (repeatable)")
    parser.add_argument("--keep", type=Path, help="write corpora and outputs here and keep them")
    args = parser.parse_args()
    small_mb, large_mb = args.sizes or ((1, 3) if args.quick else (10, 50))
    extract_mb = args.extract_mb or (0.5 if args.quick else 2)

    import pyoxigraph
    import spacy

    print(f"ccakg build benchmark{' (--quick)' if args.quick else ''}: {platform.python_version()}, "
          f"spaCy {spacy.__version__}, pyoxigraph {pyoxigraph.__version__}, {os.cpu_count()} CPUs, "
          f"psutil {'yes' if psutil else 'no'}")
    print(f"corpus: {CORPUS} ({len(corpus_files())} files, "
          f"{human_mb(sum(p.stat().st_size for p in corpus_files()))}); MB = 10^6 bytes of UTF-8 text")
    summary: list[tuple[str, str]] = []

    if "a" not in args.skip:
        rule(f"(a) extraction alone, {extract_mb:g} MB, one process")
        a = bench_extraction(int(extract_mb * MB), args.rounds)
        summary += [("(a) ccakg pipeline", f"{a['ours_cps'] / 1e6:.2f} M chars/s"),
                    ("(a) stock spaCy + EntityRuler", f"{a['stock_cps'] / 1e6:.2f} M chars/s"),
                    ("(a) ratio ccakg / stock", f"{a['ratio']:.2f}x"),
                    ("(a) ccakg without kg_relations / stock", f"{a['matching_cps'] / a['stock_cps']:.2f}x"),
                    ("(a) floor, no logic / stock", f"{a['floor_cps'] / a['stock_cps']:.2f}x"),
                    ("(a) ccakg full per-doc extraction + quads", f"{a['full_cps'] / 1e6:.2f} M chars/s")]
        normalize_cps = bench_normalize(args.rounds)
        print(f"normalize alone (kg.normalize, ~1 M chars, best of {args.rounds}): {normalize_cps / 1e6:.2f} M chars/s")
        summary.append(("(a) normalize alone", f"{normalize_cps / 1e6:.2f} M chars/s"))

    if "b" in args.skip and "c" in args.skip:
        return finish(summary)
    base = args.keep or Path(tempfile.mkdtemp(prefix="ccakg-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        corpora = {}
        sizes = [small_mb] if "b" in args.skip else [small_mb, large_mb]
        for size in sizes:
            folder = base / f"corpus-{size:g}mb"
            shutil.rmtree(folder, ignore_errors=True)
            corpora[size] = (folder, *write_corpus(folder, int(size * MB)))
        rule("(b) end-to-end `python -m kg build DIR --out OUT --quiet --no-html`")
        for size, (folder, n_files, n_bytes) in corpora.items():
            print(f"corpus {size:g} MB: {n_files:,} files, {n_bytes:,} bytes in {folder}")
        results = {}
        small_folder, _, small_bytes = corpora[small_mb]
        results[(small_mb, 1)] = run_build(small_folder, base / f"out-{small_mb:g}mb-w1", 1, base)
        print_build(f"{small_mb:g} MB, --workers 1", small_bytes, results[(small_mb, 1)])
        if "c" not in args.skip:
            results[(small_mb, 2)] = run_build(small_folder, base / f"out-{small_mb:g}mb-w2", 2, base)
            print_build(f"{small_mb:g} MB, --workers 2", small_bytes, results[(small_mb, 2)])
            if dask_installed():
                results[(small_mb, DASK)] = run_build(small_folder, base / f"out-{small_mb:g}mb-dask", 2, base, DASK)
                print_build(f"{small_mb:g} MB, --scheduler {DASK}", small_bytes, results[(small_mb, DASK)])
            else:
                print(f"{small_mb:g} MB, --scheduler {DASK}: not run, Dask is not installed (pip install 'ccakg[dask]')")
        rule(f"(b) against what a user would write instead: stock_e2e.py on the {small_mb:g} MB corpus")
        summary += compare_stock(results, run_stock_e2e(small_folder, base / f"out-{small_mb:g}mb-stock"), small_mb)
        if "b" not in args.skip:
            large_folder, _, large_bytes = corpora[large_mb]
            results[(large_mb, 1)] = run_build(large_folder, base / f"out-{large_mb:g}mb-w1", 1, base)
            print_build(f"{large_mb:g} MB, --workers 1", large_bytes, results[(large_mb, 1)])

        one = results[(small_mb, 1)]
        if "b" not in args.skip:
            big = results[(large_mb, 1)]
            for size, r, n_bytes in ((small_mb, one, small_bytes), (large_mb, big, large_bytes)):
                if "quads" in r:
                    summary += [(f"(b) {size:g} MB build, --workers 1", f"{r['seconds']:.1f} s, "
                                 f"{n_bytes / MB / (r['seconds'] / 60):.2f} MB/min"),
                                (f"(b) {size:g} MB quads in store", f"{r['quads']:,} "
                                 f"({r['quads'] / r['chars']:.2f} per input character)"),
                                (f"(b) {size:g} MB peak RSS (largest process)", f"{r['peak_rss'] / 2**20:,.0f} MiB")]
            if "quads" in one and "quads" in big:
                ratio = big["peak_rss"] / one["peak_rss"]
                print(f"peak RSS {large_mb:g} MB / {small_mb:g} MB: {ratio:.2f}  "
                      f"(flat = ~1.0 while the input is {large_bytes / small_bytes:.1f}x larger)")
                summary.append((f"(b) peak RSS ratio {large_mb:g} / {small_mb:g} MB (flat = ~1)", f"{ratio:.2f}"))
                if big["tree_peak"] and one["tree_peak"]:
                    load = big["load_peak"] / one["load_peak"]
                    after = big["after_peak"] / one["after_peak"]
                    print(f"sampled peak RSS {large_mb:g} MB / {small_mb:g} MB: extracting+loading {load:.2f}, "
                          f"after it {after:.2f}")
                    summary.append(("(b) ratio, extract+load phase only (sampled)", f"{load:.2f}"))
                    summary.append(("(b) ratio, after extract+load (sampled)", f"{after:.2f}"))
                summary.append((f"(b) {large_mb:g} MB build under 10 min", "yes" if big["seconds"] < 600 else "NO"))
        if "c" not in args.skip:
            rule(f"(c) --workers 2 and --scheduler {DASK} vs --workers 1 on the {small_mb:g} MB corpus")
            two = results[(small_mb, 2)]
            if "quads" in one and "quads" in two:
                speedup = one["seconds"] / two["seconds"]
                same = "same" if one["quads"] == two["quads"] else f"DIFFERENT ({one['quads']:,} vs {two['quads']:,})"
                print(f"--workers 1: {one['seconds']:.1f} s; --workers 2: {two['seconds']:.1f} s; "
                      f"speed-up {speedup:.2f}x on {os.cpu_count()} CPUs; quads {same}")
                print(f"extraction+load only: {one['timings']['extract_and_load']:.1f} s vs "
                      f"{two['timings']['extract_and_load']:.1f} s "
                      f"({one['timings']['extract_and_load'] / two['timings']['extract_and_load']:.2f}x); "
                      f"the steps after it are single-process in both")
                summary.append((f"(c) --workers 2 speed-up, {small_mb:g} MB", f"{speedup:.2f}x"))
                summary.append((f"(c) peak RSS --workers 2, {small_mb:g} MB", f"{two['peak_rss'] / 2**20:,.0f} MiB"))
            summary += compare_dask(one, two, results.get((small_mb, DASK)), small_mb)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return finish(summary)


def finish(summary: list[tuple[str, str]]) -> int:
    rule("summary")
    width = max((len(k) for k, _ in summary), default=10)
    for key, value in summary:
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
