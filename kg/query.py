"""Run a SPARQL query against a built store, read-only."""
from __future__ import annotations

import multiprocessing
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, TypeVar

import pyoxigraph as ox

from extractors.errors import KGError, QueryError
from kg.namespaces import PREFIXES
from kg.store import OxigraphStore

T = TypeVar("T")


# What CONSTRUCT and DESCRIBE results can be written as (``ccakg query --format``).
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


def run_query(store_dir: Path, sparql: str, graph_format: str = "turtle") -> tuple[list[str], list[tuple], str | None]:
    """(columns, rows, None) for SELECT/ASK; ([], [], the graph as ``graph_format`` text) for CONSTRUCT/DESCRIBE."""
    store = OxigraphStore.open_read_only(store_dir)
    try:
        result = store.query(sparql)
        if isinstance(result, ox.QueryBoolean):
            return ["result"], [(bool(result),)], None
        if isinstance(result, ox.QuerySolutions):
            columns = [v.value for v in result.variables]
            return columns, [tuple(_value(solution[v]) for v in columns) for solution in result], None
        return [], [], serialize_graph(result, graph_format)
    finally:
        store.close()


def serialize_graph(triples, graph_format: str) -> str:
    """Triples, each once (the union graph repeats a triple per text stating it), as Turtle (with the project's
    prefixes), N-Triples or JSON-LD text."""
    prefixes = PREFIXES if graph_format == "turtle" else None
    text = ox.serialize(dict.fromkeys(triples), format=GRAPH_FORMATS[graph_format], prefixes=prefixes).decode("utf-8")
    return text if text.endswith("\n") else text + "\n"


def _value(term) -> object:
    return None if term is None else term.value


DEFAULT_TIMEOUT = 120   # seconds `ccakg query` lets a query run


def run_limited(function: Callable[..., T], *args: object, timeout: float = DEFAULT_TIMEOUT) -> T:
    """``function(*args)`` in a child process that is killed after ``timeout`` seconds (0: no limit) or on Ctrl-C.

    The store evaluates a query inside one native call that neither checks for signals nor stops at a
    deadline; killing the process that runs it is what reliably stops it and frees its memory.

    Raises:
        QueryError: the time ran out, or the child died (e.g. killed for memory).
        KeyboardInterrupt: Ctrl-C, after the child was killed.
        KGError: whatever ``function`` raised.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_run_child, args=(sender, function, args), daemon=True)
    try:
        with _ctrl_c_deferred():   # a Ctrl-C inside start() would leave a forked child nobody kills
            child.start()
        sender.close()
        if not receiver.poll(timeout or None):
            raise QueryError(f"the query ran longer than --timeout {timeout:g} s and was stopped "
                             f"(give a larger --timeout, or 0 for no limit)")
        ok, value = receiver.recv()
    except EOFError:
        child.join()
        raise QueryError(f"the query process died (exit code {child.exitcode}); "
                         f"was it killed for memory?") from None
    finally:
        sender.close()
        if child.pid is not None:
            if child.is_alive():
                child.kill()
            child.join()
        receiver.close()
    if not ok:
        raise value
    return value


@contextmanager
def _ctrl_c_deferred():
    """Hold a Ctrl-C (SIGINT) that arrives inside the block and deliver it when the block ends.

    Only the main thread receives signals in Python; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        signal.raise_signal(signal.SIGINT)


def _run_child(sender, function: Callable, args: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides; it kills us on Ctrl-C
    try:
        sender.send((True, function(*args)))
    except KGError as exc:
        sender.send((False, exc))
    except Exception as exc:   # noqa: BLE001 - reported to the parent as a query error
        sender.send((False, QueryError(f"the query failed: {type(exc).__name__}: {exc}")))
    finally:
        sender.close()
