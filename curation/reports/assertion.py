"""ConText-style assertion: is a mention present, absent, uncertain or historical?

Cues and scope terminators come from ``lexicons/assertion_cues.yaml``. A cue governs mentions in
its direction (forward: after it; backward: before it) up to a terminator ("but", "however", ";")
or the sentence edge, optionally within ``max_scope`` tokens. When several cues reach a mention
the nearest one wins; PSEUDO cues ("no change") win like any cue but assert nothing, which is how
"no change in the nodule" stays positive. Longer cues hide the shorter ones they overlap ("no new"
over "no").

    >>> nlp = build_pipeline()  # doctest: +SKIP
    >>> doc = nlp("No pleural effusion or pneumothorax, but a stable 4 mm nodule.")  # doctest: +SKIP
    >>> [(m.label.name, m.assertion) for m in doc._.mentions]  # doctest: +SKIP
    [('pleural_effusion', 'NEGATIVE'), ('pneumothorax', 'NEGATIVE'), ('lung_nodule', 'POSITIVE')]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from curation.reports.lexicon import AssertionCue, load_lexicon
from curation.reports.mentions import MentionRecord, longest_spans

ASSERTION_OF_CATEGORY = {"NEGATED": "NEGATIVE", "UNCERTAIN": "UNCERTAIN", "HISTORICAL": "HISTORICAL"}
_TERMINATOR = "TERMINATOR"
_FORWARD_TERMINATOR = "FORWARD_TERMINATOR"


@dataclass(frozen=True)
class CueHit:
    cue: AssertionCue
    start: int
    end: int


class ContextAssertion:
    """spaCy component: sets ``assertion`` on each of ``doc._.mentions``."""

    def __init__(self, nlp: Language, lexicon_dir: str = "") -> None:
        lexicon = load_lexicon(lexicon_dir or None).assertion
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.cues: dict[str, AssertionCue] = {}
        for index, cue in enumerate(lexicon.cues):
            key = f"cue{index}"
            self.cues[key] = cue
            self.matcher.add(key, [nlp.make_doc(cue.phrase)])
        self.matcher.add(_TERMINATOR, [nlp.make_doc(t) for t in lexicon.terminators])
        if lexicon.forward_terminators:
            self.matcher.add(_FORWARD_TERMINATOR, [nlp.make_doc(t) for t in lexicon.forward_terminators])

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[MentionRecord] = doc._.mentions or []
        if not mentions:
            return doc
        cue_hits, terminators, forward_terminators = self.find_cues(doc)
        starts = doc._.sentence_starts.tolist()
        finding_starts = [m.start for m in mentions]
        for mention in mentions:
            first = starts[mention.sentence_index]
            last = starts[mention.sentence_index + 1] if mention.sentence_index + 1 < len(starts) else len(doc)
            hits = [h for h in cue_hits if first <= h.start and h.end <= last]
            mention.assertion = (
                assert_mention(mention, hits, terminators, finding_starts, forward_terminators) if hits else "POSITIVE"
            )
        return doc

    def find_cues(self, doc: Doc) -> tuple[list[CueHit], np.ndarray, np.ndarray]:
        strings = doc.vocab.strings
        spans: dict[tuple[int, int], str] = {}
        terminator_tokens: list[int] = []
        forward_tokens: list[int] = []
        for match_id, start, end in self.matcher(doc):
            key = strings[match_id]
            if key == _TERMINATOR:
                terminator_tokens.extend(range(start, end))
            elif key == _FORWARD_TERMINATOR:
                forward_tokens.extend(range(start, end))
            else:
                spans[(start, end)] = key
        # "is not excluded": "not excluded" (uncertain) beats "is not" (negated); the later words carry the meaning
        kept = longest_spans(list(spans), prefer_later=True)
        hits = [CueHit(self.cues[spans[s]], s[0], s[1]) for s in kept]
        return hits, np.asarray(sorted(terminator_tokens)), np.asarray(sorted({*terminator_tokens, *forward_tokens}))


def _blocked(terminators: np.ndarray, start: int, end: int) -> bool:
    """Whether a terminator token lies in [start, end)."""
    if start >= end or len(terminators) == 0:
        return False
    position = int(np.searchsorted(terminators, start, side="left"))
    return position < len(terminators) and terminators[position] < end


def assert_mention(
    mention: MentionRecord,
    hits: list[CueHit],
    terminators: np.ndarray,
    finding_starts: list[int] | None = None,
    forward_terminators: np.ndarray | None = None,
) -> str:
    """POSITIVE, NEGATIVE, UNCERTAIN or HISTORICAL from the nearest cue whose scope reaches the mention.

    A negation also covers an uncertainty cue that follows it with no other finding between them:
    "no finding suggestive of pneumonia" is negative, "no effusion, possible atelectasis" is not.
    """
    reaching: list[tuple[int, CueHit]] = []
    for hit in hits:
        if hit.start < mention.end and mention.start < hit.end:
            continue  # a cue inside the mention's words is part of the finding's name
        if hit.end <= mention.start and hit.cue.direction != "backward":
            distance, gap = mention.start - hit.end, (hit.end, mention.start)
            blocking = forward_terminators if forward_terminators is not None else terminators
        elif hit.start >= mention.end and hit.cue.direction != "forward":
            distance, gap = hit.start - mention.end, (mention.end, hit.start)
            blocking = terminators
        else:
            continue
        if hit.cue.max_scope is not None and distance > hit.cue.max_scope:
            continue
        if _blocked(blocking, *gap):
            continue
        reaching.append((distance, hit))
    if not reaching:
        return "POSITIVE"
    nearest = min(reaching, key=lambda item: item[0])[1]
    if nearest.cue.category == "UNCERTAIN" and any(
        h.cue.category == "NEGATED"
        and h.end <= nearest.start <= mention.start
        and not any(h.end <= start < nearest.start for start in finding_starts or ())
        for _d, h in reaching
    ):
        return "NEGATIVE"
    return ASSERTION_OF_CATEGORY.get(nearest.cue.category, "POSITIVE")


@Language.factory("ctcurate_assertion", default_config={"lexicon_dir": ""})
def make_context_assertion(nlp: Language, name: str, lexicon_dir: str) -> ContextAssertion:
    return ContextAssertion(nlp, lexicon_dir)
