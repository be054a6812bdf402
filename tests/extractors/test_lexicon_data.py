"""Meta-tests that keep the dictionary data honest (extractors/data/lexicons/*.jsonl, surnames.txt)."""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import opencc
import pytest

from tests.conftest import GOLD as GOLD_DIR, require_shared

DATA_DIR = Path(__file__).resolve().parents[2] / "extractors" / "data"
LEXICON_DIR = DATA_DIR / "lexicons"
T2S = opencc.OpenCC("t2s")

FILE_TYPES = {
    "agency.jsonl": "Agency",
    "department.jsonl": "Department",
    "organization.jsonl": "Organization",
    "person.jsonl": "Person",
    "role.jsonl": "Role",
    "initiative.jsonl": "Initiative",
    "certification_scheme.jsonl": "CertificationScheme",
    "sector.jsonl": "Sector",
    "region.jsonl": "Region",
    "meeting.jsonl": "Meeting",
    "document.jsonl": "PolicyDocument",
}
ID_PREFIX = {"Agency": "agency", "Department": "dept", "Organization": "org", "Person": "person", "Role": "role",
             "Initiative": "init", "CertificationScheme": "scheme", "Sector": "sector", "Region": "region",
             "Meeting": "meeting", "PolicyDocument": "doc"}
RE_ID = re.compile(r"^[a-z]+:[a-z0-9-]+$")
RE_HAN = re.compile(r"[\u4e00-\u9fff]")
KNOWN_KEYS = {"id", "type", "name", "aliases", "weak_aliases", "en", "en_aliases", "parent", "later_parent", "part_of",
              "region", "administered_by", "level", "active", "weak_name", "guards", "posts", "default_org", "first_year", "annual_date",
              "recurring", "year", "date", "doc_number", "issuer", "note"}
REFERENCE_KEYS = ("parent", "later_parent", "administered_by", "part_of", "region", "default_org", "issuer")
# gold types whose entities the dictionaries must cover
DICTIONARY_TYPES = {"Agency", "Department", "Organization", "Person", "Initiative", "CertificationScheme",
                    "PolicyDocument", "Meeting", "Sector", "Region"}
# gold documents that are titles rather than standing documents: the 《…》 rule finds them
NOT_LEXICON_DOCUMENTS = {
    "把握新时代机遇 推动高质量发展 开启认证认可事业发展新征程",
    "沿着中国特色质检工作之路,全面推进认证认可事业创新发展",
}
# gold mentions deliberately not listed as forms of their entry (reason in extractors/data/README.md)
OMITTED_MENTIONS: set[tuple[str, str]] = set()
# forms that would match inside too many unrelated words to be a strong alias of anything
FORBIDDEN_STRONG = {"认证", "认可", "质量", "全国", "国家", "中心", "协会", "中央", "政府", "部门", "委员会", "办公室",
                    "办公厅", "研究所", "研究院", "总局", "规划", "意见", "示范区", "公司", "集团", "检验检测", "标准",
                    "计量", "监管", "检测", "检验", "管理", "服务", "产品", "机构", "行业", "领域", "中国共产党"}
# a form may name entries of different types only when listed here: {form: {types}}
CROSS_TYPE_ALLOWED: dict[str, set[str]] = {}
# a strong form may name two entries of one type only when listed here
SHARED_STRONG_ALLOWED: set[str] = set()


def norm(text: str) -> str:
    """Compare strings the way the scorer does: Traditional → Simplified, then NFKC."""
    return unicodedata.normalize("NFKC", T2S.convert(str(text))).strip()


@lru_cache(maxsize=1)
def load_entries() -> tuple[tuple[str, int, dict], ...]:
    rows = []
    for file_name in FILE_TYPES:
        path = LEXICON_DIR / file_name
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    rows.append((file_name, number, json.loads(line)))
    return tuple(rows)


def entries() -> list[dict]:
    return [obj for _, _, obj in load_entries()]


def strong_forms(entry: dict) -> list[str]:
    names = [] if entry.get("weak_name") else [entry["name"]]
    return names + list(entry.get("aliases", []))


