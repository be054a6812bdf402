"""Extraction on a Dask cluster (``ccakg build … --scheduler``): the workers run the process pool's task
(:func:`kg.pipeline.extract_packed`) and the build streams their outcomes into its shards as it does a pool's.

Dask (``pip install 'ccakg[dask]'``) is imported only here, and only when a build is given a scheduler.
How a file reaches a worker: a local cluster (``local[:N]``) and a remote one with ``--shared-corpus`` get its
path (the workers read it); a remote one otherwise gets its bytes, read by the client as the task is submitted.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from extractors.errors import KGError
from kg.pipeline import Outcome, extract_packed
from kg.registry import use_registry

RETRIES = 2             # a task that raised is run again this often; a worker that died is handled by the
#                         scheduler (distributed.scheduler.allowed-failures, 3 by default)
CONNECT_TIMEOUT = 10    # seconds to reach the scheduler
WORKER_WAIT = 60        # seconds to wait for a first worker of a remote scheduler
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx", "inproc")
RE_LOCAL = re.compile(r"local(?::(\d+))?")
RE_ADDRESS = re.compile(rf"(?:(?:{'|'.join(SCHEMES)})://)?[^\s/:]+:\d+")
INSTALL = "pip install 'ccakg[dask]'"


@dataclass(frozen=True)
class Scheduler:
    """Where extraction runs: a new local cluster of ``local`` worker processes, or the scheduler at ``address``.

    ``ship``: send each file's bytes with its task (the workers do not see the corpus). ``say``: hears the
    scheduler's address, its workers and the dashboard address (None: quiet).
    """

    address: str = ""
    local: int = 0
    ship: bool = False
    say: Callable[[str], None] | None = None

    @classmethod
    def parse(cls, spec: str, *, shared_corpus: bool = False, say: Callable[[str], None] | None = None) -> "Scheduler":
        """``local``, ``local:N`` or a scheduler address (``tcp://HOST:PORT``, ``HOST:PORT`` …).

        Raises:
            KGError: ``spec`` is none of those.
        """
        local = RE_LOCAL.fullmatch(spec)
        if local and int(local.group(1) or 1) >= 1:
            return cls(local=int(local.group(1) or os.cpu_count() or 1), say=say)
        if not local and RE_ADDRESS.fullmatch(spec):
            address = spec if "://" in spec else f"tcp://{spec}"
            return cls(address=address, ship=not shared_corpus, say=say)
        raise KGError(f"--scheduler {spec!r}: expected local, local:N (N >= 1 workers) or a Dask scheduler's "
                      f"address such as tcp://HOST:PORT")

    @contextmanager
    def executor(self, registry: Path | None) -> Iterator["DaskExecutor"]:
        """A client of the cluster (started first, for ``local``), closed with the block.

        Raises:
            KGError: Dask is not installed, or no scheduler answers at the address, or it has no worker.
        """
        distributed = import_distributed()
        with self._cluster(distributed) as address:
            client = connect(distributed, address)
            try:
                executor = DaskExecutor(client, self, registry)
                if self.say:
                    self.say(describe(client, address))
                yield executor
            finally:
                client.close()

    @contextmanager
    def _cluster(self, distributed) -> Iterator[str]:
        if not self.local:
            yield self.address
            return
        cluster = distributed.LocalCluster(n_workers=self.local, threads_per_worker=1, processes=True,
                                           dashboard_address=":0", silence_logs=logging.ERROR)
        try:
            yield cluster.scheduler_address
        finally:
            cluster.close()


def import_distributed():
    """The ``distributed`` package.

    Raises:
        KGError: it is not installed.
    """
    try:
        import distributed
    except ImportError as exc:
        raise KGError(f"--scheduler needs Dask, which is not installed ({exc}); install it with {INSTALL}") from exc
    if not logging.getLogger().isEnabledFor(logging.INFO):   # Dask logs at INFO to stderr; ccakg -v keeps that
        logging.getLogger("distributed").setLevel(logging.WARNING)
    return distributed


def connect(distributed, address: str):
    """A client of the scheduler at ``address`` with at least one worker.

    Raises:
        KGError: nothing answers within CONNECT_TIMEOUT seconds, or no worker joins within WORKER_WAIT.
    """
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, ValueError) as exc:
        raise KGError(f"--scheduler {address}: cannot reach a Dask scheduler there ({exc})") from exc
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise KGError(f"--scheduler {address}: no worker joined the scheduler within {WORKER_WAIT} s") from exc
    return client


def describe(client, address: str) -> str:
    """The scheduler, its workers and threads, and the dashboard address when it has one."""
    threads = client.nthreads()
    try:
        dashboard = client.dashboard_link
    except (KeyError, AttributeError):
        dashboard = None
    line = f"Dask scheduler {address}: {len(threads)} workers, {sum(threads.values())} threads"
    return f"{line}; dashboard {dashboard}" if dashboard else line


class DaskExecutor:
    """Tasks for :func:`kg.pipeline.stream_tasks` on a Dask cluster: one thread of the cluster per task in flight.

    A worker that dies mid-task costs a run of the task elsewhere (the scheduler), and the build says so once
    per death (a warning on stderr and in report.json, as for a pool worker); a task that raised is run again
    RETRIES times. A task that killed worker after worker (dask's ``KilledWorker``) gives its files as
    skipped, named with the reason, as a file that fails to extract does.
    """

    def __init__(self, client, scheduler: Scheduler, registry: Path | None) -> None:
        self.client = client
        self.scheduler = scheduler
        self.registry = Path(registry).read_bytes() if registry else None
        self.workers = max(1, sum(client.nthreads().values()))   # threads of the cluster when the build starts
        self.keys: set = set()        # this build's tasks
        self.deaths: list[str] = []   # warnings not yet given to an outcome
        client.subscribe_topic("all", self._on_event)

    def submit(self, chunk: list[tuple]):
        """Raises:
            KGError: a relative path for the workers of a remote cluster to read (they would read another file)."""
        if self.scheduler.ship:
            chunk = [name + (_bytes(name[0]),) for name in chunk]
        elif self.scheduler.address and not os.path.isabs(chunk[0][0]):
            raise KGError(f"--shared-corpus: {chunk[0][0]} is a relative path, which the workers of "
                          f"{self.scheduler.address} would read from their own folders; give the corpus as an "
                          f"absolute path")
        future = self.client.submit(extract_on_worker, chunk, self.registry, retries=RETRIES, pure=False)
        self.keys.add(future.key)
        return future

    def outcomes(self, future, chunk: list[tuple]) -> list[Outcome]:
        from distributed import KilledWorker

        try:
            outcomes = future.result()
        except KilledWorker as exc:
            outcomes = [Outcome(path, doc_id, error=f"{path}: extraction failed on the Dask cluster: {exc}")
                        for path, doc_id, *_ in chunk]
        except (CancelledError, OSError) as exc:
            address = self.scheduler.address or "local"
            raise KGError(f"--scheduler {address}: lost the Dask cluster ({type(exc).__name__}: {exc})") from exc
        self.keys.discard(future.key)
        while self.deaths:
            outcomes[0].warnings.append(self.deaths.pop(0))
        return outcomes

    def _on_event(self, event: tuple) -> None:
        """(In the client's thread) a worker left while it ran tasks of this build: say so."""
        _, message = event
        if not isinstance(message, dict) or message.get("action") != "remove-worker" or message.get("expected"):
            return
        lost = [key for key in message.get("processing-tasks", ()) if key in self.keys]   # no iteration of keys
        if lost:
            tasks = "1 task" if len(lost) == 1 else f"{len(lost)} tasks"
            self.deaths.append(f"a Dask worker ({message.get('worker')}) died while it ran {tasks} of this build's "
                               f"extraction; run again on the other workers")


def _bytes(path: str) -> bytes | None:
    """The file's bytes to ship; None when this machine cannot read it (the worker then says why)."""
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


_following: list = [None]   # the digest of the registry this worker process follows (None: the shipped one)


def extract_on_worker(names: list[tuple], registry: bytes | None) -> list[Outcome]:
    """On a Dask worker: follow the build's registry (its bytes, as the worker may not see the file), extract."""
    digest = hashlib.sha256(registry).hexdigest() if registry else None
    if digest != _following[0]:
        with tempfile.TemporaryDirectory(prefix="ccakg-registry-") as folder:
            path = Path(folder) / "registry.tsv"
            if registry:
                path.write_bytes(registry)
            use_registry(path if registry else None)
        _following[0] = digest
    return extract_packed(names)
