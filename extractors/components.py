"""spaCy pipeline components. Every ``kg_*`` factory is registered here and nowhere else."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.dictionary import DictionaryMatcher, default_lexicon
from extractors.regex import match_rules
from extractors.relations import understand

for _name in ("kg_dictionary_hits", "kg_rule_hits", "kg_context"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class CharTokenizer:
    """One token per character: fast, and no token boundary can cut a dictionary term or a rule match."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        doc = Doc(self.vocab, words=list(text), spaces=[False] * len(text))
        doc.user_data["kg_text"] = text   # Doc.text re-joins every token: keep the string once
        return doc


def text_of(doc: Doc) -> str:
    return doc.user_data.get("kg_text") or doc.text


def _spans(doc: Doc, hits, key: str) -> None:
    doc.spans[key] = [Span(doc, h.start, h.end, label=h.type, span_id=h.source) for h in hits]


class DictionaryComponent:
    """kg_dictionary: every lexicon alias in the text → doc._.kg_dictionary_hits and doc.spans["dictionary"]."""

    def __init__(self) -> None:
        self.matcher = DictionaryMatcher(default_lexicon())

    def __call__(self, doc: Doc) -> Doc:
        hits = self.matcher(text_of(doc))
        doc._.kg_dictionary_hits = hits
        _spans(doc, hits, "dictionary")
        return doc


class RegexComponent:
    """kg_regex: every regex rule match → doc._.kg_rule_hits and doc.spans["regex"]."""

    def __call__(self, doc: Doc) -> Doc:
        hits = match_rules(text_of(doc))
        doc._.kg_rule_hits = hits
        _spans(doc, hits, "regex")
        return doc


class RelationsComponent:
    """kg_relations: entity mentions and relations of the whole text → doc._.kg_context, doc.spans["entities"]."""

    def __call__(self, doc: Doc) -> Doc:
        ctx = understand(text_of(doc), default_lexicon(), doc._.kg_dictionary_hits or [], doc._.kg_rule_hits or [])
        doc._.kg_context = ctx
        _spans(doc, ctx.entities, "entities")
        return doc


@Language.factory("kg_dictionary")
def make_dictionary(nlp: Language, name: str) -> DictionaryComponent:
    return DictionaryComponent()


@Language.factory("kg_regex")
def make_regex(nlp: Language, name: str) -> RegexComponent:
    return RegexComponent()


@Language.factory("kg_relations")
def make_relations(nlp: Language, name: str) -> RelationsComponent:
    return RelationsComponent()
