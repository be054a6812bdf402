"""The spaCy pipeline: a blank Chinese pipeline with a clause tokenizer and the kg_* components."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

import extractors
from extractors.components import ClauseTokenizer


@lru_cache(maxsize=1)
def make_nlp() -> Language:
    """Build the pipeline once per process; this is the only place components are added."""
    nlp = spacy.blank("zh")
    nlp.tokenizer = ClauseTokenizer(nlp.vocab)
    for name in extractors.PIPELINE:
        nlp.add_pipe(name)
    return nlp
