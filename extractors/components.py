"""spaCy pipeline components. Every ``kg_*`` factory is registered here and nowhere else."""
from __future__ import annotations

import re
from itertools import accumulate

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.dictionary import DictionaryMatcher, default_lexicon
from extractors.records import Hit
from extractors.regex import match_rules
from extractors.relations import understand

for _name in ("kg_dictionary_hits", "kg_rule_hits", "kg_context"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

# A run of Han characters, of Latin letters, of digits or of spaces; anything else is a token of its own.
RE_TOKEN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|[0-9]+|[ \t]+|.", re.S)


class ClauseTokenizer:
    """Coarse tokens: runs of one script, each punctuation mark alone.

    Matching runs on the string, never on tokens, so a token boundary can never cut a name; the last
    component cuts the tokens once more at every entity edge (see ``segment``). A per-character Doc
    costs more than the whole dictionary pass (bench/build.py).
    """

    def __init__(self, vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words = RE_TOKEN.findall(text)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data["kg_text"] = text   # Doc.text re-joins every token: keep the string once
        doc.user_data["kg_cuts"] = list(accumulate(map(len, words), initial=0))   # token edges, for segment
        return doc


def text_of(doc: Doc) -> str:
    return doc.user_data.get("kg_text") or doc.text


def segment(doc: Doc, hits: list[Hit], key: str = "entities") -> Doc:
    """A Doc of the same text whose tokens are also cut at every hit edge, with the hits as ``doc.spans[key]``.

    Extensions and user data are carried over; every hit becomes a Span with exactly its characters.
    """
    text = text_of(doc)
    cuts = set(doc.user_data.get("kg_cuts") or [token.idx for token in doc])
    cuts.add(len(text))
    cuts.update(h.start for h in hits)
    cuts.update(h.end for h in hits)
    ordered = sorted(cuts)
    words = [text[a:b] for a, b in zip(ordered, ordered[1:])]
    fine = Doc(doc.vocab, words=words, spaces=[False] * len(words))
    fine.user_data.update(doc.user_data)
    fine.user_data["kg_cuts"] = ordered
    index = {offset: i for i, offset in enumerate(ordered)}
    labels = {type_: doc.vocab.strings.add(type_) for type_ in {h.type for h in hits}}
    fine.spans[key] = [Span(fine, index[h.start], index[h.end], label=labels[h.type]) for h in hits]
    return fine


class DictionaryComponent:
    """kg_dictionary: every lexicon alias in the text → doc._.kg_dictionary_hits."""

    def __init__(self) -> None:
        self.matcher = DictionaryMatcher(default_lexicon())

    def __call__(self, doc: Doc) -> Doc:
        hits = self.matcher(text_of(doc))
        doc._.kg_dictionary_hits = hits
        return doc


class RegexComponent:
    """kg_regex: every regex rule match → doc._.kg_rule_hits."""

    def __call__(self, doc: Doc) -> Doc:
        hits = match_rules(text_of(doc))
        doc._.kg_rule_hits = hits
        return doc


class RelationsComponent:
    """kg_relations: entity mentions and relations of the whole text → doc._.kg_context; returns the Doc
    re-cut at every mention edge, with the mentions as doc.spans["entities"]."""

    def __call__(self, doc: Doc) -> Doc:
        ctx = understand(text_of(doc), default_lexicon(), doc._.kg_dictionary_hits or [], doc._.kg_rule_hits or [])
        doc._.kg_context = ctx
        return segment(doc, ctx.entities)


@Language.factory("kg_dictionary")
def make_dictionary(nlp: Language, name: str) -> DictionaryComponent:
    return DictionaryComponent()


@Language.factory("kg_regex")
def make_regex(nlp: Language, name: str) -> RegexComponent:
    return RegexComponent()


@Language.factory("kg_relations")
def make_relations(nlp: Language, name: str) -> RelationsComponent:
    return RelationsComponent()
