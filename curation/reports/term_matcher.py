"""One spaCy PhraseMatcher for every phrase of the lexicons, run once per report.

Label synonyms, their exclusions, the anchor words of token patterns, assertion cues and scope
terminators, and organ-system anatomy terms all go into one lower-case PhraseMatcher; each match id
is mapped back to what it stands for. One pass over the tokens costs about as much as a single
PhraseMatcher, instead of one pass per concern.

    >>> terms = TermMatcher(build_pipeline())  # doctest: +SKIP
    >>> terms.add(TermKind.LABEL, "pleural_effusion", ["pleural effusion"])  # doctest: +SKIP
    >>> terms(nlp.make_doc("No pleural effusion."))[TermKind.LABEL]  # doctest: +SKIP
    [('pleural_effusion', 1, 3)]
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc


class TermKind:
    """What a phrase stands for (plain ints, not an Enum: they index lists in the per-report loop)."""

    LABEL = 0  # payload: label name
    EXCLUSION = 1  # payload: label name
    ANCHOR = 2  # payload: the word (lower case) a token pattern opens with; mentions.py maps it to its rules
    CUE = 3  # payload: index of the cue in the assertion lexicon
    TERMINATOR = 4  # payload: None
    FORWARD_TERMINATOR = 5  # payload: None
    ORGAN_SYSTEM = 6  # payload: organ-system name
    REQUIRED = 7  # payload: the word (lower case) one of which a rule's token patterns need after the anchor
    NORMAL = 8  # payload: label name (a statement that the finding is absent: "heart size is normal")
    LIST_WORD = 9  # payload: the word ("," "or" "of" ...) that may join a shared head to a list (coordinated_terms)
    SHARED_ORGAN_TERM = 10  # payload: organ-system name (a term other organs use too: "lobe", "segment")
    COUNT = 11


class TermMatcher:
    """Phrases by kind and payload; ``__call__`` returns, per kind, (payload, start token, end token) triples."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._meaning: dict[int, tuple[int, object]] = {}

    def add(self, kind: int, payload: object, phrases: Iterable[str]) -> list[Doc]:
        """Phrases (matched on lower-case tokens) of a ``TermKind`` and what they stand for; their tokenized docs."""
        docs = [self.nlp.make_doc(phrase) for phrase in phrases]
        if not docs:
            return docs
        key = f"ctcurate-term-{kind}:{payload}"
        self.matcher.add(key, docs)
        self._meaning[self.nlp.vocab.strings[key]] = (kind, payload)
        return docs

    def __call__(self, doc: Doc) -> list[list[tuple[object, int, int]]]:
        found: list[list[tuple[object, int, int]]] = [[] for _ in range(TermKind.COUNT)]
        meaning = self._meaning
        for match_id, start, end in self.matcher(doc):
            kind, payload = meaning[match_id]
            found[kind].append((payload, start, end))
        return found
