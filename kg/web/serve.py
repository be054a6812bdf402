"""A SPARQL 1.1 Protocol endpoint over a built store: Oxigraph servers behind ccakg's gateway.

``ccakg serve --store DIR/store`` runs, in the foreground, a pool of ``oxigraph serve-read-only`` processes
(the Rust binary the ``oxigraph`` wheel installs next to the venv's python) on loopback ports of their own,
and in front of them the gateway of :mod:`kg.web.gateway`, which enforces the time limit with a status that
says so, bounds how many queries run at once, refuses ``SERVICE`` and sends CORS headers only to the
origin given. Beyond that:

- read-only by default (an update gets ``403 The server is read-only``); ``read_write=True`` runs one
  ``oxigraph serve`` instead, which takes the store's lock (no build can then open it);
- bound to loopback by default; another host is refused unless ``allow_remote=True``, because the
  server has no authentication at all;
- ``--union-default-graph``: a query without ``GRAPH`` sees every named graph, as ``ccakg query`` does
  (a triple stated in two graphs then matches twice: use ``SELECT DISTINCT``);
- endpoints: ``/`` ccakg's query page (:mod:`kg.web.querypage`: YASGUI with the project's prefixes and saved
  queries, nothing fetched from the web), ``/entity?iri=`` an entity's evidence, ``/explorer`` the build's
  explorer page, ``/query`` (GET or POST, also ``/sparql``; ccakg's prefixes need no declaration),
  ``/update`` (read-write only), ``/store`` (Graph Store Protocol).

Store sharing, as measured with oxigraph 0.5.13: the read-only server takes no lock, so ``ccakg query``,
``ccakg why`` and even a build can open the store while it runs.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import signal
import socket
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# QUERY_PATH and _free_port are used through this module by the CLI and the tests
from kg.web.gateway import QUERY_PATH, Gateway, GatewayOptions, ServeError, _free_port, base_url  # noqa: F401

log = logging.getLogger(__name__)

SERVER_EXECUTABLE = "oxigraph"
INSTALL_HINT = "pip install 'oxigraph>=0.5,<0.6' (the package that ships the Oxigraph server binary)"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30
UPDATE_PATH = "/update"
STORE_PATH = "/store"


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


def server_command(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                   read_write: bool = False) -> list[str]:
    """One backend server's command line: read-only unless ``read_write``, union default graph.

    CORS, the time limit and SERVICE are the gateway's (kg.web.gateway), so the backend gets none of them.
    """
    return [server_binary(), "serve" if read_write else "serve-read-only",
            "--location", str(store_dir), "--bind", base_url(host, port).removeprefix("http://"),
            "--union-default-graph"]


def make_gateway(store_dir: Path, host: str, port: int, options: GatewayOptions, *,
                 read_write: bool = False) -> Gateway:
    """The gateway over a pool of backends for ``store_dir`` (one backend when ``read_write``: it locks)."""
    from kg.web.querypage import EXPLORER_FILE, QueryPages

    store_dir = check_store(store_dir)

    def command_for_port(backend_port: int) -> list[str]:
        return server_command(store_dir, "127.0.0.1", backend_port, read_write=read_write)

    pages = QueryPages(store_dir, explorer=store_dir.parent / EXPLORER_FILE)
    return Gateway(command_for_port, host, port, options, pool_size=1 if read_write else options.workers,
                   pages=pages)


def serve(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          options: GatewayOptions = GatewayOptions(), *, read_write: bool = False,
          allow_remote: bool = False, announce: Callable[[str], None] | None = None) -> int:
    """Run the gateway and its backends in the foreground until Ctrl-C or SIGTERM; return 0 then.

    ``announce(base_url)`` is called once the options are checked and the servers answer.
    """
    check_host(host, allow_remote)
    _check_port_free(host, port)
    gateway = make_gateway(store_dir, host, port, options, read_write=read_write)
    gateway.start()
    if announce is not None:
        announce(base_url(host, gateway.port))

    def stop(_signum: int, _frame: object) -> None:
        threading.Thread(target=gateway.shutdown, daemon=True).start()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        gateway.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        gateway.close()
    return 0


@contextmanager
def running_server(store_dir: Path, host: str = DEFAULT_HOST, port: int = 0,
                   timeout: float | None = DEFAULT_TIMEOUT, *, read_write: bool = False,
                   options: GatewayOptions | None = None) -> Iterator[str]:
    """Run the gateway and its backends while the block runs; yield the base URL (``http://host:port``).

    ``port=0`` picks a free port. The servers answer when the block starts and are stopped on exit,
    whatever happened. Loopback only (tests and scripts): use :func:`serve` to listen elsewhere.
    """
    check_host(host, allow_remote=False)
    options = options or GatewayOptions(timeout=timeout or None)
    gateway = make_gateway(store_dir, host, port, options, read_write=read_write)
    gateway.start()
    thread = threading.Thread(target=gateway.serve_forever, daemon=True)
    thread.start()
    try:
        url = base_url(host, gateway.port)
        log.info("SPARQL server at %s", url)
        yield url
    finally:
        gateway.shutdown()
        thread.join()
        gateway.close()


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as e:
            raise ServeError(f"cannot listen on {base_url(host, port)}: {e.strerror or e} "
                             f"(another server there? choose another --port)") from e
