"""Sentence splitting that survives radiology text.

Boundaries are found with regular expressions over the whole text (fast, no per-token Python).
They fall after ``. ! ?`` followed by space, but not after abbreviations ("Dr.", "vs.", "e.g.",
"approx."), not inside decimals ("3.2 x 2.1 cm"), not after a list number ("2. Mild effusion");
and they fall before bullets, list items at a line start, blank lines and section headings.

    >>> text = "Nodule measures 3.2 x 2.1 cm, vs. 2.9 cm before. Dr. Smith was called."
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['Nodule measures 3.2 x 2.1 cm, vs. 2.9 cm before.', 'Dr. Smith was called.']
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

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
        "bilat",
        "q",  # query: "septal thickening, q. early oedema"
    ]
)

BULLETS = "•·▪●◦"
# "[.!?]+" written as "[.!?][.!?]*": an expression that opens with a character class lets the regex engine skip
# to the candidates; a repeat does not. The period-only variant opens with a literal, faster still.
# The match takes the whitespace after the end too (no end can start inside it): the next sentence starts at its end.
_SENTENCE_END = re.compile(r"[.!?][.!?]*[\"')\]]*\s+")
_PERIOD_END = re.compile(r"\.[.!?]*[\"')\]]*\s+")
# a list item or a table row ("| Pneumothorax | Yes | small |"); tried at line starts only
_LIST_ITEM = re.compile(r"(?m)^[ \t]*(?:(?:[-*]|\(?\d{1,2}[.)])[ \t]+(?=\S)|\|)")
# "  Location: RLL, superior segment": a line that opens with a field name and a colon (synoptic templates); tried at
# line starts, the sentence starts at the match's end
_FIELD_LINE = re.compile(r"[ \t]*(?=[A-Za-z][\w ,/()'-]{0,40}:[ \t])")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_LINE_AFTER_STOP = re.compile(r"[.:;!?][ \t]*\n\s*")
# Telegraphic reports put one finding on a line with no full stop ("No effusion no ptx\nHeart mildly enlarged"): a line
# that opens with a capitalised word ("Heart", or a side: "L chest port") starts a sentence. A wrapped sentence goes on
# in lower case, with an acronym ("...in the\nLAD"), or after a word that cannot end one ("There is no\nR sided
# pneumothorax"), which this leaves alone.
_NOT_A_SENTENCE_END = "".join(
    rf"(?<!\b{word})" for word in ("the", "of", "on", "in", "to", "a", "an", "and", "or", "with", "for", "at", "by")
)
# and "no" after a word ("There is no\nR sided pneumothorax"), not a field's answer ("Consolidation: No\nMosaic ...")
_NOT_A_SENTENCE_END += r"(?<!\w no)"
_LINE_BEFORE_WORD = re.compile(rf"(?<![ \t])(?i:{_NOT_A_SENTENCE_END})[ \t]*\n[ \t]*(?=[A-Z][a-z]|[LR][ \t]+[a-z])")
_QUOTE_SEPARATOR = re.compile(r"\"(?<=\s\")\s*(?=[A-Z])")  # CT-RATE-style ' " ' between impression items
_QUOTATION_BREAK = re.compile(r"[.!?\n]")
_QUOTATION_GOES_ON = re.compile(r"[ \t]*[a-z,;]")
QUOTATION_CHARS = 40  # a quoted name ('"RLL nodule"') closes within this many characters; CT-RATE items run longer
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*|\d+)$")
# A word of more letters than the longest abbreviation is none (and not a list number): no need to look closer.
_LONGER_THAN_ABBREVIATIONS = max(len(a) for a in ABBREVIATIONS) + 1


def _is_abbreviation_or_list_number(text: str, end: int, sentence_start: int, next_start: int | None = None) -> bool:
    if end - _LONGER_THAN_ABBREVIATIONS >= sentence_start:
        letters = text[end - _LONGER_THAN_ABBREVIATIONS : end]
        if letters.isalpha() and letters.isascii():
            return False
    word = _LAST_WORD.search(text, max(sentence_start, end - 12), end)
    if word is None:
        return False
    token = word.group(1).lower().rstrip(".")
    if token == "no" and next_start is not None and next_start < len(text) and not text[next_start].isdigit():
        return False  # "No." ends an answer ("Pneumothorax: No. Effusion: Small left."); "No. 5" is a number
    if token in ABBREVIATIONS:
        return True
    # "2." opening a sentence is a list number, not a sentence of its own
    return token.isdigit() and not text[sentence_start : word.start()].strip()


# a list item's mark: a dash, a star, a bullet or a number ("2.", "3)"; not the "1." of "1.5 cm")
LIST_MARK = rf"(?:[-*{BULLETS}]|\d{{1,2}}[.)](?!\d))"
_LIST_MARK = re.compile(LIST_MARK)  # a list mark before a "?" that opens its item


def _is_query_mark(text: str, end: int, next_start: int, sentence_start: int) -> bool:
    """A lone "?" before a lower-case word asks about it ("consolidation, ? pneumonia"), as does one right after a
    list mark ("- ? Mild cardiomegaly."): no sentence end."""
    if text[end] != "?" or next_start >= len(text) or text[end + 1] in ".!?":
        return False
    if _LIST_MARK.fullmatch(text[sentence_start:end].strip()):
        return True
    return text[next_start].islower() and (end == 0 or text[end - 1].isspace())


def _opens_a_quotation(text: str, after: int) -> bool:
    """Whether the quote before ``after`` opens a short quotation inside a sentence ('the 5 mm "RLL nodule" described
    above'): its closing quote follows within ``QUOTATION_CHARS``, before any sentence end, and the sentence goes on
    after it in lower case. A CT-RATE item between quotes is followed by the next item ('"Hiatal hernia" Mosaic')."""
    closing = text.find('"', after, after + QUOTATION_CHARS)
    if closing < 0 or _QUOTATION_BREAK.search(text, after, closing) is not None:
        return False
    going_on = _QUOTATION_GOES_ON.match(text, closing + 1)
    return going_on is not None


def _bullet_starts(text: str) -> list[int]:
    """Bullets at the text start or after a space or another bullet ("• Emphysema", not "a·b")."""
    found = []
    for bullet in BULLETS:
        position = text.find(bullet)
        while position >= 0:
            if position == 0 or text[position - 1].isspace() or text[position - 1] in BULLETS:
                found.append(position)
            position = text.find(bullet, position + 1)
    return found


def _line_structure_starts(text: str) -> set[int]:
    """Starts after blank lines, line breaks after a stop and before a capitalised word, and of list items and
    "field:" lines at a line start."""
    starts = {m.end() for pattern in (_BLANK_LINE, _LINE_AFTER_STOP, _LINE_BEFORE_WORD) for m in pattern.finditer(text)}
    position = -1
    while True:
        match = _LIST_ITEM.match(text, position + 1)
        if match is not None:
            starts.add(match.start())
        else:
            field = _FIELD_LINE.match(text, position + 1)
            if field is not None:
                starts.add(field.end())
        position = text.find("\n", position + 1)
        if position < 0:
            return starts


def sentence_starts(text: str, forced: Iterable[int] = ()) -> list[int]:
    """Character offsets where sentences start (always includes the first non-space character)."""
    starts = _line_structure_starts(text) if "\n" in text else {0} if _LIST_ITEM.match(text) else set()
    if not text.isascii():
        starts.update(_bullet_starts(text))
    if '"' in text:
        starts.update(m.start() for m in _QUOTE_SEPARATOR.finditer(text) if not _opens_a_quotation(text, m.end()))
    starts.update(forced)
    structural = sorted(starts)
    ends = _PERIOD_END if "!" not in text and "?" not in text else _SENTENCE_END
    n_chars = len(text)
    for match in ends.finditer(text):
        end = match.start()
        position = bisect.bisect_right(structural, end) - 1
        current = structural[position] if position >= 0 else 0
        next_start = match.end()
        if _is_abbreviation_or_list_number(text, end, current, next_start) or _is_query_mark(
            text, end, next_start, current
        ):
            continue
        if next_start < n_chars:
            starts.add(next_start)
            if not structural or next_start > structural[-1]:
                structural.append(next_start)
            else:
                bisect.insort(structural, next_start)
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


def sentence_token_starts(token_starts: list[int], char_starts: list[int]) -> list[int]:
    """Token index of each sentence: the token at (or first after) each character offset; token 0 always."""
    n_tokens = len(token_starts)
    if n_tokens == 0:
        return []
    found = {bisect.bisect_left(token_starts, offset) for offset in char_starts}
    found.add(0)
    found.discard(n_tokens)
    return sorted(t for t in found if t < n_tokens)
