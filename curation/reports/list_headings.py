"""Lists under a line that says what they are: "Resolved:" or "Pertinent negatives:", then a finding per line.

Ward and follow-up reports group their findings under such lines (``list_headings`` in
``lexicons/assertion_cues.yaml``)::

    Resolved:
    - Left basal pneumothorax.          -> HISTORICAL (gone on this scan)
    - RLL consolidation.                -> HISTORICAL
    Pertinent negatives:
    * Pneumothorax                      -> NEGATIVE

Every item of the list (a sentence opening with a bullet or a number; a blank line may stand between the heading and
the first item) takes the heading's assertion where its own words leave a finding POSITIVE; an item with a cue of its
own keeps it ("Resolved:" "- possible small effusion" stays uncertain). A further sentence on an item's line keeps the
list going but takes nothing from the heading ("- Left pneumothorax. New 6 mm nodule."). A blank line after the
items, another heading or a sentence on a line of its own that is no list item ends the list.

    >>> headings = ListHeadings({"resolved": "HISTORICAL"})
    >>> text = "Resolved:\\n- Left pneumothorax.\\n- RLL consolidation.\\nNew RUL nodule."
    >>> headings.assertions(text, [(0, "Resolved:\\n- Left pneumothorax."), (31, "- RLL consolidation."),
    ...                            (52, "New RUL nodule.")])
    [('HISTORICAL', 10), ('HISTORICAL', 0), (None, 0)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from curation.reports.assertion import ASSERTION_OF_CATEGORY
from curation.reports.sentences import BULLETS, LIST_MARK

# a line of a few words and a colon, alone (after a dash or bullet at most): "Resolved:", "- Pertinent negatives:"
_LIST_HEADING_LINE = re.compile(
    rf"[ \t]*(?:[-*{BULLETS}][ \t]*)?(?P<words>[A-Za-z][A-Za-z /-]{{0,40}}?)[ \t]*:[ \t\r]*(?:\n|$)"
)
_LIST_ITEM = re.compile(rf"[ \t]*{LIST_MARK}")
_FIRST_ITEM = re.compile(rf"\s*{LIST_MARK}")  # a blank line may stand between heading and items


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
        items_seen = False
        previous_end = 0
        for start, sentence in sentences:
            between = text[previous_end:start]
            if between.strip():
                # a heading the sentences leave out ("Resolved:" alone, after "FINDINGS:") starts anew; another
                # ("IMPRESSION:") ends the list
                heading = _LIST_HEADING_LINE.fullmatch(between.strip().splitlines()[-1].strip())
                active, items_seen = (self._assertion(heading.group("words")) if heading else None), False
            elif between.count("\n") > 1 and items_seen:
                active = None  # a blank line after the items ends the list
            previous_end = start + len(sentence)
            heading = _LIST_HEADING_LINE.match(sentence)
            if heading is not None:
                active, items_seen = self._assertion(heading.group("words")), False
                if active is not None and _FIRST_ITEM.match(sentence, heading.end()):
                    found.append((active, heading.end()))
                    items_seen = True
                else:
                    found.append((None, 0))
                continue
            if active is not None and _LIST_ITEM.match(sentence):
                found.append((active, 0))
                items_seen = True
                continue
            if active is not None and items_seen and "\n" not in between:
                found.append((None, 0))  # a second sentence on an item's line keeps the list going, asserts its own
                continue
            active = None
            found.append((None, 0))
        return found

    def _assertion(self, words: str) -> str | None:
        return self.assertion_of.get(" ".join(words.lower().split()))
