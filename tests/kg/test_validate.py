"""SHACL validation (`ccakg validate`): the corpus build conforms; seeded errors are caught and named."""
from __future__ import annotations

import re

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.cli import cli
from extractors.errors import KGError, ValidationError
from kg.validate import format_report, load_shapes, noise_pattern, read_noise, validate, validate_graph

runner = CliRunner()
KGO = Namespace("https://w3id.org/ccakg/ontology#")
KG = Namespace("https://w3id.org/ccakg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ENTITIES = URIRef("https://w3id.org/ccakg/graph/entities")


# ---------------------------------------------------------------------------------------------------
# the real build
# ---------------------------------------------------------------------------------------------------

def test_examples_build_conforms(examples_build):
    out, _ = examples_build
    result = validate(out)
    assert result.conforms, format_report(result)
    assert result.counts["Violation"] == 0


@pytest.fixture(scope="module")
def clean(corpus_build):
    out, _report = corpus_build
    return out, validate(out)


def test_corpus_build_conforms(clean):
    out, result = clean
    assert result.conforms, format_report(result)
    assert result.counts["Violation"] == 0 and result.counts["quads"] > 10_000
    # the known soft spot: task 38 of the 2017 work points names no lead unit (a warning, not a violation)
    assert any("任务38" in f.focus and f.path == "kgo:leadUnit" for f in result.warnings)
    assert "conforms" in format_report(result).splitlines()[0]


def test_cli_validate_exits_0_on_the_build(clean):
    out, _ = clean
    result = runner.invoke(cli, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output and "0 violations" in result.output
    quiet = runner.invoke(cli, ["validate", str(out), "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""


# ---------------------------------------------------------------------------------------------------
# seeded errors: one copy of the graph with eight independent mistakes, validated once
# ---------------------------------------------------------------------------------------------------

def _zh(ds, node) -> str:
    return next(str(o) for o in ds.objects(node, SKOS.prefLabel) if o.language.lower() == "zh-hans")


def _by_label(ds, cls, label) -> URIRef:
    for s in ds.subjects(RDF.type, cls):
        if any(str(o) == label for o in ds.objects(s, SKOS.prefLabel)):
            return s
    raise AssertionError(f"no {cls} labelled {label} in the build")


def _evidence(ds, body):
    """(graph, evidence, position selector, quote selector) of the first evidence of ``body``."""
    for g, ev in sorted((q[3], q[0]) for q in ds.quads((None, OA.hasBody, body, None))):
        target = ds.value(ev, OA.hasTarget)
        sels = list(ds.objects(target, OA.hasSelector))
        pos = next(s for s in sels if (s, RDF.type, OA.TextPositionSelector) in ds)
        quote = next(s for s in sels if (s, RDF.type, OA.TextQuoteSelector) in ds)
        return g, ev, pos, quote
    raise AssertionError(f"{body} has no evidence")


def _set(ds, s, p, new):
    """Replace the value(s) of s p in whichever graph holds them."""
    graphs = {q[3] for q in ds.quads((s, p, None, None))}
    assert graphs, (s, p)
    for g in graphs:
        ds.graph(g).remove((s, p, None))
        if new is not None:
            ds.graph(g).add((s, p, new))


@pytest.fixture(scope="module")
def seeded(corpus_build, tmp_path_factory):
    """Eight seeded errors in a copy of the build's graph.trig; returns (dir, result, what was seeded)."""
    out, _ = corpus_build
    ds = rdflib.Dataset()
    ds.default_union = True
    ds.parse(out / "graph.trig", format="trig")
    seeds = {}

    # 1. a person with two zh-Hans prefLabels (tag spelled like rdflib keeps it, the build's is lower-case)
    person = _by_label(ds, FOAF.Person, "支树平")
    ds.graph(ENTITIES).add((person, SKOS.prefLabel, Literal("支树平同志", lang="zh-Hans")))
    seeds["two_prefs"] = person

    # 2. a membership without role
    membership = sorted(ds.subjects(RDF.type, ORG.Membership))[0]
    seeds["no_role"] = (membership, _zh(ds, ds.value(membership, ORG.member)))
    _set(ds, membership, ORG.role, None)

    # 3. a statistic fact without evidence
    stat = _by_label(ds, KGO.Statistic, "认证机构403家")
    for g, ev in [(q[3], q[0]) for q in ds.quads((None, OA.hasBody, stat, None))]:
        target = ds.value(ev, OA.hasTarget)
        for node in [ev, target, *ds.objects(target, OA.hasSelector)]:
            ds.graph(g).remove((node, None, None))
    seeds["no_evidence"] = stat

    # 4. an evidence span with start >= end (the membership of 刘卫军)
    liu = _by_label(ds, FOAF.Person, "刘卫军")
    liu_membership = next(ds.subjects(ORG.member, liu))
    _, _, pos, _ = _evidence(ds, liu_membership)
    start = int(ds.value(pos, OA.start))
    _set(ds, pos, OA.end, Literal(start, datatype=XSD.integer))
    seeds["bad_span"] = (pos, "刘卫军")

    # 5. an evidence with an empty quote (the reifier of the 国发〔2018〕3号 document number)
    doc = next(ds.subjects(DCT.identifier, Literal("国发〔2018〕3号")))
    reifier = next(st for st in ds.subjects(RDF.subject, doc) if ds.value(st, RDF.predicate) == DCT.identifier)
    _, _, _, quote = _evidence(ds, reifier)
    _set(ds, quote, OA.exact, Literal(""))
    seeds["empty_quote"] = quote

    # 6. a task with a non-integer number
    task = _by_label(ds, KGO.Task, "2017年认证认可工作要点 任务5")
    _set(ds, task, KGO.taskNumber, Literal("第五"))
    seeds["task_number"] = task

    # 7. labels that are web-page noise: an exact noise.txt string, and a casino name (regex rule)
    init = sorted(ds.subjects(RDF.type, KGO.Initiative))[0]
    ds.graph(ENTITIES).add((init, SKOS.altLabel, Literal("返回顶部", lang="zh-Hans")))
    spam = KG["o-seededspam"]
    for triple in [(spam, RDF.type, KGO.Organization),
                   (spam, SKOS.prefLabel, Literal("上海amjs澳金沙门", lang="zh-Hans")),
                   (spam, SKOS.prefLabel, Literal("上海amjs澳金沙門", lang="zh-Hant"))]:
        ds.graph(ENTITIES).add(triple)
    phone = KG["o-seededphone"]
    for triple in [(phone, RDF.type, KGO.Organization),
                   (phone, SKOS.prefLabel, Literal("联系电话:0531-82360063", lang="zh-Hans"))]:
        ds.graph(ENTITIES).add(triple)
    seeds["noise"] = (init, _zh(ds, init))

    # 8. a malformed document number (raw 〔〕 replaced by [])
    _set(ds, doc, DCT.identifier, Literal("国发[2018]3号"))
    seeds["doc_number"] = (doc, _zh(ds, doc))

    folder = tmp_path_factory.mktemp("seeded")
    ds.serialize(folder / "graph.trig", format="trig")
    return folder, validate(folder), seeds


def _findings(result, message_part, focus_part=None):
    return [f for f in result.errors
            if message_part in f.message and (focus_part is None or focus_part in f.focus)]


def test_seeded_graph_does_not_conform(seeded):
    _, result, _ = seeded
    assert not result.conforms
    report = format_report(result)
    assert "DOES NOT CONFORM" in report.splitlines()[0]
    # every violation is printed in full: the focus, the path and the message
    assert report.count("VIOLATION  ") == result.counts["Violation"] >= 9


def test_seeded_two_zh_hans_preflabels(seeded):
    _, result, seeds = seeded
    hits = [f for f in result.errors if f.focus_iri == str(seeds["two_prefs"]) and f.path == "skos:prefLabel"]
    messages = " / ".join(f.message for f in hits)
    assert "exactly one zh-Hans" in messages and "same language tag" in messages
    assert all("支树平" in f.focus for f in hits)


def test_seeded_membership_without_role(seeded):
    _, result, seeds = seeded
    membership, person = seeds["no_role"]
    [hit] = [f for f in result.errors if f.focus_iri == str(membership)]
    assert hit.path == "org:role" and "exactly one org:role" in hit.message
    assert hit.focus.startswith("membership ") and person in hit.focus


def test_seeded_statistic_without_evidence(seeded):
    _, result, seeds = seeded
    [hit] = _findings(result, "fact has no evidence")
    assert hit.focus_iri == str(seeds["no_evidence"]) and "认证机构403家" in hit.focus
    assert hit.path == "^oa:hasBody"


def test_seeded_span_with_start_not_before_end(seeded):
    _, result, seeds = seeded
    pos, person = seeds["bad_span"]
    [hit] = _findings(result, "oa:start must be < oa:end")
    assert hit.focus_iri == str(pos) and hit.path == "oa:start"
    assert hit.focus.startswith("evidence of membership") and person in hit.focus


def test_seeded_empty_quote(seeded):
    _, result, seeds = seeded
    hits = _findings(result, "quote (oa:exact) missing or empty")
    assert hits and {f.focus_iri for f in hits} == {str(seeds["empty_quote"])}
    assert all(f.path == "oa:exact" and "国发" in f.focus for f in hits)


def test_seeded_task_number_not_an_integer(seeded):
    _, result, seeds = seeded
    [hit] = _findings(result, "kgo:taskNumber")
    assert hit.focus_iri == str(seeds["task_number"]) and "任务5" in hit.focus
    assert hit.value == '"第五"'


def test_seeded_noise_labels(seeded):
    _, result, seeds = seeded
    init, name = seeds["noise"]
    [listed] = _findings(result, "noise.txt")
    assert listed.focus_iri == str(init) and name in listed.focus
    # the SPARQL engine reads the file into Oxigraph, which writes language tags lower-case (as every build does)
    assert listed.path == "skos:altLabel" and listed.value.lower() == '"返回顶部"@zh-hans'
    spam = _findings(result, "gambling spam", "澳金沙门")
    assert {f.path for f in spam} == {"skos:prefLabel"} and len(spam) == 2
    assert _findings(result, "phone or fax number", "0531-82360063")


def test_seeded_malformed_document_number(seeded):
    _, result, seeds = seeded
    doc, title = seeds["doc_number"]
    [hit] = _findings(result, "document number")
    assert hit.focus_iri == str(doc) and title in hit.focus
    assert hit.path == "dct:identifier" and hit.value == '"国发[2018]3号"'


def test_seeded_nothing_else_is_reported(seeded):
    """The seeds, and only they, produce violations: no collateral noise in the report."""
    _, result, seeds = seeded
    expected = {str(seeds["two_prefs"]), str(seeds["no_role"][0]), str(seeds["no_evidence"]),
                str(seeds["bad_span"][0]), str(seeds["empty_quote"]), str(seeds["task_number"]),
                str(seeds["noise"][0]), str(KG["o-seededspam"]), str(KG["o-seededphone"]),
                str(seeds["doc_number"][0])}
    assert {f.focus_iri for f in result.errors} == expected


def test_cli_validate_exits_1_with_the_report(seeded):
    folder, _, _ = seeded
    result = runner.invoke(cli, ["validate", str(folder), "--quiet"])
    assert result.exit_code == 1
    assert "DOES NOT CONFORM" in result.output and "VIOLATION  支树平" in result.output
    assert "path:    org:role" in result.output and "message: fact has no evidence" in result.output
    assert "WARNING" not in result.output


# ---------------------------------------------------------------------------------------------------
# small graphs: language-tag case, noise list, errors
# ---------------------------------------------------------------------------------------------------

def _tiny(*labels) -> rdflib.Graph:
    from ontology import ONTOLOGY_FILE

    g = rdflib.Graph().parse(ONTOLOGY_FILE)
    agency = KG["o-tiny"]
    g.add((agency, RDF.type, KGO.Agency))
    for text, lang in labels:
        g.add((agency, SKOS.prefLabel, Literal(text, lang=lang)))
        g.add((agency, RDFS.label, Literal(text, lang=lang)))
    return g


@pytest.mark.parametrize("hans, hant", [("zh-Hans", "zh-Hant"), ("zh-hans", "zh-hant"), ("ZH-HANS", "zh-HANT")])
def test_language_tags_match_case_insensitively(hans, hant):
    """Oxigraph writes zh-hans, rdflib keeps zh-Hans: pySHACL's languageIn / uniqueLang ignore case."""
    result = validate_graph(_tiny(("国家认监委", hans), ("國家認監委", hant)))
    assert result.conforms and not result.violations, format_report(result, warnings="full")


def test_same_tag_in_two_spellings_is_still_two_labels_of_one_language():
    result = validate_graph(_tiny(("国家认监委", "zh-Hans"), ("认监委", "zh-hans"), ("國家認監委", "zh-Hant")))
    assert not result.conforms
    assert {f.message for f in result.errors} >= {
        "needs exactly one zh-Hans skos:prefLabel (its canonical name)",
        "has two skos:prefLabel values with the same language tag (SKOS S14: at most one per tag)"}
    assert all(f.focus.endswith("(kg:o-tiny)") for f in result.errors)


def test_missing_zh_hans_and_foreign_tag_are_violations():
    result = validate_graph(_tiny(("國家認監委", "zh-Hant"), ("Kokka", "ja")))
    messages = {f.message for f in result.errors}
    assert "needs exactly one zh-Hans skos:prefLabel (its canonical name)" in messages
    assert any("tagged zh-Hans, zh-Hant or en" in m for m in messages)
    # no zh-Hans name: the report falls back to another label
    assert all("國家認監委" in f.focus or "Kokka" in f.focus for f in result.errors)


def test_noise_list_is_read_and_matched_exactly():
    strings = read_noise()
    assert {"返回顶部", "打印本文", "关闭窗口"} <= set(strings) and len(strings) == len(set(strings))
    assert not any(s.startswith("#") for s in strings)
    pattern = re.compile(noise_pattern(strings + ["更多>>", "[ 打印本文 ]", "a.b"]))
    assert pattern.search("返回顶部") and pattern.search(" 返回顶部 ") and pattern.search("[ 打印本文 ]")
    assert not pattern.search("返回顶部按钮") and not pattern.search("axb") and not pattern.search("国家认监委")


def test_noise_list_names_no_real_entity(clean):
    """No name the build gives to an entity is on the list (the list must stay generic boilerplate)."""
    out, result = clean
    assert not [f for f in result.violations if "noise" in f.message or "boilerplate" in f.message]


def test_shapes_parse_with_the_noise_shapes():
    shapes = load_shapes()
    sh = Namespace("http://www.w3.org/ns/shacl#")
    noise = list(shapes.objects(URIRef("https://w3id.org/ccakg/shapes#NoiseList"), sh.property))
    assert len(noise) == 3


def test_missing_or_broken_graph_names_the_file(tmp_path):
    with pytest.raises(ValidationError, match=re.escape(str(tmp_path / "graph.trig"))):
        validate(tmp_path)
    (tmp_path / "graph.trig").write_text("<a> <b> <c> <d> <e> .\n this is not trig {", encoding="utf-8")
    with pytest.raises(KGError, match="graph.trig: cannot parse"):
        validate(tmp_path)
    result = runner.invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1 and "graph.trig" in result.output
