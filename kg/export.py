"""Serialize the store to files: TriG (every named graph), Turtle (the merged graph), N-Quads.

Every writer writes UTF-8 to a temporary file beside the target and renames it into place, so a reader
never sees a half-written file and a failed export leaves the previous file as it was.
"""
from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from kg.errors import StoreError
from kg.store import OxigraphStore

log = logging.getLogger(__name__)


def write_trig(store: OxigraphStore, path: Path) -> Path:
    """Write every named graph (and the default graph) as TriG."""
    return _write_atomically(store, Path(path), "trig")


def write_turtle(store: OxigraphStore, path: Path) -> Path:
    """Write the merged graph as Turtle: every triple of every graph, once."""
    return _write_atomically(store, Path(path), "ttl")


def write_nquads(store: OxigraphStore, path: Path) -> Path:
    """Write every quad as N-Quads (the exchange format for other engines)."""
    return _write_atomically(store, Path(path), "nq")


EXPORTERS: dict[str, Callable[[OxigraphStore, Path], Path]] = {
    "trig": write_trig,
    "ttl": write_turtle,
    "nq": write_nquads,
}


def _write_atomically(store: OxigraphStore, path: Path, fmt: str) -> Path:
    """Dump ``store`` as ``fmt`` into a temp file in ``path``'s directory, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            store.dump(out, fmt)  # pyoxigraph always writes UTF-8
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
    log.info("wrote %s (%s, %d bytes)", path, fmt, path.stat().st_size)
    return path
