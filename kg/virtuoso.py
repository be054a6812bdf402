"""Publish a build to OpenLink Virtuoso: its bulk loader for the data, one transaction to put it in force.

``ccakg publish DIR --virtuoso HOST:PORT`` talks SQL to the server's SQL port (``ServerPort``, 1111 by
default) through Virtuoso's own command-line client (``isql-vt`` on Debian, ``isql-v`` upstream):

1. **Stage.** The build's quads are written as N-Quads to a file in ``--load-dir`` (a folder the server reads
   at the same path and lists in ``DirsAllowed``), with every graph IRI moved under a staging prefix
   (``urn:ccakg:staging:<key>:<version>:doc/…``), and ``ld_dir`` + ``rdf_loader_run()`` bulk-load the file.
   The graphs published before stay as they are. The staging graphs are put in Virtuoso's private graph group
   (``virtrdf:PrivateGraphs``, no read access for the anonymous endpoint user) before the load, so SPARQL
   readers do not see their triples (only Virtuoso's shortcut for listing graph names,
   ``SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }``, names them).
2. **Swap.** One SQL statement (the procedure ``DB.DBA.CCAKG_SWAP_GRAPHS``, which publish defines) deletes
   every graph under ``--graph-prefix`` (the build published before, texts since removed included) and renames
   the staging graphs to their public IRIs (``<prefix>doc/<id>``, ``<prefix>entities``, ``<prefix>ontology``):
   one transaction, so a reader sees the old build or the new one. ``checkpoint`` then makes it durable.

A publish that fails or is killed before the swap leaves the published build as it was; the next publish
under the same prefix removes the staging graphs it left.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from extractors.errors import StoreError
from kg.namespaces import GRAPH
from kg.outdir import build_folder, store_of
from kg.store import OxigraphStore

PRIVATE_GRAPHS = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
STAGING = "urn:ccakg:staging:"
CLIENTS = ("isql-vt", "isql-v")   # Virtuoso's isql under Debian's and upstream's names
DEFAULT_USER = "dba"
CONNECT_TIMEOUT = 10.0
# A graph prefix names a host and a path, so that no publish can replace a whole scheme's or host's graphs.
RE_GRAPH_PREFIX = re.compile(r"^https?://[^/\s]+/\S*[/#]$")

SWAP_PROCEDURE = """create procedure DB.DBA.CCAKG_SWAP_GRAPHS (in public_prefix varchar, in staging_prefix varchar,
                                               in stale_prefix varchar)
{
  declare graphs, dropped, renamed any;
  declare i, n integer;
  declare iri varchar;
  -- no transaction log for this one transaction: its after-image would pass TransactionAfterImageLimit on a
  -- large build; it stays one transaction (atomic), and the checkpoint after it makes it durable
  log_enable (0, 1);
  graphs := (select vector_agg (G) from (select distinct G from DB.DBA.RDF_QUAD table option (index RDF_QUAD_GS)) x);
  dropped := 0;
  renamed := 0;
  n := length (graphs);
  for (i := 0; i < n; i := i + 1)
    {
      iri := id_to_iri (graphs[i]);
      if (starts_with (iri, public_prefix) or (starts_with (iri, stale_prefix) and not starts_with (iri, staging_prefix)))
        {
          delete from DB.DBA.RDF_QUAD where G = graphs[i];
          dropped := dropped + 1;
        }
    }
  for (i := 0; i < n; i := i + 1)
    {
      iri := id_to_iri (graphs[i]);
      if (starts_with (iri, staging_prefix))
        {
          update DB.DBA.RDF_QUAD table option (index RDF_QUAD_GS)
             set G = iri_to_id (concat (public_prefix, subseq (iri, length (staging_prefix)))) where G = graphs[i];
          renamed := renamed + 1;
        }
    }
  return sprintf ('%d %d', dropped, renamed);
}
"""


@dataclass(frozen=True)
class Virtuoso:
    """A Virtuoso server's SQL port and the account publish uses (it needs the bulk loader: dba or alike)."""
    host: str
    port: int
    user: str = DEFAULT_USER
    password: str = "dba"

    @classmethod
    def at(cls, address: str, user: str = DEFAULT_USER, password: str = "dba") -> Virtuoso:
        """``HOST:PORT`` (``[::1]:1111`` for IPv6); StoreError naming --virtuoso when it is not one."""
        host, sep, port = address.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise StoreError(f"--virtuoso {address!r}: expected HOST:PORT, the server's SQL port (e.g. localhost:1111)")
        return cls(host.strip("[]"), int(port), user, password)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def sql(self, script: str) -> list[str]:
        """Run SQL statements (``;``-terminated) in one session; their output lines. StoreError on any error."""
        self.reachable()
        with tempfile.NamedTemporaryFile("w", suffix=".sql", encoding="utf-8", delete=False) as handle:
            handle.write(script)
        try:
            done = subprocess.run([isql_client(), self.address, self.user, self.password, "VERBOSE=OFF",
                                   "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", "CSV=ON", handle.name],
                                  capture_output=True, text=True, stdin=subprocess.DEVNULL)
        finally:
            os.unlink(handle.name)
        error = next((line for line in done.stderr.splitlines() if line.startswith("*** Error")), None)
        if error or done.returncode:
            raise StoreError(self._explain(error or done.stderr.strip() or f"isql exit code {done.returncode}"))
        return [line for line in done.stdout.splitlines() if line.strip()]

    def reachable(self) -> None:
        """StoreError naming --virtuoso when nothing listens at HOST:PORT."""
        try:
            socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT).close()
        except OSError as exc:
            raise StoreError(f"--virtuoso {self.address}: cannot connect ({exc.strerror or exc}); is Virtuoso "
                             f"running, and is this its SQL port (ServerPort in virtuoso.ini, 1111 by default)?") from None

    def _explain(self, error: str) -> str:
        if "Bad login" in error:
            return (f"Virtuoso at {self.address} refused user {self.user!r}: wrong user or password "
                    f"(--user, --password-file)")
        if "Connect failed" in error:
            return f"--virtuoso {self.address}: cannot connect ({error.split(']')[-1].strip()})"
        return f"Virtuoso at {self.address}: {error.removeprefix('*** Error').strip()}"


