"""The ``ccakg`` command. Each command is thin: it parses options, calls one library function, prints."""
from __future__ import annotations

import csv
import io
import json
import logging
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import click

from kg import __version__
from extractors.errors import KGError

CONTEXT = {"help_option_names": ["-h", "--help"]}
DEFAULT_BUILD = Path("out")
BUILD_HELP = ("DIR is the build folder (what `ccakg build … --out DIR` wrote; DIR/store works too); "
              "without it, --store DIR or ./out.")
ROW_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")   # CONSTRUCT and DESCRIBE


def store_option() -> click.Option:
    """--store: the older way to name the build folder to read (DIR or DIR/store)."""
    return click.option("--store", "store_path", default=None, metavar="DIR", type=click.Path(path_type=Path),
                        help="The build folder (or DIR/store); the same as giving DIR first.")


def build_store(folder: str | Path | None, store_path: Path | None) -> Path:
    """The store of the build named by DIR or --store (default ./out); every wrong path gets a message naming it."""
    from kg.outdir import store_of

    if folder is not None and store_path is not None:
        raise click.UsageError("name the build once: DIR or --store, not both")
    path = Path(folder or store_path or DEFAULT_BUILD)
    if not path.exists():
        raise click.BadParameter(f"{path} does not exist; give the folder that `ccakg build … --out DIR` wrote",
                                 param_hint="DIR")
    try:
        return store_of(path)
    except KGError as exc:
        raise fail(exc) from exc


def split_build(args: tuple[str, ...], wanted: tuple[str, ...]) -> tuple[str | None, list[str]]:
    """(DIR or None, the other arguments): DIR is the first one when one more than ``wanted`` are given."""
    if len(args) == len(wanted) + 1:
        return args[0], list(args[1:])
    if len(args) == len(wanted):
        return None, list(args)
    raise click.UsageError(f"expected {' '.join(['[DIR]', *wanted])}, got {len(args)} arguments")


def registry_option(help_text: str) -> click.Option:
    return click.option("--registry", "registry_file", type=click.Path(dir_okay=False, path_type=Path),
                        default=None, help=help_text)


BUILD_REGISTRY_HELP = ("The IRI registry to follow (its merges) on top of the shipped one.  "
                       "[default: DIR/registry.tsv if there is one]")


def wait_option() -> click.Option:
    from kg.outdir import LOCK_WAIT

    return click.option("--wait", default=LOCK_WAIT, show_default=True, type=click.FloatRange(0, None),
                        help="Seconds to wait while another ccakg process writes --out (one writer at a time).")


def notice(message: str) -> None:
    click.echo(f"ccakg: {message}", err=True)


class Progress:
    """A progress bar on stderr; plain periodic lines when stderr is not a terminal; nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None

    def __call__(self, done: int, total: int, path: str) -> None:
        if self.quiet:
            return
        if not sys.stderr.isatty():
            if done == total or done % max(1, total // 10) == 0:
                click.echo(f"extracting: {done}/{total} texts", err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="extracting", file=sys.stderr,
                                         show_pos=True, item_show_func=lambda p: Path(p).name if p else "")
            self.bar.__enter__()
        self.bar.update(1, path)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class Busy:
    """While a long command works: a line on stderr every ``every`` seconds (elapsed time, and how much of
    ``output`` is written when there is one), so a minutes-long export on a large build is not silent."""

    def __init__(self, label: str, quiet: bool = False, output: Path | None = None, every: float = 5.0) -> None:
        self.label, self.quiet, self.output, self.every = label, quiet, output, every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Busy":
        if not self.quiet:
            self.started = time.monotonic()
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            written = _size(self.output) if self.output is not None else None
            click.echo(f"{self.label}: working, {time.monotonic() - self.started:.0f} s"
                       + (f", {written / 1e6:.1f} MB written" if written else ""), err=True)


def _size(path: Path) -> int:
    """Bytes under ``path`` (a file or a folder of files); 0 while it does not exist."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


def holds(summary: dict) -> str:
    """What the whole build holds after a run (report.json's numbers: distinct entities and facts)."""
    return (f"the build now holds {summary['texts_in_store']} texts, {summary['mentions']} mentions, "
            f"{summary['entities']} distinct entities, {summary['facts']} distinct facts, "
            f"{summary['quads_in_store']} quads")


def fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def scheduler_options(command):
    """--scheduler and --shared-corpus (build, add)."""
    command = click.option("--shared-corpus", is_flag=True,
                           help="The workers of --scheduler tcp://… see the corpus at the same paths: send them "
                                "paths, not the files' contents.")(command)
    return click.option("--scheduler", metavar="local[:N]|tcp://HOST:PORT",
                        help="Extract on a Dask cluster: a new local one of N worker processes (default: one per "
                             "core), or the scheduler at that address (pip install 'ccakg[dask]').")(command)


def dask_scheduler(spec: str | None, shared_corpus: bool, quiet: bool):
    """The :class:`kg.cluster.Scheduler` of --scheduler, or None without it (the build runs here)."""
    if spec is None:
        return None
    from kg.cluster import Scheduler

    return Scheduler.parse(spec, shared_corpus=shared_corpus, say=None if quiet else notice)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="ccakg")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (to stderr).")
def cli(verbose: bool) -> None:
    """ccakg: a knowledge graph of China's certification-and-accreditation policy texts.

    Build a graph from Chinese policy texts, query it with SPARQL, score it against gold annotations.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


@cli.command(context_settings=CONTEXT)
@click.argument("corpus", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: store/, graph.trig, graph.ttl, graph.html, report.json.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Extraction processes.")
@scheduler_options
@click.option("--no-html", is_flag=True, help="Skip graph.html.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary; exit code only.")
@registry_option(BUILD_REGISTRY_HELP)
@wait_option()
def build(corpus: tuple[Path, ...], out_dir: Path, workers: int, no_html: bool, quiet: bool,
          registry_file: Path | None = None, wait: float = 600.0, need_store: bool = False,
          scheduler: str | None = None, shared_corpus: bool = False) -> None:
    """Build the graph of CORPUS (.txt, .html, .pdf, .docx files or folders) into --out.

    Files that cannot be read (a scanned PDF without text, a broken file, an unsupported type) are
    reported on stderr and in report.json; the others are built.
    A text's id is its path under the CORPUS folder without the suffix (a/x.txt → a/x).
    Building again into the same folder replaces what the same texts said before; a build that fails
    or is killed leaves the previous output intact, and one process at a time writes a folder.
    Exit code 1 when no text could be built.
    """
    from kg.pipeline import build as run_build

    if scheduler and workers > 1:
        raise click.UsageError("--workers and --scheduler: give one (--scheduler local:N starts N workers)")
    progress = Progress(quiet)
    try:
        cluster = dask_scheduler(scheduler, shared_corpus, quiet)
        report = run_build(corpus, out_dir, workers=workers, progress=progress, html=not no_html,
                           wait=wait, notify=notice, need_store=need_store, registry=registry_file,
                           scheduler=cluster)
    except KGError as exc:
        raise fail(exc) from exc
    finally:
        progress.close()
    for skipped in report.skipped:
        click.echo(f"ccakg: skipped {skipped['reason']}", err=True)
    if report.skipped:
        kinds = Counter(s.get("kind", "unreadable") for s in report.skipped)
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        click.echo(f"ccakg: {len(report.skipped)} files skipped ({counts}), listed in {out_dir / 'report.json'}",
                   err=True)
    for warning in report.warnings:
        click.echo(f"ccakg: warning: {warning}", err=True)
    if not quiet:
        summary = report.as_dict()
        click.echo(f"read {summary['documents_read']} texts ({summary['documents_skipped']} skipped) "
                   f"in {summary['timings_seconds']['total']:.1f} s; {holds(summary)}")
        click.echo(f"store: {out_dir / 'store'}")
        if not no_html:
            click.echo(f"explorer: {(out_dir / 'graph.html').absolute()}")
    if not report.documents:
        raise click.ClickException("no text could be built")


@cli.command(context_settings=CONTEXT, epilog=BUILD_HELP)
@click.argument("args", nargs=-1, metavar="[DIR] [SPARQL]")
@click.option("--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a file.")
@store_option()
@click.option("--format", "fmt", type=click.Choice(ROW_FORMATS + GRAPH_FORMATS), default=None,
              help="SELECT/ASK: table (default), csv (UTF-8 with BOM, as `export` writes), tsv, json. "
                   "CONSTRUCT/DESCRIBE: turtle (default), ntriples, jsonld.")
@click.option("--saved", "saved_name", metavar="NAME",
              help="Run a saved query from ontology/queries (list them with `ccakg queries`).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the saved query (repeatable); names in any script are accepted.")
@click.option("--timeout", default=120, show_default=True, type=click.FloatRange(0, None),
              help="Seconds the query may run before it is stopped (0: no limit).")
@click.option("--endpoint", metavar="URL", default=None,
              help="Ask this SPARQL 1.1 endpoint (Virtuoso's http://HOST:8890/sparql, `ccakg serve`'s "
                   "http://HOST:7878/query …) instead of a build folder.")
def query(args: tuple[str, ...], query_file: Path | None, store_path: Path | None, fmt: str | None,
          saved_name: str | None, params: tuple[str, ...], timeout: float, endpoint: str | None) -> None:
    """Run a SPARQL 1.1 query over the union of all graphs of the build in DIR (or at --endpoint URL).

    \b
    ccakg query DIR 'SELECT …'
    ccakg query DIR --file q.rq
    ccakg query DIR --saved NAME --param KEY=VALUE
    ccakg query --endpoint http://localhost:8890/sparql --saved NAME

    The query runs in a child process: --timeout or Ctrl-C stops it and frees its memory at once.
    """
    folder, rest = split_build(args, () if query_file or saved_name else ("SPARQL",))
    sparql = rest[0] if rest else None
    if sum(map(bool, (sparql, query_file, saved_name))) != 1:
        raise click.UsageError("give exactly one of a SPARQL string, --file or --saved")
    if params and not saved_name:
        raise click.UsageError("--param only goes with --saved")
    if endpoint and (folder or store_path):
        raise click.UsageError("name a build folder or --endpoint, not both")
    graph_format = fmt if fmt in GRAPH_FORMATS else "turtle"
    if endpoint:
        columns, rows, graph_text = _endpoint_answer(endpoint, sparql, query_file, saved_name, params,
                                                     graph_format, timeout)
        return _echo_answer(columns, rows, graph_text, fmt)
    store_dir = build_store(folder, store_path)
    from kg.query import run_limited, run_query

    try:
        if saved_name:
            from kg.saved import load_saved, parse_params, run_saved

            columns, rows, graph_text = run_limited(run_saved, load_saved(saved_name), store_dir,
                                                    parse_params(params), graph_format, timeout=timeout)
        else:
            text = query_file.read_text(encoding="utf-8") if query_file else sparql
            columns, rows, graph_text = run_limited(run_query, store_dir, text, graph_format, timeout=timeout)
    except KGError as exc:
        raise fail(exc) from exc
    except KeyboardInterrupt:
        click.echo("ccakg: query interrupted (Ctrl-C); stopped", err=True)
        sys.exit(130)
    _echo_answer(columns, rows, graph_text, fmt)


def _endpoint_answer(endpoint: str, sparql: str | None, query_file: Path | None, saved_name: str | None,
                     params: tuple[str, ...], graph_format: str, timeout: float) -> tuple[list, list, str | None]:
    """The answer of ``ccakg query --endpoint``."""
    from kg.endpoint import run_endpoint, run_saved_endpoint

    try:
        if saved_name:
            from kg.saved import load_saved, parse_params

            return run_saved_endpoint(load_saved(saved_name), endpoint, parse_params(params), graph_format, timeout)
        text = query_file.read_text(encoding="utf-8") if query_file else sparql
        return run_endpoint(endpoint, text, graph_format, timeout)
    except KGError as exc:
        raise fail(exc) from exc


def _echo_answer(columns: list[str], rows: list[tuple], graph_text: str | None, fmt: str | None) -> None:
    """Print a query's rows, or its graph, in ``--format``."""
    if graph_text is not None:
        if fmt in ROW_FORMATS:
            raise click.UsageError(f"CONSTRUCT and DESCRIBE give a graph: --format {', '.join(GRAPH_FORMATS)}")
        click.echo(graph_text, nl=False)
    elif fmt in GRAPH_FORMATS:
        raise click.UsageError(f"SELECT and ASK give rows: --format {', '.join(ROW_FORMATS)}")
    else:
        echo_rows(columns, rows, fmt or "table")


