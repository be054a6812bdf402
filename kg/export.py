"""Serialize the store to files: RDF (TriG, Turtle, N-Quads, JSON-LD), graphs for Gephi (GraphML, GEXF)
and CSV tables for spreadsheets.

``export(DIR, fmt)`` reads a build's store read-only (or its ``graph.trig`` when there is no store) and
writes ``DIR/export/graph.<ext>`` (CSV: the folder ``DIR/export/csv/``). ``EXPORTERS`` maps each format
to a writer ``(OxigraphStore, Path) -> Path``.

- ``trig``/``nq``/``jsonld``: every quad, named graphs kept. JSON-LD is pyoxigraph's expanded form (full
  IRIs, no ``@context``: pyoxigraph does not compact), one ``@graph`` object per named graph.
- ``ttl``: the merged graph, every triple of every graph once.
- ``graphml``/``gexf``: the entity network for Gephi (:mod:`kg.gephi`): colours, layout, sizes, edge
  weights (texts stating a fact), time (dynamic GEXF); ``bipartite=True``: the text–entity network.
- ``csv``: ``entities.csv``, ``relations.csv``, ``evidence.csv`` in a folder, or in a zip when the
  destination ends in ``.zip``. UTF-8 *with* a BOM and CRLF line ends (RFC 4180): Excel opens a
  BOM-less UTF-8 CSV in the legacy code page (GBK on a Chinese Windows) and garbles every name; Python
  reads the files with ``encoding="utf-8-sig"``, pandas and LibreOffice skip the BOM. Multiple values in
  a cell (aliases, rules) are joined with `` | ``. Cells are written as they are in the graph: a cell
  beginning with ``=``, ``+``, ``-`` or ``@`` is not escaped against spreadsheet formula injection.

Every writer writes to a temporary file beside the target and renames it into place, so a reader never
sees a half-written file and a failed export leaves the previous file as it was.
"""
from __future__ import annotations

import csv
import io
import logging
import os
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from typing import IO

import networkx as nx
import pyoxigraph as ox

from extractors.errors import KGError, StoreError
from kg.namespaces import GRAPH, PREFIXES, SPARQL_PREFIXES, SRC, compact_iri, doc_id_of, unquote_iri
from kg.store import OxigraphStore

log = logging.getLogger(__name__)

MULTI_VALUE_SEPARATOR = " | "
TRIPLE = attrgetter("triple")   # a quad's triple, made in Rust: far cheaper than ox.Triple(q.subject, …)
CSV_ENCODING = "utf-8-sig"  # UTF-8 with a BOM, for Excel
CSV_TABLES = ("entities", "relations", "evidence")
ENTITY_COLUMNS = ["iri", "type", "name_zh_hans", "name_zh_hant", "name_en", "aliases"]
RELATION_COLUMNS = ["subject", "subject_name", "relation", "object", "object_name", "source_doc",
                    "relation_label"]
EVIDENCE_COLUMNS = ["body", "doc_id", "start", "end", "quote", "rule"]
DOC_GRAPH_PREFIX = GRAPH + "doc/"


class ExportError(KGError):
    """An export cannot be read from its build or written."""


# -- RDF ----------------------------------------------------------------------------------------------


def write_trig(store: OxigraphStore, path: Path) -> Path:
    """Write every named graph (and the default graph) as TriG."""
    return _write_atomically(store, Path(path), "trig")


def write_turtle(store: OxigraphStore, path: Path) -> Path:
    """Write the merged graph as Turtle: every triple of every graph, once."""
    return _write_atomically(store, Path(path), "ttl")


def write_nquads(store: OxigraphStore, path: Path) -> Path:
    """Write every quad as N-Quads (the exchange format for other engines)."""
    return _write_atomically(store, Path(path), "nq")


