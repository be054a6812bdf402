"""Orchestration only: corpus files → extraction (one pure function per document) → store → exports."""
from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from kg import __version__
from kg.documents import corpus_ids, read_document
from extractors.errors import CorpusError, KGError
from kg.export import PREFIX_LINES, StreamedGraphFiles, render_graph_files
from kg.mentions import from_context
from kg.model import Document, DocResult, NormText
from kg.namespaces import DOC_GRAPH, ENTITY_GRAPH, ONTOLOGY_GRAPH, doc_graph, doc_id_of
from kg.nlp import make_nlp
from kg.normalize import normalize, removed_warning
from kg.outdir import LOCK_WAIT
from kg.rdf import doc_quads
from kg.registry import BUILD_REGISTRY, registry_in_use, use_registry
from kg.registry_tools import apply_merges
from kg.shards import Shards

log = logging.getLogger(__name__)
PIECE_CHARS = 200_000       # longer texts are read in pieces (far below the 1,000,000 of spaCy)
SENTENCE_ENDS = ("。", "!", "?", ";", "\n")  # after NFKC: full-width ！？； are ASCII
CHUNK = 8              # files per worker task
IN_FLIGHT = 3          # tasks queued per worker: results never pile up faster than the store takes them
STORE_BATCH = 100_000  # document quads per bulk write; one write per document is ~3x slower (bench/build.py)


@dataclass
class Outcome:
    """What extracting one file gave: its quads, or the reason it was skipped."""

    path: str
    doc_id: str = ""
    error: str | None = None
    doc_nq: bytes = b""          # the text's graph as N-Quads
    entity_nq: bytes = b""       # its quads for the shared entities graph, as N-Quads
    trig: bytes = b""            # the text's graph as TriG and as Turtle (for the streamed graph files)
    ttl: bytes = b""
    counts: dict = field(default_factory=dict)
    chars: int = 0
    seconds: float = 0.0
    warnings: list = field(default_factory=list)


def extract(document: Document) -> DocResult:
    """The pure extraction function: one document's text in, its entities and facts out.

    A text longer than PIECE_CHARS (a scraped dump, a page flattened to one line) is read in pieces cut at
    sentence ends, each mapped back to the raw text, so its cost grows with its length and no piece reaches
    spaCy's length limit. Policy texts are far shorter and are read whole.
    """
    norm = normalize(document.raw_text, html=document.media_type == "text/html")
    nlp = make_nlp()
    results = [from_context(nlp(part.text)._.kg_context, document, part) for part in pieces(norm, PIECE_CHARS)]
    result = results[0] if len(results) == 1 else merge_results(results)
    warning = removed_warning(norm, document.path)
    return replace(result, warnings=(warning,)) if warning else result


def pieces(norm: NormText, limit: int) -> list[NormText]:
    """The normalised text cut after the last sentence end (or line end) before every ``limit`` characters;
    a run with no sentence end is cut at the limit."""
    if len(norm.text) <= limit:
        return [norm]
    parts, start = [], 0
    while start < len(norm.text):
        end = min(start + limit, len(norm.text))
        if end < len(norm.text):
            cut = max(norm.text.rfind(mark, start, end) for mark in SENTENCE_ENDS)
            end = cut + 1 if cut > start else end
        parts.append(norm.slice(start, end))
        start = end
    return parts


def merge_results(results: list[DocResult]) -> DocResult:
    """One document's result from those of its pieces: the first piece's title and date, every mention and
    fact, and each entity once with the surface forms of all pieces."""
    entities: dict = {}
    for entity in (e for result in results for e in result.entities):
        seen = entities.get(entity.ref)
        entities[entity.ref] = entity if seen is None else replace(
            seen, surfaces=tuple(sorted(set(seen.surfaces) | set(entity.surfaces))))
    return DocResult(results[0].source, tuple(entities.values()),
                     tuple(m for result in results for m in result.mentions),
                     tuple(f for result in results for f in result.facts))


def extract_text(text: str, *, doc_id: str = "text", html: bool = False) -> DocResult:
    """Extract from a string (tests, the REPL): the same pure function as for a file."""
    import hashlib

    document = Document(doc_id, f"<{doc_id}>", text, hashlib.sha256(text.encode("utf-8")).hexdigest(), "utf-8",
                        "text/html" if html else "text/plain")
    return extract(document)