@cli.command(context_settings=CONTEXT)
def queries() -> None:
    """List the saved queries (run one with `ccakg query DIR --saved NAME`)."""
    from kg.saved import list_saved

    try:
        saved = list_saved()
    except KGError as exc:
        raise fail(exc) from exc
    width = max((len(s.name) for s in saved), default=0)
    for s in saved:
        click.echo(f"{s.name:<{width}}  {s.title}")
        for param in s.params:
            click.echo(f"{'':<{width}}    --param {param.describe()}")


@cli.command(context_settings=CONTEXT, epilog=BUILD_HELP)
@click.argument("folder", metavar="[DIR]", required=False)
@store_option()
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json")), default="table", show_default=True)
def texts(folder: str | None, store_path: Path | None, fmt: str) -> None:
    """List the texts of the build in DIR: id, title, date, file, and the mentions, entities and facts of each."""
    from kg.counts import texts as list_texts
    from kg.store import OxigraphStore

    try:
        with OxigraphStore.open_read_only(build_store(folder, store_path)) as store:
            found = list_texts(store)
    except KGError as exc:
        raise fail(exc) from exc
    columns = ["doc_id", "title", "date", "path", "mentions", "entities", "facts"]
    echo_rows(columns, [tuple(getattr(t, c) for c in columns) for t in found], fmt)