def weak_forms(entry: dict) -> list[str]:
    return ([entry["name"]] if entry.get("weak_name") else []) + list(entry.get("weak_aliases", []))


def all_forms(entry: dict) -> list[str]:
    return [entry["name"], *entry.get("aliases", []), *entry.get("weak_aliases", []), *entry.get("en_aliases", [])]


@lru_cache(maxsize=1)
def gold() -> tuple[list[dict], set[str]]:
    require_shared()
    docs, noise = [], set()
    for path in sorted(GOLD_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        docs.append(doc)
        noise |= {norm(n) for n in doc.get("noise", []) if n}
    return docs, noise


def gold_entities() -> list[tuple[str, dict]]:
    docs, noise = gold()
    found = []
    for doc in docs:
        for entity in doc["entities"]:
            if entity["type"] not in DICTIONARY_TYPES or norm(entity["name"]) in noise:
                continue
            if entity["type"] == "PolicyDocument" and norm(entity["name"]) in {norm(t) for t in NOT_LEXICON_DOCUMENTS}:
                continue
            found.append((doc["doc"], entity))
    return found


# ---------------------------------------------------------------- files and lines

@pytest.mark.parametrize("file_name", sorted(FILE_TYPES))
def test_lexicon_file_every_line_parses(file_name):
    path = LEXICON_DIR / file_name
    assert path.exists(), f"missing {path}"
    bad = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append(f"{file_name}:{number}: {exc.msg}")
                continue
            if not isinstance(obj, dict):
                bad.append(f"{file_name}:{number}: not a JSON object")
    assert not bad, "\n".join(bad)


def test_lexicon_files_hold_several_hundred_entries():
    counts = defaultdict(int)
    for file_name, _, _ in load_entries():
        counts[file_name] += 1
    assert all(counts[f] > 0 for f in FILE_TYPES), dict(counts)
    assert sum(counts.values()) >= 500, dict(counts)


def test_lexicon_entry_fields_are_well_formed():
    bad = []
    for file_name, number, obj in load_entries():
        where = f"{file_name}:{number} {obj.get('id')}"
        for key in ("id", "type", "name"):
            if not isinstance(obj.get(key), str) or not obj[key].strip():
                bad.append(f"{where}: {key!r} missing or empty")
        for key in ("aliases", "weak_aliases", "en_aliases"):
            value = obj.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                bad.append(f"{where}: {key!r} must be a list of non-empty strings")
        unknown = set(obj) - KNOWN_KEYS
        if unknown:
            bad.append(f"{where}: unknown keys {sorted(unknown)} (document new keys in extractors/data/README.md)")
        if "weak_name" in obj and not isinstance(obj["weak_name"], bool):
            bad.append(f"{where}: weak_name must be true or false")
        if "first_year" in obj and not isinstance(obj["first_year"], int):
            bad.append(f"{where}: first_year must be an integer")
        if "annual_date" in obj and not re.fullmatch(r"\d\d-\d\d", str(obj["annual_date"])):
            bad.append(f"{where}: annual_date must be MM-DD")
        for form, guard in obj.get("guards", {}).items():
            if form not in all_forms(obj):
                bad.append(f"{where}: guard for {form!r}, which is not a form of this entry")
            if not guard or set(guard) - {"not_followed_by", "not_preceded_by"} or \
                    not all(isinstance(v, list) and all(isinstance(s, str) and s for s in v) for v in guard.values()):
                bad.append(f"{where}: guard {form!r} must map not_followed_by / not_preceded_by to lists of strings")
    assert not bad, "\n".join(bad)


def test_lexicon_text_is_nfkc_and_simplified():
    bad = []
    for file_name, number, obj in load_entries():
        for form in [obj["name"], *obj.get("aliases", []), *obj.get("weak_aliases", [])]:
            if form != form.strip() or unicodedata.normalize("NFKC", form) != form:
                bad.append(f"{file_name}:{number}: {form!r} is not stripped NFKC text")
            elif T2S.convert(form) != form:
                bad.append(f"{file_name}:{number}: {form!r} is not Simplified ({T2S.convert(form)!r})")
    assert not bad, "\n".join(bad)


# ---------------------------------------------------------------- ids, types, references

def test_lexicon_ids_are_unique_and_well_formed():
    seen, bad = {}, []
    for file_name, number, obj in load_entries():
        entry_id = obj.get("id", "")
        if not RE_ID.match(entry_id):
            bad.append(f"{file_name}:{number}: id {entry_id!r} is not prefix:slug")
        if entry_id in seen:
            bad.append(f"{file_name}:{number}: id {entry_id} already used at {seen[entry_id]}")
        seen[entry_id] = f"{file_name}:{number}"
    assert not bad, "\n".join(bad)


def test_lexicon_type_matches_file_and_id_prefix():
    bad = []
    for file_name, number, obj in load_entries():
        expected = FILE_TYPES[file_name]
        if obj.get("type") != expected:
            bad.append(f"{file_name}:{number}: type {obj.get('type')!r}, expected {expected!r}")
        elif not obj["id"].startswith(ID_PREFIX[expected] + ":"):
            bad.append(f"{file_name}:{number}: id {obj['id']} should start with {ID_PREFIX[expected]}:")
    assert not bad, "\n".join(bad)


def test_lexicon_references_resolve():
    ids = {obj["id"] for obj in entries()}
    role_names = {obj["name"] for obj in entries() if obj["type"] == "Role"}
    bad = []
    for file_name, number, obj in load_entries():
        for key in REFERENCE_KEYS:
            value = obj.get(key)
            targets = value if isinstance(value, list) else [value] if value else []
            bad += [f"{file_name}:{number} {obj['id']}: {key} {t!r} is no entry" for t in targets if t not in ids]
            if obj["id"] in targets:
                bad.append(f"{file_name}:{number} {obj['id']}: {key} points at itself")
        for post in obj.get("posts", []):
            if post.get("role") not in role_names:
                bad.append(f"{file_name}:{number} {obj['id']}: post role {post.get('role')!r} is no Role name")
            if post.get("org") not in ids:
                bad.append(f"{file_name}:{number} {obj['id']}: post org {post.get('org')!r} is no entry")
    assert not bad, "\n".join(bad)


def test_lexicon_departments_have_a_parent_agency():
    types = {obj["id"]: obj["type"] for obj in entries()}
    bad = [obj["id"] for obj in entries()
           if obj["type"] == "Department" and types.get(obj.get("parent")) != "Agency"]
    assert not bad, f"departments without a parent agency: {bad}"


def test_lexicon_parents_have_no_cycles():
    parents = {obj["id"]: obj.get("parent") for obj in entries()}
    bad = []
    for start in parents:
        seen, node = set(), start
        while node:
            if node in seen:
                bad.append(start)
                break
            seen.add(node)
            node = parents.get(node)
    assert not bad, f"parent cycles through {bad}"


# ---------------------------------------------------------------- surface forms

def test_lexicon_forms_are_unique_within_an_entry():
    bad = []
    for obj in entries():
        forms = [norm(f) for f in (obj["name"], *obj.get("aliases", []), *obj.get("weak_aliases", []))]
        dupes = {f for f in forms if forms.count(f) > 1}
        if dupes:
            bad.append(f"{obj['id']}: {sorted(dupes)}")
    assert not bad, "\n".join(bad)


def test_lexicon_strong_forms_are_specific():
    bad = []
    for obj in entries():
        for form in strong_forms(obj):
            key = norm(form)
            if key in FORBIDDEN_STRONG:
                bad.append(f"{obj['id']}: {form!r} is too generic to be a strong form")
            if len(key) < 2:
                bad.append(f"{obj['id']}: one-character form {form!r} may only be weak")
    assert not bad, "\n".join(bad)


def test_lexicon_no_form_names_entries_of_two_types():
    types_by_form = defaultdict(set)
    ids_by_form = defaultdict(set)
    for obj in entries():
        for form in all_forms(obj):
            types_by_form[norm(form)].add(obj["type"])
            ids_by_form[norm(form)].add(obj["id"])
    bad = [f"{form!r}: {sorted(ids_by_form[form])}" for form, types in sorted(types_by_form.items())
           if len(types) > 1 and types != CROSS_TYPE_ALLOWED.get(form)]
    assert not bad, "forms shared across types (add to CROSS_TYPE_ALLOWED if intended):\n" + "\n".join(bad)


def test_lexicon_no_strong_form_names_two_entries():
    ids_by_form = defaultdict(set)
    for obj in entries():
        for form in strong_forms(obj):
            ids_by_form[norm(form)].add(obj["id"])
    bad = [f"{form!r}: {sorted(ids)}" for form, ids in sorted(ids_by_form.items())
           if len(ids) > 1 and form not in SHARED_STRONG_ALLOWED]
    assert not bad, "ambiguous strong forms (make them weak or qualify them):\n" + "\n".join(bad)


def test_lexicon_no_form_is_gold_noise():
    _, noise = gold()
    folded = {n.casefold() for n in noise}
    bad = []
    for obj in entries():
        for form in [*all_forms(obj), *([obj["en"]] if obj.get("en") else [])]:
            if norm(form) in noise or norm(form).casefold() in folded:
                bad.append(f"{obj['id']}: {form!r} is listed as noise in the gold annotations")
    assert not bad, "\n".join(bad)


# ---------------------------------------------------------------- coverage of the gold annotations

def test_lexicon_covers_every_gold_entity_of_dictionary_types():
    forms_by_type = defaultdict(set)
    for obj in entries():
        forms_by_type[obj["type"]] |= {norm(f) for f in all_forms(obj)}
    missing = []
    for doc, entity in gold_entities():
        names = {norm(entity["name"])} | {norm(m) for m in entity.get("mentions", [])}
        if not names & forms_by_type[entity["type"]]:
            missing.append(f"{doc}: {entity['type']} {entity['name']} (mentions {entity.get('mentions')})")
    assert not missing, f"{len(missing)} gold entities not in any lexicon:\n" + "\n".join(sorted(set(missing)))


def test_lexicon_gold_entities_have_their_canonical_name_and_mentions():
    _, noise = gold()
    by_name = defaultdict(list)
    for obj in entries():
        by_name[(obj["type"], norm(obj["name"]))].append(obj)
    bad = []
    for doc, entity in gold_entities():
        candidates = by_name.get((entity["type"], norm(entity["name"])))
        if not candidates:
            bad.append(f"{doc}: no {entity['type']} entry named {entity['name']}")
            continue
        forms = {norm(f) for obj in candidates for f in all_forms(obj)}
        for mention in entity.get("mentions", []):
            key = norm(mention)
            if key not in forms and key not in noise and (entity["name"], mention) not in OMITTED_MENTIONS:
                bad.append(f"{doc}: mention {mention!r} of {entity['name']} is no form of {[o['id'] for o in candidates]}")
    assert not bad, "\n".join(sorted(set(bad)))


# ---------------------------------------------------------------- other data files

def test_surnames_file_is_clean():
    lines = [line.strip() for line in (DATA_DIR / "surnames.txt").read_text(encoding="utf-8").splitlines()]
    words = [w for w in lines if w and not w.startswith("#")]
    assert len(words) >= 300, f"only {len(words)} surnames"
    assert len(words) == len(set(words)), sorted({w for w in words if words.count(w) > 1})
    bad = [w for w in words if not (1 <= len(w) <= 2 and all(RE_HAN.match(ch) for ch in w)) or T2S.convert(w) != w]
    assert not bad, f"not a one- or two-character Simplified surname: {bad}"
    assert any(len(w) == 2 for w in words), "no two-character surnames"


def test_data_readme_names_every_lexicon_file():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    missing = [name for name in [*FILE_TYPES, "surnames.txt"] if name not in readme]
    assert not missing, f"extractors/data/README.md does not describe {missing}"
