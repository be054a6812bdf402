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


def test_registry_nfkc_keys_collide_on_purpose():
    assert mint("d", "国发〔2018〕3号") == mint("d", "国发〔2018〕3号")
    assert mint("c", "ISO９００１") == mint("c", "ISO9001")
    assert mint("p", "支树平") != mint("c", "支树平")
