"""SHACL shapes compiled to SPARQL and run on the build's Oxigraph store: the default engine of ``ccakg validate``.

pySHACL (``--engine pyshacl``, the reference) loads the whole build into one rdflib Graph; this engine
turns each property shape of ``ontology/shapes.ttl`` into a few SELECT queries that return only the
violating (focus, value) pairs, and runs them over the union of the store's graphs (the same merged
graph pySHACL sees), so the time grows with the build and memory stays flat.

Only the SHACL subset the shapes use is compiled: targets ``sh:targetClass`` (with ``rdfs:subClassOf``)
and ``sh:targetSubjectsOf``; property shapes with a predicate, inverse or sequence path and
``sh:minCount``/``sh:maxCount``, ``sh:datatype``, ``sh:class``, ``sh:pattern`` (+ ``sh:flags``),
``sh:languageIn``, ``sh:uniqueLang``, ``sh:minLength``, ``sh:minInclusive``/``sh:maxInclusive``,
``sh:lessThan``, ``sh:disjoint``, ``sh:not``, ``sh:or`` and ``sh:qualifiedValueShape`` with
``sh:qualifiedMinCount``/``sh:qualifiedMaxCount``. Anything else raises OntologyError (use
``--engine pyshacl``). Each result is the same :class:`kg.validate.Finding` pySHACL's would give
(``tests/kg/test_validate_sparql.py`` compares the two engines constraint by constraint).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from extractors.errors import OntologyError

ProgressFn = Callable[[int, int], None]

_SKIP = {RDF.type, RDFS.comment, RDFS.label}
_NODE_KEYS = _SKIP | {SH.targetClass, SH.targetSubjectsOf, SH.property}
_VALUE_KEYS = {SH.datatype, SH["class"], SH.pattern, SH.flags, SH.languageIn, SH.minLength,
               SH.minInclusive, SH.maxInclusive, SH["not"], SH["or"]}
_PROPERTY_KEYS = _SKIP | _VALUE_KEYS | {
    SH.path, SH.message, SH.severity, SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan, SH.disjoint,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount}
_CASTABLE = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime,
             XSD.gYear, XSD.gYearMonth}
SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass
class Check:
    """One property shape of one node shape, compiled: each query returns violating ?f (and ?v)."""

    shape: URIRef | BNode          # the property shape
    path: object                   # its sh:path node in the shapes graph
    message: str
    severity: str
    queries: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------
# compiling
# ---------------------------------------------------------------------------------------------------

def compile_shapes(shapes: Graph, subclasses: Callable[[URIRef], set[URIRef]]) -> list[Check]:
    """Every (targeted node shape, property shape) of ``shapes`` as SPARQL checks.

    ``subclasses(C)`` is C and every class below it (the data's and the ontology's rdfs:subClassOf).
    Raises OntologyError for SHACL this compiler does not implement.
    """
    compiler = _Compiler(shapes, subclasses)
    checks = []
    for node in sorted(set(shapes.subjects(SH.targetClass, None)) | set(shapes.subjects(SH.targetSubjectsOf, None)),
                       key=str):
        checks.extend(compiler.node_shape(node))
    for node in set(shapes.subjects(SH.targetNode, None)) | set(shapes.subjects(SH.targetObjectsOf, None)):
        raise OntologyError(f"shape {node}: sh:targetNode / sh:targetObjectsOf are not compiled; "
                            "use --engine pyshacl")
    return checks


class _Compiler:
    def __init__(self, shapes: Graph, subclasses: Callable[[URIRef], set[URIRef]]) -> None:
        self.g = shapes
        self.subclasses = subclasses
        self.n = 0   # fresh variable counter

    def fresh(self, stem: str) -> str:
        self.n += 1
        return f"?{stem}{self.n}"

    def refuse(self, node, what: str) -> OntologyError:
        return OntologyError(f"shape {node}: {what} is not compiled to SPARQL; use --engine pyshacl")

    def keys(self, node, allowed: set) -> None:
        for p in set(self.g.predicates(node, None)):
            if p not in allowed:
                raise self.refuse(node, f"<{p}>")

    # -- node shapes --------------------------------------------------------------------------------

    def node_shape(self, node) -> Iterator[Check]:
        self.keys(node, _NODE_KEYS)
        classes = sorted({c for t in self.g.objects(node, SH.targetClass) for c in self.subclasses(t)}, key=str)
        subject_of = sorted(self.g.objects(node, SH.targetSubjectsOf), key=str)
        for prop in sorted(self.g.objects(node, SH.property), key=str):
            yield self.property_shape(prop, classes, subject_of)

    def focus(self, classes: list, subject_of: list, path: list | None = None) -> str:
        """A group binding ?f to every focus node once. The union of the store's graphs has one solution per
        graph that states a triple, so a fact restated in N texts would be N focus rows, each joined with its
        values again: DISTINCT first keeps every query linear in the build. With ``path``, only the focus nodes
        that have a value on it are needed: a target ``sh:targetSubjectsOf path`` is then implied by
        ``?f path ?v`` and the group is empty."""
        if path is not None and path in [[(p, False)] for p in subject_of]:
            return ""
        parts = []
        if classes:
            parts.append(f"{{ VALUES ?cls {{ {' '.join(_iri(c) for c in classes)} }} ?f a ?cls }}")
        parts.extend(f"{{ ?f {_iri(p)} [] }}" for p in subject_of)
        return f"{{ SELECT DISTINCT ?f WHERE {{ {' UNION '.join(parts)} }} }}"

    # -- property shapes ----------------------------------------------------------------------------

    def property_shape(self, prop, classes: list, subject_of: list) -> Check:
        g = self.g
        self.keys(prop, _PROPERTY_KEYS)
        messages = sorted(str(m) for m in g.objects(prop, SH.message))
        if not messages:
            raise self.refuse(prop, "a property shape without sh:message")
        path_node = g.value(prop, SH.path)
        path = self.path(prop, path_node)
        focus = self.focus(classes, subject_of)
        check = Check(shape=prop, path=path_node, message=messages[0],
                      severity=SEVERITY.get(g.value(prop, SH.severity), "Violation"))
        where = f"{self.focus(classes, subject_of, path)} {self.walk(path, '?f', '?v')} ."
        typed = self.class_pattern(prop, "?v")
        if typed:   # values of the wrong class: a MINUS of a join, not a FILTER NOT EXISTS per value
            check.queries.append(f"SELECT DISTINCT ?f ?v WHERE {{ {where} MINUS {{ {typed} }} }}")
        elif (test := self.value_test(prop, "?v")) != "true":
            check.queries.append(f"SELECT DISTINCT ?f ?v WHERE {{ {where} FILTER(!({test})) }}")
        check.queries.extend(self.count_queries(focus, path, None, g.value(prop, SH.minCount),
                                                g.value(prop, SH.maxCount)))
        qualified = g.value(prop, SH.qualifiedValueShape)
        if qualified is not None:
            self.keys(qualified, _SKIP | _VALUE_KEYS)
            check.queries.extend(self.count_queries(focus, path, qualified, g.value(prop, SH.qualifiedMinCount),
                                                    g.value(prop, SH.qualifiedMaxCount)))
        if g.value(prop, SH.uniqueLang) == Literal(True):
            check.queries.append(
                f"SELECT DISTINCT ?f WHERE {{ {where} {self.walk(path, '?f', '?w')} . FILTER(isLiteral(?v) && lang(?v) != \"\" "
                f"&& LCASE(lang(?v)) = LCASE(lang(?w)) && !sameTerm(?v, ?w)) }}")
        for other in g.objects(prop, SH.lessThan):
            check.queries.append(
                f"SELECT DISTINCT ?f ?v WHERE {{ {where} {self.walk(self.path(prop, other), '?f', '?w')} . "
                f"FILTER(!COALESCE(IF(isIRI(?v), STR(?v), ?v) < IF(isIRI(?w), STR(?w), ?w), false)) }}")
        for other in g.objects(prop, SH.disjoint):
            check.queries.append(
                f"SELECT DISTINCT ?f ?v WHERE {{ {where} {self.walk(self.path(prop, other), '?f', '?v')} }}")
        return check

    def path(self, prop, node) -> list[tuple[URIRef, bool]]:
        """A SHACL path as steps (predicate, inverse?): p, ^p and sequences of predicates."""
        if isinstance(node, URIRef):
            return [(node, False)]
        inverse = self.g.value(node, SH.inversePath) if node is not None else None
        if isinstance(inverse, URIRef):
            return [(inverse, True)]
        if node is not None and self.g.value(node, RDF.first) is not None:
            steps = list(Collection(self.g, node))
            if all(isinstance(s, URIRef) for s in steps):
                return [(s, False) for s in steps]
        raise self.refuse(prop, "this sh:path (only p, ^p and (p q …) are)")

    def walk(self, steps: list[tuple[URIRef, bool]], start: str, end: str) -> str:
        """Triple patterns from ``start`` to ``end`` along ``steps`` (plain joins: Oxigraph evaluates a
        sequence property path between two variables far more slowly)."""
        nodes = [start] + [self.fresh("m") for _ in steps[1:]] + [end]
        return " . ".join(f"{b} {_iri(p)} {a}" if inverse else f"{a} {_iri(p)} {b}"
                          for (p, inverse), a, b in zip(steps, nodes, nodes[1:]))

    def count_queries(self, focus: str, path: list, shape, low, high) -> list[str]:
        """Queries finding focus nodes with fewer than ``low`` or more than ``high`` values (conforming to
        ``shape`` when it is given: a qualified value shape)."""
        low = int(low) if low is not None else 0
        high = int(high) if high is not None else None
        if low == 0 and high is None:
            return []
        values = f"{self.walk(path, '?f', '?v')} . {self.value_pattern(shape, '?v')}"
        if low == 1 and high is None:   # Oxigraph: NOT EXISTS of a join is quadratic, MINUS is not
            return [f"SELECT DISTINCT ?f WHERE {{ {focus} MINUS {{ {values} }} }}"]
        # Grouped, counting distinct values: a self-join would pair every copy of a triple restated in many
        # texts (quadratic). The groups are made from the values alone, not from an OPTIONAL over every focus
        # node (three times slower on the evidence nodes of a build).
        if low == 0:   # only too many values fail: the focus nodes with values are enough
            return [f"SELECT ?f WHERE {{ {focus} {values} }} GROUP BY ?f HAVING (COUNT(DISTINCT ?v) > {high})"]
        bounds = f"COUNT(DISTINCT ?v) >= {low}" + (f" && COUNT(DISTINCT ?v) <= {high}" if high is not None else "")
        return [f"SELECT DISTINCT ?f WHERE {{ {focus} MINUS {{ SELECT ?f WHERE {{ {values} }} GROUP BY ?f "
                f"HAVING ({bounds}) }} }}"]

    def value_pattern(self, shape, var: str) -> str:
        """:meth:`value_test` as a graph pattern: a join on the value's type when the shape only names a class
        (Oxigraph evaluates it far faster than a FILTER EXISTS per value), else a FILTER."""
        if shape is None:
            return ""
        return self.class_pattern(shape, var) or f"FILTER({self.value_test(shape, var)})"

    def class_pattern(self, shape, var: str) -> str:
        """``var a C`` (C or a class below it) when the only value constraint of ``shape`` is one sh:class; else ""."""
        value_keys = set(self.g.predicates(shape)) & _VALUE_KEYS
        classes = set(self.g.objects(shape, SH["class"]))
        if value_keys != {SH["class"]} or len(classes) != 1:
            return ""
        values = " ".join(_iri(c) for c in sorted(self.subclasses(classes.pop()), key=str))
        c = self.fresh("c")
        return f"VALUES {c} {{ {values} }} {var} a {c}"

    # -- value tests --------------------------------------------------------------------------------

    def value_test(self, shape, var: str) -> str:
        """A SPARQL expression true when ``var`` conforms to the value constraints of ``shape`` (never an error)."""
        g, tests = self.g, []
        for dt in g.objects(shape, SH.datatype):
            tests.append(_datatype_test(dt, var))
        for cls in g.objects(shape, SH["class"]):
            values = " ".join(_iri(c) for c in sorted(self.subclasses(cls), key=str))
            c = self.fresh("c")
            tests.append(f"EXISTS {{ VALUES {c} {{ {values} }} {var} a {c} }}")
        flags = "".join(ch for ch in str(g.value(shape, SH.flags) or "").lower() if ch in "im")
        for pattern in g.objects(shape, SH.pattern):
            tests.append(f"(!isBlank({var}) && REGEX(STR({var}), {_string(str(pattern))}, {_string(flags)}))")
        for langs in g.objects(shape, SH.languageIn):
            wanted = ", ".join(_string(str(x).lower()) for x in Collection(g, langs))
            tests.append(f"(isLiteral({var}) && lang({var}) != \"\" && (LCASE(lang({var})) IN ({wanted}) || "
                         f"LCASE(STRBEFORE(CONCAT(lang({var}), \"-\"), \"-\")) IN ({wanted})))")
        for n in g.objects(shape, SH.minLength):
            tests.append(f"(!isBlank({var}) && STRLEN(STR({var})) >= {int(n)})")
        for bound, op in ((SH.minInclusive, ">="), (SH.maxInclusive, "<=")):
            for limit in g.objects(shape, bound):
                tests.append(f"(isLiteral({var}) && {var} {op} {_literal(limit)})")
        for inner in g.objects(shape, SH["not"]):
            self.keys(inner, _SKIP | _VALUE_KEYS)
            tests.append(f"!({self.value_test(inner, var)})")
        for alternatives in g.objects(shape, SH["or"]):
            members = list(Collection(g, alternatives))
            for m in members:
                self.keys(m, _SKIP | _VALUE_KEYS)
            tests.append("(" + " || ".join(self.value_test(m, var) for m in members) + ")")
        return " && ".join(f"COALESCE({t}, false)" for t in tests) if tests else "true"


def _datatype_test(dt, var: str) -> str:
    if dt == RDF.langString:
        return f"(isLiteral({var}) && lang({var}) != \"\")"
    test = f"(isLiteral({var}) && lang({var}) = \"\" && datatype({var}) = {_iri(dt)}"
    if dt in _CASTABLE:   # well formed: the lexical form casts to the datatype (pySHACL: not ill_typed)
        test += f" && COALESCE({_iri(dt)}(STR({var})) = {var}, false)"
    return test + ")"


def _iri(node) -> str:
    return f"<{node}>"


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _literal(lit) -> str:
    if not isinstance(lit, Literal):
        raise OntologyError(f"a bound of sh:minInclusive/sh:maxInclusive must be a literal, got {lit}")
    if lit.language:
        return f"{_string(str(lit))}@{lit.language}"
    return f"{_string(str(lit))}^^<{lit.datatype or XSD.string}>"


# ---------------------------------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------------------------------

def run_checks(store: ox.Store, checks: list[Check], progress: ProgressFn | None = None
               ) -> Iterator[tuple[Check, object, object | None]]:
    """(check, focus, value or None) for every violation, as rdflib terms; ``progress(done, total)`` per query."""
    total = sum(len(c.queries) for c in checks)
    done = 0
    for check in checks:
        for query in check.queries:
            solutions = store.query(query, use_default_graph_as_union=True)
            with_value = "v" in {v.value for v in solutions.variables}
            for row in solutions:
                value = row["v"] if with_value else None
                yield check, to_rdflib(row["f"]), to_rdflib(value) if value is not None else None
            done += 1
            if progress is not None:
                progress(done, total)


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def to_oxigraph(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


class StoreGraph:
    """The few read methods of rdflib.Graph that kg.validate's namer uses, answered by an Oxigraph store
    (union of its graphs), so only the reported nodes are looked up."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def _quads(self, s, p, o):
        conv = [to_oxigraph(t) if t is not None else None for t in (s, p, o)]
        if isinstance(conv[0], ox.Literal) or isinstance(conv[1], (ox.Literal, ox.BlankNode)):
            return iter(())
        return self.store.quads_for_pattern(conv[0], conv[1], conv[2], None)

    def objects(self, s, p):
        return _distinct(q.object for q in self._quads(s, p, None))

    def subjects(self, p, o):
        return _distinct(q.subject for q in self._quads(None, p, o))

    def __contains__(self, triple) -> bool:
        return next(iter(self._quads(*triple)), None) is not None


def _distinct(terms):
    """Each term once (a triple restated by many texts is one quad per text), as rdflib terms."""
    seen = set()
    for term in terms:
        if term not in seen:
            seen.add(term)
            yield to_rdflib(term)
