"""Saved SPARQL queries (``ontology/queries/*.rq``): their headers, parameters, and how to run them.

A saved query starts with ``#`` header lines::

    # title: Departments that lead the most tasks
    # answers: which units lead and support how many work-plan tasks
    # params: entity=a name in any script (支树平)
    # params: min_tasks=smallest number of shared tasks (2)
    # params: other=the build folder of the other build (required)

Parameters appear in the query body as ``$name`` placeholders. A string value is converted to
Simplified Chinese (:func:`kg.normalize.to_simplified`) and written as an escaped SPARQL string
literal; a parameter whose default is an integer only accepts integers. User text is never pasted
into a query as is. A ``# runner: diff`` header marks a query that Python runs on two stores
(``build-diff``): SPARQL over one store cannot see another build.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from extractors.errors import QueryError
from kg.namespaces import compact_iri as compact
from kg.normalize import to_simplified
from kg.outdir import store_of

RE_HEADER = re.compile(r"^#\s*(\w+)\s*:\s*(.*?)\s*$")
RE_PARAM = re.compile(r"^(\w+)\s*=\s*(.*?)\s*(?:\(([^()]*)\))?$")
RE_PLACEHOLDER = re.compile(r"\$([A-Za-z_]\w*)")
RE_INT = re.compile(r"^-?\d+$")
REQUIRED = "required"


def queries_dir() -> Path:
    from ontology import QUERIES_DIR
    return QUERIES_DIR


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    default: str | None          # None: the caller must give it
    integer: bool = False

    def describe(self) -> str:
        if self.default is None:
            default = "required"
        else:
            default = f"default {self.default}" if self.default != "" else "default: empty"
        return f"{self.name}: {self.description} ({default})"


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    answers: str
    params: tuple[Param, ...]
    text: str                     # the whole file, header included
    path: Path
    runner: str = "sparql"        # "sparql" or "diff"
    notes: tuple[str, ...] = field(default=())

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse(path: Path) -> SavedQuery:
    """Read one ``.rq`` file and its header."""
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params: list[Param] = []
    notes: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = RE_HEADER.match(line)
        if not match:
            notes.append(line.lstrip("#").strip())
            continue
        key, value = match.group(1).lower(), match.group(2)
        if key == "params":
            params.append(_param(path, value))
        elif key in fields:
            fields[key] += " " + value
        else:
            fields[key] = value
    name = path.stem
    for key in ("title", "answers"):
        if not fields.get(key):
            raise QueryError(f"saved query {name} ({path}): the header has no '# {key}:' line")
    saved = SavedQuery(name, fields["title"], fields["answers"], tuple(params), text, path,
                       fields.get("runner", "sparql"), tuple(n for n in notes if n))
    undeclared = sorted(set(RE_PLACEHOLDER.findall(body(saved))) - {p.name for p in params})
    if undeclared:
        raise QueryError(f"saved query {name} ({path}) uses ${undeclared[0]} but declares no such parameter")
    return saved


def _param(path: Path, spec: str) -> Param:
    match = RE_PARAM.match(spec)
    if not match:
        raise QueryError(f"{path}: bad '# params:' line {spec!r} (expected name=description (default))")
    name, description, default = match.group(1), match.group(2), match.group(3)
    if default is not None:
        default = default.strip()
    if default == REQUIRED:
        default = None
    return Param(name, description, default, default is not None and bool(RE_INT.match(default)))


def list_saved() -> list[SavedQuery]:
    """Every saved query, by name."""
    return [parse(path) for path in sorted(queries_dir().glob("*.rq"))]


def names() -> list[str]:
    return sorted(path.stem for path in queries_dir().glob("*.rq"))


def load_saved(name: str) -> SavedQuery:
    """The saved query NAME (file name without ``.rq``); QueryError listing the names if there is none."""
    path = queries_dir() / f"{name}.rq"
    if not re.fullmatch(r"[\w.-]+", name) or not path.is_file():
        raise QueryError(f"no saved query named {name!r}; saved queries: {', '.join(names())}")
    return parse(path)


def body(saved: SavedQuery) -> str:
    """The query without its ``#`` lines."""
    return "\n".join(line for line in saved.text.splitlines() if not line.lstrip().startswith("#")) + "\n"


