"""Regenerate docs/queries.md from real runs of every saved query on the client corpus (../shared/corpus).

    .venv/bin/python scripts/gen_query_docs.py

Builds the corpus, and a copy in which one statistic is edited (for build-diff), in a temporary folder.
"""
import shlex, shutil, subprocess, sys, tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from kg.cli import render  # noqa: E402
from kg.pipeline import build  # noqa: E402
from kg.saved import list_saved, load_saved, parse_params, run_saved  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
WORK = Path(tempfile.mkdtemp(prefix="ccakg-query-docs-"))
build([CORPUS], WORK / "out", html=False)
EDITED = WORK / "edited"
shutil.copytree(CORPUS, EDITED)
first = sorted(EDITED.glob("000_*.txt"))[0]
first.write_text(first.read_text(encoding="utf-8").replace("403家", "404家"), encoding="utf-8")
build([EDITED], WORK / "edited-out", html=False)
STORE = WORK / "out" / "store"
MOD = WORK / "edited-out" / "store"
LIMIT = 40
QUOTE_COLS = {"quote"}

def cut(v, col):
    if v is None: return v
    s = str(v)
    if col in QUOTE_COLS and len(s) > LIMIT:
        return s[:LIMIT] + "…"
    return s

EXAMPLES = {
    "build-diff": [["--param", "other=out"]],
    "entity-profile": [[], ["--param", "entity=CNCA"]],
    "fact-sentences": [[], ["--param", "entity=孫大偉"]],
    "posts-by-year": [[], ["--param", "person=孫大偉"]],
    "unit-tasks": [["--param", "unit=注冊部"]],
    "co-working-units": [[]],
    "lead-departments": [[]],
}
out = []
w = out.append
w("# Saved queries\n")
w("Generated material: every block below is a command and what it printed on the client's corpus "
  "(`ccakg build ../shared/corpus --out out`), except that quoted evidence sentences (the `quote` column) "
  "are cut to 40 characters here (marked `…`). The queries live in `ontology/queries/*.rq`; each starts with "
  "`# title:`, `# answers:` and one `# params:` line per parameter (`name=description (default)`).\n")
w("```bash\nccakg queries                                   # list them, with their parameters\n"
  "ccakg query out --saved NAME [--param key=value …] [--format table|csv|tsv|json]\n```\n")
w("Parameters are `$name` placeholders in the query text. A value is converted to Simplified Chinese and "
  "inserted as an escaped SPARQL string literal (integers are checked to be integers), so names may be typed "
  "in either script and user text never becomes SPARQL. An unknown or missing parameter is an error that names "
  "the query's parameters. (`ccakg query --file ontology/queries/NAME.rq` would leave each `$name` an unbound SPARQL variable: use `--saved`.) A text's *year* (posts-by-year, initiatives-across-years) is its own publication date, "
  "else the latest document or meeting date the text states (texts 000 and 003: 2018; 001 and 004: 2017; 002: 2013).\n")
w("| query | title |\n|---|---|")
for s in list_saved():
    w(f"| [`{s.name}`](#{s.name}) | {s.title} |")
w("")
for s in list_saved():
    w(f"## {s.name}\n")
    w(f"**{s.title}.** {s.answers}\n")
    if s.params:
        w("Parameters: " + "; ".join(f"`{p.name}` — {p.describe().split(': ',1)[1]}" for p in s.params) + ".\n")
    if s.notes:
        w(" ".join(s.notes) + "\n")
    for extra in EXAMPLES.get(s.name, [[]]):
        params = parse_params([extra[i+1] for i in range(0, len(extra), 2)])
        store = STORE
        cmd = ["ccakg", "query", "out", "--saved", s.name] + extra
        if s.name == "build-diff":
            store = MOD
            params = {"other": str(STORE)}
            cmd = ["ccakg", "query", "edited-out", "--saved", s.name, "--param", "other=out"]
            w("Here `edited-out` is a build of a copy of the corpus in which text 000 says 认证机构**404**家 "
              "instead of 403家; `out` is the build of the corpus as delivered. `+` rows are only in `edited-out`, "
              "`-` rows only in `other`. A build compared with itself prints `(0 rows)`.\n")
        columns, rows, _ = run_saved(load_saved(s.name), store, params)
        rows = [tuple(cut(v, c) for v, c in zip(r, columns)) for r in rows]
        w("```")
        w("$ " + " ".join(shlex.quote(c) for c in cmd))
        w(render(columns, rows, "table").rstrip("\n"))
        w("```\n")
w("## Looking an entity up by name\n")
w("`ccakg lookup out NAME [--limit 10] [--format table|json]` matches NAME — whole, its start or any part, in "
  "Simplified or Traditional, English in any case, or the pinyin initials of a Chinese name — against every "
  "`skos:prefLabel`, `skos:altLabel` and `rdfs:label`, and prints, the obvious entity first, each entity's IRI, type, "
  "prefLabels in zh-Hans / zh-Hant / en, all altLabels, the name that matched and how, and its evidence. It exits "
  "with 1 when nothing matches. `國家認監委`, `认监委`, `CNCA` and `gjrjw` reach the same entity first:\n")
for name in ["國家認監委", "CNCA", "认监委", "gjrjw"]:
    r = subprocess.run([sys.executable, "-m", "kg", "lookup", str(WORK / "out"), name, "--limit", "1"],
                       capture_output=True, text=True)
    w("```")
    w(f"$ ccakg lookup out {name} --limit 1")
    w(r.stdout.rstrip("\n"))
    w("```\n")
(REPO / "docs").mkdir(exist_ok=True)
(REPO / "docs" / "queries.md").write_text("\n".join(out) + "\n", encoding="utf-8")
shutil.rmtree(WORK, ignore_errors=True)