def write_jsonld(store: OxigraphStore, path: Path) -> Path:
    """Write every quad as JSON-LD (expanded form, one ``@graph`` per named graph), UTF-8."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as scratch:
        nquads = Path(scratch) / "graph.nq"
        store.dump(nquads, "nq")  # the store's public API; re-serialized as a stream below
        with _replacing(path) as out:
            try:
                ox.serialize(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS), out,
                             ox.RdfFormat.JSON_LD)
            except (SyntaxError, ValueError) as e:
                raise ExportError(f"cannot write {path} as JSON-LD: {e}") from e
    log.info("wrote %s (jsonld, %d bytes)", path, path.stat().st_size)
    return path


# -- graphs for Gephi ---------------------------------------------------------------------------------


def write_graphml(store: OxigraphStore, path: Path, *, bipartite: bool = False) -> Path:
    """Write the entity network (or the text–entity network) as GraphML for Gephi (:mod:`kg.gephi`)."""
    from kg.gephi import for_graphml

    return _write_network(store, Path(path), "graphml", bipartite, for_graphml,
                          lambda graph, out: nx.write_graphml(graph, out, encoding="utf-8", prettyprint=True))


def write_gexf(store: OxigraphStore, path: Path, *, bipartite: bool = False) -> Path:
    """Write the entity network (or the text–entity network) as dynamic GEXF 1.2, Gephi's own format."""
    from kg.gephi import for_gexf

    return _write_network(store, Path(path), "gexf", bipartite, for_gexf,
                          lambda graph, out: nx.write_gexf(graph, out, encoding="utf-8", prettyprint=True))


def _write_network(store: OxigraphStore, path: Path, fmt: str, bipartite: bool, prepare: Callable,
                   writer: Callable) -> Path:
    from kg.gephi import network

    graph = prepare(network(store, bipartite=bipartite))
    for attrs in [*graph.nodes.values(), *(a for _, _, a in graph.edges(data=True))]:
        attrs.update({k: _xml_safe(v) for k, v in attrs.items() if isinstance(v, str)})
    with _replacing(path) as out:
        writer(graph, out)
    log.info("wrote %s (%s, %d nodes, %d edges)", path, fmt, graph.number_of_nodes(), graph.number_of_edges())
    return path


def entity_names(names: list[tuple[str, str, str, bool]]) -> dict[str, str]:
    """Flatten graph_view's ``names`` ([(kind, name, lang, is_zh_hans)]) into the CSV/graph columns."""
    prefs: dict[str, str] = {}
    aliases: list[str] = []
    for kind, name, lang, _ in names:
        lang = lang.lower()
        if kind == "pref":
            column = ("name_zh_hans" if lang == "zh-hans" else "name_zh_hant" if lang == "zh-hant"
                      else "name_en" if lang.split("-")[0] == "en" else "")
            if column and column not in prefs:
                prefs[column] = name
        elif name not in aliases:
            aliases.append(name)
    return {"name_zh_hans": prefs.get("name_zh_hans", ""), "name_zh_hant": prefs.get("name_zh_hant", ""),
            "name_en": prefs.get("name_en", ""), "aliases": MULTI_VALUE_SEPARATOR.join(aliases)}


# -- CSV tables -----------------------------------------------------------------------------------------


def write_csv(store: OxigraphStore, path: Path) -> Path:
    """Write entities.csv, relations.csv, evidence.csv into the folder ``path``, or a zip if it ends in .zip."""
    path = Path(path)
    tables = csv_tables(store)
    if path.suffix.lower() == ".zip":
        with _replacing(path) as out, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, (header, rows) in tables.items():
                archive.writestr(f"{name}.csv", csv_bytes(header, rows))
    else:
        if path.exists() and not path.is_dir():
            raise ExportError(f"{path} is a file; CSV export writes a folder (or give a path ending in .zip)")
        for name, (header, rows) in tables.items():
            with _replacing(path / f"{name}.csv") as out:
                out.write(csv_bytes(header, rows))
    log.info("wrote %s (csv: %s)", path, ", ".join(f"{n} {len(r)} rows" for n, (_, r) in tables.items()))
    return path


