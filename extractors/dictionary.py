"""Dictionary matching: every lexicon alias found in the normalised text, as Hits."""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
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


@lru_cache(maxsize=65536)
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
            self.automaton.add_word(form, (form, ids, False, _latin_edges(form), self._guarded(ids)))
        for form, ids in lexicon.weak.items():
            if form not in lexicon.strong:
                self.automaton.add_word(form, (form, ids, True, _latin_edges(form), self._guarded(ids)))
        if len(self.automaton):
            self.automaton.make_automaton()

    def __call__(self, text: str) -> list[Hit]:
        """All dictionary hits; weak aliases only where their entity is named strongly too."""
        if not len(self.automaton):
            return []
        strong, weak = [], []
        for end_index, (form, ids, is_weak, latin, guarded) in self.automaton.iter(text):
            start, end = end_index - len(form) + 1, end_index + 1
            if latin and not _latin_boundary_ok(text, start, end, latin):
                continue
            if guarded:
                ids = [i for i in ids if self._guard_ok(i, text, start, end)]
            (weak if is_weak else strong).extend((start, end, entry_id) for entry_id in ids)
        seen = {entry_id for _, _, entry_id in strong}
        ordered = sorted(strong)
        starts = [s for s, _, _ in ordered]
        kept = strong + [w for w in weak if self._weak_allowed(w[2], seen) and not _inside(w, ordered, starts)]
        return [self._hit(start, end, entry_id) for start, end, entry_id in self._disambiguate(text, kept, seen)]

    def _disambiguate(self, text: str, found: list[tuple[int, int, str]],
                      seen: set[str]) -> list[tuple[int, int, str]]:
        """One entry per span and type: prefer the entry whose parent the text names (办公室 of which agency)."""
        by_span: dict[tuple[int, int, str], list[str]] = {}
        counts: dict[str, int] = {}
        for start, end, entry_id in sorted(found):
            by_span.setdefault((start, end, self.lexicon.entries[entry_id].type), []).append(entry_id)
            counts[entry_id] = counts.get(entry_id, 0) + 1
        kept = []
        for (start, end, _), ids in by_span.items():
            if len(ids) > 1:
                named = [i for i in ids if self.lexicon.entries[i].parent in seen]
                form = text[start:end]
                ids = [max(named, key=lambda i: (counts.get(self.lexicon.entries[i].parent, 0),
                                                 normalise_alias(self.lexicon.entries[i].name) == form))] \
                    if named else ids[:1]
            kept.extend((start, end, i) for i in ids)
        return kept

    def _guarded(self, ids: list[str]) -> bool:
        return any(self.lexicon.entries[i].guards for i in ids)

    def _guard_ok(self, entry_id: str, text: str, start: int, end: int) -> bool:
        """The entry's guards for this form: 科技部 is not 科技部门, 国办 is not 全国办理."""
        entry = self.lexicon.entries[entry_id]
        if not entry.guards:
            return True
        form = text[start:end]
        before, after = next(((b, a) for g, b, a in entry.guards if normalise_alias(g) == form), ((), ()))
        return not any(text.endswith(b, 0, start) for b in before) and not any(text.startswith(a, end) for a in after)

    def _weak_allowed(self, entry_id: str, seen: set[str]) -> bool:
        """A weak alias counts where its entity is named strongly, or (units only) its parent is."""
        entry = self.lexicon.entries[entry_id]
        if entry_id in seen:
            return True
        return entry.type in ("Department", "Organization") and entry.parent is not None and entry.parent in seen

    def _hit(self, start: int, end: int, entry_id: str) -> Hit:
        entry = self.lexicon.entries[entry_id]
        return Hit(start, end, entry.type, normalise_alias(entry.name), entry_id)


def _inside(hit: tuple[int, int, str], others: list[tuple[int, int, str]], starts: list[int]) -> bool:
    """True when ``hit`` lies strictly inside one of ``others`` (sorted by start; ``starts`` their starts).
    No name is longer than 120 characters."""
    low, high = bisect_left(starts, hit[0] - 120), bisect_right(starts, hit[0])
    return any(hit[1] <= end and (start, end) != hit[:2] for start, end, _ in others[low:high])


def _latin_edges(form: str) -> tuple[bool, bool] | None:
    """Whether an alias starts and ends with a Latin letter or digit; None when neither."""
    edges = (bool(RE_LATIN_EDGE.match(form[0])), bool(RE_LATIN_EDGE.match(form[-1])))
    return edges if any(edges) else None


def _latin_boundary_ok(text: str, start: int, end: int, edges: tuple[bool, bool]) -> bool:
    """A Latin or digit alias must not sit inside a longer Latin word (CCC in CCCF)."""
    if edges[0] and start > 0 and RE_LATIN_EDGE.match(text[start - 1]):
        return False
    if edges[1] and end < len(text) and RE_LATIN_EDGE.match(text[end]):
        return False
    return True
