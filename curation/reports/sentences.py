"""Sentence splitting that survives radiology text, and organ-system tagging of sentences.

Boundaries are found with regular expressions over the whole text (fast, no per-token Python)
and written onto the spaCy Doc in one ``from_array`` call. They fall after ``. ! ?`` followed by
space, but not after abbreviations ("Dr.", "vs.", "e.g.", "approx."), not inside decimals
("3.2 x 2.1 cm"), not after a list number ("2. Mild effusion"); and they fall before bullets, list
items at a line start, blank lines and section headings.

    >>> text = "Nodule measures 3.2 x 2.1 cm, vs. 2.9 cm before. Dr. Smith was called."
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['Nodule measures 3.2 x 2.1 cm, vs. 2.9 cm before.', 'Dr. Smith was called.']
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

import numpy as np
from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from curation.reports.lexicon import load_lexicon
from curation.reports.sections import doc_text

if not Doc.has_extension("sentence_starts"):
    Doc.set_extension("sentence_starts", default=None)  # token index where each sentence starts
if not Doc.has_extension("sentence_bounds"):
    Doc.set_extension("sentence_bounds", default=None)  # char offsets: sentence i is [b[i], b[i+1])
if not Doc.has_extension("token_offsets"):
    Doc.set_extension("token_offsets", default=None)  # (char start, char end) arrays, one entry per token
if not Doc.has_extension("sentence_sections"):
    Doc.set_extension("sentence_sections", default=None)  # index into doc._.sections per sentence
if not Doc.has_extension("sentence_organ_systems"):
    Doc.set_extension("sentence_organ_systems", default=None)  # set of organ systems per sentence

# Words after which a period does not end a sentence (compared lower-cased, without the period).
ABBREVIATIONS = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "vs",
        "v",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "approx",
        "appr",
        "cf",
        "fig",
        "figs",
        "no",
        "nos",
        "nr",
        "st",
        "resp",
        "incl",
        "max",
        "min",
        "ant",
        "post",
        "sup",
        "inf",
        "lat",
        "med",
        "ser",
        "im",
        "img",
        "sp",
        "s.p",
        "mt",
    ]
)

_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)")
_NEXT_START = re.compile(r"\s+")
_BULLET = re.compile(r"[•·▪●◦](?<![^\s•·▪●◦][•·▪●◦])\s*")  # literal first: no lookbehind at every position
_LIST_ITEM = re.compile(r"(?m)^[ \t]*(?:[-*]|\(?\d{1,2}[.)])[ \t]+(?=\S)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_LINE_AFTER_STOP = re.compile(r"[.:;!?][ \t]*\n\s*")
_QUOTE_SEPARATOR = re.compile(r"\"(?<=\s\")\s*(?=[A-Z])")  # CT-RATE-style ' " ' between impression items
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*|\d+)$")


def _is_abbreviation_or_list_number(text: str, end: int, sentence_start: int) -> bool:
    word = _LAST_WORD.search(text, max(sentence_start, end - 12), end)
    if word is None:
        return False
    token = word.group(1).lower().rstrip(".")
    if token in ABBREVIATIONS:
        return True
    # "2." opening a sentence is a list number, not a sentence of its own
    return token.isdigit() and not text[sentence_start : word.start()].strip()


def sentence_starts(text: str, forced: Iterable[int] = ()) -> list[int]:
    """Character offsets where sentences start (always includes the first non-space character)."""
    starts = {m.end() for pattern in (_BLANK_LINE, _LINE_AFTER_STOP) for m in pattern.finditer(text)}
    starts.update(m.start() for pattern in (_BULLET, _LIST_ITEM, _QUOTE_SEPARATOR) for m in pattern.finditer(text))
    starts.update(forced)
    structural = sorted(starts)
    for match in _SENTENCE_END.finditer(text):
        position = bisect.bisect_right(structural, match.start()) - 1
        current = structural[position] if position >= 0 else 0
        if _is_abbreviation_or_list_number(text, match.start(), current):
            continue
        space = _NEXT_START.match(text, match.end())
        if space is not None and space.end() < len(text):
            starts.add(space.end())
            bisect.insort(structural, space.end())
    first = len(text) - len(text.lstrip())
    starts.add(first)
    return sorted(s for s in starts if first <= s < len(text))


def sentence_spans(text: str, forced: Iterable[int] = ()) -> list[tuple[int, int]]:
    """(start, end) of each sentence, trailing whitespace excluded."""
    starts = sentence_starts(text, forced)
    spans = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def set_sentence_starts(doc: Doc, starts: list[int]) -> None:
    """Mark the tokens at (or first after) the given character offsets as sentence starts."""
    if len(doc) == 0:
        return
    token_starts = doc.to_array([IDX]).reshape(-1).astype(np.int64)
    flags = np.full(len(doc), -1, dtype=np.int64)
    positions = np.searchsorted(token_starts, np.asarray(starts, dtype=np.int64), side="left")
    flags[positions[positions < len(doc)]] = 1
    flags[0] = 1
    doc.from_array([SENT_START], flags.astype(np.uint64).reshape(-1, 1))


class RadiologySentencizer:
    """spaCy component: sentence starts from ``sentence_starts``, forced at section headings and bodies."""

    def __call__(self, doc: Doc) -> Doc:
        sections = doc._.sections or []
        text = doc_text(doc)
        forced = [offset for s in sections for offset in (s.heading_start, s.start) if offset < len(text)]
        set_sentence_starts(doc, sentence_starts(text, forced))
        offsets = doc.to_array([IDX, LENGTH, SENT_START]).astype(np.int64).reshape(-1, 3)
        doc._.token_offsets = (offsets[:, 0], offsets[:, 0] + offsets[:, 1])
        token_starts = np.flatnonzero(offsets[:, 2] == 1)
        doc._.sentence_starts = token_starts
        char_starts = offsets[token_starts, 0]
        doc._.sentence_bounds = [*(int(c) for c in char_starts), len(text)]
        section_starts = np.asarray([s.heading_start for s in sections], dtype=np.int64)
        if len(doc) and len(section_starts):
            doc._.sentence_sections = np.maximum(np.searchsorted(section_starts, char_starts, side="right") - 1, 0)
        else:
            doc._.sentence_sections = np.zeros(len(token_starts), dtype=np.int64)
        return doc


class OrganSystemTagger:
    """spaCy component: ``doc._.sentence_organ_systems`` from anatomy terms and sub-headings."""

    def __init__(self, nlp: Language, lexicon_dir: str = "") -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for system in load_lexicon(lexicon_dir or None).organ_systems:
            self.matcher.add(system.name, [nlp.make_doc(term) for term in system.terms])

    def __call__(self, doc: Doc) -> Doc:
        sentence_starts = doc._.sentence_starts
        sections = doc._.sections or []
        tagged: list[set[str]] = []
        for section_index in doc._.sentence_sections:
            system = sections[section_index].organ_system if sections else None
            tagged.append({system} if system else set())
        strings = doc.vocab.strings
        for match_id, start, _end in self.matcher(doc):
            sentence = int(np.searchsorted(sentence_starts, start, side="right")) - 1
            tagged[sentence].add(strings[match_id])
        doc._.sentence_organ_systems = tagged
        return doc


@Language.factory("ctcurate_sentences")
def make_sentencizer(nlp: Language, name: str) -> RadiologySentencizer:
    return RadiologySentencizer()


@Language.factory("ctcurate_organ_systems", default_config={"lexicon_dir": ""})
def make_organ_system_tagger(nlp: Language, name: str, lexicon_dir: str) -> OrganSystemTagger:
    return OrganSystemTagger(nlp, lexicon_dir)