def sparql_string(value: str) -> str:
    """A SPARQL string literal holding ``value`` exactly."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def resolve(saved: SavedQuery, params: dict[str, str]) -> dict[str, str]:
    """Given values plus defaults; QueryError for an unknown or missing parameter or a non-integer."""
    valid = ", ".join(p.name for p in saved.params) or "none"
    for key in params:
        if saved.param(key) is None:
            raise QueryError(f"saved query {saved.name} has no parameter {key!r}; its parameters: {valid}")
    values = {}
    for param in saved.params:
        value = params.get(param.name, param.default)
        if value is None:
            raise QueryError(f"saved query {saved.name} needs --param {param.name}=… ({param.description}); "
                             f"its parameters: {valid}")
        if param.integer and not RE_INT.match(str(value).strip()):
            raise QueryError(f"saved query {saved.name}: parameter {param.name} must be an integer, got {value!r}")
        values[param.name] = str(value)
    return values


def render(saved: SavedQuery, params: dict[str, str] | None = None) -> str:
    """The SPARQL text with every ``$name`` replaced by a safe literal of its (given or default) value."""
    values = resolve(saved, dict(params or {}))
    literals = {name: (str(int(value)) if saved.param(name).integer else sparql_string(to_simplified(value)))
                for name, value in values.items()}
    return RE_PLACEHOLDER.sub(lambda m: literals[m.group(1)], body(saved))


def parse_params(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["key=value", …]`` → dict; QueryError for an item without ``=``."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param expects key=value, got {pair!r}")
        params[key.strip()] = value
    return params


def run_saved(saved: SavedQuery, store_dir: Path, params: dict[str, str] | None = None,
              graph_format: str = "turtle") -> tuple[list[str], list[tuple], str | None]:
    """Run a saved query like :func:`kg.query.run_query`; ``build-diff`` compares two stores."""
    if saved.runner == "diff":
        return build_diff(saved, store_dir, params or {})
    from kg.query import run_query
    return run_query(store_dir, render(saved, params), graph_format)


# --- build-diff: the same SELECT on two stores, compared in Python ---------------------------------------

DIFF_COLUMNS = ["change", "text", "subject", "property", "value"]


def build_diff(saved: SavedQuery, store_dir: Path, params: dict[str, str]) -> tuple[list[str], list[tuple], None]:
    """Rows ``+`` (in ``store_dir`` only) and ``-`` (in ``other`` only) of the saved query's (graph, s, p, o)."""
    values = resolve(saved, params)
    other = store_of(Path(values["other"]))   # a build folder, or its store
    sparql = RE_PLACEHOLDER.sub(lambda m: sparql_string(values[m.group(1)]), body(saved))
    now, before = _fact_rows(store_dir, sparql), _fact_rows(other, sparql)
    rows = [("+",) + now[key] for key in now.keys() - before.keys()]
    rows += [("-",) + before[key] for key in before.keys() - now.keys()]
    rows.sort(key=lambda r: (r[1], r[2], r[3], r[4], r[0]))
    return DIFF_COLUMNS, rows, None


def _fact_rows(store_dir: Path, sparql: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """{(graph, s, p, o) as N-Triples terms: (text, subject, property, value) for display}."""
    from kg.store import OxigraphStore

    store = OxigraphStore.open_read_only(Path(store_dir))
    solutions = store.query(sparql)
    found = {}
    for row in solutions:
        g, s, p, o = (row[v] for v in ("graph", "s", "p", "o"))
        key = (str(g), str(s), str(p), str(o))
        text = g.value.rsplit("/", 1)[-1]
        subject = row["sLabel"].value if row["sLabel"] is not None else compact(s.value)
        value = row["oLabel"].value if row["oLabel"] is not None else (
            compact(o.value) if isinstance(o, ox.NamedNode) else _literal(o))
        found[key] = (text, subject, compact(p.value), value)
    return found


def _literal(term: ox.Literal) -> str:
    if term.language:
        return f"{term.value}@{term.language}"
    return term.value
