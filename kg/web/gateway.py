"""The guarded front of ``ccakg serve``: a small HTTP gateway before a pool of Oxigraph servers.

The Oxigraph server alone cannot keep its promises to a user: its timeout answers ``200`` with a truncated
body, not every query plan checks the deadline (a cross product runs on, growing the server by gigabytes
after the client has left), it sends ``Access-Control-Allow-Origin: *`` or nothing, and it runs
``SERVICE`` calls to any URL. The gateway puts those rules in front of it:

- every request runs on one backend server at a time; the pool's size bounds how many queries run at once
  and the others wait in line (a request that finds no free backend before its deadline gets ``503``);
- a request that runs past the timeout gets ``504`` and its backend is killed (SIGKILL) and started again,
  so the work stops with it; a backend that dies gives ``502``; a result larger than the cap gives ``507``;
- the response is read whole before it is sent on, so a status is never ``200`` for a cut-off body;
- ``SERVICE`` is refused with ``400`` unless ``allow_service``;
- a query or update that uses one of ccakg's prefixes (``kgo:``, ``kg:``, ``skos:``…) without declaring it
  gets the missing ``PREFIX`` lines put in front (on its first line, so error positions keep their line);
  an undeclared prefix that is not one of them gets ``400`` naming it;
- ``pages`` (the query page, ``kg.web.querypage``) answers its own paths before anything is forwarded;
- CORS headers only for the one origin given (none by default).

Read-only backends take no lock, so the pool reads one store with several processes; a read-write
server holds the store's lock, so it is a pool of one.
"""
from __future__ import annotations

import http.client
import http.server
import logging
import queue
import re
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from extractors.errors import KGError, QueryError
from kg.namespaces import PREFIXES

log = logging.getLogger(__name__)
QUERY_PATH = "/query"
STOP_GRACE_SECONDS = 5.0

