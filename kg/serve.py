"""A SPARQL 1.1 Protocol endpoint over a built store: the Oxigraph server from the ``oxigraph`` package.

``ccakg serve --store DIR/store`` runs ``oxigraph serve-read-only`` (a Rust binary the ``oxigraph`` wheel
installs next to the venv's python) in the foreground:

- read-only by default (an update gets ``403 The server is read-only``); ``read_write=True`` runs
  ``oxigraph serve`` instead, which takes the store's lock (no build can then open it);
- bound to loopback by default; another host is refused unless ``allow_remote=True``, because the
  server has no authentication at all;
- ``--cors`` (``Access-Control-Allow-Origin: *``), ``--timeout-s`` on every query, and
  ``--union-default-graph``: a query without ``GRAPH`` sees every named graph, as ``ccakg query`` does
  (a triple stated in two graphs then matches twice: use ``SELECT DISTINCT``);
- endpoints: ``/`` the YASGUI query page (served by the binary, nothing fetched from the web),
  ``/query`` (GET or POST, also ``/sparql``), ``/update`` (read-write only), ``/store`` (Graph Store
  Protocol).

Store sharing, as measured with oxigraph 0.5.13: the read-only server takes no lock, so ``ccakg query``,
``ccakg why`` and even a build can open the store while it runs. A build swaps a new store directory in;
the running server keeps answering from the old, deleted files until it is restarted. The read-write
server holds the lock: ``ccakg build`` into the same folder fails until it stops, while read-only readers
(``ccakg query``) still work and see its updates.

Caveat of the timeout (measured): a query that runs out of time gets ``200`` with a truncated body
ending in ``The SPARQL operation has been cancelled``; and not every plan checks the deadline (a big
cross product was not cancelled, a large streamed result keeps streaming): bound queries with LIMIT.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import KGError

log = logging.getLogger(__name__)

SERVER_EXECUTABLE = "oxigraph"
INSTALL_HINT = "pip install 'oxigraph>=0.5,<0.6' (the package that ships the Oxigraph server binary)"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30
QUERY_PATH = "/query"
UPDATE_PATH = "/update"
STORE_PATH = "/store"
STOP_GRACE_SECONDS = 5.0


class ServeError(KGError):
    """The SPARQL server cannot be found, is refused its options, or does not start."""


def server_binary() -> str:
    """Path of the ``oxigraph`` server: beside this python (its venv's bin/), else on PATH."""
    name = SERVER_EXECUTABLE + (".exe" if os.name == "nt" else "")
    candidates = [Path(sys.executable).parent / name]  # not resolved: a venv's python is a symlink
    scripts = sysconfig.get_path("scripts")
    if scripts:
        candidates.append(Path(scripts) / name)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(SERVER_EXECUTABLE)
    if found:
        return found
    raise ServeError(f"the Oxigraph server ({SERVER_EXECUTABLE}) is not installed: {INSTALL_HINT}")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse a non-loopback host unless ``allow_remote``: the server has no authentication."""
    if not is_loopback(host) and not allow_remote:
        raise ServeError(
            f"refusing to listen on {host}: the SPARQL server has no authentication, so anyone who can "
            f"reach {host} could query the whole store (and change it with --read-write). Listen on "
            f"127.0.0.1 (the default) and tunnel, or pass --allow-remote if that exposure is intended.")


def check_store(store_dir: Path) -> Path:
    """``store_dir`` if it holds an Oxigraph store; a build's output folder is accepted for its store/."""
    store_dir = Path(store_dir)
    if not (store_dir / "CURRENT").is_file() and (store_dir / "store" / "CURRENT").is_file():
        store_dir = store_dir / "store"
    if not (store_dir / "CURRENT").is_file():
        raise ServeError(f"{store_dir}: not an Oxigraph store (build one with `ccakg build CORPUS --out DIR` "
                         f"and serve DIR/store)")
    return store_dir


def base_url(host: str, port: int) -> str:
    """``http://host:port`` (IPv6 addresses in brackets)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}"


def server_command(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                   timeout: int | None = DEFAULT_TIMEOUT, *, read_write: bool = False) -> list[str]:
    """The server's command line: read-only unless ``read_write``, CORS on, union default graph.

    ``timeout`` is the per-query limit in seconds (None or 0: no limit).
    """
    command = [server_binary(), "serve" if read_write else "serve-read-only",
               "--location", str(store_dir), "--bind", base_url(host, port).removeprefix("http://"),
               "--cors", "--union-default-graph"]
    if timeout:
        command += ["--timeout-s", str(int(timeout))]
    return command


def serve(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          timeout: int | None = DEFAULT_TIMEOUT, *, read_write: bool = False,
          allow_remote: bool = False, announce: Callable[[str], None] | None = None) -> int:
    """Run the server in the foreground until it exits or is interrupted; return its exit code.

    ``announce(base_url)`` is called once the options are checked and the server process started.
    Ctrl-C (SIGINT) and SIGTERM are passed on to the server, which is given a few seconds to stop and
    then killed; stopped that way, the return code is 0.
    """
    check_host(host, allow_remote)
    command = server_command(check_store(store_dir), host, port, timeout, read_write=read_write)
    _check_port_free(host, port)
    log.info("starting: %s", " ".join(command))
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    except OSError as e:
        raise ServeError(f"cannot start {command[0]}: {e}") from e
    if announce is not None:
        announce(base_url(host, port))

    stopped_by_us = False

    def forward(signum: int, _frame: object) -> None:
        nonlocal stopped_by_us
        stopped_by_us = True
        if process.poll() is None:
            process.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        code = process.wait()
        if stopped_by_us:
            return 0
        return 128 - code if code < 0 else code  # killed by a signal: the shell's convention
    except KeyboardInterrupt:  # a terminal's Ctrl-C reached the server too; make sure it stops
        forward(signal.SIGINT, None)
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            _stop(process)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            _stop(process)


@contextmanager
def running_server(store_dir: Path, host: str = DEFAULT_HOST, port: int = 0,
                   timeout: int | None = DEFAULT_TIMEOUT, *, read_write: bool = False,
                   startup_seconds: float = 20.0) -> Iterator[str]:
    """Run the server as a subprocess while the block runs; yield its base URL (``http://host:port``).

    ``port=0`` picks a free port. Waits until the server answers a query; stops it on exit, whatever
    happened. Loopback only (tests and scripts): use :func:`serve` to listen elsewhere.
    """
    check_host(host, allow_remote=False)
    store_dir = check_store(store_dir)
    with tempfile.TemporaryFile() as server_log:
        process, url = None, ""
        try:
            for attempt in range(3):  # a picked port can be taken before the server binds it
                chosen = port or _free_port(host)
                url = base_url(host, chosen)
                command = server_command(store_dir, host, chosen, timeout, read_write=read_write)
                process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=server_log,
                                           stderr=subprocess.STDOUT)
                if _wait_until_ready(process, url, startup_seconds):
                    break
                output = _tail(server_log)
                _stop(process)
                if port or "address" not in output.lower() or attempt == 2:
                    raise ServeError(f"the SPARQL server did not start ({' '.join(command)}):\n{output}")
            log.info("SPARQL server at %s (pid %d)", url, process.pid)
            yield url
        finally:
            if process is not None:
                _stop(process)


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host.strip("[]"), 0))
        return probe.getsockname()[1]


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as e:
            raise ServeError(f"cannot listen on {base_url(host, port)}: {e.strerror or e} "
                             f"(another server there? choose another --port)") from e


def _wait_until_ready(process: subprocess.Popen, url: str, seconds: float) -> bool:
    """Poll with ``ASK {}`` until the server answers 200; False if it exits or the time is up."""
    probe = url + QUERY_PATH + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after a grace period; always reaps the process."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


def _tail(stream, limit: int = 4000) -> str:
    stream.flush()
    stream.seek(0)
    text = stream.read().decode("utf-8", errors="replace")
    return text[-limit:]
