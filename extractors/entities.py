"""Choose the entity mentions of a document from dictionary and rule hits."""
from __future__ import annotations

import re

from extractors.context import ORG_TYPES, DocContext
from extractors.records import Hit

ENTITY_TYPES = frozenset({
    "Agency", "Department", "Organization", "Person", "Initiative", "CertificationScheme",
    "Sector", "Region", "Meeting", "PolicyDocument",
})
NESTABLE = ORG_TYPES | {"Region"}
RE_REGION_AGENCY = re.compile(
    r"[\u4e00-\u9fff]{0,10}?(?:市场监督管理局|市场监管局|质量技术监督局|质量监督局|质监局|出入境检验检疫局|检验检疫局|"
    r"人民政府|商务厅|工业和信息化厅|发展改革委|标准化研究院|计量测试研究院|质量检验研究院)")


def select_entities(ctx: DocContext, dictionary_hits: list[Hit], rule_hits: list[Hit]) -> None:
    """Fill ``ctx.entities`` with the mentions kept after the overlap policy."""
    titles = [(h.start, h.end) for h in ctx.cues if h.type == "DocTitle"]
    dictionary = [h for h in dictionary_hits if h.type in ENTITY_TYPES]
    rules = [h for h in rule_hits + region_agencies(ctx.text, dictionary)
             if h.type in ENTITY_TYPES and not _inside_any(h, titles)]
    kept = _drop_nested_same_type(dictionary)
    kept += [h for h in _drop_nested_same_type(rules) if not _overlaps_same_type(h, dictionary)]
    for hit in sorted(kept, key=lambda h: (h.start, -h.end)):
        info = ctx.info_for_entry(hit)
        ctx.add_entity(hit, info)


def region_agencies(text: str, dictionary: list[Hit]) -> list[Hit]:
    """Bodies named after a region: 浙江省质监局, 湖南检验检疫局 (region + agency suffix)."""
    hits = []
    for region in (h for h in dictionary if h.type == "Region"):
        match = RE_REGION_AGENCY.match(text, region.end)
        if match:
            hits.append(Hit(region.start, match.end(), "Agency", text[region.start:match.end()],
                            "rx:agency-region"))
    return hits


def _inside_any(hit: Hit, spans: list[tuple[int, int]]) -> bool:
    return any(start <= hit.start and hit.end <= end for start, end in spans)


def _drop_nested_same_type(hits: list[Hit]) -> list[Hit]:
    """Within one type the longest mention wins, but nested bodies (国务院 in 国务院办公厅) stay."""
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[Hit] = []
    for hit in ordered:
        if any(_covers(other, hit) and other.type == hit.type and
               (hit.type not in NESTABLE or other.name == hit.name) for other in kept):
            continue
        if any(_crosses(other, hit) and other.type == hit.type and hit.type not in NESTABLE for other in kept):
            continue
        kept = [k for k in kept if not (k.key == hit.key and (k.start, k.end) == (hit.start, hit.end))]
        kept.append(hit)
    return kept


def _overlaps_same_type(hit: Hit, others: list[Hit]) -> bool:
    return any(o.type == hit.type and o.start < hit.end and hit.start < o.end for o in others)


def _covers(outer: Hit, inner: Hit) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end and \
        (outer.end - outer.start) > (inner.end - inner.start)


def _crosses(a: Hit, b: Hit) -> bool:
    return a.start < b.start < a.end < b.end or b.start < a.start < b.end < a.end
