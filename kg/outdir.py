"""A build folder: one writer at a time, and each build put in force by one atomic rename.

Layout of ``OUT``::

    versions/<id>/     one build: store/, graph.trig, graph.ttl, graph.html, report.json, .complete
    current            symlink → versions/<id>, the build in force; replaced by a single rename
    store, graph.trig, graph.ttl, graph.html, report.json
                       symlinks → current/<name>: the paths users, ``--store`` and tools open
    .lock              held (``flock``) by the one process writing the folder

A writer takes the lock, stages a new version (a checkpoint copy of the current store plus fresh
output files) and renames a new ``current`` link over the old one: a reader sees the old build or the
new one, never a mix, and a writer killed at any point leaves the old build in force. The kernel
releases a killed writer's lock, so a stale lock never blocks. Under the lock, every writer first
:func:`recover` s the folder: versions that ``current`` does not name (staging of a killed run, the
build just replaced) are removed, and a folder of the older layout (real ``store/`` and files) is
moved into a version.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from extractors.errors import KGError

log = logging.getLogger(__name__)

OUTPUTS = ("store", "graph.trig", "graph.ttl", "graph.html", "report.json")
VERSIONS = "versions"
CURRENT = "current"
LOCK = ".lock"
COMPLETE = ".complete"
LOCK_WAIT = 600.0   # seconds a writer waits for another one by default
# Left by older versions of ccakg killed mid-build: staging and retired stores, staged output files.
OLD_LEFTOVERS = (".store.tmp-", ".store.old-", ".outputs.tmp-", ".current.tmp-")
PAUSE_ENV = "CCAKG_TEST_PAUSE"   # tests: "point=file" makes a writer announce ``point`` in file and wait


class LockError(KGError):
    """Another process is writing the build folder and did not finish in time."""


def is_store(path: Path) -> bool:
    """True for an Oxigraph (RocksDB) folder."""
    return (Path(path) / "CURRENT").is_file()


def store_of(path: Path) -> Path:
    """The store of the build named by ``path``: a build folder ``DIR`` (its ``DIR/store``) or ``DIR/store`` itself.

    Raises:
        KGError: ``path`` is missing, a file, or a folder holding no build; the message names it.
    """
    path = Path(path)
    if is_store(path):
        return path
    if is_store(path / "store"):
        return path / "store"
    raise KGError(f"{path}: {_not_a_build(path)}; give the folder that `ccakg build CORPUS --out DIR` wrote")


def build_folder(path: Path) -> Path:
    """The build folder named by ``path``: ``DIR`` itself, or ``DIR`` when given its store ``DIR/store``."""
    path = Path(path)
    return path.parent if is_store(path) and path.name == "store" else path


def _not_a_build(path: Path) -> str:
    if not path.exists():
        return "no such folder"
    if not path.is_dir():
        return "a file, not a build folder"
    return "not a ccakg build folder (no store/ in it) and not an Oxigraph store"


def refuse_store(out_dir: Path) -> None:
    """``--out`` names the folder to write; the store inside a build is never one (its parent is)."""
    if is_store(out_dir):
        raise KGError(f"{out_dir} is the store of a build, not a build folder: give --out {build_folder(out_dir)}")


@contextmanager
def write_lock(out_dir: Path, wait: float = LOCK_WAIT,
               notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build folder's writer lock for the block; wait up to ``wait`` seconds for it.

    Raises:
        LockError: another process still holds the lock after ``wait`` seconds (names its pid).
    """
    out_dir = Path(out_dir)
    refuse_store(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, out_dir, wait, notify)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)   # closing the descriptor releases the flock