FORWARDED_REQUEST_HEADERS = ("Accept", "Content-Type")
FORWARDED_RESPONSE_HEADERS = ("Content-Type", "Content-Disposition", "Location", "Allow")
MAX_REQUEST_BYTES = 16 * 1024 * 1024
READ_CHUNK = 256 * 1024
STARTUP_SECONDS = 30.0
# comments, string literals and IRIs, which may contain the word SERVICE without calling one
RE_NOT_KEYWORDS = re.compile(r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                             r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')
RE_SERVICE = re.compile(r"(?<![\w:])SERVICE(?![\w:])", re.IGNORECASE)
# a prefixed name (prefix, local part: the local part may hold ':'), and a PREFIX declaration
RE_PNAME = re.compile(r"(?<![\w.\-:?$])((?:[^\W\d_][\w.\-]*)?):((?:[\w\-:%]|\\.|\.(?=[\w\-:%\\]))*)")
RE_PREFIX_DECLARATION = re.compile(r"(?<![\w:])PREFIX\s+((?:[^\W\d_][\w.\-]*)?):", re.IGNORECASE)
SPARQL_FIELDS = ("query", "update")


@dataclass(frozen=True)
class GatewayOptions:
    timeout: float | None = 30.0            # seconds per request; None: no limit
    workers: int = 2                        # backend servers, i.e. requests that run at once
    cors_origin: str | None = None          # the one origin allowed to read answers from a browser
    allow_service: bool = False             # let SERVICE send requests to other endpoints
    max_result_bytes: int = 256 * 1024 * 1024


class ServeError(KGError):
    """The SPARQL server cannot be found, is refused its options, or does not start."""


def base_url(host: str, port: int) -> str:
    """``http://host:port`` (IPv6 addresses in brackets)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}"


def calls_service(query: str) -> bool:
    """True if the SPARQL text uses the SERVICE keyword (outside comments, strings and IRIs)."""
    return bool(RE_SERVICE.search(RE_NOT_KEYWORDS.sub(" ", query)))


def with_known_prefixes(sparql: str) -> str:
    """``sparql`` with a ``PREFIX`` declaration for each of ccakg's prefixes it uses without declaring.

    The declarations go in front on the query's first line, so the positions in a parser's error message
    keep their line numbers. Raises QueryError naming a prefix that is used, undeclared and unknown.
    """
    bare = RE_NOT_KEYWORDS.sub(" ", sparql)
    declared = set(RE_PREFIX_DECLARATION.findall(bare))
    missing = list(dict.fromkeys(m.group(1) for m in RE_PNAME.finditer(bare) if m.group(1) not in declared))
    unknown = [prefix for prefix in missing if prefix not in PREFIXES]
    if unknown:
        raise QueryError(f"unknown prefix {unknown[0]}: in the query: declare it (PREFIX {unknown[0]}: <...>) "
                         f"or use one of ccakg's prefixes, which need no declaration: {', '.join(PREFIXES)}")
    if not missing:
        return sparql
    return "".join(f"PREFIX {prefix}: <{PREFIXES[prefix]}> " for prefix in PREFIXES if prefix in missing) + sparql


def _form_with_prefixes(form: str) -> str:
    """An urlencoded form or URL query string whose query/update fields got :func:`with_known_prefixes`."""
    pairs = urllib.parse.parse_qsl(form, keep_blank_values=True)
    completed = [(key, with_known_prefixes(value) if key in SPARQL_FIELDS else value) for key, value in pairs]
    return form if completed == pairs else urllib.parse.urlencode(completed)


def request_with_prefixes(method: str, path: str, content_type: str, body: bytes) -> tuple[str, bytes]:
    """(path, body) of a request with :func:`with_known_prefixes` applied wherever it carries SPARQL."""
    parts = urllib.parse.urlsplit(path)
    if parts.query:
        path = urllib.parse.urlunsplit(parts._replace(query=_form_with_prefixes(parts.query)))
    if method == "POST" and body:
        kind = content_type.split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            form = body.decode("utf-8", errors="replace")
            completed = _form_with_prefixes(form)
            body = body if completed == form else completed.encode("utf-8")
        elif kind in ("application/sparql-query", "application/sparql-update"):
            text = body.decode("utf-8", errors="replace")
            completed = with_known_prefixes(text)
            body = body if completed == text else completed.encode("utf-8")
    return path, body


def sparql_texts(method: str, path: str, content_type: str, body: bytes) -> list[str]:
    """The query or update texts a request carries, wherever the SPARQL protocol lets it put them."""
    texts = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("query", [])
    if method == "POST":
        kind = content_type.split(";")[0].strip().lower()
        decoded = body.decode("utf-8", errors="replace")
        if kind == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(decoded)
            texts += form.get("query", []) + form.get("update", [])
        elif kind in ("application/sparql-query", "application/sparql-update"):
            texts.append(decoded)
    return texts


class Backend:
    """One Oxigraph server process on a loopback port of its own."""

    def __init__(self, command_for_port):
        self._command_for_port = command_for_port
        self.port = 0
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with tempfile.TemporaryFile() as output:
            for _attempt in range(3):   # a port picked free can be taken before the server binds it
                self.port = _free_port("127.0.0.1")
                command = self._command_for_port(self.port)
                self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output,
                                                stderr=subprocess.STDOUT)
                if _wait_until_ready(self.process, base_url("127.0.0.1", self.port), STARTUP_SECONDS):
                    return
                self.kill()
            raise ServeError(f"the SPARQL server did not start ({' '.join(command)}):\n{_tail(output)}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Gateway:
    """The HTTP front and its pool of backends; ``start()``, then ``serve_forever()`` or a thread, ``close()``."""

    def __init__(self, command_for_port, host: str, port: int, options: GatewayOptions, *, pool_size: int,
                 pages=None):
        self.options = options
        self.pages = pages          # answers its own paths: .respond(method, path) -> (status, headers, body) | None
        self.backends = [Backend(command_for_port) for _ in range(max(1, pool_size))]
        self.idle: queue.Queue[Backend] = queue.Queue()
        self.host, self.port = host, port
        self.httpd: http.server.ThreadingHTTPServer | None = None

    def start(self) -> None:
        try:
            for backend in self.backends:
                backend.start()
                self.idle.put(backend)
            handler = type("Handler", (_Handler,), {"gateway": self})
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            server_class = type("Server", (http.server.ThreadingHTTPServer,), {"address_family": family})
            self.httpd = server_class((self.host.strip("[]"), self.port), handler)
        except BaseException:
            self.close()
            raise
        self.port = self.httpd.server_address[1]

    def serve_forever(self) -> None:
        assert self.httpd is not None
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()

    def close(self) -> None:
        if self.httpd is not None:
            self.httpd.server_close()
        for backend in self.backends:
            backend.stop()

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        """Run one request on a free backend within the deadline; (status, headers, body)."""
        deadline = None if not self.options.timeout else time.monotonic() + self.options.timeout
        try:
            backend = self.idle.get(timeout=_remaining(deadline))
        except queue.Empty:
            return _plain(503, f"every query worker stayed busy for {self.options.timeout:g} s; try again later")
        healthy = True
        try:
            return _exchange(backend, method, path, headers, body, deadline, self.options.max_result_bytes)
        except _Overrun as overrun:
            healthy = False
            return _plain(overrun.status, overrun.message)
        except (OSError, http.client.HTTPException) as exc:
            healthy = backend.alive()
            return _plain(502, f"the query worker failed: {exc}")
        finally:
            self._give_back(backend, healthy)

    def _give_back(self, backend: Backend, healthy: bool) -> None:
        if healthy:
            self.idle.put(backend)
            return
        backend.kill()      # the only way to stop a query that does not check its deadline

        def restart() -> None:
            try:
                backend.start()
            except Exception:                       # noqa: BLE001 - logged; the pool goes on smaller
                log.exception("a query worker could not be restarted")
                return
            self.idle.put(backend)

        threading.Thread(target=restart, daemon=True).start()


class _Overrun(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _exchange(backend: Backend, method: str, path: str, headers: dict[str, str], body: bytes,
              deadline: float | None, max_bytes: int) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", backend.port, timeout=_remaining(deadline) or None)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        chunks, size = [], 0
        while True:
            if deadline is not None:
                left = _remaining(deadline)
                if left <= 0:
                    raise socket.timeout
                connection.sock.settimeout(left)
            chunk = response.read1(READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise _Overrun(507, f"the result is larger than {max_bytes // 2**20} MiB; narrow the query or "
                                    f"add LIMIT")
            chunks.append(chunk)
        kept = {name: response.headers[name] for name in FORWARDED_RESPONSE_HEADERS if response.headers[name]}
        return response.status, kept, b"".join(chunks)
    except socket.timeout as exc:
        raise _Overrun(504, "the query ran longer than the server's time limit and was stopped; narrow it, add "
                            "LIMIT, or start the server with a longer --timeout") from exc
    finally:
        connection.close()


def _plain(status: int, message: str) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "text/plain; charset=utf-8"}, (message + "\n").encode("utf-8")


class _Handler(http.server.BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"
    server_version = "ccakg"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._handle()

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def do_PUT(self) -> None:  # noqa: N802
        self._handle()

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle()

    def do_OPTIONS(self) -> None:  # noqa: N802
        headers = {"Allow": "GET, HEAD, POST, OPTIONS"}
        if self._allowed_origin():
            headers.update({"Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
                            "Access-Control-Allow-Headers": "Content-Type, Accept",
                            "Access-Control-Max-Age": "600"})
        self._send(204, headers, b"")

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._send(*_plain(413, f"the request is larger than {MAX_REQUEST_BYTES // 2**20} MiB"))
            return
        body = self.rfile.read(length) if length else b""
        page = self.gateway.pages.respond(self.command, self.path) if self.gateway.pages else None
        if page is not None:
            self._send(*page)
            return
        content_type = self.headers.get("Content-Type", "")
        try:
            path, body = request_with_prefixes(self.command, self.path, content_type, body)
        except QueryError as exc:
            self._send(*_plain(400, str(exc)))
            return
        texts = sparql_texts(self.command, path, content_type, body)
        if not self.gateway.options.allow_service and any(calls_service(text) for text in texts):
            self._send(*_plain(400, "SERVICE is refused by this endpoint: it would send requests to other "
                                    "servers (start it with `ccakg serve --allow-service` to allow that)"))
            return
        headers = {name: self.headers[name] for name in FORWARDED_REQUEST_HEADERS if self.headers[name]}
        if body:
            headers["Content-Length"] = str(len(body))
        self._send(*self.gateway.forward(self.command, path, headers, body))

    def _allowed_origin(self) -> bool:
        origin = self.gateway.options.cors_origin
        return bool(origin) and self.headers.get("Origin") == origin

    def _send(self, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if self._allowed_origin():
            self.send_header("Access-Control-Allow-Origin", self.gateway.options.cors_origin)
            self.send_header("Vary", "Origin")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host.strip("[]"), 0))
        return probe.getsockname()[1]


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