def isql_client() -> str:
    """The path of Virtuoso's isql; StoreError saying how to install it when there is none."""
    for name in CLIENTS:
        found = shutil.which(name)
        if found:
            return found
    raise StoreError("Virtuoso's SQL client isql-vt is not installed (Debian: apt-get install virtuoso-opensource)")


def read_password(path: Path | None) -> str:
    """The first line of --password-file (Virtuoso's default ``dba`` without one)."""
    if path is None:
        return "dba"
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()[0].strip()
    except (OSError, IndexError, UnicodeDecodeError) as exc:
        raise StoreError(f"--password-file {path}: cannot read a password from it ({exc})") from None


@dataclass
class Published:
    """What :func:`publish` did."""
    server: str
    graph_prefix: str
    graphs: int                  # graphs published
    quads: int
    dropped: int                 # graphs under the prefix replaced or removed
    seconds: dict[str, float] = field(default_factory=dict)


def publish(build: Path, server: Virtuoso, graph_prefix: str = GRAPH, load_dir: Path | None = None,
            notify: Callable[[str], None] | None = None) -> Published:
    """Put the build in ``build`` in force on ``server`` under ``graph_prefix`` (see the module's docstring)."""
    say = notify or (lambda message: None)
    _check_prefix(graph_prefix)
    store_dir = store_of(Path(build))
    folder = Path(load_dir or build_folder(Path(build))).resolve()
    server.sql("select 1;")
    stale, staging = staging_prefixes(graph_prefix)
    data = folder / f"ccakg-publish-{staging.rsplit(':', 2)[-2]}.nq"
    seconds: dict[str, float] = {}
    try:
        started = time.monotonic()
        graphs, quads = write_staging(store_dir, data, staging)
        seconds["write"] = time.monotonic() - started
        say(f"loading {quads} quads in {len(graphs)} graphs into {server.address} (staging, private)")
        started = time.monotonic()
        load(server, data, graphs)
        seconds["load"] = time.monotonic() - started
        started = time.monotonic()
        dropped = swap(server, graph_prefix, staging, stale, graphs)
        seconds["swap"] = time.monotonic() - started
    finally:
        data.unlink(missing_ok=True)
    return Published(server.address, graph_prefix, len(graphs), quads, dropped, seconds)


