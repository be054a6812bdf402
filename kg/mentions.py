"""The only place in kg/ that reads what the spaCy pipeline left on a Doc: hits become records in RAW offsets."""
from __future__ import annotations

import re

from extractors.context import DocContext
from extractors.records import EntityInfo, EntityKey, Hit, RelationHit
from kg.model import Document, DocResult, Entity, EntityRef, Fact, NormText, Provenance, SourceInfo
from kg.normalize import RE_GLOSS, detect_script

RE_SPACES = re.compile(r"\s+")


def from_context(ctx: DocContext, document: Document, norm: NormText) -> DocResult:
    """Entities, mentions and facts of one document, every offset mapped back to its raw text."""
    refs: dict[EntityKey, EntityRef] = {}
    editions = edition_years(ctx)
    for key, info in ctx.infos.items():
        refs[key] = entity_ref(key, info, editions.get(key))
    spans = {}
    for hit in ctx.entities:
        if hit.key in refs:
            spans.setdefault((hit.key, hit.start, hit.end), hit.source)
    mentions = tuple((refs[key], provenance(start, end, source, document, norm))
                     for (key, start, end), source in spans.items())
    surfaces: dict[EntityKey, set[str]] = {}
    for hit in ctx.entities:
        surfaces.setdefault(hit.key, set()).add(surface(document.raw_text, norm, hit))
    facts = tuple(fact for rel in ctx.relations if (fact := to_fact(rel, refs, ctx, document, norm)))
    entities = tuple(to_entity(refs[key], info, ctx, sorted(surfaces.get(key, ())), refs, editions.get(key))
                     for key, info in ctx.infos.items())
    return DocResult(source_info(ctx, document), entities, mentions, facts)


def entity_ref(key: EntityKey, info: EntityInfo, edition: str | None = None) -> EntityRef:
    """Identity: type and canonical name; a department is only unique inside its parent, an edition of a
    recurring meeting inside its year."""
    type_, name = key
    if type_ in ("Department", "UnitGroup") and info.parent is not None:
        return EntityRef(type_, f"{info.parent[1]}/{name}")
    if edition:
        return EntityRef(type_, f"{name}/{edition}")
    return EntityRef(type_, name)


def edition_years(ctx: DocContext) -> dict[EntityKey, str]:
    """The meetings of a series this text dates, with the year of the edition it speaks of.

    A series is a recurring lexicon entry (the national work conference) or a meeting named with its edition
    year (2031年全国…工作会议, whose canonical name drops the year). The edition's year is that of the date
    the text gives the meeting, else the year written in its name; a series the text does not date stays one
    undated entity. A text read in pieces (over 200,000 characters) decides this piece by piece.
    """
    series, named = set(), {}
    for hit in ctx.entities:
        if hit.type != "Meeting":
            continue
        entry = ctx.lexicon.get(ctx.infos[hit.key].entry_id) if hit.key in ctx.infos else None
        if hit.get("year") or (entry is not None and entry.recurring):
            series.add(hit.key)
        if hit.get("year"):
            named.setdefault(hit.key, str(hit.get("year")))
    dated = {}
    for rel in ctx.relations:
        args = dict(rel.args)
        if rel.kind == "meeting_date" and args.get("meeting") in series and args.get("date"):
            dated.setdefault(args["meeting"], str(args["date"])[:4])
    return {key: dated.get(key) or named[key] for key in series if key in dated or key in named}


def provenance(start: int, end: int, rule: str, document: Document, norm: NormText) -> Provenance:
    raw_start, raw_end = norm.raw_span(start, end)
    return Provenance(document.doc_id, raw_start, raw_end, document.raw_text[raw_start:raw_end], rule)


def surface(raw: str, norm: NormText, hit: Hit) -> str:
    """The mention as written (its own script), without pinyin glosses or line breaks."""
    raw_start, raw_end = norm.raw_span(hit.start, hit.end)
    return RE_SPACES.sub(" ", RE_GLOSS.sub("", raw[raw_start:raw_end])).strip()


def to_entity(ref: EntityRef, info: EntityInfo, ctx: DocContext, surfaces: list[str],
              refs: dict[EntityKey, EntityRef], edition: str | None = None) -> Entity:
    parent = refs.get(info.parent) if info.parent else None
    if info.parent and parent is None:
        parent = EntityRef(info.parent[0], info.parent[1])
    aliases = info.aliases + ((f"{edition}年{info.key[1]}",) if edition else ())   # an edition's name with its year
    return Entity(ref, info.key[1], info.en, aliases, info.en_aliases, tuple(s for s in surfaces if s),
                  info.entry_id or info.source, parent, edition)


def to_fact(rel: RelationHit, refs: dict[EntityKey, EntityRef], ctx: DocContext,
            document: Document, norm: NormText) -> Fact | None:
    args = []
    for role, value in rel.args:
        if value is None:
            continue
        if isinstance(value, tuple):
            if value not in refs:
                refs[value] = EntityRef(*value)
                ctx.infos[value] = EntityInfo(value, rel.source)
            value = refs[value]
        args.append((role, value))
    start, end = max(0, rel.start), min(len(norm.text), rel.end)
    if start >= end:
        return None
    return Fact(rel.kind, tuple(args), provenance(start, end, rel.source, document, norm))


def source_info(ctx: DocContext, document: Document) -> SourceInfo:
    main = ctx.meta.get("main_title")
    first_line = next((line.strip() for line in ctx.text.splitlines() if line.strip()), "")
    return SourceInfo(document.doc_id, document.path, document.sha256, document.encoding,
                      detect_script(document.raw_text), main.name if main else first_line[:80] or None,
                      ctx.meta.get("published"))
