"""The one small interface to the embedded RDF store (Oxigraph), so that another engine can replace it.

Everything else in ``kg`` talks to the store through :class:`OxigraphStore`; nothing outside this module
imports ``pyoxigraph.Store``. Graph IRIs and SPARQL go in as ``str``; results of :meth:`OxigraphStore.select`
come back as plain Python values.

Measured on this machine's kind (2 cores), 1M quads already built as ``pyoxigraph.Quad`` objects, into a
persistent (RocksDB) store: ``bulk_extend`` 8.5 s, ``extend`` 31 s (one transaction, ~1 GB of WAL); in
memory both take ~2 s. Graph by graph (600 graphs of 1,600 quads) ``bulk_extend`` 18 s, ``extend`` 25 s.
So writes go through ``bulk_extend``; it is not transactional, and builds get atomicity at the directory
level instead: they write into a :func:`copy_store` copy that ``kg.outdir`` puts in force by one rename.
"""
from __future__ import annotations

import gc
import logging
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from extractors.errors import QueryError, StoreError
from kg.namespaces import PREFIXES

log = logging.getLogger(__name__)

FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE,
}
QUAD_FORMATS = frozenset({"trig", "nq"})

PathOrFile = str | os.PathLike[str] | IO[bytes]


class OxigraphStore:
    """An Oxigraph store, in memory (``path=None``) or persistent in a RocksDB directory.

    One RocksDB directory has one writer: opening a directory another process holds raises StoreError.
    Query results returned by :meth:`query` keep the underlying store open until they are dropped.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._store: ox.Store | None = _open(self.path)
        self.read_only = False

    @classmethod
    def open_read_only(cls, path: Path) -> OxigraphStore:
        """Open a persistent store for reading only: takes no lock, so a build or a server may hold it."""
        store = cls.__new__(cls)
        store.path, store.read_only = Path(path), True
        if not store.path.is_dir():
            raise StoreError(f"{store.path}: no store there (build one with `ccakg build CORPUS --out DIR`)")
        try:
            store._store = ox.Store.read_only(str(store.path))
        except OSError as e:
            raise StoreError(f"cannot open the store at {store.path} read-only: {e}") from e
        return store

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "memory"
        state = "closed" if self._store is None else f"{len(self)} quads"
        return f"<OxigraphStore {where}: {state}>"

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        """Number of quads in the store (every graph, the default graph included)."""
        return len(self._live())

    # -- writing ---------------------------------------------------------------------------------

    def replace_graph(self, graph_iri: str, quads: Iterable[ox.Quad]) -> None:
        """Clear the named graph ``graph_iri``, then add ``quads``, which must all belong to it.

        Raises:
            StoreError: a quad names another graph (the graph is then partly written: build inside
                :func:`copy_store` copy to keep the previous store intact), or the write fails.
        """
        graph = ox.NamedNode(graph_iri)
        self.remove_graph(graph_iri)
        self.add(_only_in_graph(quads, graph))

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Quad]]) -> None:
        """Replace several named graphs in one bulk write (faster than one call per graph)."""
        for graph_iri in graphs:
            self.remove_graph(graph_iri)
        self.add(q for iri, quads in graphs.items() for q in _only_in_graph(quads, ox.NamedNode(iri)))

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (bulk, not transactional)."""
        store = self._live()
        try:
            store.bulk_extend(quads)
        except OSError as e:
            raise StoreError(f"cannot write to the store at {self._where()}: {e}") from e

    def remove_graph(self, graph_iri: str) -> None:
        """Remove the named graph ``graph_iri`` and everything in it (no error if it does not exist)."""
        store, graph = self._live(), ox.NamedNode(graph_iri)
        try:
            if store.contains_named_graph(graph):  # removing costs ~8 ms even for an absent graph
                store.remove_graph(graph)
        except OSError as e:
            raise StoreError(f"cannot remove graph <{graph_iri}> from {self._where()}: {e}") from e

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update (transactional). The ``kg.namespaces`` prefixes are predeclared."""
        try:
            self._live().update(sparql, prefixes=PREFIXES)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL update: {e}\n{_excerpt(sparql)}") from e
        except OSError as e:
            raise StoreError(f"SPARQL update failed on {self._where()}: {e}") from e

    def load(self, path: str | os.PathLike[str], fmt: str, *, graph_iri: str | None = None) -> None:
        """Bulk-load a file. Quad formats keep their graphs; triples (ttl) go to ``graph_iri`` or the default graph."""
        rdf_format = _rdf_format(fmt)
        to_graph = ox.NamedNode(graph_iri) if graph_iri else None
        if to_graph is not None and fmt in QUAD_FORMATS:
            raise StoreError(f"graph_iri is only for triple formats, not {fmt!r}: {path}")
        try:
            self._live().bulk_load(path=str(path), format=rdf_format, to_graph=to_graph)
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"cannot parse {path} as {fmt}: {e}") from e
        except OSError as e:
            raise StoreError(f"cannot load {path} into {self._where()}: {e}") from e

    # -- reading ---------------------------------------------------------------------------------

    def graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted (blank-node graph names as ``_:id``)."""
        return sorted(_python_value(g) for g in self._live().named_graphs())

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate a SPARQL query over the union of all graphs; return the pyoxigraph result.

        The ``kg.namespaces`` prefixes are predeclared. Raises QueryError for a malformed query.
        """
        try:
            return self._live().query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL query: {e}\n{_excerpt(sparql)}") from e
        except OSError as e:
            raise QueryError(f"SPARQL query failed on {self._where()}: {e}\n{_excerpt(sparql)}") from e

    def select(self, sparql: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
        """Run a SELECT query; return the variable names and the rows as Python values.

        IRIs and literals become ``str`` (the literal's lexical form), blank nodes ``_:id``, unbound None.
        """
        result = self.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError(f"select() needs a SELECT query, got {type(result).__name__}\n{_excerpt(sparql)}")
        names = [v.value for v in result.variables]
        try:
            rows = [tuple(_python_value(solution[i]) for i in range(len(names))) for solution in result]
        except OSError as e:
            raise QueryError(f"SPARQL query failed on {self._where()}: {e}\n{_excerpt(sparql)}") from e
        return names, rows

    def dump(self, path_or_file: PathOrFile, fmt: str) -> None:
        """Serialize the store: ``trig``/``nq`` every graph, ``ttl`` the merged graph.

        The merged graph is streamed (memory stays flat however big the store): a triple stated by several
        texts appears once per text, which RDF parsers merge on reading.

        ``path_or_file`` is a path or a binary file object. Prefixes from ``kg.namespaces.PREFIXES``.
        """
        rdf_format = _rdf_format(fmt)
        output = str(path_or_file) if isinstance(path_or_file, (str, os.PathLike)) else path_or_file
        try:
            if fmt == "ttl":
                ox.serialize(self.triples(), output, rdf_format, prefixes=PREFIXES)
            elif fmt == "trig":
                self._live().dump(output, rdf_format, prefixes=PREFIXES)
            else:
                self._live().dump(output, rdf_format)
        except OSError as e:
            raise StoreError(f"cannot dump {self._where()} as {fmt}: {e}") from e

    def triples(self, graph_iri: str | None = None) -> Iterator[ox.Triple]:
        """Every triple of one named graph, or of all graphs (repeated once per graph holding it)."""
        graph = ox.NamedNode(graph_iri) if graph_iri else None
        for quad in self._live().quads_for_pattern(None, None, None, graph):
            yield quad.triple

    def quads(self, graph_iri: str) -> Iterator[ox.Quad]:
        """Every quad of one named graph."""
        yield from self._live().quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))

    @property
    def oxigraph(self) -> ox.Store:
        """The pyoxigraph Store itself, for read code that needs its own API (quads_for_pattern, query options)."""
        return self._live()

    # -- lifecycle -------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write buffered data to disk (no-op in memory or read-only)."""
        if self.path is not None and not self.read_only:
            try:
                self._live().flush()
            except OSError as e:
                raise StoreError(f"cannot flush the store at {self._where()}: {e}") from e

    def optimize(self) -> None:
        """Compact the store after a bulk build (merges the many small files bulk writes leave)."""
        try:
            self._live().optimize()
        except OSError as e:
            raise StoreError(f"cannot optimize the store at {self._where()}: {e}") from e

    def close(self) -> None:
        """Flush and release the store (and its directory lock). Idempotent."""
        if self._store is None:
            return
        self.flush()
        self._store = None
        gc.collect()  # pyoxigraph releases RocksDB when the Store object is freed

    @property
    def closed(self) -> bool:
        return self._store is None

    def _live(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"the store at {self._where()} is closed")
        return self._store

    def _where(self) -> str:
        return str(self.path) if self.path is not None else "<in-memory store>"


def copy_store(source: Path | None, target: Path) -> OxigraphStore:
    """Open a new store at ``target``, holding a copy of the store at ``source`` if there is one.

    The copy is a RocksDB checkpoint (hard links), so it is fast; ``target`` must not exist. Builds
    write into such a copy and put it in force only when they succeed (see ``kg.outdir``).

    Raises:
        StoreError: ``source`` is locked by another process or is not a store.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if source is not None and _is_store(Path(source)):
            _backup(Path(source), target)
        return OxigraphStore(target)
    except BaseException:
        _remove_tree(target)
        raise


def _is_store(store_dir: Path) -> bool:
    """True for an Oxigraph (RocksDB) directory, False for none or an empty dir; StoreError otherwise."""
    if not store_dir.exists():
        return False
    if store_dir.is_dir() and (store_dir / "CURRENT").is_file():
        return True
    if store_dir.is_dir() and not any(store_dir.iterdir()):
        return False
    raise StoreError(f"{store_dir} exists but is not an Oxigraph store; refusing to replace it "
                     f"(move it away or choose another output directory)")


def _backup(store_dir: Path, target: Path) -> None:
    """Copy the store at ``store_dir`` into the new directory ``target`` (RocksDB checkpoint: hard links)."""
    with OxigraphStore(store_dir) as previous:
        try:
            previous._live().backup(str(target))
        except OSError as e:
            raise StoreError(f"cannot copy the store {store_dir} to {target}: {e}") from e
    log.info("staged a copy of %s in %s", store_dir, target)


def _open(path: Path | None) -> ox.Store:
    if path is None:
        return ox.Store()
    try:
        return ox.Store(str(path))
    except OSError as e:
        hint = " (is another process, e.g. a build or a server, using it?)" if "lock" in str(e).lower() else ""
        raise StoreError(f"cannot open the Oxigraph store at {path}{hint}: {e}") from e


def _only_in_graph(quads: Iterable[ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    for quad in quads:
        if quad.graph_name != graph:
            raise StoreError(f"quad {quad} is not in graph <{graph.value}>; replace_graph() writes one graph")
        yield quad


def _rdf_format(fmt: str) -> ox.RdfFormat:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise StoreError(f"unknown RDF format {fmt!r}; choose one of {', '.join(FORMATS)}") from None


def _python_value(term: Any) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _excerpt(sparql: str, limit: int = 400) -> str:
    text = sparql.strip()
    return text if len(text) <= limit else text[:limit] + " …"


def _remove_tree(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
