"""A fresh build's store, bulk-loaded from the graph.trig it streams: the parent never parses a quad.

In a fresh build every text's graph reaches the parent already written as TriG (made in the workers) and is
appended to graph.trig. The store is loaded from that file in one call to Oxigraph's bulk loader, which
parses and indexes in parallel, with the shared graphs (the entities every text restates, deduplicated
here, and the ontology) appended for the load and cut off again, so that graph.trig then ends with those
graphs as the store holds them. Loading TriG takes the loader about as long as N-Quads of the same quads,
and the texts' quads are then written once (not also as 4.6 times as many bytes of N-Quads to make, pass
between processes and write). One load into an empty store leaves the least to compact: loading in
several calls, or while the texts are extracted, cost more than it saved (docs/scaling.md).
"""
from __future__ import annotations

from pathlib import Path

from kg.namespaces import ENTITY_GRAPH

ENTITY_SUFFIX = f" <{ENTITY_GRAPH}> .\n".encode("utf-8")


class Shards:
    """The entity quads of a fresh build's texts, deduplicated (their N-Quads lines, in batches, kept in a
    file beside the store), and the load of the store from the streamed graph.trig."""

    ENTITY_BATCH = 200_000

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / ".entities.nq"
        self.file = self.path.open("wb")
        self.lines: set[bytes] = set()

    def add(self, entity_nq: bytes) -> None:
        self.lines.update(entity_nq.splitlines(keepends=True))
        if len(self.lines) > self.ENTITY_BATCH:
            self._flush()

    def load(self, store, trig, shared_trig: bytes) -> None:
        """Load ``trig`` (graph.trig open for writing, every text's graph in it) with the entity quads and
        ``shared_trig`` (more graphs as TriG, without prefix lines) into ``store``; the file ends as it was."""
        try:
            self._flush()
            self.file.close()
            trig.flush()
            end = trig.tell()
            try:
                trig.write(f"<{ENTITY_GRAPH}> {{\n".encode("utf-8"))
                with self.path.open("rb") as lines:
                    for line in lines:
                        trig.write(_triple(line))
                trig.write(b"}\n" + shared_trig)
                trig.flush()
                store.load(trig.name, "trig")
            finally:
                trig.truncate(end)
                trig.seek(end)
        finally:
            self.close()

    def close(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)

    def _flush(self) -> None:
        self.file.write(b"".join(sorted(self.lines)))
        self.lines = set()


def _triple(line: bytes) -> bytes:
    """An N-Quads line of the entities graph as a Turtle triple (N-Triples is Turtle)."""
    if not line.endswith(ENTITY_SUFFIX):
        raise ValueError(f"not a quad of the entities graph: {line[:200]!r}")
    return line[: -len(ENTITY_SUFFIX)] + b" .\n"
