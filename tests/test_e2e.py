"""End to end: build a corpus with the real command and score it against its gold annotations.

Twice: the repository's own example corpus (examples/corpus, gold in examples/gold, scored by
``kg.evaluate``), always; the client's corpus (../shared/corpus, scored by ../shared/tools/evaluate.py)
when ../shared is beside the checkout (see tests/conftest.py).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pyoxigraph as ox
import pytest

from kg.documents import read_document
from tests.conftest import CORPUS, EVALUATE, EXAMPLES, EXAMPLES_GOLD, GOLD

pytestmark = pytest.mark.e2e
ENTITY_TYPES = ["Agency", "Department", "Organization", "Person", "PolicyDocument", "Meeting", "Initiative",
                "CertificationScheme", "Sector", "Region", "Statistic", "Target", "Task"]
RELATION_KINDS = ["membership", "speaks_at", "issued", "doc_id", "meeting_date", "task_lead", "task_support",
                  "sub_organization", "statistic", "task_mentions", "target", "applies_to"]
SETS = {"examples": (EXAMPLES, EXAMPLES_GOLD, "examples_build"), "client": (CORPUS, GOLD, "corpus_build")}


@pytest.fixture(scope="module", params=sorted(SETS))
def built(request):
    """(name, corpus folder, gold folder, output folder, build report) of one corpus."""
    corpus, gold, fixture = SETS[request.param]
    out, report = request.getfixturevalue(fixture)
    return request.param, corpus, gold, out, report


@pytest.fixture(scope="module")
def scores(built):
    name, _, gold, out, _ = built
    if name == "examples":
        from kg.evaluate import evaluate

        return evaluate(out / "graph.trig", gold)
    result = subprocess.run([sys.executable, str(EVALUATE), str(out / "graph.trig"), str(gold), "--json"],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_e2e_build_writes_every_output(built):
    _, corpus, _, out, _ = built
    for name in ("graph.trig", "graph.ttl", "graph.html", "report.json"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "store").is_dir()
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["documents_read"] == data["texts_in_store"] == len([p for p in corpus.iterdir() if p.is_file()])
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


def test_e2e_every_evidence_quote_is_the_raw_text(built):
    _, _, _, out, report = built
    store = ox.Store()
    store.bulk_load(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    raw = {d["doc_id"]: read_document(d["path"]).raw_text for d in report.documents}
    query = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX dct: <http://purl.org/dc/terms/>
      SELECT ?id ?s ?e ?q WHERE { ?ev oa:hasTarget ?t . ?t oa:hasSource ?src ; oa:hasSelector ?p, ?x .
        ?src dct:identifier ?id . ?p oa:start ?s ; oa:end ?e . ?x oa:exact ?q }"""
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert len(rows) > 100
    bad = [(r["id"].value, r["s"].value) for r in rows
           if raw[r["id"].value][int(r["s"].value):int(r["e"].value)] != r["q"].value]
    assert bad == []


def test_e2e_html_loads_nothing_from_the_web(built):
    _, _, _, out, _ = built
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", html, re.I)
    assert not re.search(r"""@import|url\(\s*["']?https?://""", html, re.I)
    assert "国家认证认可监督管理委员会" in html


def test_e2e_rebuild_replaces_instead_of_duplicating(built, tmp_path):
    from kg.pipeline import build

    _, corpus, _, _, _ = built
    out = tmp_path / "again"
    first = build([corpus], out, html=False).quads
    second = build([corpus], out, html=False).quads
    assert first == second


def test_e2e_examples_scores_stay_where_they_are(tmp_path):
    """The example corpus's own gold: core scores of this release, as `ccakg eval` prints them."""
    from click.testing import CliRunner

    from kg.cli import cli
    from kg.pipeline import build

    build([EXAMPLES], tmp_path / "out", html=False)
    result = CliRunner().invoke(cli, ["eval", "--gold", str(EXAMPLES_GOLD), "--graph", str(tmp_path / "out" / "graph.trig"),
                                      "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["summary"]
    assert summary["entities_core"]["f1"] >= 0.70 and summary["relations_core"]["f1"] >= 0.75
