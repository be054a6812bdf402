from __future__ import annotations

import re

import pytest

from kg.registry import entity_iri, mint


def test_registry_iri_is_opaque_ascii_and_stable():
    iri = entity_iri("Agency", "国家认证认可监督管理委员会")
    assert iri == entity_iri("Agency", "国家认证认可监督管理委员会")
    assert re.fullmatch(r"https://w3id\.org/ccakg/id/o-[a-z2-7]{10}", iri)


def test_registry_known_iris_do_not_drift():
    # frozen values: a change here breaks every user's saved IRIs
    assert entity_iri("Agency", "国家认证认可监督管理委员会").endswith("o-t5pjgf6u3k")
    assert entity_iri("Person", "支树平").endswith("p-ilfquhtb3q")


@pytest.mark.parametrize("a, b", [("Agency", "Department"), ("Agency", "Organization")])
def test_registry_bodies_share_one_family(a, b):
    assert entity_iri(a, "认证部") == entity_iri(b, "认证部")


def test_registry_mint_spells_the_digest_as_the_standard_base32_encoder_does():
    import base64
    import hashlib
    import random
    import unicodedata

    rng = random.Random(7)
    keys = ["", "ＩＳＯ９００１", "https://w3id.org/ccakg/id/o-abcdefghij|c00001_doc|298|343"]
    keys += ["".join(chr(rng.choice([rng.randrange(0x20, 0x7f), rng.randrange(0x4e00, 0x9fff)]))
                     for _ in range(rng.randrange(1, 40))) for _ in range(3000)]
    for family in ("ev", "o", "role"):
        for key in keys:
            digest = hashlib.sha256(f"{family}\x1f{unicodedata.normalize('NFKC', key)}".encode("utf-8")).digest()
            expected = base64.b32encode(digest[:10]).decode("ascii").lower()[:10]
            assert mint.__wrapped__(family, key).endswith(f"/{family}-{expected}")


def test_registry_nfkc_keys_collide_on_purpose():
    assert mint("d", "国发〔2018〕3号") == mint("d", "国发〔2018〕3号")
    assert mint("c", "ISO９００１") == mint("c", "ISO9001")
    assert mint("p", "支树平") != mint("c", "支树平")


from kg.registry import Registry, RegistryError, load_registry  # noqa: E402


def test_registry_entry_id_keeps_iri_when_the_canonical_name_changes(tmp_path):
    registry = Registry()
    old = registry.record("Agency", "国家认证认可监督管理委员会", "agency:cnca")
    registry.save(tmp_path / "r.tsv")
    again = load_registry(tmp_path / "r.tsv")
    assert again.iri("Agency", "中国国家认证认可监督管理委员会", "agency:cnca") == old
    assert again.iri("Agency", "中国国家认证认可监督管理委员会") != old   # no entry id: a new name mints


def test_registry_merge_keeps_the_old_iri_and_records_same_as(tmp_path):
    registry = Registry()
    kept = registry.record("Organization", "认证认可技术研究所")
    other = registry.record("Organization", "国家认监委认证认可技术研究所")
    registry.merge(kept, other)
    registry.save(tmp_path / "r.tsv")
    again = load_registry(tmp_path / "r.tsv")
    assert again.iri("Organization", "国家认监委认证认可技术研究所") == kept
    assert again.same_as(kept) == [other]
    with pytest.raises(RegistryError):
        again.merge(kept, kept)


def test_registry_bad_file_names_line(tmp_path):
    bad = tmp_path / "r.tsv"
    bad.write_text("iri\tfamily\tkey\tentry_id\tstatus\tkept_iri\nx\to\tk\t\tweird\t\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"r.tsv:2"):
        load_registry(bad)


def test_registry_shipped_file_freezes_every_lexicon_entry():
    from extractors.dictionary import default_lexicon

    shipped = load_registry()
    missing = [e.id for e in default_lexicon().entries.values()
               if e.type != "Department" and e.id not in shipped.by_entry]
    assert missing == []
