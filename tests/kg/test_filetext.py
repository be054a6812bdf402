"""PDF and Word input: real files made with reportlab and python-docx, read by kg.filetext and built by ccakg."""
from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pyoxigraph as ox
import pypdf
import pytest
from click.testing import CliRunner
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extractors.errors import CorpusError
from kg.cli import cli
from kg.documents import read_document
from kg.filetext import file_text, join_wrapped_lines

FONT = "STSong-Light"          # a CID font every PDF reader knows, no font file needed
PDF_LINES = ["认证认可工作座谈会在京召开",
             "2030年3月2日，认证认可工作座谈会在京召开。国家认证认可监督管",   # runs to the margin, mid-name
             "理委员会副主任石牧原出席会议并讲话。",
             "推进强制性产品认证(CCC)目录动态调整。"]
TABLE = [["序号", "任务", "牵头单位"], ["1", "推进强制性产品认证(CCC)目录动态调整", "认证监管部"]]


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF with a text layer: each page's lines drawn one under the other."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for lines in pages:
        pdf.setFont(FONT, 12)
        for i, line in enumerate(lines):
            pdf.drawString(40, 780 - 22 * i, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A page with only drawn shapes, as a scanner's image page: no text layer."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(50, 50, 300, 300, fill=1)
    pdf.save()
    return buffer.getvalue()


def encrypted_pdf_bytes() -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf_bytes([PDF_LINES])))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    """A paragraph, a table, a paragraph."""
    document = docx.Document()
    document.add_paragraph("关于印发2030年认证认可工作要点的通知")
    document.add_paragraph("国家认监委副主任石牧原出席会议并讲话。")
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for i, row in enumerate(TABLE):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    document.add_paragraph("到2035年,基本建成适应高质量发展要求的认证认可制度体系。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_pdf_text_reads_chinese_and_joins_lines_wrapped_at_the_margin() -> None:
    text = file_text(Path("plan.pdf"), pdf_bytes([PDF_LINES, ["第二页：认证认可工作要点。"]]))
    assert text.splitlines() == [PDF_LINES[0], PDF_LINES[1] + PDF_LINES[2], PDF_LINES[3], "", "第二页：认证认可工作要点。"]
    assert "国家认证认可监督管理委员会" in text


def test_join_wrapped_lines_keeps_short_lines_and_sentence_ends() -> None:
    assert join_wrapped_lines("标题\n一行写到页边没有句号的长长长长\n接着写完。\n下一句到页边也结束了。\n新段") == \
        "标题\n一行写到页边没有句号的长长长长接着写完。\n下一句到页边也结束了。\n新段"
    assert join_wrapped_lines("quality certification of\nproducts") == "quality certification of products"


def test_docx_text_gives_paragraphs_and_table_rows_in_order() -> None:
    assert file_text(Path("points.docx"), docx_bytes()).splitlines() == [
        "关于印发2030年认证认可工作要点的通知", "国家认监委副主任石牧原出席会议并讲话。",
        "\t".join(TABLE[0]), "\t".join(TABLE[1]), "到2035年,基本建成适应高质量发展要求的认证认可制度体系。"]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("scan.pdf", scanned_pdf_bytes(), r"scan\.pdf: no text layer \(a scanned PDF\?\)"),
    ("locked.pdf", encrypted_pdf_bytes(), r"locked\.pdf: the PDF is encrypted with a password"),
    ("cut.pdf", pdf_bytes([PDF_LINES])[:300], r"cut\.pdf: not a readable PDF"),
    ("junk.pdf", b"not a pdf at all", r"junk\.pdf: not a readable PDF"),
    ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), r"old\.docx: not a readable Word \.docx file"),
    ("cut.docx", docx_bytes()[:2000], r"cut\.docx: not a readable Word \.docx file"),
])
def test_unreadable_pdf_and_docx_files_are_clear_errors_naming_the_file(tmp_path: Path, name: str, data: bytes,
                                                                       message: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(CorpusError, match=message):
        read_document(tmp_path / name)


def test_read_document_of_a_pdf_and_a_docx(tmp_path: Path) -> None:
    (tmp_path / "plan.pdf").write_bytes(pdf_bytes([PDF_LINES]))
    (tmp_path / "points.docx").write_bytes(docx_bytes())
    pdf, word = read_document(tmp_path / "plan.pdf"), read_document(tmp_path / "points.docx")
    assert (pdf.media_type, pdf.encoding, pdf.doc_id) == ("application/pdf", "pdf text", "plan")
    assert word.media_type.endswith("wordprocessingml.document") and word.encoding == "docx text"
    assert "石牧原" in pdf.raw_text and "认证监管部" in word.raw_text


@pytest.fixture(scope="module")
def office_build(tmp_path_factory):
    """A build of a Chinese text-layer PDF, a scanned PDF, a .docx with a table and a spreadsheet."""
    root = tmp_path_factory.mktemp("office")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "plan.pdf").write_bytes(pdf_bytes([PDF_LINES]))
    (corpus / "scan.pdf").write_bytes(scanned_pdf_bytes())
    (corpus / "points.docx").write_bytes(docx_bytes())
    (corpus / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    out = root / "out"
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out), "--no-html"])
    return corpus, out, result