def _acquire(fd: int, out_dir: Path, wait: float, notify: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = _holder(fd)
            if time.monotonic() >= deadline:
                raise LockError(f"{out_dir} is being written by another ccakg process{holder}; gave up after "
                                f"{wait:g} s (one writer at a time: wait for it, or use --wait SECONDS)") from None
            if not told and notify is not None:
                notify(f"waiting for another ccakg process{holder} writing {out_dir} (up to {wait:g} s)")
                told = True
            time.sleep(0.1)


def _holder(fd: int) -> str:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return f" (pid {text})" if text.isdigit() else ""


def current_version(out_dir: Path) -> Path | None:
    """The version folder in force, or None when ``current`` is missing or names no finished version."""
    link = Path(out_dir) / CURRENT
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if (target / COMPLETE).is_file() else None


def recover(out_dir: Path) -> Path | None:
    """With the lock held: bring ``out_dir`` to a consistent state and return the version in force.

    A folder of the older layout is moved into a version; when ``current`` is missing, the newest
    finished version is put in force; unfinished and replaced versions and the leftovers of killed
    runs are removed; the top-level links are made to match the version in force.
    """
    out_dir = Path(out_dir)
    _refuse_foreign(out_dir)
    current = current_version(out_dir)
    if current is None:
        current = _adopt_old_layout(out_dir) or _newest_finished(out_dir)
        if current is not None:
            current = current.resolve()
            _switch(out_dir, current)
    _remove_stale(out_dir, current)
    if current is not None:
        _link_outputs(out_dir, current)
    return current


def _refuse_foreign(out_dir: Path) -> None:
    """A real ``store`` folder that is neither a store nor empty is someone's data: never touch it."""
    store = out_dir / "store"
    if store.is_dir() and not store.is_symlink() and not (store / "CURRENT").is_file() and any(store.iterdir()):
        raise KGError(f"{store} exists but is not an Oxigraph store; refusing to replace it "
                      f"(move it away or choose another output directory)")


def _adopt_old_layout(out_dir: Path) -> Path | None:
    """A real ``store/`` (or, after a crash between the old two renames, ``.store.old-PID``) becomes a version."""
    store = out_dir / "store"
    if store.is_symlink() or not (store / "CURRENT").is_file():
        retired = sorted(p for p in out_dir.glob(".store.old-*") if (p / "CURRENT").is_file())
        if store.is_symlink() or store.exists() or not retired:
            return None
        store = retired[-1]
    version = _new_version_dir(out_dir)
    version.mkdir(parents=True)
    store.rename(version / "store")
    for name in OUTPUTS[1:]:
        path = out_dir / name
        if path.is_file() and not path.is_symlink():
            path.rename(version / name)
    _mark_complete(version)
    log.info("moved the build in %s into %s", out_dir, version)
    return version


def _newest_finished(out_dir: Path) -> Path | None:
    folder = out_dir / VERSIONS
    finished = [v for v in folder.iterdir() if (v / COMPLETE).is_file()] if folder.is_dir() else []
    return max(finished, key=lambda v: v.name, default=None)


def _remove_stale(out_dir: Path, current: Path | None) -> None:
    folder = out_dir / VERSIONS
    if folder.is_dir():
        for version in folder.iterdir():
            if current is None or version.resolve() != current:
                _remove_tree(version)
    for path in out_dir.iterdir():
        if path.name.startswith(OLD_LEFTOVERS):
            _remove_tree(path)


def _new_version_dir(out_dir: Path) -> Path:
    return out_dir / VERSIONS / f"{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns() % 10**9:09d}-{os.getpid()}"


@contextmanager
def new_version(out_dir: Path) -> Iterator[Path]:
    """An empty version folder to build into (with the lock held); removed if the block fails."""
    version = _new_version_dir(Path(out_dir))
    version.mkdir(parents=True)
    try:
        yield version
    except BaseException:
        _remove_tree(version)
        raise


def commit(out_dir: Path, version: Path) -> None:
    """Put a fully written ``version`` in force (one rename), then tidy the links and the old version."""
    out_dir = Path(out_dir)
    _mark_complete(version)
    pause("before-switch")
    _switch(out_dir, version)
    pause("after-switch")
    _link_outputs(out_dir, version)
    _remove_stale(out_dir, version.resolve())


def _mark_complete(version: Path) -> None:
    _sync_tree(version)
    with open(version / COMPLETE, "w", encoding="ascii") as f:
        f.write("complete\n")
        f.flush()
        os.fsync(f.fileno())


def _switch(out_dir: Path, version: Path) -> None:
    tmp = out_dir / f".current.tmp-{os.getpid()}"
    _remove_tree(tmp)
    os.symlink(os.path.relpath(version, out_dir), tmp)
    os.replace(tmp, out_dir / CURRENT)
    _fsync_dir(out_dir)
    log.info("%s now serves %s", out_dir, version.name)


def _link_outputs(out_dir: Path, version: Path) -> None:
    """``OUT/<name>`` → ``current/<name>`` for every output the version has; no link for one it lacks."""
    for name in OUTPUTS:
        link = out_dir / name
        if (version / name).exists():
            if link.is_symlink() and os.readlink(link) == f"{CURRENT}/{name}":
                continue
            tmp = out_dir / f".{name}.link-{os.getpid()}"
            _remove_tree(tmp)
            os.symlink(f"{CURRENT}/{name}", tmp)
            if link.is_dir() and not link.is_symlink():
                link.rmdir()   # an empty folder made by hand (a full one is refused by _refuse_foreign)
            os.replace(tmp, link)
        elif link.is_symlink():
            link.unlink()


def _sync_tree(folder: Path) -> None:
    """fsync the files of a version, so that a power cut cannot leave a finished version half-written."""
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                fd = os.open(os.path.join(root, name), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pause(point: str) -> None:
    """Test hook: with ``CCAKG_TEST_PAUSE=point=FILE``, write our pid to FILE and wait to be killed."""
    wanted, _, marker = os.environ.get(PAUSE_ENV, "").partition("=")
    if wanted == point and marker:
        Path(marker).write_text(str(os.getpid()), encoding="ascii")
        time.sleep(600)


def _remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
