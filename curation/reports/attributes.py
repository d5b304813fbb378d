"""Cheap attributes of a mention, read from its sentence: size, laterality, location, count, change, severity.

Each attribute is the expression nearest to the mention in its sentence, looked up only for labels
that declare the attribute in their lexicon entry (``attributes: [size, laterality, ...]``).
Sizes are converted to millimetres; the largest is ``size_mm``. Negated mentions get no attributes.

    >>> sizes_mm("a 3.2 x 2.1 cm mass")
    [32.0, 21.0]
    >>> attributes_near("Stable 4 mm nodule in the right upper lobe.", 10, 16, ("size", "location", "change"))
    {'size_mm': 4.0, 'sizes_mm': [4.0], 'location': 'right_upper_lobe', 'change': 'stable'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc

from curation.reports.mentions import MentionRecord
from curation.reports.sections import doc_text

_NUMBER = r"\d+(?:\.\d+)?"
_SIZE = re.compile(
    rf"(?P<numbers>{_NUMBER}(?:\s*(?:x|×|\*|by|and|,|-|to)\s*{_NUMBER})*)\s*"
    r"(?P<unit>mm|cm|millimet(?:er|re)s?|centimet(?:er|re)s?)\b",
    re.IGNORECASE,
)
_LATERALITY = re.compile(r"\b(?P<w>right|left|bilateral(?:ly)?|both|bibasilar|bibasal)\b", re.IGNORECASE)
_LOBE = re.compile(
    r"\b(?:(?P<s1>right|left)\s+(?:lung\s+)?(?P<l1>upper|middle|lower)\s+lobe"
    r"|(?P<l2>upper|middle|lower)\s+lobe\s+of\s+the\s+(?P<s2>right|left)\s+lung"
    r"|(?P<lingula>lingula(?:r)?))\b",
    re.IGNORECASE,
)
_CHANGE_WORDS = {
    "new": "new",
    "newly": "new",
    "increased": "increased",
    "increasing": "increased",
    "enlarged": "increased",
    "enlarging": "increased",
    "progressed": "increased",
    "progression": "increased",
    "larger": "increased",
    "decreased": "decreased",
    "decreasing": "decreased",
    "smaller": "decreased",
    "regressed": "decreased",
    "regression": "decreased",
    "reduced": "decreased",
    "improved": "decreased",
    "stable": "stable",
    "unchanged": "stable",
    "persistent": "stable",
    "no change": "stable",
    "no significant change": "stable",
    "similar": "stable",
    "resolved": "resolved",
    "resolution": "resolved",
    "disappeared": "resolved",
    "no longer": "resolved",
}
_SEVERITY_WORDS = {
    "mild": "mild",
    "mildly": "mild",
    "minimal": "mild",
    "slight": "mild",
    "minor": "mild",
    "trace": "mild",
    "moderate": "moderate",
    "moderately": "moderate",
    "severe": "severe",
    "severely": "severe",
    "marked": "severe",
    "markedly": "severe",
    "massive": "severe",
    "extensive": "severe",
}
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(?P<w>" + "|".join(re.escape(w) for w in ordered) + r")\b", re.IGNORECASE)


_CHANGE = _alternation(_CHANGE_WORDS)
_SEVERITY = _alternation(_SEVERITY_WORDS)
_COUNT = re.compile(r"\b(?P<n>\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\s+(?:[a-z-]+\s+){0,2}$", re.IGNORECASE)


def sizes_mm(text: str) -> list[float]:
    """Every dimension of the first size expression in ``text``, in millimetres."""
    match = _SIZE.search(text)
    return _match_sizes(match) if match else []


def _match_sizes(match: re.Match[str]) -> list[float]:
    factor = 10.0 if match.group("unit").lower().startswith("c") else 1.0
    return [round(float(n) * factor, 2) for n in re.findall(_NUMBER, match.group("numbers"))]


def _nearest(matches: list[re.Match[str]], start: int, end: int) -> re.Match[str] | None:
    best, best_distance = None, None
    for match in matches:
        distance = start - match.end() if match.end() <= start else max(match.start() - end, 0)
        if best_distance is None or distance < best_distance:
            best, best_distance = match, distance
    return best


class SentenceMatches:
    """The attribute expressions of one sentence, found once and shared by its mentions."""

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        self._found: dict[int, list[re.Match[str]]] = {}

    def of(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        key = id(pattern)
        if key not in self._found:
            self._found[key] = list(pattern.finditer(self.sentence))
        return self._found[key]


def _laterality(matches: list[re.Match[str]]) -> str | None:
    words = {m.group("w").lower() for m in matches}
    if not words:
        return None
    if words & {"bilateral", "bilaterally", "both", "bibasilar", "bibasal"} or {"right", "left"} <= words:
        return "bilateral"
    return words.pop()


def _location(match: re.Match[str]) -> str:
    if match.group("lingula"):
        return "lingula"
    side = (match.group("s1") or match.group("s2")).lower()
    lobe = (match.group("l1") or match.group("l2")).lower()
    return f"{side}_{lobe}_lobe"


def attributes_near(sentence: str | SentenceMatches, start: int, end: int, wanted: Iterable[str]) -> dict[str, object]:
    """Attributes of the mention at [start, end) of ``sentence`` (offsets relative to it)."""
    matches = sentence if isinstance(sentence, SentenceMatches) else SentenceMatches(sentence)
    sentence = matches.sentence
    wanted = set(wanted)
    found: dict[str, object] = {}
    if "size" in wanted and (size := _nearest(matches.of(_SIZE), start, end)) is not None:
        sizes = _match_sizes(size)
        found["size_mm"], found["sizes_mm"] = max(sizes), sizes
    if "laterality" in wanted and (side := _laterality(matches.of(_LATERALITY))) is not None:
        found["laterality"] = side
    if "location" in wanted and (lobe := _nearest(matches.of(_LOBE), start, end)) is not None:
        found["location"] = _location(lobe)
    if "count" in wanted and (count := _COUNT.search(sentence[max(0, start - 40) : start])) is not None:
        word = count.group("n").lower()
        found["count"] = int(word) if word.isdigit() else _NUMBER_WORDS[word]
    if "change" in wanted and (change := _nearest(matches.of(_CHANGE), start, end)) is not None:
        found["change"] = _CHANGE_WORDS[change.group("w").lower()]
    if "severity" in wanted and (severity := _nearest(matches.of(_SEVERITY), start, end)) is not None:
        found["severity"] = _SEVERITY_WORDS[severity.group("w").lower()]
    return found


class MentionAttributes:
    """spaCy component: fills ``attributes`` of each of ``doc._.mentions``."""

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[MentionRecord] = doc._.mentions or []
        bounds = doc._.sentence_bounds
        text = doc_text(doc)
        by_sentence: dict[int, SentenceMatches] = {}
        for mention in mentions:
            if not mention.label.attributes or mention.assertion == "NEGATIVE":  # nothing to describe
                continue
            index = mention.sentence_index
            offset = bounds[index]
            if index not in by_sentence:
                by_sentence[index] = SentenceMatches(text[offset : bounds[index + 1]])
            mention.attributes = attributes_near(
                by_sentence[index], mention.char_start - offset, mention.char_end - offset, mention.label.attributes
            )
        return doc


@Language.factory("ctcurate_attributes")
def make_mention_attributes(nlp: Language, name: str) -> MentionAttributes:
    return MentionAttributes()
