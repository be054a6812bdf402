"""Read corpus files: find them, decode them (UTF-8, GB18030, Big5) and wrap them as Documents."""
from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Iterable, Iterator

from extractors.errors import CorpusError
from kg.filetext import MEDIA_TYPES, file_text
from kg.model import Document

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")
HTML_SUFFIXES = (".html", ".htm")
UTF8_BOM = b"\xef\xbb\xbf"
WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")   # UTF-16 LE/BE, UTF-32 BE (LE starts ff fe)
# Legacy encodings, best first on a tie; cp950 is Microsoft's Big5 with extensions.
LEGACY_ENCODINGS = ("gb18030", "big5", "cp950")
# Frequent characters of Chinese policy and news text, both scripts. Decoding Big5 bytes as GB18030
# (or the reverse) yields rare characters instead, so the right codec hits many more of these.
COMMON_CHARS = frozenset(
    "的一是不了人在有我他这个们中来上大为和国地到以说时要就出会也对生能而子那得于着下自之年过发后作里"
    "用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心本前开但因只从想"
    "实日者意无力与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应向头文体政"
    "相见被利什二等产或新己制身果加月话合回特代内信表化老给世位次度门任常先海通教原东声提立及比员解水"
    "名真论处走义各入几口认条平系气题活更别打变四总何电数安少报才结反受目太量再感建务做接必场件计管期"
    "市直资命金指许统区保至队形社便空决治质标准监检验证服级院委局司"
    "這個們來為國說時會對發後過與長機現當經動還進樣從實無頭體產見問間開門點業將兩義認條電數報結務場計"
    "統區關於請應讓質標準監檢驗證級"
)
SCORE_SAMPLE = 20_000   # characters; enough to tell the codecs apart, fast on big files
RE_HTML_START = re.compile(r"\s*(?:<!doctype\s+html|<html[\s>])", re.I)


def iter_corpus_files(paths: Iterable[Path | str]) -> list[Path]:
    """Corpus files under ``paths`` (files, or directories searched recursively), sorted, unique.

    Raises:
        CorpusError: a path does not exist, or a file named explicitly has an unsupported suffix.
    """
    paths = list(map(Path, paths))
    found, left_out = scan_corpus(paths)
    named = {str(p) for p in paths}
    for skipped in left_out:
        if skipped["path"] in named:
            raise CorpusError(skipped["reason"])
    return found


def scan_corpus(paths: Iterable[Path | str]) -> tuple[list[Path], list[dict]]:
    """Corpus files under ``paths`` (sorted, unique), and the files of an unsupported type, each with its reason.

    Folders are searched recursively; hidden files and folders (``.git``, ``.DS_Store``) are passed over.

    Raises:
        CorpusError: a path does not exist.
    """
    found: set[Path] = set()
    unsupported: set[Path] = set()
    for path in map(Path, paths):
        if not path.exists():
            raise CorpusError(f"{path}: no such file or directory")
        for file in _walk(path) if path.is_dir() else [path]:
            (found if file.suffix.lower() in SUFFIXES else unsupported).add(file)
    expected = ", ".join(SUFFIXES)
    left_out = [{"path": str(p), "kind": "unsupported",
                 "reason": f"{p}: unsupported file type {p.suffix!r}; expected one of {expected}"}
                for p in sorted(unsupported)]
    return sorted(found), left_out


def corpus_ids(paths: Iterable[Path | str], roots: Iterable[Path | str] = ()) -> tuple[dict[Path, str], list[dict]]:
    """Each corpus file under ``paths`` with its document id, and the files left out as duplicates.

    A document's id is its path relative to the corpus root without the suffix: ``a/x.txt`` → ``a/x``,
    so ``a/x.txt``, ``b/x.txt`` and ``x.html`` are three documents. The root of a file is the folder
    given on the command line that holds it, else one of ``roots`` (the folders of earlier builds)
    that holds it, else its own folder. Of two files of one folder with the same stem (``x.txt`` and
    ``x.html``) the first in :data:`SUFFIXES` order keeps the stem, the others keep their suffix too
    (``x.html``). A file whose id another file of this run already has is listed as skipped, and so is
    a file of an unsupported type (named, or found in a folder).

    Raises:
        CorpusError: a path does not exist.
    """
    paths = [Path(p) for p in paths]
    folders = [_absolute(p) for p in paths if p.is_dir()] + [_absolute(r) for r in roots]
    ids: dict[Path, str] = {}
    owners: dict[str, Path] = {}
    files, skipped = scan_corpus(paths)
    for path in files:
        doc_id = _doc_id(path, folders)
        if doc_id in owners:
            skipped.append({"path": str(path), "kind": "duplicate",
                            "reason": f"{path}: same document id {doc_id!r} as {owners[doc_id]} "
                                      f"(build their common folder to tell them apart)"})
            continue
        owners[doc_id] = path
        ids[path] = doc_id
    return dict(sorted(ids.items())), skipped


def _absolute(path: Path | str) -> Path:
    """Absolute and normalised, but symlinks kept (a corpus may be a link to elsewhere)."""
    return Path(os.path.abspath(path))


