"""Tests of kg.documents: finding corpus files, decoding them, and the errors they raise."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kg.documents import decode, iter_corpus_files, read_corpus, read_document
from extractors.errors import CorpusError

from tests.conftest import CORPUS, EXAMPLES, require_shared
SIMPLIFIED = "国家认监委发布2017年认证认可工作要点,部署质量提升行动。\n"
TRADITIONAL = "國家認監委發布2017年認證認可工作要點,部署質量提升行動。\n"


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("text", "codec", "expected_encoding"),
    [
        (SIMPLIFIED, "utf-8", "utf-8"),
        (TRADITIONAL, "utf-8", "utf-8"),
        (SIMPLIFIED, "utf-8-sig", "utf-8-sig"),
        (SIMPLIFIED, "gbk", "gb18030"),
        (TRADITIONAL, "gbk", "gb18030"),
        (SIMPLIFIED, "gb18030", "gb18030"),
        (TRADITIONAL, "big5", "big5"),
        ("認證機構\n", "big5", "big5"),
        ("会议召开\n", "gbk", "gb18030"),
        ("plain ASCII text\n", "ascii", "utf-8"),
    ],
)
def test_read_document_detects_encoding(tmp_path: Path, text: str, codec: str, expected_encoding: str) -> None:
    data = text.encode(codec)
    path = write(tmp_path / "doc_01.txt", data)
    document = read_document(path)
    assert document.raw_text == text
    assert document.encoding == expected_encoding
    assert data.decode(document.encoding) == document.raw_text
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.doc_id == "doc_01"
    assert document.path == str(path)
    assert document.media_type == "text/plain"


@pytest.mark.parametrize(
    ("name", "text", "media_type"),
    [
        ("page.html", "<p>认证</p>", "text/html"),
        ("page.htm", "<p>认证</p>", "text/html"),
        ("page.txt", "<!DOCTYPE html>\n<html><body>认证</body></html>", "text/html"),
        ("page.txt", "  <html lang='zh'><body>认证</body></html>", "text/html"),
        ("page.txt", "认证 <html> 不是网页开头", "text/plain"),
    ],
)
def test_read_document_media_type(tmp_path: Path, name: str, text: str, media_type: str) -> None:
    document = read_document(write(tmp_path / name, text.encode("utf-8")))
    assert document.media_type == media_type
    assert document.raw_text == text   # markup is kept: offsets point into it


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b" \n\t\n", "file is empty"),
        ("认证".encode("utf-16"), "UTF-16/UTF-32 byte-order mark"),
        ("ISO".encode("utf-16-le"), "NUL bytes"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL bytes"),
        (b"\xff\xff\xff\xff", "cannot decode as UTF-8"),
        (b"\xef\xbb\xbf\xff\xfe", "UTF-8 BOM but is not UTF-8"),
    ],
)
def test_read_document_rejects_bad_file(tmp_path: Path, data: bytes, message: str) -> None:
    path = write(tmp_path / "bad.txt", data)
    with pytest.raises(CorpusError, match=message) as excinfo:
        read_document(path)
    assert str(excinfo.value).startswith(f"{path}: ")


def test_read_document_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="cannot read"):
        read_document(tmp_path / "missing.txt")


def test_decode_prefers_the_codec_with_common_characters() -> None:
    data = TRADITIONAL.encode("big5")
    assert data.decode("gb18030") != TRADITIONAL   # both decode strictly; only one reads as Chinese
    assert decode(data) == (TRADITIONAL, "big5")


def test_iter_corpus_files_reads_directories_recursively(tmp_path: Path) -> None:
    files = [
        write(tmp_path / "b.txt", b"x"),
        write(tmp_path / "a" / "c.html", b"x"),
        write(tmp_path / "a" / "deep" / "d.htm", b"x"),
        write(tmp_path / "a" / "e.TXT", b"x"),
    ]
    write(tmp_path / "a" / "notes.md", b"x")
    write(tmp_path / ".hidden" / "f.txt", b"x")
    write(tmp_path / "a" / ".g.txt", b"x")
    assert iter_corpus_files([tmp_path]) == sorted(files)


def test_iter_corpus_files_merges_files_and_directories(tmp_path: Path) -> None:
    one = write(tmp_path / "d" / "one.txt", b"x")
    two = write(tmp_path / "two.html", b"x")
    assert iter_corpus_files([two, tmp_path / "d", one]) == sorted([one, two])


def test_iter_corpus_files_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(CorpusError, match="no such file or directory") as excinfo:
        iter_corpus_files([missing])
    assert str(missing) in str(excinfo.value)


def test_iter_corpus_files_unsupported_file(tmp_path: Path) -> None:
    path = write(tmp_path / "table.csv", b"x")
    with pytest.raises(CorpusError, match=r"unsupported file type '\.csv'; expected one of \.txt, \.html, \.htm"):
        iter_corpus_files([path])


def test_read_corpus_yields_errors_in_place(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", SIMPLIFIED.encode("gbk"))
    write(tmp_path / "b.txt", b"\x00\x01")
    write(tmp_path / "c.txt", TRADITIONAL.encode("big5"))
    results = list(read_corpus([tmp_path]))
    assert [type(r).__name__ for r in results] == ["Document", "CorpusError", "Document"]
    assert [r.encoding for r in results if not isinstance(r, CorpusError)] == ["gb18030", "big5"]
    assert "b.txt" in str(results[1])


def test_read_corpus_example_corpus() -> None:
    documents = {d.doc_id: d for d in read_corpus([EXAMPLES])}
    assert sorted(documents) == ["2019-conference", "notice-gbk", "opinion-tw", "work-points",
                                 "world-accreditation-day"]
    assert documents["notice-gbk"].encoding == "gb18030" and "强制性产品认证" in documents["notice-gbk"].raw_text
    assert documents["world-accreditation-day"].media_type == "text/html"


def test_read_corpus_shared_corpus() -> None:
    require_shared()
    documents = list(read_corpus([CORPUS]))
    assert [d.doc_id[:3] for d in documents] == ["000", "001", "002", "003", "004"]
    assert {d.encoding for d in documents} == {"utf-8"}
    assert all(d.media_type == "text/plain" and d.raw_text for d in documents)