def extract_file(path: str, doc_id: str | None = None, graph_files: bool = True, data: bytes | None = None) -> Outcome:
    """Read, extract and turn one file into quads; errors become a skipped Outcome naming the file.

    ``graph_files``: also render the text's TriG and Turtle (only a fresh build streams them to its files).
    ``data``: the file's bytes, shipped by a client whose Dask workers do not see ``path``.
    """
    started = time.perf_counter()
    doc_id = doc_id or Path(path).stem
    try:
        document = read_document(Path(path), doc_id, data)
        result = extract(document)
        doc_nq, entity_nq, trig, ttl = serialise(result, graph_files)
    except CorpusError as exc:
        return Outcome(path, doc_id, error=str(exc))
    except Exception as exc:  # one broken document never stops the others
        log.exception("extraction failed for %s", path)
        return Outcome(path, doc_id, error=f"{path}: extraction failed ({type(exc).__name__}: {exc})")
    counts = {"mentions": len(result.mentions)}
    return Outcome(path, document.doc_id, None, doc_nq, entity_nq, trig, ttl, counts,
                   len(document.raw_text), time.perf_counter() - started, list(result.warnings))


def serialise(result: DocResult, graph_files: bool = True) -> tuple[bytes, bytes, bytes, bytes]:
    """One text's result as a worker sends it: (its graph as N-Quads, its entity quads as N-Quads, its graph as
    TriG, as Turtle). ``graph_files`` (a fresh build): the graph as TriG and Turtle chunks for the streamed graph
    files, from which the store is loaded too, and no N-Quads of it; otherwise only the N-Quads."""
    doc = doc_quads(result)
    if graph_files:     # a fresh build loads its store from the TriG
        trig, ttl = render_graph_files(doc.quads, doc.graph, doc.evidence_ttl)
        return b"", _nquads(doc.entity_quads), trig, ttl
    return _nquads(doc.quads) + doc.evidence_nq.encode("utf-8"), _nquads(doc.entity_quads), b"", b""


def extract_all(paths: list[Path] | dict[Path, str], *, workers: int = 1, registry: Path | None = None,
                graph_files: bool = True, scheduler=None) -> Iterator[Outcome]:
    """Outcomes in file order, extracted in this process, in a pool of ``workers`` processes, or on a Dask
    cluster (``scheduler``: a :class:`kg.cluster.Scheduler`).

    The pool and the cluster get the files in tasks of a few (:func:`extract_packed`) and a bounded number
    of tasks at a time (``pool.map`` would submit every file at once and keep every finished result until
    it is consumed), so memory does not grow with the corpus. Workers follow ``registry`` as this process
    does (:func:`kg.registry.use_registry`).
    """
    ids = paths if isinstance(paths, dict) else {p: Path(p).stem for p in paths}
    names = [(str(p), doc_id, graph_files) for p, doc_id in ids.items()]
    if scheduler is not None:
        with scheduler.executor(registry) as executor:
            yield from stream_tasks(executor, names)
    elif workers > 1:
        with ProcessPool(workers, registry) as executor:
            yield from stream_tasks(executor, names)
    else:
        yield from (extract_file(*name) for name in names)