def test_build_reads_pdf_and_docx_and_lists_every_skipped_file(office_build) -> None:
    corpus, out, result = office_build
    assert result.exit_code == 0, result.output
    assert f"{corpus / 'scan.pdf'}: no text layer (a scanned PDF?)" in result.stderr
    assert f"{corpus / 'sheet.xlsx'}: unsupported file type '.xlsx'" in result.stderr
    assert "2 files skipped (1 unreadable, 1 unsupported)" in result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert sorted(d["doc_id"] for d in report["documents"]) == ["plan", "points"]
    assert report["documents_skipped"] == 2
    assert {(Path(s["path"]).name, s["kind"]) for s in report["skipped"]} == {("scan.pdf", "unreadable"),
                                                                           ("sheet.xlsx", "unsupported")}


EVIDENCE = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX kgo: <https://w3id.org/ccakg/ontology#>
SELECT DISTINCT ?path ?start ?end ?quote WHERE { ?t oa:hasSource ?src ; oa:hasSelector ?p, ?q .
  ?src kgo:sourcePath ?path . ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?quote }"""
NAMES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?name WHERE { ?e skos:prefLabel ?name FILTER(lang(?name) = "zh-hans") }"""


def test_entities_of_pdf_and_docx_with_evidence_offsets_into_the_extracted_text(office_build) -> None:
    corpus, out, _ = office_build
    store = ox.Store.read_only(str(out / "store"))
    names = {row["name"].value for row in store.query(NAMES, use_default_graph_as_union=True)}
    assert {"石牧原", "国家认证认可监督管理委员会", "强制性产品认证", "关于印发2030年认证认可工作要点的通知"} <= names
    rows = list(store.query(EVIDENCE, use_default_graph_as_union=True))
    by_file = {Path(row["path"].value).name for row in rows}
    assert by_file == {"plan.pdf", "points.docx"}
    texts = {name: read_document(corpus / name).raw_text for name in by_file}
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert texts[Path(row["path"].value).name][start:end] == row["quote"].value


def test_a_build_of_pdf_and_docx_validates(office_build) -> None:
    _, out, _ = office_build
    result = CliRunner().invoke(cli, ["validate", str(out), "--quiet"])
    assert result.exit_code == 0, result.output


def test_why_shows_the_sentence_of_a_pdf(office_build) -> None:
    _, out, _ = office_build
    result = CliRunner().invoke(cli, ["why", "石牧原", "--store", str(out / "store")])
    assert result.exit_code == 0, result.output
    assert "plan.pdf" in result.output and "points.docx" in result.output
    assert "国家认证认可监督管理委员会副主任石牧原出席会议并讲话。" in result.output


def test_add_takes_a_pdf_into_a_build(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("市场监管总局局长柯听澜主持召开座谈会。", encoding="utf-8")
    (corpus / "plan.pdf").write_bytes(pdf_bytes([PDF_LINES]))
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["build", str(corpus / "a.txt"), "--out", str(out), "-q", "--no-html"]).exit_code == 0
    result = CliRunner().invoke(cli, ["add", str(corpus / "plan.pdf"), "--out", str(out), "-q", "--no-html"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["texts_in_store"] == 2 and report["documents"][0]["doc_id"] == "plan"
