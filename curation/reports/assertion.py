"""ConText-style assertion: is a mention present, absent, uncertain or historical?

Cues and scope terminators come from ``lexicons/assertion_cues.yaml``. A cue governs mentions in
its direction (forward: after it; backward: before it) up to a terminator ("but", "however", ";")
or the sentence edge, optionally within ``max_scope`` tokens. When several cues reach a mention
the nearest one wins; PSEUDO cues ("no change") win like any cue but assert nothing, which is how
"no change in the nodule" stays positive. Longer cues hide the shorter ones they overlap ("no new"
over "no"). Two cues with the same words: the later one in the lexicon counts.

    >>> text = "No pleural effusion or pneumothorax, but a stable 4 mm nodule."
    >>> analysis = ReportAnalyzer().analyze(text)  # doctest: +SKIP
    >>> [(m.label, m.assertion) for m in analysis.mentions]  # doctest: +SKIP
    [('pleural_effusion', 'NEGATIVE'), ('pneumothorax', 'NEGATIVE'), ('lung_nodule', 'POSITIVE')]
"""

from __future__ import annotations

import bisect
from typing import Any, NamedTuple

from curation.reports.lexicon import AssertionCue, AssertionLexicon
from curation.reports.mentions import MentionRecord, longest_spans
from curation.reports.term_matcher import TermKind, TermMatcher

ASSERTION_OF_CATEGORY = {"NEGATED": "NEGATIVE", "UNCERTAIN": "UNCERTAIN", "HISTORICAL": "HISTORICAL"}


class CueHit(NamedTuple):
    cue: AssertionCue
    start: int  # token index
    end: int


class ContextAssertion:
    """Sets ``assertion`` on mentions from the cue and terminator matches of the shared ``TermMatcher``."""

    def __init__(self, lexicon: AssertionLexicon, terms: TermMatcher) -> None:
        self.cues = lexicon.cues
        for index, cue in enumerate(lexicon.cues):
            terms.add(TermKind.CUE, index, [cue.phrase])
        terms.add(TermKind.TERMINATOR, None, lexicon.terminators)
        terms.add(TermKind.FORWARD_TERMINATOR, None, lexicon.forward_terminators)

    def assign(
        self, mentions: list[MentionRecord], found_terms: list[list[tuple[Any, int, int]]], sentence_starts: list[int]
    ) -> None:
        cue_matches = found_terms[TermKind.CUE]
        if not mentions or not cue_matches:
            return  # every mention stays POSITIVE
        by_sentence = self.cue_hits_by_sentence(cue_matches, sentence_starts)
        terminators = sorted(t for _p, start, end in found_terms[TermKind.TERMINATOR] for t in range(start, end))
        forward_terminators = sorted(
            {
                *terminators,
                *(t for _p, start, end in found_terms[TermKind.FORWARD_TERMINATOR] for t in range(start, end)),
            }
        )
        finding_starts = [m.start for m in mentions]
        for mention in mentions:
            hits = by_sentence.get(mention.sentence_index)
            if not hits:
                continue
            mention.assertion = assert_mention(mention, hits, terminators, finding_starts, forward_terminators)

    def cue_hits_by_sentence(
        self, cue_matches: list[tuple[Any, int, int]], sentence_starts: list[int]
    ) -> dict[int, list[CueHit]]:
        """Cue hits (longer cues hiding the shorter ones they overlap) grouped by the sentence they start in; a cue
        that runs on into the next sentence governs nothing (it still hides the cues it overlaps)."""
        spans: dict[tuple[int, int], int] = {}
        for index, start, end in cue_matches:
            key = (start, end)
            spans[key] = max(index, spans.get(key, -1))  # same words twice: the later cue of the lexicon
        by_sentence: dict[int, list[CueHit]] = {}
        # "is not excluded": "not excluded" (uncertain) beats "is not" (negated); the later words carry the meaning
        kept = longest_spans(list(spans), prefer_later=True) if len(spans) > 1 else list(spans)
        n_sentences = len(sentence_starts)
        for span in kept:
            sentence = bisect.bisect_right(sentence_starts, span[0]) - 1
            if sentence + 1 < n_sentences and span[1] > sentence_starts[sentence + 1]:
                continue
            by_sentence.setdefault(sentence, []).append(CueHit(self.cues[spans[span]], span[0], span[1]))
        return by_sentence


def _blocked(terminators: list[int], start: int, end: int) -> bool:
    """Whether a terminator token lies in [start, end)."""
    if start >= end or not terminators:
        return False
    position = bisect.bisect_left(terminators, start)
    return position < len(terminators) and terminators[position] < end


def assert_mention(
    mention: MentionRecord,
    hits: list[CueHit],
    terminators: list[int],
    finding_starts: list[int] | None = None,
    forward_terminators: list[int] | None = None,
) -> str:
    """POSITIVE, NEGATIVE, UNCERTAIN or HISTORICAL from the nearest cue whose scope reaches the mention.

    A negation also covers an uncertainty cue that follows it with no other finding between them:
    "no finding suggestive of pneumonia" is negative, "no effusion, possible atelectasis" is not.
    """
    reaching: list[tuple[int, CueHit]] = []
    start, end = mention.start, mention.end
    forward_blocking = forward_terminators if forward_terminators is not None else terminators
    for hit in hits:
        cue, hit_start, hit_end = hit  # unpacked once: this loop runs for every cue of every mention's sentence
        if hit_start < end and start < hit_end:
            if hit_start < start and cue.direction != "backward":
                reaching.append((0, hit))  # a cue that opens the mention's words: "non-enlarged lymph nodes"
            continue  # a cue inside the mention's words is part of the finding's name
        if hit_end <= start and cue.direction != "backward":
            distance, gap_start, gap_end, blocking = start - hit_end, hit_end, start, forward_blocking
        elif hit_start >= end and cue.direction != "forward":
            distance, gap_start, gap_end, blocking = hit_start - end, end, hit_start, terminators
        else:
            continue
        if cue.max_scope is not None and distance > cue.max_scope:
            continue
        if _blocked(blocking, gap_start, gap_end):
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
