"""Score a graph against gold annotations: the scorer behind ``ccakg eval``.

It reads the graph only through the query contract (../shared/design/QUERY-CONTRACT.md) and agrees
number for number with the reference scorer ``../shared/tools/evaluate.py``: the same name
normalisation, the same matching rules per entity type and relation kind, the same micro summaries
and the same noise check. ``tests/kg/test_evaluate.py`` runs both on the same input and compares them.

Matching in short: an entity is a node typed ``kgo:<Type>`` (``foaf:Person`` for Person) with at
least one name (``skos:prefLabel``, ``skos:altLabel`` or ``rdfs:label``). A gold entity is found
when one of its names (canonical name or a mention) equals a name of a predicted node of its type;
a predicted node is correct when one of its names equals a name of any gold entity of that type.
Relations are matched per kind (see ``_MATCHERS``). Names are compared after
``norm``: OpenCC Traditional→Simplified, NFKC, quotes, brackets, separators and spaces dropped,
lower-cased.

Two deliberate differences from the reference, both where it cannot give a number at all: gold
files that are missing or malformed raise ``GoldError`` (the reference crashes with a traceback or
silently scores zero gold), and a blank node in a name position is looked up by its own names (the
reference builds an invalid SPARQL query and crashes).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

import opencc
import pyoxigraph as ox

from extractors.errors import KGError, StoreError

CORE_TYPES = ("Agency", "Department", "Organization", "Person", "PolicyDocument", "Meeting",
              "Initiative", "CertificationScheme")
OTHER_TYPES = ("Sector", "Region", "Statistic", "Target", "Task")
ENTITY_TYPES = CORE_TYPES + OTHER_TYPES
CORE_KINDS = ("membership", "speaks_at", "issued", "doc_id", "meeting_date", "task_lead",
              "task_support", "sub_organization", "statistic")
OTHER_KINDS = ("task_mentions", "target", "applies_to")
SCORED_KINDS = CORE_KINDS + OTHER_KINDS
RELATION_KINDS = SCORED_KINDS + ("alias",)

# Gold fields each scored relation kind must carry (optional ones such as date/place/change are left out).
REQUIRED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "membership": ("person", "role", "organization"),
    "speaks_at": ("person", "meeting"),
    "issued": ("organization", "document"),
    "doc_id": ("document", "identifier"),
    "meeting_date": ("meeting",),
    "task_lead": ("task", "unit"),
    "task_support": ("task", "unit"),
    "task_mentions": ("task", "entity"),
    "sub_organization": ("child", "parent"),
    "statistic": ("subject", "value"),
    "target": ("subject", "goal"),
    "applies_to": ("initiative_or_scheme", "sector"),
    "alias": (),
}

GRAPH_FORMATS: Mapping[str, ox.RdfFormat] = {
    ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
}

SUMMARY_ROWS = ("entities_core", "relations_core", "entities_all", "relations_all")

_PREFIXES = """\
PREFIX kgo: <https://w3id.org/ccakg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
_NAME = "(skos:prefLabel|skos:altLabel|rdfs:label)"
_DROP = re.compile(r"[\s\u3000“”‘’\"'《》〈〉「」『』()（）【】\[\]〔〕·・,，、]")

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = tuple[Any, ...]
Score = dict[str, Any]


class GoldError(KGError):
    """The gold directory or one of its annotation files is missing or malformed."""


class GraphFileError(StoreError):
    """The graph file to score cannot be found, has an unknown format or does not parse."""


# ---------------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def norm(text: object) -> str:
    """Comparison key of a name: Simplified, NFKC, without quotes/brackets/separators/spaces, lower case."""
    simplified = unicodedata.normalize("NFKC", _t2s().convert(str(text)))
    return _DROP.sub("", simplified).lower()