def stream_tasks(executor, names: list[tuple]) -> Iterator[Outcome]:
    """The outcomes of ``names`` in order, extracted by ``executor`` in tasks of up to CHUNK files.

    ``executor`` (:class:`ProcessPool`, :class:`kg.cluster.DaskExecutor`) has ``workers`` (tasks it runs at
    once), ``submit(chunk)`` → a future, and ``outcomes(future, chunk)``, which waits for the task's
    outcomes. At most ``workers * IN_FLIGHT`` tasks are submitted and not yet consumed.
    """
    size = max(1, min(CHUNK, len(names) // (executor.workers * 4) or 1))
    window: deque = deque()
    try:
        for i in range(0, len(names), size):
            chunk = names[i:i + size]
            window.append((executor.submit(chunk), chunk))
            if len(window) >= executor.workers * IN_FLIGHT:
                yield from _take(executor, window)
        while window:
            yield from _take(executor, window)
    finally:
        for future, _ in window:
            if future is not None:
                future.cancel()


def _take(executor, window: deque) -> list[Outcome]:
    """The outcomes of the oldest task; it leaves the window only once its result is in."""
    outcomes = executor.outcomes(*window[0])
    window.popleft()
    return outcomes


class ProcessPool:
    """``--workers N``: a pool of N processes; once a worker died (killed, out of memory), this process
    extracts every file the pool had not returned, and the build says so once."""

    def __init__(self, workers: int, registry: Path | None) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, initializer=use_registry, initargs=(registry,))
        self.broken = False
        self.unsaid = True

    def __enter__(self) -> "ProcessPool":
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, chunk: list[tuple]):
        """The task's future, or None once the pool is broken (its files are extracted here)."""
        if not self.broken:
            try:
                return self.pool.submit(extract_packed, chunk)
            except BrokenProcessPool:
                self.broken = True
        return None

    def outcomes(self, future, chunk: list[tuple]) -> list[Outcome]:
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:
                self.broken = True
        outcomes = extract_packed(chunk)
        if self.unsaid:
            self.unsaid = False
            log.warning("an extraction worker died; extracting the remaining files in this process")
            outcomes[0].warnings.append("an extraction worker process died; the files the pool had not returned "
                                        "were extracted again in the main process")
        return outcomes


def extract_packed(names: list[tuple]) -> list[Outcome]:
    """In a worker: extract files. Their quads travel as N-Quads, TriG and Turtle bytes, made in the worker.

    Pickling pyoxigraph quads costs more than extracting them (1 MB of text: ~7 s to pickle, ~8 s to
    unpickle, 6 s to extract); bytes cost nothing to pass, and a fresh build never parses them in the
    parent (:class:`kg.shards.Shards`), so the parent does not serialise the workers' work.
    """
    return [extract_file(*name) for name in names]


def _nquads(quads: list) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) if quads else b""


def _parsed(data: bytes) -> list:
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS)) if data else []