def csv_tables(store: OxigraphStore) -> dict[str, tuple[list[str], list[list[str | int]]]]:
    """The three tables as (header, rows), sorted."""
    from kg.web.explorer import graph_view

    view = graph_view(store, evidence=False)   # the evidence table is read on its own, text by text
    entities = []
    for node in sorted(view.nodes):
        attrs = view.nodes[node]
        names = entity_names(attrs.get("names", []))
        entities.append([node, attrs.get("type", "")] + [names[c] for c in ENTITY_COLUMNS[2:]])
    return {"entities": (ENTITY_COLUMNS, entities),
            "relations": (RELATION_COLUMNS, _relation_rows(store, view)),
            "evidence": (EVIDENCE_COLUMNS, _evidence_rows(store))}


def _relation_query() -> str:
    from kg.web.explorer import RELATIONS

    values = " ".join(f"<{r.predicate}>" for r in RELATIONS)
    return SPARQL_PREFIXES + f"""
SELECT DISTINCT ?s ?p ?o ?g WHERE {{
  VALUES ?p {{ {values} }}
  GRAPH ?g {{ ?s ?p ?o }}
}}"""


MEMBERSHIP_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?person ?org ?role ?roleLabel ?g WHERE {
  GRAPH ?g { ?m a org:Membership ; org:member ?person ; org:organization ?org . OPTIONAL { ?m org:role ?role } }
  OPTIONAL { ?role skos:prefLabel ?roleLabel FILTER(langMatches(lang(?roleLabel), "zh-Hans")) }
}"""

EVIDENCE_QUERY = SPARQL_PREFIXES + """
SELECT DISTINCT ?ev ?t ?body ?source ?docId ?start ?end ?exact ?rule WHERE {
  ?ev a kgo:Evidence .
  OPTIONAL { ?ev oa:hasBody ?body }
  OPTIONAL { ?ev kgo:rule ?rule }
  OPTIONAL { ?ev oa:hasTarget ?t .
    OPTIONAL { ?t oa:hasSource ?source . OPTIONAL { ?source dct:identifier ?docId } }
    OPTIONAL { ?t oa:hasSelector ?position . ?position oa:start ?start . OPTIONAL { ?position oa:end ?end } }
    OPTIONAL { ?t oa:hasSelector ?quote . ?quote oa:exact ?exact } }
}"""


def _relation_rows(store: OxigraphStore, view: nx.MultiDiGraph) -> list[list[str | int]]:
    """One row per entity → entity relation and source text, drawn as the explorer draws it."""
    rows: list[list[str | int]] = []
    for (source, name, target, label), in_docs in sorted(relation_docs(store).items()):
        if source not in view or target not in view:
            continue  # as in the explorer: both ends must be entities
        for doc in sorted(in_docs - {""}) or [""]:
            rows.append([source, view.nodes[source].get("label", ""), name, target,
                         view.nodes[target].get("label", ""), doc, label])
    return rows


def relation_docs(store: OxigraphStore) -> dict[tuple[str, str, str, str], set[str]]:
    """(source, relation CURIE, target, label) → the ids of the texts stating it, drawn as the explorer draws it
    (``^`` marks a relation drawn object → subject; memberships are ``org:Membership`` labelled with the role)."""
    from kg.web.explorer import MEMBER_LABEL, RELATIONS_BY_PREDICATE

    docs: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for subject, predicate, obj, graph in store.select(_relation_query())[1]:
        relation = RELATIONS_BY_PREDICATE[predicate]
        source, target = (obj, subject) if relation.reverse else (subject, obj)
        name = ("^" if relation.reverse else "") + compact_iri(predicate)
        docs[(source, name, target, relation.label)].add(_doc_of_graph(graph))
    roles: dict[tuple[str, str, str], str] = {}
    role_docs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for person, org, role, role_label, graph in store.select(MEMBERSHIP_QUERY)[1]:
        key = (person, org, role or "")
        label = role_label or (_local_name(role) if role else MEMBER_LABEL)
        roles[key] = min(roles.get(key, label), label)
        role_docs[key].add(_doc_of_graph(graph))
    for key, label in roles.items():
        docs[(key[0], "org:Membership", key[1], label)] |= role_docs[key]
    return docs


def _evidence_rows(store: OxigraphStore) -> list[list[str | int]]:
    """One row per evidence node, body and target: where in which text the quote stands, and the rules."""
    found: dict[tuple[str, str, str], dict[str, object]] = {}
    rules: dict[str, set[str]] = defaultdict(set)
    for ev, target, body, source, doc_id, start, end, exact, rule in store.select(EVIDENCE_QUERY)[1]:
        if rule:
            rules[ev].add(rule)
        row = found.setdefault((ev, target or "", body or ""), {})
        doc = doc_id or (unquote_iri(source.removeprefix(SRC)) if source else "")
        for column, value in (("doc_id", doc), ("start", start), ("end", end), ("quote", exact)):
            if value and not row.get(column):
                row[column] = value
    rows: list[list[str | int]] = []
    for (ev, _, body), row in found.items():
        rows.append([body, row.get("doc_id", ""), _int_or_blank(row.get("start")),
                     _int_or_blank(row.get("end")), row.get("quote", ""),
                     MULTI_VALUE_SEPARATOR.join(sorted(rules[ev]))])
    rows.sort(key=lambda r: (r[1], r[2] if isinstance(r[2], int) else -1, r[0], r[4]))
    return rows


def csv_bytes(header: list[str], rows: list[list[str | int]]) -> bytes:
    """A CSV table for spreadsheets: UTF-8 with a BOM, CRLF line ends, formula-like cells made text (:func:`csv_safe`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([list(map(csv_safe, row)) for row in rows])
    return buffer.getvalue().encode(CSV_ENCODING)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RE_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def csv_safe(value: object) -> object:
    """A cell that a spreadsheet would run as a formula (it starts with = + - @, tab or CR) gets a leading ``'``.

    The OWASP rule against CSV injection: Excel, LibreOffice and Google Sheets show the text, not a formula.
    A plain number (``-3.5``, ``+12%``) is left as it is: no formula, and still a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not RE_PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


# -- export of a build --------------------------------------------------------------------------------


EXPORTERS: dict[str, Callable[[OxigraphStore, Path], Path]] = {
    "trig": write_trig,
    "ttl": write_turtle,
    "nq": write_nquads,
    "jsonld": write_jsonld,
    "graphml": write_graphml,
    "gexf": write_gexf,
    "csv": write_csv,
}
EXPORT_FORMATS = ("ttl", "trig", "nq", "jsonld", "graphml", "gexf", "csv")  # in the order --help lists them
NETWORK_FORMATS = ("graphml", "gexf")


def default_destination(out_dir: Path, fmt: str) -> Path:
    """``DIR/export/graph.<fmt>``; for CSV the folder ``DIR/export/csv``."""
    return Path(out_dir) / "export" / ("csv" if fmt == "csv" else f"graph.{fmt}")


def export(out_dir: Path, fmt: str, dest: Path | None = None, *, bipartite: bool = False) -> Path:
    """Export the build in ``out_dir`` as ``fmt`` to ``dest`` (default :func:`default_destination`).

    Reads ``DIR/store`` read-only (so a running ``ccakg serve`` or ``ccakg query`` does not block it),
    else ``DIR/graph.trig``. ``bipartite``: the text–entity network (GraphML, GEXF). Returns the path written.
    """
    if fmt not in EXPORTERS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    if bipartite and fmt not in NETWORK_FORMATS:
        raise ExportError(f"the text–entity network (bipartite) is written as {' or '.join(NETWORK_FORMATS)}, "
                          f"not {fmt}")
    out_dir = Path(out_dir)
    destination = Path(dest) if dest is not None else default_destination(out_dir, fmt)
    with open_build(out_dir) as store:
        if bipartite:
            return EXPORTERS[fmt](store, destination, bipartite=True)
        return EXPORTERS[fmt](store, destination)


@contextmanager
def open_build(out_dir: Path) -> Iterator[OxigraphStore]:
    """The store of a build folder, opened read-only; else its graph.trig loaded in memory."""
    out_dir = Path(out_dir)
    if (out_dir / "store" / "CURRENT").is_file():
        store: OxigraphStore = OxigraphStore.open_read_only(out_dir / "store")
    elif (out_dir / "graph.trig").is_file():
        store = OxigraphStore()
        store.load(out_dir / "graph.trig", "trig")
    else:
        raise ExportError(f"{out_dir}: no build there (neither store/ nor graph.trig); "
                          f"build one with `ccakg build CORPUS --out {out_dir}`")
    try:
        yield store
    finally:
        store.close()


def _doc_of_graph(graph: str | None) -> str:
    return doc_id_of(graph) if graph and graph.startswith(DOC_GRAPH_PREFIX) else ""


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def _int_or_blank(value: object) -> int | str:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return ""


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: object) -> str:
    """Drop the characters XML 1.0 cannot carry (control characters other than tab and newlines)."""
    return _XML_ILLEGAL.sub("", str(text))


@contextmanager
def _replacing(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` atomically when the block succeeds; nothing changes otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {path}: {e}") from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_atomically(store: OxigraphStore, path: Path, fmt: str) -> Path:
    """Dump ``store`` as ``fmt`` into a temp file in ``path``'s directory, then rename it to ``path``."""
    with _replacing(path) as out:
        store.dump(out, fmt)  # pyoxigraph always writes UTF-8
    log.info("wrote %s (%s, %d bytes)", path, fmt, path.stat().st_size)
    return path


# -- streaming while building --------------------------------------------------------------------------


PREFIX_LINES = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()).encode("utf-8")


