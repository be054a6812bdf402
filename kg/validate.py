"""SHACL validation of a build: the engine behind ``ccakg validate DIR``.

The graph of a build (``DIR/graph.trig``: one named graph per text, the entities graph and the
ontology graph) is merged into ONE rdflib Graph together with ``ontology/ccakg.ttl`` and checked with
pySHACL against ``ontology/shapes.ttl`` plus the noise list ``ontology/noise.txt``. Merging matters:
pySHACL validates a Dataset graph by graph, so a Task in ``graph/doc/…`` whose units are typed in
``graph/entities`` would fail ``sh:class``; and the TBox must sit in the data graph for ``sh:class``
to follow ``rdfs:subClassOf``.

Every result is turned into a :class:`Finding` that a person can read: the focus node's zh-Hans
name (else its IRI as a prefixed name; evidence parts are described by what they support and where),
the path as prefixed names, the shape's message and the severity. Only ``sh:Violation`` results make
a graph non-conforming; warnings are reported.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from extractors.errors import OntologyError, ValidationError
from kg.namespaces import PREFIXES

SKOS_PREF = URIRef(PREFIXES["skos"] + "prefLabel")
SKOS_ALT = URIRef(PREFIXES["skos"] + "altLabel")
OA = rdflib.Namespace(PREFIXES["oa"])
ORG = rdflib.Namespace(PREFIXES["org"])
KGSH = rdflib.Namespace("https://w3id.org/ccakg/shapes#")
DCT_IDENTIFIER = URIRef(PREFIXES["dct"] + "identifier")
SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
LABEL_PATHS = (SKOS_PREF, SKOS_ALT, RDFS.label)
_REGEX_SPECIAL = re.compile(r"([.^$*+?()\[\]{}|\\-])")


@dataclass(frozen=True)
class Finding:
    """One SHACL result, readable: who (focus), where (path), what (message), how bad (severity)."""

    focus: str                 # zh-Hans name of the focus node, else a description / prefixed IRI
    focus_iri: str             # the focus node itself (IRI or _:blank)
    path: str                  # e.g. "skos:prefLabel", "^oa:hasBody", "oa:hasTarget/oa:hasSource"; "" for node constraints
    message: str
    severity: str              # "Violation" | "Warning" | "Info"
    value: str | None = None   # the offending value, when SHACL names one
    shape: str = ""            # the source shape (prefixed) for debugging

    def __iter__(self):
        """Unpacks as (focus, path, message, severity)."""
        return iter((self.focus, self.path, self.message, self.severity))


@dataclass
class ValidationResult:
    conforms: bool
    violations: list[Finding] = field(default_factory=list)   # every result, violations first
    counts: dict[str, int] = field(default_factory=dict)      # Violation / Warning / Info / triples
    seconds: float = 0.0
    graph_file: str = ""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.violations if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.violations if f.severity != "Violation"]


# ---------------------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------------------

def read_noise(path: Path | None = None) -> list[str]:
    """The exact-match noise strings of ``ontology/noise.txt`` (comments and blank lines skipped)."""
    from ontology import ONTOLOGY_DIR

    path = Path(path) if path else ONTOLOGY_DIR / "noise.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise OntologyError(f"{path}: cannot read the noise list: {exc}") from exc
    seen: dict[str, None] = {}
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            seen.setdefault(text, None)
    return list(seen)


def noise_pattern(strings: list[str]) -> str:
    """An anchored regex (XPath- and Python-compatible) matching exactly one of ``strings``, spaces trimmed."""
    escaped = sorted((_REGEX_SPECIAL.sub(r"\\\1", s) for s in strings), key=len, reverse=True)
    return r"^\s*(" + "|".join(escaped) + r")\s*$"


def load_shapes(shapes_file: Path | None = None, noise_file: Path | None = None) -> Graph:
    """``ontology/shapes.ttl`` with kgsh:NoiseList filled from the noise list."""
    from ontology import SHAPES_FILE

    path = Path(shapes_file) if shapes_file else SHAPES_FILE
    shapes = Graph()
    try:
        shapes.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise OntologyError(f"{path}: shapes file not found") from exc
    except Exception as exc:  # rdflib raises many parser exception types
        raise OntologyError(f"{path}: cannot parse the SHACL shapes: {exc}") from exc
    strings = read_noise(noise_file)
    if strings:
        pattern = noise_pattern(strings)
        for prop in LABEL_PATHS:
            local = prop.split("#")[-1]
            prop_shape, inner = KGSH["noise-list-" + local], BNode()
            shapes.add((KGSH.NoiseList, SH.property, prop_shape))
            shapes.add((prop_shape, SH.path, prop))
            shapes.add((prop_shape, SH["not"], inner))
            shapes.add((inner, SH.pattern, Literal(pattern)))
            shapes.add((prop_shape, SH.message,
                        Literal("name is web-page boilerplate listed in ontology/noise.txt")))
    return shapes


def load_data(graph_file: Path) -> Graph:
    """All quads of a TriG (or N-Quads / Turtle) file merged into one Graph, plus the TBox."""
    from ontology import ONTOLOGY_FILE

    graph_file = Path(graph_file)
    if not graph_file.is_file():
        raise ValidationError(f"{graph_file}: no such file (build one with `ccakg build CORPUS --out DIR`)")
    fmt = {".trig": "trig", ".nq": "nquads", ".ttl": "turtle", ".nt": "nt"}.get(graph_file.suffix, "trig")
    merged = Graph()
    try:
        if fmt in ("trig", "nquads"):
            dataset = rdflib.Dataset()
            dataset.parse(graph_file, format=fmt)
            for s, p, o, _g in dataset.quads((None, None, None, None)):
                merged.add((s, p, o))
        else:
            merged.parse(graph_file, format=fmt)
    except Exception as exc:  # rdflib raises BadSyntax, ParserError, UnicodeDecodeError …
        raise ValidationError(f"{graph_file}: cannot parse as {fmt}: {exc}") from exc
    if len(merged) == 0:
        raise ValidationError(f"{graph_file}: the graph is empty")
    try:
        merged.parse(ONTOLOGY_FILE, format="turtle")
    except Exception as exc:
        raise OntologyError(f"{ONTOLOGY_FILE}: cannot parse the ontology: {exc}") from exc
    return merged


# ---------------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------------

ENGINES = ("sparql", "pyshacl")


def validate(out_dir: Path, shapes_file: Path | None = None, noise_file: Path | None = None,
             engine: str = "sparql", progress=None) -> ValidationResult:
    """Validate the build in ``out_dir``; ``out_dir`` may also be a graph file.

    ``engine="sparql"`` (default) runs the shapes compiled to SPARQL on the build's store (``DIR/store``,
    opened read-only; a graph file is loaded into an in-memory store); ``engine="pyshacl"`` runs pySHACL
    on ``graph.trig`` merged into one rdflib Graph (the reference; slow on big builds). Same findings.
    ``progress(done, total)`` is called after each SPARQL query.
    """
    if engine not in ENGINES:
        raise ValidationError(f"unknown validation engine {engine!r} (use one of {', '.join(ENGINES)})")
    out_dir = Path(out_dir)
    graph_file = out_dir if out_dir.is_file() else out_dir / "graph.trig"
    started = time.perf_counter()
    shapes = load_shapes(shapes_file, noise_file)
    if engine == "pyshacl":
        result = validate_graph(load_data(graph_file), shapes)
    else:
        result = validate_store(out_dir, graph_file, shapes, progress)
    result.seconds = time.perf_counter() - started
    result.graph_file = str(graph_file)
    return result


def validate_graph(data: Graph, shapes: Graph | None = None) -> ValidationResult:
    """Run pySHACL on an already merged graph (TBox included) and make the results readable."""
    try:
        from pyshacl import validate as shacl_validate
    except ImportError as exc:  # pragma: no cover - pyshacl is a dependency
        raise ValidationError("pySHACL is not installed: pip install pyshacl") from exc
    shapes = shapes if shapes is not None else load_shapes()
    started = time.perf_counter()
    _conforms, report, _text = shacl_validate(data, shacl_graph=shapes, inference="none",
                                              allow_warnings=True, abort_on_first=False)
    namer = _Namer(data)
    findings: dict[tuple, Finding] = {}   # one finding per (focus, path, message, value): a property
    for res in report.subjects(RDF.type, SH.ValidationResult):  # shape can fail twice (datatype + range)
        path = report.value(res, SH.resultPath)
        messages = sorted(str(m) for m in report.objects(res, SH.resultMessage))
        _add_finding(findings, namer, report.value(res, SH.focusNode),
                     namer.path(report, path) if path is not None else "",
                     messages[0] if messages else "constraint failed",
                     SEVERITY.get(report.value(res, SH.resultSeverity), "Violation"),
                     report.value(res, SH.value), report.value(res, SH.sourceShape))
    return _result(findings, len(data), started)


def validate_store(out_dir: Path, graph_file: Path, shapes: Graph, progress=None) -> ValidationResult:
    """The shapes compiled to SPARQL (kg.validate_sparql), run on the build's store or on ``graph_file``."""
    from kg.validate_sparql import StoreGraph, compile_shapes, run_checks

    started = time.perf_counter()
    store, holder = _open_store(out_dir, graph_file)
    try:
        checks = compile_shapes(shapes, _Subclasses(store))
        namer = _Namer(StoreGraph(store))
        findings: dict[tuple, Finding] = {}
        paths: dict = {}
        for check, focus, value in run_checks(store, checks, progress):
            if check.path not in paths:
                paths[check.path] = namer.path(shapes, check.path)
            _add_finding(findings, namer, focus, paths[check.path], check.message, check.severity, value,
                         check.shape)
        result = _result(findings, len(store), started, unit="quads")
    finally:
        if holder is not None:
            holder.close()
    return result