@cli.command(context_settings=CONTEXT, epilog=BUILD_HELP)
@click.argument("args", nargs=-1, required=True, metavar="[DIR] NAME")
@store_option()
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, None),
              help="Print at most this many entities (the best matches).")
def lookup(args: tuple[str, ...], store_path: Path | None, fmt: str, limit: int) -> None:
    """Find entities by any of their names and print their names, type and IRI, the obvious one first.

    NAME may be a whole name, its start or any part of it, in Simplified, Traditional or English, any case,
    or the pinyin initials of a Chinese name (gjrjw: 国家认监委). Whole-name matches come first, then the
    entities found in more texts. Exit code 1 when nothing matches.
    """
    folder, (name,) = split_build(args, ("NAME",))
    store_dir = build_store(folder, store_path)
    from kg.lookup import format_table, lookup as find

    try:
        found, total = find(store_dir, name, limit)
    except KGError as exc:
        raise fail(exc) from exc
    if not found:
        raise click.ClickException(f"no entity named {name!r} or with a name containing it in {store_dir}")
    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in found], ensure_ascii=False, indent=1))
    else:
        click.echo(format_table(found), nl=False)
    if total > len(found):
        notice(f"{total - len(found)} more entities match {name!r}; see them with --limit {total}")


def echo_rows(columns: list[str], rows: list[tuple], fmt: str) -> None:
    """Print rows; CSV as the bytes `export` writes (UTF-8 with BOM, CRLF, formula-like cells made text)."""
    if fmt == "csv":
        from kg.export import csv_bytes

        click.echo(csv_bytes(columns, [["" if v is None else str(v) for v in row] for row in rows]), nl=False)
    else:
        click.echo(render(columns, rows, fmt), nl=False)


