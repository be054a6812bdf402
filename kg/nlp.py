"""The spaCy pipeline: a blank Chinese pipeline with a clause tokenizer and the kg_* components."""
from __future__ import annotations

import gc
from functools import lru_cache

import spacy
from spacy.language import Language

import extractors
from extractors.components import ClauseTokenizer


WARM_UP = "国家认监委在北京召开2020年全国认证认可工作会议,部署“十四五”重点任务。"   # loads every lazy table


GC_YOUNG = 20_000   # allocations between collections of the youngest generation (Python's default: 700)


@lru_cache(maxsize=1)
def make_nlp() -> Language:
    """Build the pipeline once per process; this is the only place components are added."""
    nlp = spacy.blank("zh")
    nlp.tokenizer = ClauseTokenizer(nlp.vocab)
    for name in extractors.PIPELINE:
        nlp.add_pipe(name)
    nlp(WARM_UP)
    gc.freeze()   # the lexicon, automaton tables and vocab live as long as the process: keep them out of the
    # collector's full passes, which otherwise walk them again and again (~10% of extraction); and collect the
    # young generation less often: a text makes tens of thousands of short-lived objects (~5% more)
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    return nlp