def _open_store(out_dir: Path, graph_file: Path):
    """(pyoxigraph store, OxigraphStore to close or None): the build's store read-only, else ``graph_file``
    (with the ontology) loaded into memory."""
    import pyoxigraph as ox

    from kg.store import OxigraphStore
    from ontology import ONTOLOGY_FILE

    store_dir = out_dir / "store"
    if out_dir.is_dir() and store_dir.is_dir():
        holder = OxigraphStore.open_read_only(store_dir)
        return holder.oxigraph, holder
    if not graph_file.is_file():
        raise ValidationError(f"{graph_file}: no such file (build one with `ccakg build CORPUS --out DIR`)")
    fmt = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE,
           ".nt": ox.RdfFormat.N_TRIPLES}.get(graph_file.suffix, ox.RdfFormat.TRIG)
    store = ox.Store()
    try:
        store.bulk_load(path=str(graph_file), format=fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise ValidationError(f"{graph_file}: cannot parse as {graph_file.suffix.lstrip('.') or 'trig'}: {exc}") from exc
    if len(store) == 0:
        raise ValidationError(f"{graph_file}: the graph is empty")
    try:
        store.bulk_load(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE,
                        to_graph=ox.NamedNode("urn:ccakg:validate:ontology"))
    except (SyntaxError, ValueError, OSError) as exc:
        raise OntologyError(f"{ONTOLOGY_FILE}: cannot parse the ontology: {exc}") from exc
    return store, None


class _Subclasses:
    """C and every class below it, from the store's rdfs:subClassOf and the ontology file's (pySHACL merges both)."""

    def __init__(self, store) -> None:
        from ontology import ONTOLOGY_FILE

        self.below: dict = {}
        rows = store.query("SELECT DISTINCT ?a ?b WHERE { ?a <%s> ?b }" % RDFS.subClassOf,
                           use_default_graph_as_union=True)
        pairs = {(str(r["a"].value), str(r["b"].value)) for r in rows}
        tbox = Graph()
        try:
            tbox.parse(ONTOLOGY_FILE, format="turtle")
        except Exception as exc:
            raise OntologyError(f"{ONTOLOGY_FILE}: cannot parse the ontology: {exc}") from exc
        pairs |= {(str(a), str(b)) for a, b in tbox.subject_objects(RDFS.subClassOf)}
        for a, b in pairs:
            self.below.setdefault(b, set()).add(a)

    def __call__(self, cls) -> set:
        found, todo = {str(cls)}, [str(cls)]
        while todo:
            for sub in self.below.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return {URIRef(c) for c in found}


def _add_finding(findings: dict, namer, focus, path: str, message: str, severity: str, value, shape) -> None:
    """One finding per (focus, path, message, value, severity): a property shape can fail twice (datatype + range)."""
    key = (str(focus), path, message, namer.term(value) if value is not None else None, severity)
    if key in findings:
        return
    findings[key] = Finding(
        focus=namer.describe(focus), focus_iri=str(focus), path=path, message=message, severity=severity,
        value=key[3], shape=namer.term(shape) if isinstance(shape, URIRef) else "")


def _result(findings: dict, size: int, started: float, unit: str = "triples") -> ValidationResult:
    rank = {"Violation": 0, "Warning": 1, "Info": 2}
    ordered = sorted(findings.values(),
                     key=lambda f: (rank.get(f.severity, 3), f.message, f.focus, f.path, f.value or ""))
    counts = Counter(f.severity for f in ordered)
    return ValidationResult(
        conforms=counts.get("Violation", 0) == 0,
        violations=ordered,
        counts={"Violation": counts.get("Violation", 0), "Warning": counts.get("Warning", 0),
                "Info": counts.get("Info", 0), unit: size},
        seconds=time.perf_counter() - started)


class _Namer:
    """Readable names for nodes of the data graph."""

    def __init__(self, data: Graph) -> None:
        self.data = data
        names = Graph(bind_namespaces="none")
        for prefix, iri in {**PREFIXES, "kgsh": str(KGSH), "sh": str(SH)}.items():
            names.bind(prefix, iri)
        self.ns = names.namespace_manager

    def term(self, node) -> str:
        if isinstance(node, URIRef):
            try:
                return self.ns.normalizeUri(node)
            except Exception:  # pragma: no cover
                return f"<{node}>"
        if isinstance(node, Literal):
            text = str(node)
            text = text if len(text) <= 60 else text[:57] + "…"
            if node.language:
                return f'"{text}"@{node.language}'
            if node.datatype:
                return f'"{text}"^^{self.term(node.datatype)}'
            return f'"{text}"'
        return f"_:{node}"

    def label(self, node) -> str | None:
        """The zh-Hans prefLabel (language tags compared case-insensitively), else any label."""
        if node is None:
            return None
        fallback = None
        for prop in (SKOS_PREF, RDFS.label):
            for lit in sorted(self.data.objects(node, prop), key=str):
                if isinstance(lit, Literal):
                    if (lit.language or "").lower() == "zh-hans":
                        return str(lit)
                    fallback = fallback or str(lit)
        return fallback

    def describe(self, node) -> str:
        """``name (kg:…)`` for named things; evidence parts as 'evidence of NAME in DOC [s, e) «quote»'."""
        if node is None:
            return "?"
        name = self.label(node)
        if name is not None:
            return f"{name} ({self.term(node)})"
        evidence = self._evidence_of(node)
        if evidence is not None:
            return self._describe_evidence(node, evidence)
        if (node, RDF.type, ORG.Membership) in self.data:
            parts = [self._one(node, ORG[x]) for x in ("member", "role", "organization")]
            names = " · ".join(self._name(n) for n in parts)
            return f"membership {names} ({self.term(node)})"
        if (node, RDF.type, RDF.Statement) in self.data:
            s, p, o = (self._one(node, RDF[x]) for x in ("subject", "predicate", "object"))
            parts = [self._name(s), self.term(p) if p is not None else "?", self._name(o)]
            return f"statement {' '.join(parts)} ({self.term(node)})"
        return self.term(node)

    def _one(self, node, prop):
        """One value of ``prop`` on ``node`` (the smallest, so both engines name a node alike), else None."""
        return min(self.data.objects(node, prop), key=str, default=None)

    def _one_subject(self, prop, node):
        return min(self.data.subjects(prop, node), key=str, default=None)

    def _name(self, node) -> str:
        if node is None:
            return "?"
        return (self.label(node) if not isinstance(node, Literal) else None) or self.term(node)

    def _evidence_of(self, node):
        """The kgo:Evidence a node belongs to (itself, its target, or a selector of its target)."""
        if self._one(node, OA.hasTarget) is not None or self._one(node, OA.hasBody) is not None:
            return node
        ev = self._one_subject(OA.hasTarget, node)
        if ev is not None:
            return ev
        target = self._one_subject(OA.hasSelector, node)
        if target is not None:
            return self._one_subject(OA.hasTarget, target)
        return None

    def _describe_evidence(self, node, evidence) -> str:
        body = self._one(evidence, OA.hasBody)
        target = self._one(evidence, OA.hasTarget)
        source = self._one(target, OA.hasSource) if target is not None else None
        doc = self._one(source, DCT_IDENTIFIER) if source is not None else None
        start = end = quote = None
        for sel in (sorted(self.data.objects(target, OA.hasSelector), key=str) if target is not None else ()):
            start = self._one(sel, OA.start) if start is None else start
            end = self._one(sel, OA.end) if end is None else end
            quote = self._one(sel, OA.exact) if quote is None else quote
        about = self.describe(body) if body is not None else "nothing (no oa:hasBody)"
        where = f" in {doc}" if doc is not None else ""
        span = f" [{start}, {end})" if start is not None or end is not None else ""
        text = f" «{str(quote)[:30]}{'…' if len(str(quote)) > 30 else ''}»" if quote is not None else ""
        part = "" if node == evidence else f" ({self.term(node)})"
        return f"evidence of {about}{where}{span}{text}{part}"

    def path(self, report: Graph, path) -> str:
        """A SHACL path as prefixed names: p, ^p, p/q, p|q, p*, p+, p?."""
        if isinstance(path, URIRef):
            return self.term(path)
        inverse = report.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + self._wrap(report, inverse)
        alternatives = report.value(path, SH.alternativePath)
        if alternatives is not None:
            return "|".join(self._wrap(report, p) for p in Collection(report, alternatives))
        for prop, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = report.value(path, prop)
            if inner is not None:
                return self._wrap(report, inner) + suffix
        if report.value(path, RDF.first) is not None:
            return "/".join(self._wrap(report, p) for p in Collection(report, path))
        return self.term(path)

    def _wrap(self, report: Graph, path) -> str:
        text = self.path(report, path)
        return text if isinstance(path, URIRef) else f"({text})"


# ---------------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------------

def format_report(result: ValidationResult, warnings: str = "summary", max_examples: int = 5) -> str:
    """The result as text: every violation in full; warnings in full, grouped (``summary``) or not at all (``none``)."""
    n_err, n_warn = result.counts.get("Violation", 0), result.counts.get("Warning", 0) + result.counts.get("Info", 0)
    verdict = "conforms" if result.conforms else "DOES NOT CONFORM"
    unit = "quads" if "quads" in result.counts else "triples"
    size = result.counts.get(unit, 0)
    lines = [f"{result.graph_file or 'graph'}: {verdict} — {n_err} violation{'s' * (n_err != 1)}, "
             f"{n_warn} warning{'s' * (n_warn != 1)} ({size} {unit} checked "
             f"in {result.seconds:.1f} s)"]
    for finding in result.errors:
        lines.append("")
        lines.extend(_finding_lines(finding))
    if result.warnings and warnings == "full":
        for finding in result.warnings:
            lines.append("")
            lines.extend(_finding_lines(finding))
    elif result.warnings and warnings == "summary":
        groups: dict[tuple[str, str, str], list[Finding]] = {}
        for finding in result.warnings:
            groups.setdefault((finding.severity, finding.path, finding.message), []).append(finding)
        lines.append("")
        for (severity, path, message), items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            examples = "; ".join(f.focus for f in items[:max_examples])
            more = f"; … {len(items) - max_examples} more" if len(items) > max_examples else ""
            lines.append(f"{severity.upper()} ×{len(items)}  {path or '(node)'}: {message}")
            lines.append(f"  e.g. {examples}{more}")
    return "\n".join(lines) + "\n"


def _finding_lines(finding: Finding) -> list[str]:
    lines = [f"{finding.severity.upper()}  {finding.focus}",
             f"  path:    {finding.path or '(the node itself)'}",
             f"  message: {finding.message}"]
    if finding.value is not None:
        lines.append(f"  value:   {finding.value}")
    if finding.shape:
        lines.append(f"  shape:   {finding.shape}")
    return lines