@dataclass
class BuildReport:
    """What a build holds and what this run did (written as report.json).

    ``texts``, ``mentions``, ``entities``, ``facts`` and ``quads`` describe the whole build, counted from the
    store after the run (distinct entities and facts, whichever texts state them; ``kg.counts``);
    ``documents``, ``skipped``, ``warnings`` and ``timings`` are what this run (``operation``) read and did.
    """

    out_dir: str
    operation: str = "build"
    texts: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    mentions: int = 0
    entities: Counter = field(default_factory=Counter)
    facts: Counter = field(default_factory=Counter)
    quads: int = 0
    timings: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    roots: list = field(default_factory=list)
    texts_in_store: int = 0
    registry: str = ""

    def as_dict(self) -> dict:
        return {"ccakg_version": __version__, "out_dir": self.out_dir, "corpus_roots": self.roots,
                "registry": self.registry, "texts_in_store": self.texts_in_store, "mentions": self.mentions,
                "entities": sum(self.entities.values()), "facts": sum(self.facts.values()),
                "entities_by_type": dict(sorted(self.entities.items())),
                "facts_by_kind": dict(sorted(self.facts.items())), "quads_in_store": self.quads,
                "texts": self.texts, "operation": self.operation,
                "documents_read": len(self.documents), "documents_skipped": len(self.skipped),
                "documents": self.documents, "skipped": self.skipped, "warnings": self.warnings,
                "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()}}

    def count(self, store) -> None:
        """The whole build's numbers, from the store."""
        from kg import counts

        listed = counts.texts(store)
        totals = counts.totals(store, listed)
        self.mentions, self.entities, self.facts = totals.mentions, totals.entities, totals.facts
        self.texts = [t.as_dict() for t in listed]
        self.texts_in_store = len(self.texts)
        self.quads = len(store)


def build(corpus: Iterable[Path], out_dir: Path, *, workers: int = 1,
          progress: Callable[[int, int, str], None] | None = None, html: bool = True,
          wait: float = LOCK_WAIT, notify: Callable[[str], None] | None = None,
          need_store: bool = False, registry: Path | None = None, scheduler=None) -> BuildReport:
    """Build ``out_dir``: store, graph.trig, graph.ttl, graph.html and report.json.

    One writer at a time: the build waits up to ``wait`` seconds for another process writing
    ``out_dir`` (``notify`` hears that it waits). Everything is written into a new version of the
    folder and put in force by one rename when all succeeded, so a failed or killed build leaves the
    previous output intact. Texts built again replace their earlier graphs. ``need_store``: refuse
    a folder with no build in it (``ccakg add``). Entity IRIs follow the shipped registry plus
    ``registry`` (default: the build's own ``DIR/registry.tsv``, if there is one): its merges.
    ``scheduler`` (a :class:`kg.cluster.Scheduler`): extract on a Dask cluster instead of ``workers`` processes.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    corpus = list(corpus)
    report = BuildReport(str(out_dir), operation="add" if need_store else "build")
    registry = registry_of(out_dir, registry)
    staged = staged_outputs(out_dir, report, started, wait=wait, notify=notify, need_store=need_store)
    with registry_in_use(registry) as iris, staged as (store, staging):
        report.registry = str(registry or "")
        roots = _previous_roots(out_dir) + [os.path.abspath(p) for p in corpus if Path(p).is_dir()]
        report.roots = list(dict.fromkeys(roots))
        files, duplicates = corpus_ids(corpus, report.roots)
        report.skipped += duplicates
        had_texts = any(g.startswith(DOC_GRAPH) for g in store.graphs())
        stream = None if had_texts else StreamedGraphFiles(staging)
        if stream is None:
            load_ontology(store)    # a fresh build's shards carry it: one bulk load leaves nothing to compact
        outcomes = extract_all(files, workers=workers, registry=registry, graph_files=stream is not None,
                               scheduler=scheduler)
        streamed = _load_outcomes(store, outcomes, report, progress, len(files), stream)
        if had_texts:
            prune_entities(store)
        apply_merges(store, iris)
        report.timings["extract_and_load"] = time.perf_counter() - started
        _finish_graph_files(store, staging, report, stream if streamed else None)
        _write_html(store, staging, report, html)
    return report


def registry_of(out_dir: Path, registry: Path | None = None) -> Path | None:
    """The registry a build of ``out_dir`` follows: ``registry`` if given, else ``DIR/registry.tsv`` if there is one.

    Raises:
        KGError: ``registry`` was given but does not exist.
    """
    if registry is not None and not Path(registry).is_file():
        raise KGError(f"{registry}: no such registry file (`ccakg registry merge … --registry {registry}` writes one)")
    default = Path(out_dir) / BUILD_REGISTRY
    return Path(registry) if registry is not None else default if default.is_file() else None


def _previous_roots(out_dir: Path) -> list[str]:
    """The corpus folders earlier builds of ``out_dir`` read (so ``add`` gives a file the same id)."""
    try:
        return list(json.loads((out_dir / "report.json").read_text(encoding="utf-8")).get("corpus_roots", []))
    except (OSError, ValueError, AttributeError):
        return []


@contextmanager
def staged_outputs(out_dir: Path, report: BuildReport, started: float, *, wait: float = LOCK_WAIT,
                   notify: Callable[[str], None] | None = None,
                   need_store: bool = False) -> Iterator[tuple[object, Path]]:
    """(store, folder) to build into, with the folder's writer lock held; put in force on success.

    The store is a copy of the current one in a new version folder; graph.trig, graph.ttl, graph.html
    and report.json are written beside it, and one rename makes the version current (``kg.outdir``).
    On failure nothing in ``out_dir`` changes.
    """
    from kg.outdir import commit, new_version, pause, recover, write_lock
    from kg.store import copy_store

    with write_lock(out_dir, wait, notify):
        current = recover(out_dir)
        if need_store and (current is None or not (current / "store").is_dir()):
            raise KGError(f"{out_dir}: no store there; build one first with `ccakg build … --out {out_dir}`")
        with new_version(out_dir) as staging:
            store = copy_store(current / "store" if current else None, staging / "store")
            pause("staged")
            try:
                yield store, staging
                compact_while_counting(store, report)
            finally:
                store.close()
            report.timings["total"] = time.perf_counter() - started
            write_report(report, staging / "report.json")
            commit(out_dir, staging)


def compact_while_counting(store, report: BuildReport) -> None:
    """Compact the store (on a thread: Oxigraph releases the GIL) while the report's numbers are queried.

    Reads see a consistent store while RocksDB compacts; the two overlap on two cores instead of adding up.
    """
    from concurrent.futures import ThreadPoolExecutor

    mark = time.perf_counter()
    with ThreadPoolExecutor(1) as pool:
        compaction = pool.submit(_timed, store.optimize)
        report.count(store)
        report.timings["count"] = time.perf_counter() - mark
        report.timings["optimize"] = compaction.result()


def _timed(work: Callable[[], object]) -> float:
    mark = time.perf_counter()
    work()
    return time.perf_counter() - mark


def remove(doc_ids: Iterable[str], out_dir: Path, *, html: bool = True, wait: float = LOCK_WAIT,
           notify: Callable[[str], None] | None = None) -> BuildReport:
    """Remove texts' graphs from a built ``out_dir`` and rewrite its outputs; the others stay as they were."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise KGError(f"{out_dir}: no store there (build one with `ccakg build … --out {out_dir}`)")
    report = BuildReport(str(out_dir), operation="remove")
    registry = registry_of(out_dir)
    staged = staged_outputs(out_dir, report, started, wait=wait, notify=notify, need_store=True)
    with registry_in_use(registry) as iris, staged as (store, staging):
        report.roots = _previous_roots(out_dir)
        report.registry = str(registry or "")
        present = set(store.graphs())
        missing = [d for d in doc_ids if doc_graph(d) not in present]
        if missing:
            known = sorted(doc_id_of(g) for g in present if g.startswith(DOC_GRAPH))
            raise KGError(f"{out_dir}: no text with id {', '.join(missing)}; known ids: {', '.join(known)}")
        for doc_id in doc_ids:
            store.remove_graph(doc_graph(doc_id))
            report.skipped.append({"path": doc_id, "kind": "removed", "reason": "removed"})
        prune_entities(store)
        apply_merges(store, iris)
        _write_outputs(store, staging, report, html)
    return report


PRUNE = f"""DELETE {{ GRAPH <{ENTITY_GRAPH}> {{ ?e ?p ?o }} }} WHERE {{
  GRAPH <{ENTITY_GRAPH}> {{ ?e ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?x ?y ?e }} FILTER(?g != <{ENTITY_GRAPH}> && ?g != <{ONTOLOGY_GRAPH}>) }}
  FILTER NOT EXISTS {{ GRAPH ?h {{ ?e ?y2 ?z }} FILTER(?h != <{ENTITY_GRAPH}> && ?h != <{ONTOLOGY_GRAPH}>) }}
}}"""


def prune_entities(store) -> None:
    """Drop entities (types, names) that no text's graph mentions any more."""
    store.update(PRUNE)


def _write_outputs(store, folder: Path, report: BuildReport, html: bool) -> None:
    """graph.trig, graph.ttl and graph.html into ``folder`` (moved into place once the store is swapped in)."""
    _finish_graph_files(store, folder, report, None)
    _write_html(store, folder, report, html)


def _finish_graph_files(store, folder: Path, report: BuildReport, stream: StreamedGraphFiles | None) -> None:
    """Complete the streamed graph files, or dump them from the store when nothing was streamed."""
    from kg.export import write_trig, write_turtle

    mark = time.perf_counter()
    if stream is not None:
        stream.finish(store, [ENTITY_GRAPH, ONTOLOGY_GRAPH])
    else:
        write_trig(store, folder / "graph.trig")
        write_turtle(store, folder / "graph.ttl")
    report.timings["export"] = time.perf_counter() - mark


def _write_html(store, folder: Path, report: BuildReport, html: bool) -> None:
    if html:
        from kg.web.explorer import write_html

        mark = time.perf_counter()
        write_html(store, folder / "graph.html")
        report.timings["html"] = time.perf_counter() - mark


def _load_outcomes(store, outcomes: Iterable[Outcome], report: BuildReport,
                   progress: Callable[[int, int, str], None] | None, total: int,
                   stream: StreamedGraphFiles | None = None) -> bool:
    """Put every text's quads into the store; returns False when the streamed files stopped matching it.

    A fresh build (``stream`` given: the store holds no text yet) appends each text's TriG (made in a
    worker) to graph.trig and feeds it to one bulk load of the store that runs meanwhile
    (:class:`kg.shards.Shards`): the parent never parses a quad. Adding to a built store replaces the texts' graphs in batches of ~STORE_BATCH quads. The same
    doc id twice (only possible through this API) makes the store keep the last and the streamed files stop.
    """
    shards = Shards(stream.folder, store) if stream is not None else None
    try:
        streamed = _take_outcomes(store, outcomes, report, progress, total, stream, shards)
    finally:
        if shards is not None:
            shards.close()
    if stream is not None and not streamed:
        stream.close()
    return streamed


def _take_outcomes(store, outcomes: Iterable[Outcome], report: BuildReport,
                   progress: Callable[[int, int, str], None] | None, total: int,
                   stream: StreamedGraphFiles | None, shards: Shards | None) -> bool:
    graphs: dict[str, list] = {}
    pending = 0
    entity_batch: dict = {}
    seen: set[str] = set()
    streamed = stream is not None
    for done, outcome in enumerate(outcomes, start=1):
        if progress:
            progress(done, total, outcome.path)
        if outcome.error:
            log.warning("skipped %s", outcome.error)
            report.skipped.append({"path": outcome.path, "kind": "unreadable", "reason": outcome.error})
            continue
        streamed = streamed and outcome.doc_id not in seen
        seen.add(outcome.doc_id)
        if streamed:
            stream.add_rendered(outcome.trig, outcome.ttl)
            shards.add(outcome.entity_nq, outcome.trig)
        else:
            if shards is not None:              # a doc id came twice: from here on, graph by graph
                _load_shards(store, shards, stream, report)
                shards = None
            graph = doc_graph(outcome.doc_id)
            quads = _doc_quads(outcome)
            pending += len(quads) - len(graphs.pop(graph, ()))  # the same doc id again: last wins
            graphs[graph] = quads
            if pending >= STORE_BATCH:
                store.replace_graphs(graphs)
                graphs, pending = {}, 0
            entity_batch.update(dict.fromkeys(_parsed(outcome.entity_nq)))
            if len(entity_batch) > 200_000:
                store.add(entity_batch)
                entity_batch = {}
        _count(report, outcome)
        report.warnings += outcome.warnings
    if shards is not None:
        _load_shards(store, shards, stream, report)
    if graphs:
        store.replace_graphs(graphs)
    store.add(entity_batch)
    return streamed


def _load_shards(store, shards: Shards, stream: StreamedGraphFiles, report: BuildReport) -> None:
    mark = time.perf_counter()
    shards.load(stream.files["trig"], render_graph_files(ontology_quads())[0])
    report.timings["bulk_load"] = time.perf_counter() - mark


def _doc_quads(outcome: Outcome) -> list:
    """A text's graph as quad objects: from its N-Quads, or (a fresh build's outcome) from its TriG."""
    if outcome.doc_nq or not outcome.trig:
        return _parsed(outcome.doc_nq)
    return list(ox.parse(PREFIX_LINES + outcome.trig, format=ox.RdfFormat.TRIG))


def _count(report: BuildReport, outcome: Outcome) -> None:
    report.documents.append({"doc_id": outcome.doc_id, "path": outcome.path, "chars": outcome.chars,
                             "mentions": outcome.counts["mentions"], "seconds": round(outcome.seconds, 3)})


def ontology_quads() -> list[ox.Quad]:
    """The TBox, in its own named graph: every build loads it (a fresh build through its shards)."""
    from ontology import ONTOLOGY_FILE
    return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(ONTOLOGY_GRAPH))
            for t in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)]


def load_ontology(store) -> None:
    store.replace_graph(ONTOLOGY_GRAPH, ontology_quads())


def write_report(report: BuildReport, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


__all__ = ["build", "extract", "extract_file", "BuildReport", "Outcome", "ENTITY_GRAPH"]
