"""The pages ``ccakg serve`` answers itself, beside the SPARQL endpoint that the gateway forwards.

- ``/``: the query page: YASGUI (vendored in ``kg/web/assets``, MIT) with ccakg's prefixes, the saved queries
  of ``ontology/queries`` as a list that fills the editor, and result IRIs of entities that open ``/entity``;
- ``/entity?iri=…``: an entity's names, types and evidence sentences (what ``ccakg why`` prints);
- ``/saved/NAME?param=value``: a saved query as SPARQL, its parameters filled in by :func:`kg.saved.render`;
- ``/prefixes.json``: ccakg's prefixes, for the editor's prefix completion (instead of prefix.cc);
- ``/explorer``: the build's explorer page (``graph.html`` beside the store), when there is one;
- ``/assets/NAME``: the page's script and style sheets.

Every page of ours is sent with a Content-Security-Policy that lets it load only from this server, so the
query page works offline and sends nothing elsewhere.
"""
from __future__ import annotations

import json
import mimetypes
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from extractors.errors import KGError, QueryError
from kg.namespaces import KG, PREFIXES
from kg.web.explorer import script_json
from kg.web.gateway import with_known_prefixes

ASSET_DIR = Path(__file__).parent / "assets"
TEMPLATE_DIR = Path(__file__).parent / "templates"
QUERY_TEMPLATE = "query.html"
ENTITY_TEMPLATE = "entity.html"
PAGE_TITLE = "ccakg"
ENTITY_PATH = "/entity"
EXPLORER_PATH = "/explorer"
SAVED_PATH = "/saved/"
ASSET_PATH = "/assets/"
PREFIXES_PATH = "/prefixes.json"
EXPLORER_FILE = "graph.html"
MAX_EVIDENCE = 500          # evidence items an entity page shows; `ccakg why` lists them all
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PAGE_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}
EXAMPLE_QUERY = """# ccakg's prefixes (kgo: kg: skos: org: dct: schema: foaf: oa: …) need no PREFIX lines here.
SELECT ?type (COUNT(DISTINCT ?entity) AS ?entities) WHERE {
  ?entity a ?type .
  FILTER(STRSTARTS(STR(?entity), STR(kg:)))
}
GROUP BY ?type
ORDER BY DESC(?entities)
"""

Response = tuple[int, dict, bytes]


@dataclass(frozen=True)
class Evidence:
    """One evidence item as the entity page shows it: the sentence split around the quote."""
    subject: str
    doc_id: str
    path: str
    start: int
    end: int
    rule: str
    before: str
    quote: str
    after: str


class QueryPages:
    """``respond(method, path)``: the answer for one of our paths, or None for the gateway to forward."""

    def __init__(self, store_dir: Path, explorer: Path | None = None):
        self.store_dir = Path(store_dir)
        self.explorer = explorer
        self.templates = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True)
        self.templates.filters["script_json"] = script_json

    def respond(self, method: str, path: str) -> Response | None:
        parts = urllib.parse.urlsplit(path)
        route = self._route(parts.path)
        if route is None:
            return None
        if method not in ("GET", "HEAD"):
            return 405, {"Allow": "GET, HEAD", **_text_type()}, f"{parts.path} answers GET only\n".encode()
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        try:
            return route(parts.path, params)
        except KGError as exc:
            return _message(400, str(exc))

    def _route(self, path: str):
        if path in ("/", "/index.html"):
            return self.query_page
        if path == ENTITY_PATH:
            return self.entity_page
        if path == EXPLORER_PATH:
            return self.explorer_page
        if path == PREFIXES_PATH:
            return lambda _path, _params: _json(PREFIXES)
        if path.startswith(SAVED_PATH):
            return self.saved_query
        if path.startswith(ASSET_PATH):
            return self.asset
        return None

    def query_page(self, _path: str, _params: dict[str, str]) -> Response:
        config = {"prefixes": PREFIXES, "entityBase": KG, "entityPath": ENTITY_PATH, "savedPath": SAVED_PATH,
                  "prefixesPath": PREFIXES_PATH, "example": EXAMPLE_QUERY, "saved": saved_list()}
        html = self.templates.get_template(QUERY_TEMPLATE).render(
            title=PAGE_TITLE, config=config,
            explorer=EXPLORER_PATH if self._explorer_file() else None)
        return _html(200, html)

    def saved_query(self, path: str, params: dict[str, str]) -> Response:
        return _sparql(saved_text(path.removeprefix(SAVED_PATH).removesuffix(".rq"), params))

    def entity_page(self, _path: str, params: dict[str, str]) -> Response:
        iri = params.get("iri", "").strip()
        if not iri:
            return _message(400, f"{ENTITY_PATH} needs ?iri=… (an entity's IRI, e.g. from a query's results)")
        found, evidence, total = entity_evidence(self.store_dir, iri)
        html = self.templates.get_template(ENTITY_TEMPLATE).render(
            title=PAGE_TITLE, iri=iri, found=found, evidence=evidence, total=total, limit=MAX_EVIDENCE,
            explorer=EXPLORER_PATH if self._explorer_file() else None)
        return _html(200 if found or evidence else 404, html)

    def explorer_page(self, _path: str, _params: dict[str, str]) -> Response:
        page = self._explorer_file()
        if page is None:
            return _message(404, f"no explorer page: {EXPLORER_FILE} is not beside the store {self.store_dir} "
                                 f"(a build writes DIR/{EXPLORER_FILE}; `ccakg serve DIR/store` then serves it)")
        # the page carries its own Content-Security-Policy (a meta element); no second one is added here
        return 200, {"Content-Type": "text/html; charset=utf-8", "X-Content-Type-Options": "nosniff",
                     "Cache-Control": "no-cache"}, page.read_bytes()

    def asset(self, path: str, _params: dict[str, str]) -> Response:
        name = path.removeprefix(ASSET_PATH)
        if name not in asset_names():
            return _message(404, f"no such file: {path}")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        kind += "; charset=utf-8" if kind.startswith("text/") or kind.endswith("javascript") else ""
        return 200, {"Content-Type": kind, "X-Content-Type-Options": "nosniff",
                     "Cache-Control": "max-age=3600"}, (ASSET_DIR / name).read_bytes()

    def _explorer_file(self) -> Path | None:
        page = self.explorer
        return page if page is not None and page.is_file() else None