def _number(value: object) -> float | None:
    """``value`` as a float, or None when it is not a number (the reference compares None == None)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------------
# Gold annotations
# ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Gold:
    """The gold annotations of a directory, indexed for scoring."""

    entities: Mapping[str, Mapping[str, frozenset[str]]]   # type -> norm(canonical name) -> names
    canonical: Mapping[str, frozenset[str]]                # raw canonical name -> names (any type)
    relations: Mapping[str, tuple[dict, ...]]               # kind -> relations, deduplicated
    noise: frozenset[str]                                   # normalised noise strings

    def names(self, raw: object) -> frozenset[str]:
        """Normalised names of the gold entity whose canonical name is ``raw`` (else just ``norm(raw)``)."""
        found = self.canonical.get(raw) if isinstance(raw, str) else None
        return found if found is not None else frozenset({norm(raw)})


def load_gold(gold_dir: Path) -> Gold:
    """Read every ``*.json`` annotation file of ``gold_dir`` (see ../shared/gold/SCHEMA.md)."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise GoldError(f"gold directory {gold_dir} does not exist or is not a directory")
    files = sorted(gold_dir.glob("*.json"))
    if not files:
        raise GoldError(f"gold directory {gold_dir} holds no *.json annotation files")
    return _index_gold([read_gold_file(f) for f in files])


