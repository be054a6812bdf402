"""The README's walk-through, run as written: every ```console block between the walk-through markers is a
command (``$ …``) and the output it must print, on a build of examples/corpus made as the README says."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def walkthrough_blocks() -> list[tuple[str, str]]:
    """(command, expected output) of each console block of the walk-through."""
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- walkthrough:begin -->", 1)[1].split("<!-- walkthrough:end -->", 1)[0]
    blocks = []
    for body in BLOCK.findall(section):
        first, _, output = body.partition("\n")
        assert first.startswith("$ "), f"a console block of the walk-through must open with '$ ': {first!r}"
        blocks.append((first[2:], output))
    return blocks


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip("\n").splitlines()]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder laid out like the checkout (examples/) in which the README's build command has run."""
    work = tmp_path_factory.mktemp("walkthrough")
    (work / "examples").symlink_to(ROOT / "examples")
    build = subprocess.run([sys.executable, "-m", "kg", "build", "examples/corpus", "--out", "example-out", "--quiet"],
                           cwd=work, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    return work


def test_the_walkthrough_has_commands():
    assert len(walkthrough_blocks()) >= 5


@pytest.mark.parametrize("command,expected", walkthrough_blocks(), ids=[c for c, _ in walkthrough_blocks()])
def test_walkthrough_step_prints_what_the_readme_shows(workdir: Path, command: str, expected: str):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(command, shell=True, cwd=workdir, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _lines(done.stdout) == _lines(expected)