def asset_names() -> frozenset[str]:
    """The files the page may load from kg/web/assets (nothing else is ever read from disk for /assets/)."""
    return frozenset(p.name for p in ASSET_DIR.iterdir() if p.is_file())


def saved_list() -> list[dict]:
    """The saved queries the page offers (SPARQL ones; ``build-diff`` compares two stores in Python)."""
    from kg.saved import list_saved

    return [{"name": q.name, "title": q.title, "answers": q.answers,
             "params": [{"name": p.name, "description": p.description, "default": p.default,
                         "integer": p.integer} for p in q.params]}
            for q in list_saved() if q.runner == "sparql"]


def saved_text(name: str, params: dict[str, str]) -> str:
    """A saved query's text for the editor: title and answer as comments, PREFIX lines, values filled in."""
    from kg.saved import load_saved, render

    saved = load_saved(name)
    if saved.runner != "sparql":
        raise QueryError(f"saved query {name} runs on two stores: use `ccakg query --saved {name}`")
    sparql = render(saved, params).strip()
    declarations = with_known_prefixes(sparql).removesuffix(sparql).replace("> ", ">\n")
    return f"# {saved.title}\n# {saved.answers}\n{declarations}{sparql}\n"


def entity_evidence(store_dir: Path, iri: str) -> tuple[object | None, list[Evidence], int]:
    """(names and types as kg.lookup.Found or None, the first MAX_EVIDENCE evidence items, how many there are)."""
    from kg.documents import SourceTexts
    from kg.lookup import find
    from kg.why import open_store, reasons

    store = open_store(store_dir)
    try:
        found = find(store, iri) if iri.startswith(KG) else []
        found_reasons = reasons(store, iri)
    finally:
        store.close()
    sources = SourceTexts()
    shown = [_evidence(sources, reason) for reason in found_reasons[:MAX_EVIDENCE]]
    return (found[0] if found else None), shown, len(found_reasons)


def _evidence(sources, reason) -> Evidence:
    """The sentence around the quote, cut at the evidence's own offsets (the quote alone if the file is gone)."""
    from kg.documents import sentence_bounds

    document = sources.get(reason.path)
    raw = document.raw_text if document is not None else ""
    before = after = ""
    if raw[reason.start:reason.end] == reason.quote:
        left, right = sentence_bounds(raw, reason.start, reason.end)
        before, after = raw[left:reason.start].lstrip(), raw[reason.end:right].rstrip()
    return Evidence(reason.subject, reason.doc_id, reason.path, reason.start, reason.end, reason.rule,
                    before, reason.quote, after)


def _text_type() -> dict[str, str]:
    return {"Content-Type": "text/plain; charset=utf-8"}


def _message(status: int, message: str) -> Response:
    return status, _text_type() | {"X-Content-Type-Options": "nosniff"}, (message + "\n").encode("utf-8")


def _html(status: int, html: str) -> Response:
    return status, {"Content-Type": "text/html; charset=utf-8", **PAGE_HEADERS}, html.encode("utf-8")


def _json(data: object) -> Response:
    return 200, {"Content-Type": "application/json", **PAGE_HEADERS}, json.dumps(data).encode("utf-8")


def _sparql(text: str) -> Response:
    return 200, {"Content-Type": "application/sparql-query; charset=utf-8", **PAGE_HEADERS}, text.encode("utf-8")