def read_gold_file(path: Path) -> dict:
    """One gold annotation file, parsed and checked; GoldError names the file and the bad item."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise GoldError(f"cannot read gold file {path}: {e}") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise GoldError(f"gold file {path} is not valid UTF-8 JSON: {e}") from e
    _check_gold(path, data)
    return data


def _check_gold(path: Path, data: object) -> None:
    """Raise GoldError unless ``data`` has the shape the scorer reads."""
    def fail(msg: str) -> NoReturn:
        raise GoldError(f"gold file {path}: {msg}")

    if not isinstance(data, dict):
        fail("top level must be a JSON object")
    for key in ("entities", "relations"):
        if not isinstance(data.get(key), list):
            fail(f"'{key}' must be a list")
    for i, e in enumerate(data["entities"]):
        if not isinstance(e, dict) or not isinstance(e.get("name"), str):
            fail(f"entities[{i}] must be an object with a string 'name'")
        if e.get("type") not in ENTITY_TYPES:
            fail(f"entities[{i}] has unknown type {e.get('type')!r}; valid: {', '.join(ENTITY_TYPES)}")
        mentions = e.get("mentions", [])
        if not isinstance(mentions, list) or not all(isinstance(m, str) for m in mentions):
            fail(f"entities[{i}] 'mentions' must be a list of strings")
    for i, r in enumerate(data["relations"]):
        kind = r.get("kind") if isinstance(r, dict) else None
        if kind not in REQUIRED_FIELDS:
            fail(f"relations[{i}] has unknown kind {kind!r}; valid: {', '.join(RELATION_KINDS)}")
        missing = [f for f in REQUIRED_FIELDS[kind] if f not in r]
        if missing:
            fail(f"relations[{i}] ({kind}) lacks {', '.join(missing)}")
        if kind == "meeting_date" and not isinstance(r.get("date") or "", str):
            fail(f"relations[{i}] (meeting_date) 'date' must be an ISO date string")
    noise = data.get("noise", [])
    if not isinstance(noise, list) or not all(isinstance(n, str) for n in noise):
        fail("'noise' must be a list of strings")


def _index_gold(files: Iterable[dict]) -> Gold:
    """Merge parsed gold files into one index."""
    entities: dict[str, dict[str, set[str]]] = defaultdict(dict)
    canonical: dict[str, set[str]] = {}
    relations: dict[str, list[dict]] = defaultdict(list)
    noise: set[str] = set()
    for data in files:
        for e in data["entities"]:
            names = {norm(e["name"])} | {norm(m) for m in e.get("mentions", [])}
            entities[e["type"]].setdefault(norm(e["name"]), set()).update(names)
            canonical.setdefault(e["name"], set()).update(names)
        for r in data["relations"]:
            relations[r["kind"]].append(r)
        noise |= {norm(n) for n in data.get("noise", [])}
    return Gold(
        entities={t: {k: frozenset(v) for k, v in by_key.items()} for t, by_key in entities.items()},
        canonical={k: frozenset(v) for k, v in canonical.items()},
        relations={kind: _dedupe(rels) for kind, rels in relations.items()},
        noise=frozenset(noise),
    )


def _dedupe(relations: Iterable[dict]) -> tuple[dict, ...]:
    """Relations with identical content (ignoring ``change``) counted once across documents."""
    seen: set[str] = set()
    unique = []
    for r in relations:
        key = json.dumps({k: v for k, v in r.items() if not k.startswith("_") and k != "change"},
                         ensure_ascii=False, sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(r)
    return tuple(unique)


# ---------------------------------------------------------------------------------------------------
# Reading the graph
# ---------------------------------------------------------------------------------------------------

def load_graph(path: Path) -> ox.Store:
    """An in-memory store holding the graph file (.trig, .nq, .ttl or .nt)."""
    path = Path(path)
    fmt = GRAPH_FORMATS.get(path.suffix)
    if fmt is None:
        raise GraphFileError(f"cannot score {path}: unknown graph format {path.suffix!r}; "
                             f"use one of {', '.join(GRAPH_FORMATS)}")
    if not path.is_file():
        raise GraphFileError(f"graph file {path} does not exist")
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except (OSError, SyntaxError, ValueError) as e:
        raise GraphFileError(f"cannot read graph file {path}: {e}") from e
    return store


def _select(store: ox.Store, body: str, variables: Iterable[str]) -> list[tuple[Term | None, ...]]:
    """Distinct solutions of ``body`` over the union of all graphs, as term tuples (None if unbound)."""
    variables = tuple(variables)
    query = f"{_PREFIXES}SELECT DISTINCT {' '.join('?' + v for v in variables)} WHERE {{ {body} }}"
    try:
        solutions = store.query(query, use_default_graph_as_union=True)
        return [tuple(sol[v] for v in variables) for sol in solutions]
    except (OSError, SyntaxError, ValueError) as e:
        raise StoreError(f"scoring query failed: {e}\n{query}") from e


def _value(term: Term | None) -> str | None:
    """Lexical value of a term (IRI, blank node id or literal form), as the reference compares them."""
    return None if term is None else term.value


class _Names:
    """Normalised names of every node of the graph, read once."""

    def __init__(self, store: ox.Store) -> None:
        self._by_node: dict[Term, set[str]] = defaultdict(set)
        for node, name in _select(store, f"?x {_NAME} ?n .", ("x", "n")):
            self._by_node[node].add(norm(name.value))

    def of(self, term: Term | None) -> frozenset[str]:
        """Names of a node; empty for an unbound value, a literal or an unnamed node."""
        return frozenset(self._by_node.get(term, ())) if term is not None else frozenset()


# ---------------------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------------------

def prf(found: float, n_gold: int, correct: float, n_pred: int) -> Score:
    """Recall, precision and F1; a ratio with a zero denominator is None, and so is F1 then."""
    recall = found / n_gold if n_gold else None
    precision = correct / n_pred if n_pred else None
    if precision and recall:
        f1 = 2 * precision * recall / (precision + recall)
    else:
        f1 = 0.0 if precision is not None and recall is not None else None
    return {"gold": n_gold, "pred": n_pred, "recall": recall, "precision": precision, "f1": f1}


def micro(table: Mapping[str, Score], keys: Iterable[str]) -> Score:
    """Micro-average over the rows ``keys`` of a score table.

    True positives are recovered as ratio × count, exactly as the reference does, so the summaries
    agree with it to the last bit.
    """
    keys = tuple(keys)
    found = sum((table[k]["recall"] or 0) * table[k]["gold"] for k in keys if table[k]["gold"])
    correct = sum((table[k]["precision"] or 0) * table[k]["pred"] for k in keys if table[k]["pred"])
    return prf(found, sum(table[k]["gold"] for k in keys), correct, sum(table[k]["pred"] for k in keys))


def _type_pattern(entity_type: str) -> str:
    return "?e a foaf:Person ." if entity_type == "Person" else f"?e a kgo:{entity_type} ."


def predicted_entities(store: ox.Store, names: _Names, entity_type: str) -> dict[str, frozenset[str]]:
    """Named nodes of one type: node value -> its normalised names (nodes without a name are left out)."""
    nodes = {}
    for (node,) in _select(store, _type_pattern(entity_type), ("e",)):
        node_names = names.of(node)
        if node_names:
            nodes[node.value] = node_names
    return nodes


def score_entities(store: ox.Store, gold: Gold, names: _Names) -> dict[str, Score]:
    """P/R/F1 per entity type."""
    out = {}
    for entity_type in ENTITY_TYPES:
        pred = predicted_entities(store, names, entity_type)
        gold_entities = gold.entities.get(entity_type, {})
        all_gold = frozenset().union(*gold_entities.values())
        found = sum(1 for g in gold_entities.values() if any(g & p for p in pred.values()))
        correct = sum(1 for p in pred.values() if p & all_gold)
        out[entity_type] = prf(found, len(gold_entities), correct, len(pred))
    return out


# Query-contract pattern per relation kind: (body, projected variables, variables that name a node).
_RELATION_PATTERNS: Mapping[str, tuple[str, tuple[str, ...], frozenset[str]]] = {
    "membership": ("?m a org:Membership ; org:member ?p ; org:organization ?o ; org:role ?r .",
                   ("p", "r", "o"), frozenset("pro")),
    "speaks_at": ("?p kgo:speaksAt ?m .", ("p", "m"), frozenset("pm")),
    "issued": ("?d dct:publisher ?o .", ("o", "d"), frozenset("od")),
    "doc_id": ("?d dct:identifier ?i . ?d a kgo:PolicyDocument .", ("d", "i"), frozenset("d")),
    "meeting_date": ("?m a kgo:Meeting ; schema:startDate ?dt .", ("m", "dt"), frozenset({"m"})),
    "task_lead": ("?t kgo:leadUnit ?u ; kgo:taskNumber ?n .", ("n", "u"), frozenset("u")),
    "task_support": ("?t kgo:supportUnit ?u ; kgo:taskNumber ?n .", ("n", "u"), frozenset("u")),
    "task_mentions": ("?t kgo:mentions ?x ; kgo:taskNumber ?n .", ("n", "x"), frozenset("x")),
    "sub_organization": ("?c org:unitOf|org:subOrganizationOf ?p .", ("c", "p"), frozenset("cp")),
    "target": ("?g a kgo:Target . OPTIONAL { ?g kgo:targetSubject ?subj } OPTIONAL { ?g kgo:goal ?goal }",
               ("subj", "goal"), frozenset({"subj"})),
    "applies_to": ("?x kgo:appliesToSector ?s .", ("x", "s"), frozenset("xs")),
}


def _predicted_rows(store: ox.Store, names: _Names, kind: str) -> list[Row]:
    """Distinct predictions of one kind; node positions become name sets, the others stay values."""
    body, variables, name_vars = _RELATION_PATTERNS[kind]
    rows: dict[tuple[str | None, ...], Row] = {}
    for terms in _select(store, body, variables):
        key = tuple(_value(t) for t in terms)
        if key not in rows:
            rows[key] = tuple(names.of(t) if v in name_vars else _value(t) for v, t in zip(variables, terms))
    return list(rows.values())


def _predicted_statistics(store: ox.Store) -> list[Row]:
    """One (subject names, value) per statistic node and value; "" stands for an unnamed subject."""
    body = (f"?s a kgo:Statistic ; schema:value ?v . "
            f"OPTIONAL {{ ?s (schema:variableMeasured|schema:observationAbout)/{_NAME} ?n }}")
    subjects: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s, v, n in _select(store, body, ("s", "v", "n")):
        subjects[(s.value, v.value)].add(norm(n.value) if n is not None and n.value else "")
    return [(frozenset(subject_names), v) for (_s, v), subject_names in subjects.items()]


def predicted_relations(store: ox.Store, names: _Names) -> dict[str, list[Row]]:
    """Predictions of every scored relation kind, read through the query contract."""
    preds = {kind: _predicted_rows(store, names, kind) for kind in _RELATION_PATTERNS}
    preds["statistic"] = _predicted_statistics(store)
    return preds


def _overlap(a: Iterable[str], b: Iterable[str]) -> bool:
    """Some name in ``a`` equals some name in ``b``."""
    return not frozenset(a).isdisjoint(b)


def _contains_either(a: Iterable[str], b: Iterable[str]) -> bool:
    """Some non-empty name in ``a`` contains, or is contained in, some non-empty name in ``b``."""
    return any(x in y or y in x for x in a for y in b if x and y)


Matcher = Callable[[dict, Row, Gold], bool]

_MATCHERS: Mapping[str, Matcher] = {
    "membership": lambda g, p, G: (_overlap(G.names(g["person"]), p[0]) and norm(g["role"]) in p[1]
                                   and _overlap(G.names(g["organization"]), p[2])),
    "speaks_at": lambda g, p, G: _overlap(G.names(g["person"]), p[0]) and _overlap(G.names(g["meeting"]), p[1]),
    "issued": lambda g, p, G: (_overlap(G.names(g["organization"]), p[0])
                               and _overlap(G.names(g["document"]), p[1])),
    "doc_id": lambda g, p, G: _overlap(G.names(g["document"]), p[0]) and norm(g["identifier"]) == norm(p[1]),
    "meeting_date": lambda g, p, G: (_overlap(G.names(g["meeting"]), p[0]) and bool(g.get("date"))
                                     and str(p[1]).startswith(g["date"])),
    "task_lead": lambda g, p, G: _number(g["task"]) == _number(p[0]) and _overlap(G.names(g["unit"]), p[1]),
    "task_support": lambda g, p, G: _number(g["task"]) == _number(p[0]) and _overlap(G.names(g["unit"]), p[1]),
    "task_mentions": lambda g, p, G: _number(g["task"]) == _number(p[0]) and _overlap(G.names(g["entity"]), p[1]),
    "sub_organization": lambda g, p, G: _overlap(G.names(g["child"]), p[0]) and _overlap(G.names(g["parent"]), p[1]),
    "statistic": lambda g, p, G: (_number(g["value"]) == _number(p[1])
                                  and _contains_either(G.names(g["subject"]), p[0] or {""})),
    "target": lambda g, p, G: (_contains_either(G.names(g["subject"]), p[0])
                               or bool(p[1]) and _contains_either({norm(g["goal"])}, {norm(p[1])})),
    "applies_to": lambda g, p, G: (_overlap(G.names(g["initiative_or_scheme"]), p[0])
                                   and _overlap(G.names(g["sector"]), p[1])),
}


def score_relations(store: ox.Store, gold: Gold, names: _Names) -> dict[str, Score]:
    """P/R/F1 per relation kind."""
    preds = predicted_relations(store, names)
    out = {}
    for kind in SCORED_KINDS:
        matches, gold_rels, pred = _MATCHERS[kind], gold.relations.get(kind, ()), preds[kind]
        found = sum(1 for g in gold_rels if any(matches(g, p, gold) for p in pred))
        correct = sum(1 for p in pred if any(matches(g, p, gold) for g in gold_rels))
        out[kind] = prf(found, len(gold_rels), correct, len(pred))
    return out


def noise_leaks(store: ox.Store, gold: Gold) -> list[str]:
    """Gold noise strings that are a name of some typed node, sorted."""
    names = {norm(n.value) for (n,) in _select(store, f"?e {_NAME} ?n . ?e a ?t .", ("n",))}
    return sorted(n for n in gold.noise if n and n in names)


# ---------------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------------

def evaluate_store(store: ox.Store, gold_dir: Path) -> dict:
    """Score a store against the gold directory: {"entities", "relations", "summary"}."""
    return _score(store, load_gold(gold_dir))


def evaluate(graph_path: Path, gold_dir: Path) -> dict:
    """Score a graph file (.trig, .nq, .ttl or .nt) against the gold directory."""
    gold = load_gold(gold_dir)          # fail on bad gold before spending time on a large graph
    return _score(load_graph(graph_path), gold)


def _score(store: ox.Store, gold: Gold) -> dict:
    """Entity, relation and summary scores of a store."""
    names = _Names(store)
    entities = score_entities(store, gold, names)
    relations = score_relations(store, gold, names)
    summary = {
        "entities_core": micro(entities, CORE_TYPES),
        "relations_core": micro(relations, CORE_KINDS),
        "entities_all": micro(entities, ENTITY_TYPES),
        "relations_all": micro(relations, SCORED_KINDS),
        "noise_leaks": noise_leaks(store, gold),
    }
    return {"entities": entities, "relations": relations, "summary": summary}


def _cell(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.2f}"


def _table_row(label: str, score: Score) -> str:
    return (f"{label} {score['gold']:5} {score['pred']:5} "
            f"{_cell(score['recall'])} {_cell(score['precision'])} {_cell(score['f1'])}")


def format_table(result: Mapping[str, Any]) -> str:
    """The score table, line for line as the reference prints it (without a final newline)."""
    lines = [f"{'':18} {'gold':>5} {'pred':>5} {'R':>5} {'P':>5} {'F1':>5}"]
    for section in ("entities", "relations"):
        lines += [_table_row(f"{section[0]}:{key:16}", score) for key, score in result[section].items()]
    lines += [_table_row(f"{key:18}", result["summary"][key]) for key in SUMMARY_ROWS]
    lines.append(f"noise leaks: {result['summary']['noise_leaks']}")
    return "\n".join(lines)
