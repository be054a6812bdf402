"""A fresh build's store, bulk-loaded from the TriG it streams to graph.trig: the parent never parses a quad.

In a fresh build every text's graph reaches the parent already written as TriG (made in the workers). The
parent appends it to graph.trig and feeds the same bytes, through a named pipe, to one call of Oxigraph's
bulk loader running on a thread (pyoxigraph releases the GIL and reads the pipe natively), so the store is
loaded while the next texts are extracted. The loader's threads run at a lower priority (nice +LOAD_NICE):
they take the CPU the workers leave idle instead of slowing them down; without that, overlapping cost more
than it saved (docs/scaling.md). After the last text the entity quads (every text restates them; their lines
are deduplicated here, in batches kept in a file) and the ontology end the load.

Without named pipes (Windows) the same load runs after the last text, from graph.trig itself: the shared
graphs are appended for the load and cut off again, so graph.trig then ends as the streaming wrote it.
"""
from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from extractors.errors import KGError
from kg.export import PREFIX_LINES
from kg.namespaces import ENTITY_GRAPH

ENTITY_SUFFIX = f" <{ENTITY_GRAPH}> .\n".encode("utf-8")
LOAD_NICE = 10          # the loader's threads: below the workers, so they use the idle core (Linux)
OPEN_WAIT = 60.0        # seconds the build waits for the loader to open the pipe


class Shards:
    """The load of a fresh build's store: the texts' TriG as they come, then the shared graphs.

    ``piped`` (default: where named pipes exist) loads while the texts stream; otherwise :meth:`load`
    loads graph.trig at the end. :meth:`close` always ends the load and removes what it left.
    """

    ENTITY_BATCH = 200_000

    def __init__(self, folder: Path, store, *, piped: bool | None = None) -> None:
        self.store = store
        self.path = Path(folder) / ".entities.nq"
        self.file = self.path.open("wb")
        self.lines: set[bytes] = set()
        use_pipe = hasattr(os, "mkfifo") if piped is None else piped
        self.pipe = PipedLoad(store) if use_pipe else None
        if self.pipe is not None:
            self.pipe.write(PREFIX_LINES)

    def add(self, entity_nq: bytes, trig: bytes = b"") -> None:
        """One text: its entity quads as N-Quads, its graph as TriG (the chunk graph.trig got)."""
        if self.pipe is not None:
            self.pipe.write(trig)
        self.lines.update(entity_nq.splitlines(keepends=True))
        if len(self.lines) > self.ENTITY_BATCH:
            self._flush()

    def load(self, trig, shared_trig: bytes) -> None:
        """Finish the load with the entity quads and ``shared_trig`` (more graphs as TriG, without prefix
        lines). ``trig``: graph.trig, open for writing, every text's graph in it (loaded from there when
        there is no pipe; it ends as it was)."""
        try:
            self._flush()
            self.file.close()
            if self.pipe is not None:
                self._write_shared(self.pipe.write, shared_trig)
                self.pipe.finish()
            else:
                self._load_file(trig, shared_trig)
        finally:
            self.close()

    def close(self) -> None:
        """End the load (abandoned if :meth:`load` did not finish it) and remove its files."""
        if self.pipe is not None:
            self.pipe.abandon()
        self.file.close()
        self.path.unlink(missing_ok=True)

    def _load_file(self, trig, shared_trig: bytes) -> None:
        trig.flush()
        end = trig.tell()
        try:
            self._write_shared(trig.write, shared_trig)
            trig.flush()
            self.store.load(trig.name, "trig")
        finally:
            trig.truncate(end)
            trig.seek(end)

    def _write_shared(self, write, shared_trig: bytes) -> None:
        write(f"<{ENTITY_GRAPH}> {{\n".encode("utf-8"))
        with self.path.open("rb") as lines:
            for line in lines:
                write(_triple(line))
        write(b"}\n" + shared_trig)

    def _flush(self) -> None:
        self.file.write(b"".join(sorted(self.lines)))
        self.lines = set()


def _triple(line: bytes) -> bytes:
    """An N-Quads line of the entities graph as a Turtle triple (N-Triples is Turtle)."""
    if not line.endswith(ENTITY_SUFFIX):
        raise ValueError(f"not a quad of the entities graph: {line[:200]!r}")
    return line[: -len(ENTITY_SUFFIX)] + b" .\n"


class PipedLoad:
    """TriG written into a named pipe that the store bulk-loads on a thread as it comes.

    The pipe lives in a private temporary folder, never in the build's folder (whose files are opened to be
    synced: opening a pipe with no writer would wait forever).
    """

    def __init__(self, store) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ccakg-load-"))
        self.path = self.folder / "texts.trig"
        os.mkfifo(self.path)
        self.error: BaseException | None = None
        self.file = None
        self.thread = threading.Thread(target=self._load, args=(store,), name="ccakg-bulk-load", daemon=True)
        self.thread.start()
        try:
            self.file = self._open_writer()
        except BaseException:
            self.abandon()
            raise

    def write(self, data: bytes) -> None:
        try:
            self.file.write(data)
        except BrokenPipeError:        # the loader stopped reading: it failed, and says why
            self.file = None
            self.thread.join()
            raise self._failure() from None

    def finish(self) -> None:
        """Close the pipe, wait for the load to end; its error, if any, is raised here."""
        self._close()
        self.thread.join()
        if self.error is not None:
            raise self._failure()

    def abandon(self) -> None:
        """Stop feeding the load, wait for it to end and remove the pipe (idempotent)."""
        if self.file is None and self.thread.is_alive():
            self._release_reader()
        self._close()
        self.thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _load(self, store) -> None:
        _lower_priority()
        try:
            store.load(self.path, "trig")
        except BaseException as e:        # raised in the build's thread by write() or finish()
            self.error = e

    def _open_writer(self):
        """Open the pipe for writing once the loader has opened it for reading (or failed before)."""
        deadline = time.monotonic() + OPEN_WAIT
        while True:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO:     # ENXIO: nobody reads it yet
                    raise
                if not self.thread.is_alive() or time.monotonic() > deadline:
                    raise self._failure() from None
                time.sleep(0.005)
                continue
            os.set_blocking(fd, True)
            return os.fdopen(fd, "wb", buffering=1 << 20)

    def _release_reader(self) -> None:
        """A loader still waiting to open the pipe gets an empty input instead of waiting forever."""
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass

    def _close(self) -> None:
        file, self.file = self.file, None
        if file is not None:
            try:
                file.close()
            except BrokenPipeError:
                pass

    def _failure(self) -> KGError:
        if isinstance(self.error, KGError):
            return self.error
        reason = self.error or "it did not start reading"
        return KGError(f"loading the build's quads into the store failed: {reason}")


def _lower_priority() -> None:
    """This thread, and the threads the loader starts from it, below the build's workers (Linux: per thread)."""
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOAD_NICE)
        except OSError:
            pass