def staging_prefixes(graph_prefix: str) -> tuple[str, str]:
    """(the staging prefix of every publish under ``graph_prefix``, a fresh one for this publish)."""
    stale = f"{STAGING}{hashlib.sha1(graph_prefix.encode()).hexdigest()[:12]}:"
    return stale, f"{stale}{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}:"


def _check_prefix(prefix: str) -> None:
    try:
        ox.NamedNode(prefix)
    except ValueError:
        raise StoreError(f"--graph-prefix {prefix!r} is not an IRI") from None
    if not RE_GRAPH_PREFIX.match(prefix) or "'" in prefix or "\\" in prefix:
        raise StoreError(f"--graph-prefix {prefix!r}: give an http(s) IRI with a path that ends with / or #, "
                         f"e.g. https://example.org/ccakg/graph/ (the graphs are <prefix>doc/<id>, <prefix>entities, "
                         f"<prefix>ontology; every graph under it is replaced)")


def write_staging(store_dir: Path, path: Path, staging: str) -> tuple[list[str], int]:
    """Write the store's quads to ``path`` as N-Quads with each graph ``GRAPH…`` renamed ``staging…``."""
    graphs: dict[str, ox.NamedNode] = {}
    count = 0

    def renamed(quads):
        nonlocal count
        for quad in quads:
            name = quad.graph_name
            if not isinstance(name, ox.NamedNode) or not name.value.startswith(GRAPH):
                raise StoreError(f"{store_dir}: a quad in graph {name} is not in a ccakg graph ({GRAPH}…)")
            target = graphs.get(name.value)
            if target is None:
                target = graphs[name.value] = ox.NamedNode(staging + name.value[len(GRAPH):])
            count += 1
            yield ox.Quad(quad.subject, quad.predicate, quad.object, target)

    with OxigraphStore.open_read_only(store_dir) as store:
        try:
            with open(path, "wb") as handle:
                ox.serialize(renamed(store.oxigraph), handle, ox.RdfFormat.N_QUADS)
        except OSError as exc:
            raise StoreError(f"--load-dir {path.parent}: cannot write the data to load there ({exc})") from None
    return [target.value for target in graphs.values()], count


def load(server: Virtuoso, data: Path, graphs: list[str]) -> None:
    """Bulk-load ``data`` into its (private) staging graphs; StoreError with the loader's error if it fails."""
    server.sql(f"DB.DBA.RDF_GRAPH_GROUP_CREATE ({_sql(PRIVATE_GRAPHS)}, 1);\n"
               f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);\n"
               f"{_private(graphs)}")
    rows = server.sql(
        f"ld_dir ({_sql(str(data.parent))}, {_sql(data.name)}, {_sql(graphs[0] if graphs else STAGING)});\n"
        f"rdf_loader_run ();\n"
        f"select ll_state, ll_error from DB.DBA.LOAD_LIST where ll_file = {_sql(str(data))};\n"
        f"delete from DB.DBA.LOAD_LIST where ll_file = {_sql(str(data))};\n")
    state = rows[-1].split(";", 1) if rows else None
    if not state or state[0] != "2" or state[1].strip():
        reason = state[1].strip() if state and state[1].strip() else "the file was not loaded"
        raise StoreError(f"Virtuoso at {server.address} could not bulk-load {data}: {reason}. The server reads the "
                         f"file itself: --load-dir must be a folder it sees at the same path and that "
                         f"DirsAllowed in its virtuoso.ini lists")