class StreamedGraphFiles:
    """graph.trig and graph.ttl written while texts stream through a fresh build.

    Reading 10⁷ quads back out of RocksDB costs minutes; serialising each text's quads as they arrive costs
    seconds. The shared graphs (entities, ontology) are appended from the store at the end. Only for builds
    that start from an empty store, where the files then hold exactly what the store holds.
    """

    def __init__(self, folder: Path) -> None:
        self.paths = {"trig": Path(folder) / "graph.trig", "ttl": Path(folder) / "graph.ttl"}
        self.files = {fmt: path.open("wb") for fmt, path in self.paths.items()}
        for handle in self.files.values():
            handle.write(PREFIX_LINES)

    def add(self, quads: list[ox.Quad]) -> None:
        """One text's graph (or any quads of named graphs)."""
        self.add_rendered(*render_graph_files(quads))

    def add_rendered(self, trig: bytes, ttl: bytes) -> None:
        """One text's graph as :func:`render_graph_files` gave it (in an extraction worker)."""
        self.files["trig"].write(trig)
        self.files["ttl"].write(ttl)

    def finish(self, store: OxigraphStore, graph_iris: list[str]) -> None:
        """Append the shared graphs from the store and close the files."""
        for graph_iri in graph_iris:
            self.add(list(store.quads(graph_iri)))
        self.close()

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()

    @property
    def folder(self) -> Path:
        return self.paths["trig"].parent


def render_graph_files(quads: list[ox.Quad], graph: str = "", turtle: str = "") -> tuple[bytes, bytes]:
    """Quads of named graphs as (TriG, Turtle) chunks for :class:`StreamedGraphFiles`, without prefix lines.

    ``turtle``: more triples of the named graph ``graph``, already written as Turtle with the prefixes of
    ``PREFIXES`` (a text's evidence, :class:`kg.rdf.DocQuads`): a block of their own in the TriG chunk.
    """
    trig = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES) if quads else b""
    ttl = ox.serialize(map(TRIPLE, quads), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) if quads else b""
    trig, ttl = _without_prefix_lines(trig), _without_prefix_lines(ttl)
    if turtle:
        text = turtle.encode("utf-8")
        trig += b"<" + graph.encode("utf-8") + b"> {\n" + text + b"}\n"
        ttl += text
    return trig, ttl


def _without_prefix_lines(data: bytes) -> bytes:
    """ox.serialize starts every chunk with its @prefix lines; the file has them once, at its top."""
    start = 0
    while data.startswith(b"@prefix ", start):
        start = data.index(b"\n", start) + 1
    return data[start:]