def render(columns: list[str], rows: list[tuple], fmt: str) -> str:
    """Rows as an aligned table, TSV or JSON."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    if fmt == "json":
        return json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, indent=1) + "\n"
    if fmt == "tsv":
        from kg.export import csv_safe

        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([list(map(csv_safe, row)) for row in cells])
        return buffer.getvalue()
    return table(columns, cells)


def table(columns: list[str], cells: list[list[str]]) -> str:
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    widths = [max([width(c)] + [width(row[i]) for row in cells]) for i, c in enumerate(columns)]
    pad = lambda text, w: text + " " * (w - width(text))  # noqa: E731
    lines = [" | ".join(pad(c, w) for c, w in zip(columns, widths)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(pad(v, w) for v, w in zip(row, widths)) for row in cells]
    lines.append(f"({len(cells)} rows)")
    return "\n".join(lines) + "\n"


@cli.command("eval", context_settings=CONTEXT)
@click.option("--gold", "gold_dirs", required=True, multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of gold annotation JSON files; repeat to score several sets.")
@click.option("--graph", "graph_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A built graph (.trig, .nq, .ttl); one for all gold folders, or one per --gold in the same "
                   "order.  [default: out/graph.trig]")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate(gold_dirs: tuple[Path, ...], graph_files: tuple[Path, ...], as_json: bool) -> None:
    """Score built graphs against gold annotations: P/R/F1 per entity type and relation kind.

    \b
    ccakg eval --gold GOLD --graph out/graph.trig
    ccakg eval --gold dev/gold --graph dev-out/graph.trig --gold challenge/gold --graph challenge-out/graph.trig
    """
    from kg.evaluate import evaluate as run_eval, format_table

    pairs = _eval_pairs(gold_dirs, graph_files or (Path("out/graph.trig"),))
    try:
        results = [(gold, graph, run_eval(graph, gold)) for gold, graph in pairs]
    except KGError as exc:
        raise fail(exc) from exc
    if len(results) == 1:
        result = results[0][2]
        click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_table(result))
    elif as_json:
        click.echo(json.dumps([{"gold": str(gold), "graph": str(graph), **result} for gold, graph, result in results],
                              ensure_ascii=False, indent=1))
    else:
        click.echo("\n\n".join(f"== {gold} (graph {graph})\n{format_table(result)}" for gold, graph, result in results))


def _eval_pairs(gold_dirs: tuple[Path, ...], graph_files: tuple[Path, ...]) -> list[tuple[Path, Path]]:
    """Each gold folder with its graph: one graph for all, or one per gold folder in order."""
    if len(graph_files) == 1:
        return [(gold, graph_files[0]) for gold in gold_dirs]
    if len(graph_files) != len(gold_dirs):
        raise click.UsageError(f"{len(gold_dirs)} --gold folders but {len(graph_files)} --graph files: "
                               "give one graph for all, or one per gold folder")
    return list(zip(gold_dirs, graph_files))


def main() -> None:
    cli()


@cli.command(context_settings=CONTEXT, epilog=BUILD_HELP)
@click.argument("args", nargs=-1, required=True, metavar="[DIR] NAME")
@store_option()
@click.option("--limit", default=None, type=click.IntRange(0, None),
              help="Show at most this many pieces of evidence in all (and say how many were left out).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr while it works.")
def why(args: tuple[str, ...], store_path: Path | None, limit: int | None, fmt: str, quiet: bool) -> None:
    """Say why an entity (or the facts about it) exists: sentence, rule or lexicon entry, source file.

    NAME is any of its names, in either script, or its IRI. The evidence is grouped by text (id, title,
    date, file), each with its offsets, what it is about, the rule and the whole sentence.
    """
    folder, (name,) = split_build(args, ("NAME",))
    store_dir = build_store(folder, store_path)
    from kg.why import explain, format_text, open_store

    try:
        with open_store(store_dir) as store, Busy("why", quiet):
            explained = explain(store, name, limit)
    except KGError as exc:
        raise fail(exc) from exc
    if fmt == "json":
        click.echo(json.dumps(explained, ensure_ascii=False, indent=1))
    else:
        click.echo(format_text(explained, name), nl=False)


@cli.command(context_settings=CONTEXT, epilog=BUILD_HELP)
@click.argument("args", nargs=-1, required=True, metavar="[DIR] A B")
@store_option()
@click.option("--max-len", default=6, show_default=True, type=click.IntRange(1, 50),
              help="Longest path looked for, in steps (relations).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="Most paths printed (all of them of the shortest length).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def path(args: tuple[str, ...], store_path: Path | None, max_len: int, limit: int, fmt: str) -> None:
    """How is A connected to B: the shortest paths between two entities, step by step, with evidence.

    A and B are names in any script, English names or IRIs (as `ccakg why` finds them). Relations are
    followed in either direction; each step prints its relation with its direction and one evidence
    quote with its source text. Exit code 1 when a name is unknown or no path is found.
    """
    folder, (name_a, name_b) = split_build(args, ("A", "B"))
    store_dir = build_store(folder, store_path)
    from kg.paths import as_dict, find_paths, format_text, no_path_message

    try:
        result = find_paths(store_dir, name_a, name_b, max_len=max_len, limit=limit)
    except KGError as exc:
        raise fail(exc) from exc
    if fmt == "json":
        click.echo(json.dumps(as_dict(result), ensure_ascii=False, indent=1))
    elif result.paths:
        click.echo(format_text(result), nl=False)
    if not result.paths:
        raise click.ClickException(no_path_message(result, name_a, name_b))


@cli.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="An output folder made by `ccakg build`.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Extraction processes.")
@scheduler_options
@click.option("--no-html", is_flag=True, help="Skip graph.html.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@registry_option(BUILD_REGISTRY_HELP)
@wait_option()
@click.pass_context
def add(ctx: click.Context, files: tuple[Path, ...], out_dir: Path, workers: int, no_html: bool, quiet: bool,
        registry_file: Path | None, wait: float, scheduler: str | None, shared_corpus: bool) -> None:
    """Add texts to a built graph, or replace them if built before, without rebuilding the others."""
    if not out_dir.is_dir():
        raise click.ClickException(f"{out_dir}: no store there; build one first with `ccakg build … --out {out_dir}`")
    ctx.invoke(build, corpus=files, out_dir=out_dir, workers=workers, no_html=no_html, quiet=quiet, wait=wait,
               need_store=True, registry_file=registry_file, scheduler=scheduler, shared_corpus=shared_corpus)


@cli.command(context_settings=CONTEXT)
@click.argument("doc_ids", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="An output folder made by `ccakg build`.")
@click.option("--no-html", is_flag=True, help="Skip graph.html.")
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
@wait_option()
def remove(doc_ids: tuple[str, ...], out_dir: Path, no_html: bool, quiet: bool, wait: float) -> None:
    """Remove texts (by id: the path under the corpus folder without its extension) and what they alone said."""
    from kg.pipeline import remove as run_remove

    try:
        report = run_remove(doc_ids, out_dir, html=not no_html, wait=wait, notify=notice)
    except KGError as exc:
        raise fail(exc) from exc
    if not quiet:
        click.echo(f"removed {', '.join(doc_ids)}; {holds(report.as_dict())}")


@cli.group(context_settings=CONTEXT)
def registry() -> None:
    """The committed registry that keeps every entity's IRI the same across rebuilds and renames."""