def swap(server: Virtuoso, graph_prefix: str, staging: str, stale: str, graphs: list[str]) -> int:
    """Replace the graphs under ``graph_prefix`` by the staging graphs in one transaction; graphs dropped."""
    rows = server.sql(
        f"{SWAP_PROCEDURE};\n"
        f"select DB.DBA.CCAKG_SWAP_GRAPHS ({_sql(graph_prefix)}, {_sql(staging)}, {_sql(stale)});\n"
        f"{_public(graphs)}"
        f"checkpoint;\n")
    dropped, _ = rows[-1].split()
    return int(dropped)


def _private(graphs: list[str]) -> str:
    return "".join(f"DB.DBA.RDF_GRAPH_GROUP_INS ({_sql(PRIVATE_GRAPHS)}, {_sql(g)});\n" for g in graphs)


def _public(graphs: list[str]) -> str:
    return "".join(f"DB.DBA.RDF_GRAPH_GROUP_DEL ({_sql(PRIVATE_GRAPHS)}, {_sql(g)});\n" for g in graphs)


def _sql(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


# --- a throw-away server (tests and benchmarks) ---------------------------------------------------------------

SERVER_BINARY = "virtuoso-t"
SERVER_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {dirs}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
CheckpointInterval = 0
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = {query_seconds}
MaxQueryCostEstimationTime = 0
"""


@dataclass
class LocalServer:
    """A Virtuoso started by :func:`local_server`: its SQL address and SPARQL endpoint."""
    process: subprocess.Popen
    folder: Path
    server: Virtuoso
    sparql: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def local_server(folder: Path, load_dirs: list[Path], password: str = "dba", memory_mb: int = 400,
                 wait: float = 120.0, query_seconds: int = 600) -> LocalServer:
    """Start ``virtuoso-t`` in the foreground on loopback with a fresh database in ``folder`` (free ports, the
    ``load_dirs`` in DirsAllowed) and set the dba password; stop it with :func:`stop_server`."""
    binary = shutil.which(SERVER_BINARY)
    if binary is None:
        raise StoreError("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)")
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    buffers = memory_mb * 1024 // 8 * 2 // 3       # 8 KiB pages, two thirds of the memory
    ini = folder / "virtuoso.ini"
    ini.write_text(SERVER_INI.format(db=folder, sql_port=sql_port, http_port=http_port, buffers=buffers,
                                     query_seconds=query_seconds,
                                     dirty=buffers * 3 // 4, dirs=", ".join(str(Path(d).resolve()) for d in load_dirs)),
                   encoding="utf-8")
    log = open(folder / "stdout.log", "wb")
    process = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    running = LocalServer(process, folder, Virtuoso("127.0.0.1", sql_port, DEFAULT_USER, "dba"),
                          f"http://127.0.0.1:{http_port}/sparql")
    try:
        _wait_online(running, wait)
        if password != "dba":
            running.server.sql(f"user_set_password ({_sql(DEFAULT_USER)}, {_sql(password)});\n")
            running.server = Virtuoso("127.0.0.1", sql_port, DEFAULT_USER, password)
    except BaseException:
        stop_server(running)
        raise
    return running


def _wait_online(running: LocalServer, wait: float) -> None:
    deadline = time.monotonic() + wait
    log = running.folder / "stdout.log"
    while "Server online at" not in log.read_text(errors="replace"):
        if running.process.poll() is not None or time.monotonic() > deadline:
            raise StoreError(f"virtuoso-t did not start (see {log}): {log.read_text(errors='replace')[-500:]}")
        time.sleep(0.2)


def stop_server(running: LocalServer, wait: float = 30.0) -> None:
    """Stop a :func:`local_server` (terminate, then kill)."""
    if running.process.poll() is None:
        running.process.terminate()
        try:
            running.process.wait(wait)
        except subprocess.TimeoutExpired:
            running.process.kill()
            running.process.wait()