def _doc_id(path: Path, folders: list[Path]) -> str:
    full = _absolute(path)
    root = next((f for f in folders if full.is_relative_to(f)), full.parent)
    relative = full.relative_to(root)
    suffix = path.suffix.lower()
    before = SUFFIXES[:SUFFIXES.index(suffix)] if suffix in SUFFIXES else SUFFIXES
    keeps_stem = not any(path.with_suffix(s).is_file() for s in before)
    return (relative.with_suffix("") if keeps_stem else relative).as_posix()


def _walk(directory: Path) -> Iterator[Path]:
    """Files below ``directory``, skipping hidden files and folders."""
    for path in directory.rglob("*"):
        hidden = any(part.startswith(".") for part in path.relative_to(directory).parts)
        if not hidden and path.is_file():
            yield path


def read_document(path: Path | str, doc_id: str | None = None, data: bytes | None = None) -> Document:
    """Read, hash and decode one corpus file (its id: ``doc_id``, by default the file name's stem).

    A PDF or .docx file's text is its extracted text (:mod:`kg.filetext`); its ``encoding`` says so.
    ``data``: the file's bytes, read elsewhere (a Dask worker that does not see ``path``); ``path`` names it.

    Raises:
        CorpusError: the file cannot be read, is empty, is binary (NUL bytes) or cannot be decoded; a PDF
            or .docx file is broken, encrypted or holds no text.
    """
    path = Path(path)
    try:
        data = path.read_bytes() if data is None else data
    except OSError as e:
        raise CorpusError(f"{path}: cannot read: {e.strerror or e}") from e
    suffix = path.suffix.lower()
    if suffix in MEDIA_TYPES:
        text, encoding = file_text(path, data), f"{suffix[1:]} text"
    else:
        text, encoding = decode(data, path=path)
    return Document(
        doc_id=doc_id or path.stem,
        path=str(path),
        raw_text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        media_type=_media_type(path, text),
    )


def read_corpus(paths: Iterable[Path | str]) -> Iterator[Document | CorpusError]:
    """Documents of every corpus file under ``paths``; an unreadable file yields its CorpusError.

    Raises:
        CorpusError: a given path does not exist (nothing is read then).
    """
    for path in iter_corpus_files(paths):
        try:
            yield read_document(path)
        except CorpusError as e:
            log.warning("%s", e)
            yield e


def decode(data: bytes, *, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode ``data`` as UTF-8 (with or without BOM), else GB18030 or Big5, whichever reads better.

    Returns:
        The text and the Python codec name that decodes ``data`` to exactly that text.
    Raises:
        CorpusError: naming ``path``, when the data is empty, binary, UTF-16/32 or in none of those encodings.
    """
    if not data.strip():
        raise CorpusError(f"{path}: file is empty (no bytes or only blanks)")
    if data.startswith(WIDE_BOMS):
        raise CorpusError(f"{path}: starts with a UTF-16/UTF-32 byte-order mark; save it as UTF-8, GB18030 or Big5")
    if b"\x00" in data:
        raise CorpusError(
            f"{path}: contains NUL bytes at offset {data.index(0)}: a binary file or UTF-16/32 text; "
            "save it as UTF-8, GB18030 or Big5"
        )
    if data.startswith(UTF8_BOM):
        return _strict(data, "utf-8-sig", path), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    candidates = [(text, name) for name in LEGACY_ENCODINGS if (text := _try(data, name)) is not None]
    if not candidates:
        raise CorpusError(
            f"{path}: cannot decode as UTF-8 (byte {utf8_error.start}: {utf8_error.reason}), GB18030 or Big5"
        )
    return max(candidates, key=lambda c: _common_score(c[0]))   # max keeps the first on a tie


def _strict(data: bytes, encoding: str, path: Path | str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path}: starts with a UTF-8 BOM but is not UTF-8 (byte {e.start}: {e.reason})") from e


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _common_score(text: str) -> int:
    """How many of the first ``SCORE_SAMPLE`` characters of ``text`` are frequent Chinese characters."""
    return sum(map(COMMON_CHARS.__contains__, text[:SCORE_SAMPLE]))


def _media_type(path: Path, text: str) -> str:
    if path.suffix.lower() in MEDIA_TYPES:
        return MEDIA_TYPES[path.suffix.lower()]
    if path.suffix.lower() in HTML_SUFFIXES or RE_HTML_START.match(text):
        return "text/html"
    return "text/plain"


RE_SENTENCE_END = re.compile(r"[。!?;!?;\n]")


def sentence_bounds(raw: str, start: int, end: int, *, reach: int = 2000) -> tuple[int, int]:
    """[left, right) of the sentence holding raw[start:end], looking at most ``reach`` characters each way."""
    window = max(0, start - reach)
    left = max((m.end() for m in RE_SENTENCE_END.finditer(raw, window, start)), default=window)
    right = RE_SENTENCE_END.search(raw, end, end + reach)
    return left, right.end() if right else min(len(raw), end + reach)


class SourceTexts:
    """Source files named by evidence, each read once (None when a file is gone or unreadable)."""

    def __init__(self) -> None:
        self._documents: dict[str, Document | None] = {}

    def get(self, path: str) -> Document | None:
        if not path:
            return None
        if path not in self._documents:
            try:
                self._documents[path] = read_document(Path(path))
            except (CorpusError, OSError, ValueError):
                self._documents[path] = None
        return self._documents[path]
