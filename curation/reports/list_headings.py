"""Lists under a line that says what they are: "Resolved:" or "Pertinent negatives:", then a finding per line.

Ward and follow-up reports group their findings under such lines (``list_headings`` in
``lexicons/assertion_cues.yaml``)::

    Resolved:
    - Left basal pneumothorax.          -> HISTORICAL (gone on this scan)
    - RLL consolidation.                -> HISTORICAL
    Pertinent negatives:
    * Pneumothorax                      -> NEGATIVE

Every item of the list (a sentence opening with a bullet or a number, up to a blank line, another heading or a
sentence that is no list item) takes the heading's assertion where its own words leave a finding POSITIVE; an item
with a cue of its own keeps it ("Resolved:" "- possible small effusion" stays uncertain).

    >>> headings = ListHeadings({"resolved": "HISTORICAL"})
    >>> text = "Resolved:\\n- Left pneumothorax.\\n- RLL consolidation.\\nNew RUL nodule."
    >>> headings.assertions(text, [(0, "Resolved:\\n- Left pneumothorax."), (31, "- RLL consolidation."),
    ...                            (52, "New RUL nodule.")])
    [('HISTORICAL', 10), ('HISTORICAL', 0), (None, 0)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

ASSERTION_OF_CATEGORY = {"NEGATED": "NEGATIVE", "HISTORICAL": "HISTORICAL"}

# a line of a few words and a colon, alone (after a list mark at most): "Resolved:", "- Pertinent negatives:"
_HEADING_LINE = re.compile(r"[ \t]*(?:[-*•·][ \t]*)?(?P<words>[A-Za-z][A-Za-z /-]{0,40}?)[ \t]*:[ \t]*(?:\n|$)")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•·▪]|\d{1,2}[.)](?!\d))")


class ListHeadings:
    """The list headings of the assertion lexicon: lower-case phrase -> assertion of the items under it."""

    def __init__(self, headings: Mapping[str, str]) -> None:
        self.assertion_of = {" ".join(p.lower().split()): a for p, a in headings.items()}

    @classmethod
    def from_lexicon(cls, headings: Iterable[tuple[str, str]]) -> ListHeadings:
        """From ``AssertionLexicon.list_headings`` ((phrase, category) pairs)."""
        return cls({phrase: ASSERTION_OF_CATEGORY[category] for phrase, category in headings})

    def assertions(self, text: str, sentences: list[tuple[int, str]]) -> list[tuple[str | None, int]]:
        """For each sentence ((char start in ``text``, its text), in order): the assertion its list items take and
        where in the sentence they start, or (None, 0) outside such a list."""
        found: list[tuple[str | None, int]] = []
        active: str | None = None
        previous_end = 0
        for start, sentence in sentences:
            between = text[previous_end:start]
            if between.strip():  # a heading the sentences leave out ("Resolved:" alone, "IMPRESSION:") starts anew
                heading = _HEADING_LINE.fullmatch(between.strip())
                active = self._assertion(heading.group("words")) if heading is not None else None
            elif between.count("\n") > 1:
                active = None  # a blank line ends the list
            previous_end = start + len(sentence)
            heading = _HEADING_LINE.match(sentence)
            if heading is not None:
                active = self._assertion(heading.group("words"))
                rest = sentence[heading.end() :]
                found.append((active, heading.end()) if active is not None and _LIST_ITEM.match(rest) else (None, 0))
                continue
            if active is not None and _LIST_ITEM.match(sentence):
                found.append((active, 0))
                continue
            active = None
            found.append((None, 0))
        return found

    def _assertion(self, words: str) -> str | None:
        return self.assertion_of.get(" ".join(words.lower().split()))
