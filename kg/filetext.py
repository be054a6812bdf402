"""The text of PDF and Word (.docx) files: what a build reads, and what evidence offsets point into.

A PDF's text layer is read with pypdf, page by page (pages separated by a blank line). A line that runs to
the margin without ending a sentence is joined to the next one (a PDF breaks lines where the page ends, not
where the sentence does), so names split by the layout are read whole. A .docx gives its paragraphs and
tables in document order: a table row is one line, its cells separated by tabs. The same bytes always give
the same text, so offsets into it stay right when the evidence is shown again.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from extractors.errors import CorpusError

PDF_SUFFIX = ".pdf"
DOCX_SUFFIX = ".docx"
MEDIA_TYPES = {PDF_SUFFIX: "application/pdf",
               DOCX_SUFFIX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
LINE_ENDS = tuple("。！？；：!?;:…」』”）)")
FULL_LINE = 0.8          # a line at least this share of the page's longest line ran to the margin
RE_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def file_text(path: Path, data: bytes) -> str:
    """The text of a .pdf or .docx file's bytes.

    Raises:
        CorpusError: naming ``path``: the file is broken or encrypted, or holds no text (a scanned PDF).
    """
    reader = pdf_text if path.suffix.lower() == PDF_SUFFIX else docx_text
    text = RE_CONTROL.sub("", reader(path, data)).strip()
    if not text:
        raise CorpusError(f"{path}: no text layer (a scanned PDF?); run OCR on it first" if reader is pdf_text
                          else f"{path}: the Word file holds no text")
    return text


def pdf_text(path: Path, data: bytes) -> str:
    """The text layer of every page, pages separated by a blank line."""
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        pdf = pypdf.PdfReader(io.BytesIO(data))
        if pdf.is_encrypted and not pdf.decrypt(""):
            raise CorpusError(f"{path}: the PDF is encrypted with a password; save an unprotected copy")
        return "\n\n".join(join_wrapped_lines(page.extract_text() or "") for page in pdf.pages)
    except CorpusError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as e:
        raise CorpusError(f"{path}: not a readable PDF ({type(e).__name__}: {e})") from e


def join_wrapped_lines(page: str) -> str:
    """Join each line that ran to the margin without a sentence end to the line after it."""
    lines = [line.strip() for line in page.splitlines()]
    longest = max(map(len, lines), default=0)
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        if previous and line and len(previous) >= FULL_LINE * longest and not previous.endswith(LINE_ENDS):
            space = " " if previous[-1].isascii() and line[0].isascii() else ""
            out[-1] = previous + space + line
        else:
            out.append(line)
    return "\n".join(out)


def docx_text(path: Path, data: bytes) -> str:
    """Paragraphs and table rows (cells joined by tabs) in document order."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # zipfile, lxml and python-docx raise many types on damaged files
        raise CorpusError(f"{path}: not a readable Word .docx file ({type(e).__name__}: {e}); "
                          "an encrypted .docx or an old .doc must be saved as a plain .docx first") from e
    return "\n".join(_block_lines(document))


def _block_lines(container) -> list[str]:
    """Lines of the paragraphs and tables of a document body or a table cell, in order."""
    from docx.table import Table

    lines: list[str] = []
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = list(dict.fromkeys(row.cells))     # a merged cell appears once per grid column
                lines.append("\t".join(" ".join(_block_lines(cell)) for cell in cells))
        else:
            lines.append(block.text)
    return lines
