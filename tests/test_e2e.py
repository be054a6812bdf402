"""End to end: build the client's corpus with the real command and score it with the client's scorer."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pyoxigraph as ox
import pytest

from tests.conftest import CORPUS, EVALUATE, GOLD, require_shared

pytestmark = pytest.mark.e2e
ENTITY_TYPES = ["Agency", "Department", "Organization", "Person", "PolicyDocument", "Meeting", "Initiative",
                "CertificationScheme", "Sector", "Region", "Statistic", "Target", "Task"]
RELATION_KINDS = ["membership", "speaks_at", "issued", "doc_id", "meeting_date", "task_lead", "task_support",
                  "sub_organization", "statistic", "task_mentions", "target", "applies_to"]


@pytest.fixture(scope="module")
def scores(corpus_build):
    out, _ = corpus_build
    result = subprocess.run([sys.executable, str(EVALUATE), str(out / "graph.trig"), str(GOLD), "--json"],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_e2e_build_writes_every_output(corpus_build):
    out, report = corpus_build
    for name in ("graph.trig", "graph.ttl", "graph.html", "report.json"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "store").is_dir()
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["documents_read"] == len(list(CORPUS.glob("*.txt")))
    assert data["documents_skipped"] == 0
    assert set(data["timings_seconds"]) >= {"total", "export"}


@pytest.mark.parametrize("type_", ENTITY_TYPES)
def test_e2e_every_entity_type_predicted(scores, type_):
    assert scores["entities"][type_]["pred"] > 0


@pytest.mark.parametrize("kind", RELATION_KINDS)
def test_e2e_every_relation_kind_predicted(scores, kind):
    assert scores["relations"][kind]["pred"] > 0


def test_e2e_core_scores_reach_first_release_bar(scores):
    assert scores["summary"]["entities_core"]["f1"] >= 0.70
    assert scores["summary"]["relations_core"]["f1"] >= 0.50


def test_e2e_no_noise_leaks(scores):
    assert scores["summary"]["noise_leaks"] == []


def test_e2e_every_evidence_quote_is_the_raw_text(corpus_build):
    out, _ = corpus_build
    store = ox.Store()
    store.bulk_load(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    raw = {p.stem: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    query = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX dct: <http://purl.org/dc/terms/>
      SELECT ?id ?s ?e ?q WHERE { ?ev oa:hasTarget ?t . ?t oa:hasSource ?src ; oa:hasSelector ?p, ?x .
        ?src dct:identifier ?id . ?p oa:start ?s ; oa:end ?e . ?x oa:exact ?q }"""
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert len(rows) > 500
    bad = [(r["id"].value, r["s"].value) for r in rows
           if raw[r["id"].value][int(r["s"].value):int(r["e"].value)] != r["q"].value]
    assert bad == []


def test_e2e_html_loads_nothing_from_the_web(corpus_build):
    out, _ = corpus_build
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", html, re.I)
    assert not re.search(r"""@import|url\(\s*["']?https?://""", html, re.I)
    assert "国家认证认可监督管理委员会" in html


def test_e2e_rebuild_replaces_instead_of_duplicating(corpus_build, tmp_path):
    from kg.pipeline import build

    require_shared()
    out = tmp_path / "again"
    first = build([CORPUS], out, html=False).quads
    second = build([CORPUS], out, html=False).quads
    assert first == second
