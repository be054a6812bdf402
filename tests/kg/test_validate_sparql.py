"""The SPARQL engine of `ccakg validate` (kg/validate_sparql.py) gives pySHACL's findings, constraint by constraint.

Each hand-made graph breaks some constraints of ontology/shapes.ttl; together they break every kind the
shapes use (targetClass with rdfs:subClassOf, targetSubjectsOf, minCount, maxCount, datatype incl. ill-typed
literals, class, pattern + flags, languageIn, uniqueLang, minLength, minInclusive, maxInclusive, lessThan,
disjoint, inverse and sequence paths, sh:not, sh:or, qualifiedValueShape with qualifiedMin/MaxCount, the
noise list). Language tags are written lower-case, as the build's store writes them.
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import Graph

from extractors.errors import OntologyError
from kg.cli import cli
from kg.validate import load_shapes, validate
from kg.validate_sparql import compile_shapes

PREFIXES = """
@prefix kg:     <https://w3id.org/ccakg/id/> .
@prefix kgo:    <https://w3id.org/ccakg/ontology#> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix oa:     <http://www.w3.org/ns/oa#> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix schema: <http://schema.org/> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
"""

# (name, TriG body, messages that must be among the findings)
CASES = [
    ("labels", """
     <https://w3id.org/ccakg/graph/entities> {
       kg:a1 a kgo:Agency ; skos:prefLabel "國家認監委"@zh-hant, "Kokka"@ja, ""@en ; rdfs:label "plain" .
       kg:a2 a kgo:Agency ; skos:prefLabel "认监委"@zh-hans, "国家认监委"@zh-hans, "國家認監委"@zh-hant ;
             skos:altLabel "认监委"@zh-hans, "x"@fr, "bare" .
       kg:a3 a kgo:UnitGroup ; skos:prefLabel "无繁体"@zh-hans ; rdfs:label kg:a1 .
       kg:p1 a foaf:Person ; skos:prefLabel "张三"@zh-hans, "張三"@zh-hant, "Zhang"@en-gb .
     }""", ["needs exactly one zh-Hans skos:prefLabel (its canonical name)",
            "has two skos:prefLabel values with the same language tag (SKOS S14: at most one per tag)",
            "skos:prefLabel must be a non-empty string tagged zh-Hans, zh-Hant or en",
            "has no zh-Hant skos:prefLabel",
            "skos:altLabel must be a non-empty string tagged zh-Hans, zh-Hant or en",
            "rdfs:label must be a string tagged zh-Hans, zh-Hant or en (a copy of a prefLabel)",
            "the same name is both skos:prefLabel and skos:altLabel (SKOS S13: the label properties are disjoint)"]),
    ("organisations and memberships", """
     <https://w3id.org/ccakg/graph/doc/t1> {
       kg:d1 a kgo:Department ; skos:prefLabel "司一"@zh-hans, "司一"@zh-hant ; org:unitOf kg:o1, kg:o2 .
       kg:d2 a kgo:Department ; skos:prefLabel "司二"@zh-hans, "司二"@zh-hant ; org:unitOf kg:s1 .
       kg:d3 a kgo:Department ; skos:prefLabel "司三"@zh-hans, "司三"@zh-hant .
       kg:o1 a kgo:Agency ; skos:prefLabel "总局"@zh-hans, "總局"@zh-hant .
       kg:o2 a org:Organization .
       kg:s1 a kgo:Sector ; skos:prefLabel "行业"@zh-hans, "行業"@zh-hant .
       kg:m1 a org:Membership ; org:member kg:s1 ; org:organization kg:o1, kg:o2 .
       kg:m2 a org:Membership ; org:member kg:p1, kg:p2 ; org:role kg:r1 ; org:organization kg:s1 .
       kg:p1 a foaf:Person ; skos:prefLabel "李四"@zh-hans, "李四"@zh-hant .
       kg:p2 a foaf:Person ; skos:prefLabel "王五"@zh-hans, "王五"@zh-hant .
       kg:r1 a org:Role ; skos:prefLabel "主任"@zh-hans, "主任"@zh-hant .
     }""", ["a department is org:unitOf exactly one organisation",
            "department without org:unitOf (its parent agency is unknown)",
            "a membership needs exactly one org:member, a foaf:Person",
            "a membership needs exactly one org:organization, an org:Organization",
            "a membership needs exactly one org:role, an org:Role",
            "fact has no evidence: it must be the oa:hasBody of at least one kgo:Evidence"]),
    ("tasks, statistics, targets, documents", """
     <https://w3id.org/ccakg/graph/doc/t2> {
       kg:w1 a kgo:PolicyDocument ; skos:prefLabel "工作要点"@zh-hans, "工作要點"@zh-hant ;
             dct:identifier "国发[2018]3号", "国发〔2018〕3号" ; dct:issued "2018-01-01"^^xsd:date, "2018" .
       kg:w2 a kgo:PolicyDocument ; skos:prefLabel "公告"@zh-hans, "公告"@zh-hant ;
             dct:identifier "2019年第44号" ; dct:issued "2019-02-30"^^xsd:date .
       kg:t1 a kgo:Task ; skos:prefLabel "任务1"@zh-hans, "任務1"@zh-hant ; kgo:taskNumber 0 ;
             kgo:inWorkPlan kg:w1, kg:w2 ; kgo:leadUnit kg:w1 ; kgo:supportUnit kg:o1, "某部门" .
       kg:t2 a kgo:Task ; skos:prefLabel "任务2"@zh-hans, "任務2"@zh-hant ; kgo:taskNumber "abc"^^xsd:integer .
       kg:t3 a kgo:Task ; skos:prefLabel "任务3"@zh-hans, "任務3"@zh-hant ; kgo:taskNumber "3" ;
             kgo:inWorkPlan kg:o1 ; kgo:leadUnit kg:o1 .
       kg:o1 a kgo:Agency ; skos:prefLabel "总局"@zh-hans, "總局"@zh-hant .
       kg:i1 a kgo:Indicator ; skos:prefLabel "机构数"@zh-hans, "機構數"@zh-hant .
       kg:st1 a kgo:Statistic ; skos:prefLabel "统计1"@zh-hans, "統計1"@zh-hant ; schema:variableMeasured kg:o1 ;
             schema:value "many" ; schema:unitText "" ; schema:observationDate "2018"^^xsd:gYear, "2018-05" .
       kg:st2 a kgo:Statistic ; skos:prefLabel "统计2"@zh-hans, "統計2"@zh-hant ; schema:value 1, 2.5 .
       kg:st3 a kgo:Statistic ; skos:prefLabel "统计3"@zh-hans, "統計3"@zh-hant ; schema:variableMeasured kg:i1 ;
             schema:value 403 ; schema:unitText "家" ; schema:observationDate "2018-05"^^xsd:gYearMonth .
       kg:g1 a kgo:Target ; skos:prefLabel "目标1"@zh-hans, "目標1"@zh-hant ; kgo:goal "plain", ""@zh-hans ;
             kgo:statedIn kg:o1 .
     }""", ["a task needs exactly one kgo:taskNumber, an xsd:integer >= 1",
            "a task needs exactly one kgo:inWorkPlan, a kgo:PolicyDocument",
            "kgo:leadUnit must be an org:Organization",
            "task lists no 牵头部门 (kgo:leadUnit); task 38 of the 2017 work points has none",
            "kgo:supportUnit must be an org:Organization",
            "a statistic needs schema:variableMeasured, a kgo:Indicator",
            "a statistic needs exactly one schema:value, an xsd:integer or xsd:decimal",
            "a statistic needs a non-empty schema:unitText (家, 项, 个 …)",
            "schema:observationDate must be one xsd:date, xsd:gYearMonth or xsd:gYear",
            "a target needs a kgo:goal, a language-tagged string",
            "a target needs a kgo:targetSubject",
            "kgo:statedIn must be a kgo:PolicyDocument",
            "document number (dct:identifier) must be normalised GB/T 9704 style, e.g. 国发〔2018〕3号 "
            "(announcements: 2019年第44号), and unique",
            "dct:issued must be an xsd:date, xsd:gYearMonth or xsd:gYear",
            "texts disagree on the issue date (dct:issued has several values)"]),
    ("evidence, reifiers and selectors", """
     <https://w3id.org/ccakg/graph/doc/t3> {
       kg:src a kgo:SourceText ; dct:identifier "t3" .
       kg:st a rdf:Statement ; rdf:subject kg:o1, kg:o2 ; rdf:predicate org:unitOf .
       kg:st2 a rdf:Statement ; rdf:subject kg:o1 ; rdf:object kg:o2 .
       kg:ev4 a kgo:Evidence ; oa:hasBody kg:st2 .
       kg:o1 a kgo:Agency ; skos:prefLabel "总局"@zh-hans, "總局"@zh-hant .
       kg:o2 a kgo:Agency ; skos:prefLabel "分局"@zh-hans, "分局"@zh-hant .
       kg:ev1 a kgo:Evidence ; oa:hasBody kg:st ; oa:hasTarget kg:ev1-t ; kgo:confidence 1.5, 0.5 .
       kg:ev1-t oa:hasSource kg:src, kg:o1 ; oa:hasSelector kg:ev1-p, kg:ev1-p2 .
       kg:ev1-p a oa:TextPositionSelector ; oa:start 5 ; oa:end 5 .
       kg:ev1-p2 a oa:TextPositionSelector ; oa:start -1 ; oa:end "x" .
       kg:ev2 a kgo:Evidence ; oa:hasTarget kg:ev2-t, kg:ev2-u ; kgo:confidence "high" .
       kg:ev2-t oa:hasSelector kg:ev2-q, kg:ev2-q2 .
       kg:ev2-q a oa:TextQuoteSelector ; oa:exact "   " .
       kg:ev2-q2 a oa:TextQuoteSelector ; oa:exact "" .
       kg:ev2-u oa:hasSource kg:src ; oa:hasSelector kg:ev2-p .
       kg:ev2-p a oa:TextPositionSelector ; oa:start "3"^^xsd:decimal ; oa:end 2 .
       kg:ev3 a kgo:Evidence ; oa:hasBody kg:o1 .
       kg:q3 a oa:TextQuoteSelector .
       kg:fake oa:hasBody kg:m9 .
       kg:m9 a org:Membership ; org:member kg:p9 ; org:role kg:r9 ; org:organization kg:o1 .
       kg:p9 a foaf:Person ; skos:prefLabel "赵六"@zh-hans, "趙六"@zh-hant .
       kg:r9 a org:Role ; skos:prefLabel "局长"@zh-hans, "局長"@zh-hant .
     }""", ["evidence without oa:hasBody (what does it support?)",
            "evidence needs exactly one oa:hasTarget",
            "evidence target needs exactly one oa:hasSource, a kgo:SourceText",
            "evidence target needs exactly one oa:TextPositionSelector (start, end)",
            "evidence target needs exactly one oa:TextQuoteSelector (the quote)",
            "kgo:confidence must be one xsd:decimal in [0, 1]",
            "oa:start must be one xsd:integer >= 0",
            "empty or reversed span: oa:start must be < oa:end",
            "oa:end must be one xsd:integer",
            "quote (oa:exact) missing or empty",
            "a reifier needs exactly one rdf:subject",
            "a reifier needs exactly one rdf:object",
            "a reifier needs exactly one rdf:predicate",
            "fact has no evidence: it must be the oa:hasBody of at least one kgo:Evidence"]),
    ("noise", """
     <https://w3id.org/ccakg/graph/entities> {
       kg:n1 a kgo:Organization ; skos:prefLabel "联系电话:0531-82360063"@zh-hans, "WWW.Example.COM"@zh-hant ;
             skos:altLabel "沪ICP备05039476号-1"@zh-hans, "澳金沙门"@zh-hans, " 返回顶部 "@zh-hans ;
             rdfs:label "Copyright 2018"@en, "15269187106"@zh-hans, "CASINO"@en .
       kg:n2 rdfs:label "版权所有 © 某网站"@zh-hans, "返回顶部"@zh-hans .
       kg:n3 skos:altLabel "mail@example.org"@en, "powered by x"@en, kg:n1 .
     }""", ["name looks like a phone or fax number (web-page boilerplate)",
            "name looks like a URL or e-mail address (web-page boilerplate)",
            "name looks like an ICP / public-security filing number (web-page footer)",
            "name contains gambling spam (web-page boilerplate)",
            "name contains page chrome: copyright line, breadcrumb or site footer",
            "name is web-page boilerplate listed in ontology/noise.txt"]),
]


def _findings(result) -> list[tuple]:
    return [(f.focus, f.focus_iri, f.path, f.message, f.severity, f.value, f.shape) for f in result.violations]


@pytest.mark.parametrize("name, body, expected", CASES, ids=[c[0] for c in CASES])
def test_engines_agree_on_hand_made_violations(tmp_path, name, body, expected):
    graph = tmp_path / "graph.trig"
    graph.write_text(PREFIXES + body, encoding="utf-8")
    reference = validate(graph, engine="pyshacl")
    compiled = validate(graph, engine="sparql")
    assert _findings(compiled) == _findings(reference)
    assert set(expected) <= {f.message for f in compiled.violations}, name
    assert compiled.conforms == reference.conforms


def test_every_constraint_kind_of_the_shapes_is_exercised():
    """The cases above name every message of ontology/shapes.ttl (each property shape fails at least once)."""
    shapes = load_shapes()
    sh = "http://www.w3.org/ns/shacl#"
    from rdflib import URIRef
    messages = {str(m) for m in shapes.objects(None, URIRef(sh + "message"))}
    covered = {m for _, _, expected in CASES for m in expected}
    assert messages == covered


def test_engines_agree_on_the_examples_build(examples_build):
    out, _ = examples_build
    reference = validate(out, engine="pyshacl")
    compiled = validate(out, engine="sparql")
    assert _findings(compiled) == _findings(reference)
    assert compiled.conforms and "quads" in compiled.counts


def test_engines_agree_on_a_broken_examples_build(examples_build, tmp_path):
    """The examples build with its first evidence's quote emptied and a task number removed: same findings."""
    out, _ = examples_build
    text = (out / "graph.trig").read_text(encoding="utf-8")
    broken = tmp_path / "graph.trig"
    quote = text.index("oa:exact ")
    end = text.index('"', text.index('"', quote) + 1)
    text = text[:quote] + 'oa:exact ""' + text[end + 1:]
    broken.write_text(text, encoding="utf-8")
    reference = validate(broken, engine="pyshacl")
    compiled = validate(broken, engine="sparql")
    assert not reference.conforms
    assert _findings(compiled) == _findings(reference)


def test_unsupported_shacl_is_refused():
    shapes = Graph().parse(data=PREFIXES + """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass kgo:Agency ;
            sh:property [ sh:path skos:prefLabel ; sh:hasValue "x" ; sh:message "m" ] .""", format="turtle")
    with pytest.raises(OntologyError, match="hasValue.*--engine pyshacl"):
        compile_shapes(shapes, lambda c: {c})


def test_cli_engine_option_and_progress(examples_build):
    out, _ = examples_build
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(out), "--engine", "sparql"])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout and "quads checked" in result.stdout
    assert "validating:" in result.stderr
    quiet = runner.invoke(cli, ["validate", str(out), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    bad = runner.invoke(cli, ["validate", str(out), "--engine", "shex"])
    assert bad.exit_code == 2
