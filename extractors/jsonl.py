"""Reading the extractors' JSONL data files: one object a line, errors naming file and line."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator


def read_jsonl(path: Path, error: type[Exception]) -> Iterator[tuple[dict, str]]:
    """(object, "file:line") for every non-blank, non-comment line; ``error`` names file:line on bad JSON."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                yield json.loads(line), f"{path}:{number}"
            except json.JSONDecodeError as exc:
                raise error(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