@registry.command("freeze", context_settings=CONTEXT)
@click.argument("corpus", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--file", "registry_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Registry TSV (default: the one shipped in kg/data/registry.tsv).")
def registry_freeze(corpus: tuple[Path, ...], registry_file: Path | None) -> None:
    """Record the IRI of every lexicon entry and of every entity found in CORPUS (if given)."""
    from kg.registry_tools import freeze

    try:
        added = freeze(corpus, registry_file)
    except KGError as exc:
        raise fail(exc) from exc
    click.echo(f"registry: {added} new entries")


@registry.command("merge", context_settings=CONTEXT, epilog=BUILD_HELP)
@click.argument("args", nargs=-1, required=True, metavar="[DIR] KEEP OTHER")
@store_option()
@click.option("--registry", "--file", "registry_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The registry file to write.  [default: DIR/registry.tsv, the build's own]")
def registry_merge(args: tuple[str, ...], store_path: Path | None, registry_file: Path | None) -> None:
    """Merge entity OTHER into KEEP (names in any script, or IRIs): KEEP's IRI and name stay, OTHER becomes
    owl:sameAs it and its names altLabels of KEEP.

    The merge is written to the build's registry (DIR/registry.tsv, or --registry FILE); build again
    (`ccakg build CORPUS --out DIR`, which reads DIR/registry.tsv, or with --registry FILE) to see it in the graph.
    """
    folder, (keep, other) = split_build(args, ("KEEP", "OTHER"))
    store_dir = build_store(folder, store_path)
    from kg.registry_tools import merge

    try:
        keep_iri, other_iri, path = merge(keep, other, store_dir, registry_file)
    except KGError as exc:
        raise fail(exc) from exc
    click.echo(f"merged {other_iri} into {keep_iri} in {path}; build again to see it in the graph")


@cli.command("validate", context_settings=CONTEXT)
@click.argument("out_dir", metavar="DIR", type=click.Path(exists=True, path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print only violations (nothing when the graph conforms).")
@click.option("--all-warnings", is_flag=True, help="List every warning instead of a grouped summary.")
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="sparql: the shapes compiled to SPARQL on DIR/store (linear in the build); "
                   "pyshacl: the reference engine on graph.trig in memory (slow on big builds).")
def validate_command(out_dir: Path, quiet: bool, all_warnings: bool, engine: str) -> None:
    """Check a build (DIR/store, else DIR/graph.trig) against the SHACL shapes in ontology/shapes.ttl.

    The union of the build's graphs plus the ontology is checked: labels, memberships, tasks,
    statistics, targets, evidence spans and quotes, document numbers and the noise list
    (ontology/noise.txt). Each violation names the focus node's zh-Hans label, the path and the
    message. Exit code 0 when the graph conforms (warnings allowed), 1 on violations.
    """
    from kg.outdir import build_folder
    from kg.validate import format_report, validate as run_validate

    def progress(done: int, total: int) -> None:
        if not quiet and (done == total or done % max(1, total // 10) == 0):
            click.echo(f"validating: {done}/{total} checks", err=True)

    try:
        result = run_validate(build_folder(out_dir), engine=engine, progress=progress)
    except KGError as exc:
        raise fail(exc) from exc
    if not (quiet and result.conforms):
        click.echo(format_report(result, warnings="none" if quiet else "full" if all_warnings else "summary"),
                   nl=False)
    if not result.conforms:
        sys.exit(1)


@cli.command("publish", context_settings=CONTEXT)
@click.argument("folder", metavar="DIR")
@click.option("--virtuoso", "address", required=True, metavar="HOST:PORT",
              help="The Virtuoso server's SQL port (ServerPort in its virtuoso.ini, 1111 by default).")
@click.option("--user", default="dba", show_default=True, help="A Virtuoso account that may run the bulk loader.")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A file whose first line is the password (default: Virtuoso's initial password, dba).")
@click.option("--graph-prefix", default="https://w3id.org/ccakg/graph/", show_default=True, metavar="IRI",
              help="Publish the graphs as IRIdoc/<id>, IRIentities, IRIontology; every graph under IRI is replaced.")
@click.option("--load-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the file the server bulk-loads: a folder the server reads at the same path and "
                   "lists in DirsAllowed.  [default: DIR]")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def publish_command(folder: str, address: str, user: str, password_file: Path | None, graph_prefix: str,
                    load_dir: Path | None, quiet: bool) -> None:
    """Publish the build in DIR to a Virtuoso server, replacing what was published under --graph-prefix.

    The data goes in with Virtuoso's bulk loader (ld_dir, rdf_loader_run) into private staging graphs; one
    transaction then swaps them in for the graphs published before, so SPARQL readers see the old build or
    the new one, never a mix. Needs Virtuoso's isql client (Debian: apt-get install virtuoso-opensource).
    """
    from kg.virtuoso import Virtuoso, publish, read_password

    try:
        server = Virtuoso.at(address, user, read_password(password_file))
        done = publish(Path(folder), server, graph_prefix, load_dir, notify=None if quiet else notice)
    except KGError as exc:
        raise fail(exc) from exc
    if not quiet:
        click.echo(f"published {done.quads} quads in {done.graphs} graphs to {done.server} under {done.graph_prefix} "
                   f"({done.dropped} graphs replaced or removed; {sum(done.seconds.values()):.1f} s)")


@cli.command("serve", context_settings=CONTEXT, epilog=BUILD_HELP)
@click.argument("folder", metavar="[DIR]", required=False)
@store_option()
@click.option("--port", default=7878, show_default=True, type=click.IntRange(1, 65535), help="TCP port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback is refused without --allow-remote.")
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(0, None),
              help="Seconds a query may run (0: no limit).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 16),
              help="Queries that run at once (one Oxigraph server each); the others wait in line.")
@click.option("--cors", "cors_origin", metavar="ORIGIN", default=None,
              help="Let web pages of this one origin (e.g. http://localhost:8080) read answers. Off by default.")
@click.option("--allow-service", is_flag=True,
              help="Run SERVICE clauses, which make the server send requests to other endpoints (off: 400).")
@click.option("--allow-remote", is_flag=True,
              help="Allow a non-loopback --host. The server has no authentication: anyone who reaches it can query.")
@click.option("--read-write", is_flag=True,
              help="Accept SPARQL updates at /update (off: updates get 403). Locks the store: builds into it fail.")
def serve_command(folder: str | None, store_path: Path | None, port: int, host: str, timeout: int, workers: int, cors_origin: str | None,
                  allow_service: bool, allow_remote: bool, read_write: bool) -> None:
    """Serve the build in DIR over the SPARQL 1.1 Protocol (Oxigraph servers behind a guard), until Ctrl-C.

    \b
    /          query page: YASGUI with the saved queries, works offline
    /entity    ?iri=IRI: an entity's names and evidence sentences
    /explorer  the build's explorer page (DIR/graph.html)
    /query     SPARQL endpoint: GET or POST; results as JSON, XML, CSV, TSV,
               Turtle, N-Triples or JSON-LD by the Accept header
    /update    SPARQL updates, only with --read-write
    /store     SPARQL 1.1 Graph Store Protocol

    ccakg's prefixes (kgo: kg: skos: org: dct: …) need no PREFIX lines; an undeclared unknown prefix gets
    400 naming it. Queries see the union of all graphs without GRAPH (as `ccakg query` does); a triple stated in two
    texts then matches twice, so use SELECT DISTINCT. Read-only and loopback-only by default, no CORS,
    no SERVICE. A query that runs past --timeout is stopped and answered 504; when every worker stays
    busy that long the answer is 503. The read-only server does not lock the store: restart it after a
    rebuild to see the new graph.
    """
    store_dir = build_store(folder, store_path)
    from kg.web.gateway import GatewayOptions
    from kg.web.serve import QUERY_PATH, UPDATE_PATH, serve

    def announce(url: str) -> None:
        click.echo(f"ccakg: query UI        {url}/", err=True)
        click.echo(f"ccakg: SPARQL endpoint {url}{QUERY_PATH}"
                   + (f" (updates at {url}{UPDATE_PATH})" if read_write else " (read-only)"), err=True)
        click.echo("ccakg: Ctrl-C stops the server", err=True)

    options = GatewayOptions(timeout=timeout or None, workers=workers, cors_origin=cors_origin,
                             allow_service=allow_service)
    try:
        code = serve(store_dir, host, port, options, read_write=read_write, allow_remote=allow_remote,
                     announce=announce)
    except KGError as exc:
        raise fail(exc) from exc
    sys.exit(code)


@cli.command("export", context_settings=CONTEXT)
@click.argument("out_dir", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True,
              type=click.Choice(("ttl", "trig", "nq", "jsonld", "graphml", "gexf", "csv")),
              help="ttl: merged graph; trig/nq/jsonld: every named graph; graphml/gexf: the entity graph "
                   "for Gephi; csv: entities, relations and evidence tables for spreadsheets.")
@click.option("-o", "--output", "dest", type=click.Path(path_type=Path), default=None,
              help="Where to write (default DIR/export/graph.<format>; csv: the folder DIR/export/csv, "
                   "or a .zip if the path ends in .zip).")
@click.option("--bipartite", is_flag=True,
              help="graphml/gexf: the text–entity network (texts and the entities they mention, weighted by "
                   "mentions) for co-mention analysis, instead of the entity network.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines; only the path written.")
def export_command(out_dir: Path, fmt: str, dest: Path | None, bipartite: bool, quiet: bool) -> None:
    """Export the build in DIR (its store, read-only, else graph.trig) to another format.

    CSV files are UTF-8 with a BOM (so Excel shows Chinese correctly); several values in one cell are
    separated by " | ". GraphML and GEXF (for Gephi) hold the entities and the readable relations between
    them, with the explorer's colours per type, a layout, sizes by mentions, edge weights (texts stating a
    fact) and time (a dynamic GEXF: start and end from the years of the texts).
    """
    from kg.export import default_destination, export
    from kg.outdir import build_folder

    folder = build_folder(out_dir)
    target = Path(dest) if dest is not None else default_destination(folder, fmt)
    try:
        with Busy(f"export {fmt}", quiet, target):
            path = export(folder, fmt, target, bipartite=bipartite)
    except KGError as exc:
        raise fail(exc) from exc
    click.echo(str(path))


@cli.command("viz", context_settings=CONTEXT, epilog=BUILD_HELP)
@click.argument("folder", metavar="[DIR]", required=False)
@store_option()
@click.option("--focus", "names", multiple=True, metavar="NAME",
              help="Draw only the neighbourhood of the entity with this name (any script, or its IRI); "
                   "repeat it to draw the neighbourhoods of several entities together.")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(0, 10),
              help="With --focus: how many relations away from it to draw (directions ignored).")
@click.option("--max-nodes", default=2000, show_default=True, type=click.IntRange(1, 100_000),
              help="Node budget: above it the most connected (with --focus: the nearest) entities are drawn.")
@click.option("-o", "--output", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (self-contained, works offline).")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr while it works.")
def viz(folder: str | None, store_path: Path | None, names: tuple[str, ...], hops: int, max_nodes: int,
        out_file: Path, quiet: bool) -> None:
    """Draw the explorer page (like DIR/graph.html) of the build in DIR, or the neighbourhood of some entities."""
    store_dir = build_store(folder, store_path)
    from kg.web.explorer import find_nodes, graph_view, open_store, write_html

    try:
        with Busy("viz", quiet):
            with open_store(store_dir) as store:
                graph = graph_view(store)
            focus = list(dict.fromkeys(node for name in names for node in find_nodes(graph, name)))
            labels = " + ".join(dict.fromkeys(graph.nodes[node]["label"] for node in focus))
            title = f"{labels} · {hops} 跳邻域" if focus else "ccakg"
            summary = write_html(graph, out_file, max_nodes=max_nodes, title=title, focus=focus, hops=hops)
    except KGError as exc:
        raise fail(exc) from exc
    for iri in focus:
        click.echo(f"focus: {graph.nodes[iri]['label']}  [{graph.nodes[iri]['type']}]  {iri}")
    left_out = f" ({summary['omitted']} entities and {summary['omitted_edges']} relations left out)" \
        if summary["omitted"] else ""
    click.echo(f"wrote {out_file}: {summary['nodes']} entities, {summary['edges']} relations{left_out}")
