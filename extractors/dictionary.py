"""Dictionary matching: every lexicon alias found in the normalised text, as Hits."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ahocorasick
import opencc

from extractors.lexicon import Lexicon, load_lexicon
from extractors.records import Hit

_T2S = opencc.OpenCC("t2s")
RE_LATIN_EDGE = re.compile(r"[A-Za-z0-9]")
ENTITY_TYPES = frozenset({
    "Agency", "Department", "Organization", "Person", "Initiative", "CertificationScheme",
    "Sector", "Region", "Meeting", "PolicyDocument",
})


def normalise_alias(text: str) -> str:
    """Lexicon text as document text looks after normalisation (NFKC, Simplified)."""
    return _T2S.convert(unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon(normalise=normalise_alias)


class DictionaryMatcher:
    """Aho-Corasick over all strong and weak aliases of a lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.automaton = ahocorasick.Automaton()
        for form, ids in lexicon.strong.items():
            self.automaton.add_word(form, (form, ids, False))
        for form, ids in lexicon.weak.items():
            if form not in lexicon.strong:
                self.automaton.add_word(form, (form, ids, True))
        if len(self.automaton):
            self.automaton.make_automaton()

    def __call__(self, text: str) -> list[Hit]:
        """All dictionary hits; weak aliases only where their entity is named strongly too."""
        if not len(self.automaton):
            return []
        strong, weak = [], []
        for end_index, (form, ids, is_weak) in self.automaton.iter(text):
            start, end = end_index - len(form) + 1, end_index + 1
            if not _latin_boundary_ok(text, start, end):
                continue
            (weak if is_weak else strong).extend((start, end, entry_id) for entry_id in ids)
        seen = {entry_id for _, _, entry_id in strong}
        seen |= {self.lexicon.entries[i].parent for i in seen if self.lexicon.entries[i].parent}
        kept = strong + [w for w in weak if self._weak_allowed(w[2], seen)]
        return [self._hit(start, end, entry_id) for start, end, entry_id in sorted(kept)]

    def _weak_allowed(self, entry_id: str, seen: set[str]) -> bool:
        entry = self.lexicon.entries[entry_id]
        return entry_id in seen or (entry.parent is not None and entry.parent in seen)

    def _hit(self, start: int, end: int, entry_id: str) -> Hit:
        entry = self.lexicon.entries[entry_id]
        return Hit(start, end, entry.type, normalise_alias(entry.name), entry_id)


def _latin_boundary_ok(text: str, start: int, end: int) -> bool:
    """A Latin or digit alias must not sit inside a longer Latin word (CCC in CCCF)."""
    if RE_LATIN_EDGE.match(text[start]) and start > 0 and RE_LATIN_EDGE.match(text[start - 1]):
        return False
    if RE_LATIN_EDGE.match(text[end - 1]) and end < len(text) and RE_LATIN_EDGE.match(text[end]):
        return False
    return True
