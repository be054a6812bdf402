"""The spaCy side: coarse tokens, and a returned Doc whose tokens are cut at every entity edge."""
from kg.nlp import make_nlp

TEXT = "国家认监委主任孙大伟出席2019年全国认证认可工作会议,部署“同线同标同质”工程。"


def test_tokens_cover_the_text_exactly():
    doc = make_nlp()(TEXT)
    assert "".join(t.text for t in doc) == TEXT


def test_every_entity_is_a_span_with_its_characters():
    doc = make_nlp()(TEXT)
    entities = doc._.kg_context.entities
    spans = doc.spans["entities"]
    assert len(spans) == len(entities) > 0
    for span, hit in zip(spans, entities):
        assert (span.start_char, span.end_char) == (hit.start, hit.end)
        assert span.label_ == hit.type
    assert {"孙大伟", "国家认监委"} <= {s.text for s in spans}


def test_tokenizer_alone_is_coarse():
    nlp = make_nlp()
    doc = nlp.make_doc(TEXT)
    assert len(doc) < len(TEXT) / 3            # runs of one script, not one token per character
    assert "".join(t.text for t in doc) == TEXT
    assert all(len(t.text) == 1 for t in doc if not t.text.isalnum())
