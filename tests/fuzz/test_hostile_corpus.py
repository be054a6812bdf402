"""A seeded generator of hostile corpora: encodings, binary, giant lines, deep HTML, odd names, duplicates,
files that vanish. Each builds with no traceback, every file is either in the store or listed as skipped
with its reason, and nothing built before is lost (issue 13)."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import pipeline
from kg.cli import cli
from kg.namespaces import doc_id_of

SENTENCES = ["国家认监委副主任石牧原出席会议并讲话。", "市场监管总局局长柯听澜主持召开座谈会。",
             "截至2030年底,全省共有检验检测机构1250家,比上年增长3%。", "推进强制性产品认证(CCC)目录动态调整。",
             "到2035年,基本建成适应高质量发展要求的认证认可制度体系。", "版权所有 ©2030 示例网 京ICP备00000000号"]
ODD = [" ", '"', "<", ">", "{", "}", "|", "^", "\\", "\t", "\n", "%", "#", "?", "　", "'", "&", "[", "]"]


def text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SENTENCES) + rng.choice(["", "\n", "\r\n", " "]) for _ in range(n))


def name(rng: random.Random, i: int) -> str:
    return f"{rng.choice(['文件', 'doc', '通知'])}{rng.choice(ODD)}{i}{rng.choice(ODD)}x"


def hostile_corpus(folder: Path, seed: int) -> None:
    """About 30 files of every kind that has broken a build, in nested folders."""
    rng = random.Random(seed)
    for i in range(30):
        sub = folder / rng.choice(["", "a", "b/c", "深 层"])
        sub.mkdir(parents=True, exist_ok=True)
        kind = rng.choice(["utf8", "gb18030", "big5", "utf16", "binary", "empty", "giant", "html", "deep", "dup"])
        body = text(rng, rng.randint(1, 12))
        stem = name(rng, i)
        if kind == "utf8":
            (sub / f"{stem}.txt").write_text(body, encoding="utf-8")
        elif kind == "gb18030":
            (sub / f"{stem}.txt").write_bytes(body.encode("gb18030"))
        elif kind == "big5":
            (sub / f"{stem}.txt").write_bytes("國家認監委副主任出席會議。認證認可工作。".encode("big5"))
        elif kind == "utf16":
            (sub / f"{stem}.txt").write_bytes(body.encode("utf-16"))
        elif kind == "binary":
            (sub / f"{stem}.txt").write_bytes(bytes(rng.randrange(256) for _ in range(2000)) + b"\x00")
        elif kind == "empty":
            (sub / f"{stem}.txt").write_bytes(rng.choice([b"", b"   \n\t "]))
        elif kind == "giant":
            (sub / f"{stem}.txt").write_text(text(rng, 800).replace("\n", ""), encoding="utf-8")   # one long line
        elif kind == "html":
            (sub / f"{stem}.html").write_text(f"<html><body><div>{body}</div><script>x<y</script>", encoding="utf-8")
        elif kind == "deep":
            depth = rng.randint(200, 2000)
            (sub / f"{stem}.htm").write_text("<div>" * depth + body + "</div>" * depth, encoding="utf-8")
        else:   # the same stem as .txt and .html, and the same name in another folder
            (sub / f"{stem}.txt").write_text(body, encoding="utf-8")
            (sub / f"{stem}.html").write_text(f"<p>{body}</p>", encoding="utf-8")
            other = folder / "dup"
            other.mkdir(exist_ok=True)
            (other / f"{stem}.txt").write_text(body, encoding="utf-8")


def stored(out: Path) -> set[str]:
    store = ox.Store.read_only(str(out / "store"))
    return {doc_id_of(g.value) for g in store.named_graphs() if "/graph/doc/" in g.value}


@pytest.mark.parametrize("seed", [13, 2026])
def test_hostile_corpus_builds_and_accounts_for_every_file(tmp_path: Path, seed: int, monkeypatch) -> None:
    out = tmp_path / "out"
    before = tmp_path / "before"
    before.mkdir()
    (before / "earlier.txt").write_text(SENTENCES[0], encoding="utf-8")
    assert CliRunner().invoke(cli, ["build", str(before), "--out", str(out), "--quiet", "--no-html"]).exit_code == 0

    corpus = tmp_path / "corpus"
    hostile_corpus(corpus, seed)
    vanishing = corpus / "gone.txt"
    vanishing.write_text(SENTENCES[1], encoding="utf-8")
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".txt", ".html", ".htm"))
    listed = pipeline.corpus_ids

    def list_then_delete(*args, **kwargs):   # the file is listed, then gone before it is read
        found = listed(*args, **kwargs)
        vanishing.unlink()
        return found

    monkeypatch.setattr(pipeline, "corpus_ids", list_then_delete)
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output and result.exit_code == 0, result.output

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    built = {d["path"]: d["doc_id"] for d in report["documents"]}
    skipped = {s["path"]: s["reason"] for s in report["skipped"]}
    assert set(built) | set(skipped) == {str(p) for p in files}   # every file accounted for
    assert not set(built) & set(skipped) and all(skipped.values())
    assert "cannot read" in skipped[str(vanishing)]
    assert stored(out) == set(built.values()) | {"earlier"}        # what the report says is what is stored
    assert report["texts_in_store"] == len(built) + 1

