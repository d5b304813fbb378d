"""ConText-style assertion: is a mention present, absent, uncertain or historical?

Cues and scope terminators come from ``lexicons/assertion_cues.yaml``. A cue governs mentions in
its direction (forward: after it; backward: before it) up to a terminator ("but", "however", ";")
or the sentence edge, optionally within ``max_scope`` tokens. When several cues reach a mention
the nearest one wins; PSEUDO cues ("no change") win like any cue but assert nothing, which is how
"no change in the nodule" stays positive. Longer cues hide the shorter ones they overlap ("no new"
over "no"). A phrase is one cue (the lexicon loader refuses a repeat).

"And" joins either the items of one list under one cue or two clauses. It ends a cue's scope where the clause on
the cue's side already has its verb ("No effusion is seen in the right lung and a nodule is present"; "Atelectasis
is present at the left base, and pleural effusion was not observed": the backward cue reaches the effusion only),
and ", and" also where the last finding a forward cue governed has words of its own before the comma, a place or a
verb: "No pleural effusion in the right hemithorax, and a 5 mm nodule in the left lower lobe" negates the effusion
only, "No effusion, pneumothorax, and consolidation" all three (see ``ClauseJoints``).

    >>> text = "No pleural effusion or pneumothorax, but a stable 4 mm nodule."
    >>> analysis = ReportAnalyzer().analyze(text)  # doctest: +SKIP
    >>> [(m.label, m.assertion) for m in analysis.mentions]  # doctest: +SKIP
    [('pleural_effusion', 'NEGATIVE'), ('pneumothorax', 'NEGATIVE'), ('lung_nodule', 'POSITIVE')]
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from typing import Any, NamedTuple

from spacy.tokens import Doc

from curation.reports.lexicon import AssertionCue, AssertionLexicon
from curation.reports.mentions import CLAUSE_ENDS, MentionRecord, longest_spans
from curation.reports.term_matcher import TermKind, TermMatcher

QUERY_MARK = "?"
UNCHOSEN = "UNCHOSEN"
ASSERTION_OF_CATEGORY = {"NEGATED": "NEGATIVE", "UNCERTAIN": "UNCERTAIN", "HISTORICAL": "HISTORICAL"}

# The words the "and" rule reads, registered as forward terminators with payloads of their own so the ``TermMatcher``
# finds them in its one pass (the plain forward terminators have the payload None).
_COMMA_AND = "comma and"  # ", and": the last item of a list, or a new clause
_AND = "and"
_COMMA = "comma"
_VERB = "verb"
_RELATIVE = "relative"
_PREDICATE = "predicate"


class CueHit(NamedTuple):
    cue: AssertionCue
    start: int  # token index
    end: int


class ContextAssertion:
    """Sets ``assertion`` on mentions from the cue and terminator matches of the shared ``TermMatcher``."""

    def __init__(self, lexicon: AssertionLexicon, terms: TermMatcher) -> None:
        self.cues = lexicon.cues
        # "?" governs the word it is written against: "effusion?" (backward), "?infection", "opacity, ? pneumonia"
        # (forward); see `_query_hit`
        self.query_cues = {
            index: (replace(cue, direction="backward"), replace(cue, direction="forward"))
            for index, cue in enumerate(lexicon.cues)
            if cue.phrase == QUERY_MARK and cue.direction == "bidirectional"
        }
        # a backward cue that opens its sentence reads forward where the lexicon says so (``forward_when_first``), as
        # non-native and translated reports write it: "Not observed pathological lymph nodes."
        self.opening_cues = {
            index: replace(cue, direction="forward") for index, cue in enumerate(lexicon.cues) if cue.forward_when_first
        }
        # and a bounded cue that opens its sentence governs the whole list after it (``list_when_first``): "Resolved
        # right effusion, left basal atelectasis and RLL consolidation."
        self.opening_cues |= {
            index: replace(cue, direction="forward", max_scope=None)
            for index, cue in enumerate(lexicon.cues)
            if cue.list_when_first
        }
        # and a forward cue that closes its sentence reads backward (``backward_when_last``): "Pericardial effusion: No"
        self.closing_cues = {
            index: replace(cue, direction="backward")
            for index, cue in enumerate(lexicon.cues)
            if cue.backward_when_last
        }
        for index, cue in enumerate(lexicon.cues):
            terms.add(TermKind.CUE, index, [cue.phrase])
        terms.add(TermKind.TERMINATOR, None, lexicon.terminators)
        terms.add(TermKind.FORWARD_TERMINATOR, None, lexicon.forward_terminators)
        terms.add(TermKind.FORWARD_TERMINATOR, _COMMA_AND, [", and"])
        terms.add(TermKind.FORWARD_TERMINATOR, _AND, ["and"])
        terms.add(TermKind.FORWARD_TERMINATOR, _COMMA, [","])
        terms.add(TermKind.FORWARD_TERMINATOR, _VERB, lexicon.clause_verbs)
        terms.add(TermKind.FORWARD_TERMINATOR, _RELATIVE, lexicon.relative_words)
        terms.add(TermKind.FORWARD_TERMINATOR, _PREDICATE, lexicon.predicate_words)

    def assign(
        self,
        mentions: list[MentionRecord],
        found_terms: list[list[tuple[Any, int, int]]],
        sentence_starts: list[int],
        doc: Doc | None = None,
    ) -> None:
        """``doc``: the tokens the terms were found in; with it, a "?" takes the direction of the word it is written
        against."""
        cue_matches = found_terms[TermKind.CUE]
        if not mentions or not cue_matches:
            return  # every mention stays POSITIVE
        by_sentence = self.cue_hits_by_sentence(cue_matches, sentence_starts, doc)
        statements = [(m.start, m.end) for m in mentions if m.stated_absent]
        terminators = sorted(t for _p, start, end in found_terms[TermKind.TERMINATOR] for t in range(start, end))
        plain_forward: list[int] = []
        words: dict[object, list[int]] = {}
        for payload, start, end in found_terms[TermKind.FORWARD_TERMINATOR]:
            if payload is None:
                plain_forward.extend(range(start, end))
            else:
                words.setdefault(payload, []).append(start)
        forward_terminators = sorted({*terminators, *plain_forward})
        finding_starts = [m.start for m in mentions]
        joints = ClauseJoints(mentions, sentence_starts, words)
        for mention in mentions:
            hits = by_sentence.get(mention.sentence_index)
            if not hits or mention.stated_absent:
                continue
            if statements:
                # a normal statement's own words speak of its organ only ("nodes up to 12 mm, heart not enlarged"),
                # of the findings it names ("PLEURA: No effusion or thickening." rules out the effusion too), and, for
                # a forward cue, of what follows ("no filling defect in the pulmonary arteries to suggest embolism")
                hits = [
                    h
                    for h in hits
                    if not any(
                        s <= h.start
                        and h.end <= e
                        and not (s <= mention.start and mention.end <= e)
                        and not (h.cue.direction != "backward" and mention.start >= e)
                        for s, e in statements
                    )
                ]
            mention.assertion = assert_mention(mention, hits, terminators, finding_starts, forward_terminators, joints)

    def cue_hits_by_sentence(
        self, cue_matches: list[tuple[Any, int, int]], sentence_starts: list[int], doc: Doc | None = None
    ) -> dict[int, list[CueHit]]:
        """Cue hits (longer cues hiding the shorter ones they overlap) grouped by the sentence they start in; a cue
        that runs on into the next sentence governs nothing (it still hides the cues it overlaps)."""
        spans: dict[tuple[int, int], int] = {}
        for index, start, end in cue_matches:
            key = (start, end)
            spans[key] = max(index, spans.get(key, -1))  # two cues' spelling variants may meet: the later cue
        by_sentence: dict[int, list[CueHit]] = {}
        # "is not excluded": "not excluded" (uncertain) beats "is not" (negated); the later words carry the meaning
        kept = longest_spans(list(spans), prefer_later=True) if len(spans) > 1 else list(spans)
        n_sentences = len(sentence_starts)
        for span in kept:
            sentence = bisect.bisect_right(sentence_starts, span[0]) - 1
            if sentence + 1 < n_sentences and span[1] > sentence_starts[sentence + 1]:
                continue
            index = spans[span]
            if index in self.opening_cues and _opens_sentence(span[0], sentence_starts[sentence], doc):
                cue = self.opening_cues[index]
                if index in self.query_cues and doc is not None:
                    # a "?" asks about one finding, however many words describe it, not the list after its clause:
                    # "?Sarcoidosis, bilateral hilar lymphadenopathy and perilymphatic nodules"
                    cue = replace(cue, max_scope=_first_clause_length(doc, span[1], sentence_starts, sentence))
            elif (
                index in self.closing_cues
                and doc is not None
                and _closes_field(doc, span[1], sentence_starts, sentence)
            ):
                cue = replace(
                    self.closing_cues[index], max_scope=_field_name_length(doc, span[0], sentence_starts[sentence])
                )
            elif self.cues[index].only_when_last:
                continue  # an answer that does not close its field answers nothing (it still hides shorter cues)
            elif doc is None or index not in self.query_cues:
                cue = self.cues[index]
            else:
                cue = self._query_cue(index, span, doc)
            if cue.category == UNCHOSEN:
                continue  # a form's option left unchosen ("[ ] absent"): it hid the cues inside it, governs nothing
            by_sentence.setdefault(sentence, []).append(CueHit(cue, span[0], span[1]))
        return by_sentence

    def _query_cue(self, index: int, span: tuple[int, int], doc: Doc) -> AssertionCue:
        """The "?" cue turned to the word it is written against: "effusion?" asks about the word before it,
        "?infection" and "? pneumonia" (a space before, a lower-case word after) about the word after it; anything
        else keeps both directions."""
        start, end = span
        backward, forward = self.query_cues[index]
        word_after = end < len(doc) and doc[end].is_alpha
        spaced_before = start == 0 or bool(doc[start - 1].whitespace_)
        if word_after and (not doc[start].whitespace_ or (doc[end].is_lower and spaced_before)):
            return forward
        if start > 0 and not doc[start - 1].whitespace_:
            return backward
        return self.cues[index]


_CLAUSE_BOUNDARIES = frozenset({".", ";", ",", "(", ")"})


def _closes_field(doc: Doc, end: int, sentence_starts: list[int], sentence: int) -> bool:
    """Whether the answer ending at token ``end`` closes its field: the sentence ends there or a clause boundary
    follows ("Pneumothorax: No.", "Pulmonary embolism: no; ...", "Pneumothorax: No (chest tube in place).")."""
    sentence_end = sentence_starts[sentence + 1] if sentence + 1 < len(sentence_starts) else len(doc)
    return (
        end >= sentence_end
        or doc[end].text in _CLAUSE_BOUNDARIES
        or all(doc[i].is_punct for i in range(end, sentence_end))
    )


def _field_name_length(doc: Doc, cue_start: int, sentence_start: int) -> int:
    """Tokens between the cue and the comma or semicolon before it (or the sentence start): the field's name, which a
    closing answer reads back over ("Small right pleural effusion, pneumothorax: no" answers for the pneumothorax)."""
    start = cue_start
    while start > sentence_start and doc[start - 1].text not in (",", ";"):
        start -= 1
    return cue_start - start


def _first_clause_length(doc: Doc, cue_end: int, sentence_starts: list[int], sentence: int) -> int:
    """Tokens between a cue and the first comma or semicolon after it (or the sentence end)."""
    sentence_end = sentence_starts[sentence + 1] if sentence + 1 < len(sentence_starts) else len(doc)
    end = cue_end
    while end < sentence_end and doc[end].text not in CLAUSE_ENDS:
        end += 1
    return max(1, end - cue_end)


def _opens_sentence(start: int, sentence_start: int, doc: Doc | None) -> bool:
    """Whether the token at ``start`` opens its sentence, after a list mark at most ("- Not seen ...", "2) Not ...")."""
    if start == sentence_start:
        return True
    return (
        doc is not None
        and start - sentence_start <= 2
        and not any(doc[i].is_alpha for i in range(sentence_start, start))
    )


class ClauseJoints:
    """Where "and" ends a cue's scope: between two clauses, not between the items of a list.

    Forward cue: "and" ends it where a clause verb stands between the cue and the "and" ("No effusion is seen in the
    right lung and a nodule is present"); ", and" also where the last finding the cue governed has words of its own
    before the comma ("No effusion in the right hemithorax, and a nodule"), while a comma right after a finding
    ("no effusion, pneumothorax, and consolidation"), words holding a comma ("no effusion, hilar enlargement, and
    lymphadenopathy": list items themselves) or no finding yet ("no mediastinal, hilar, and axillary
    lymphadenopathy") keep the list going.
    Backward cue: "and" or a comma ends it where the finding's clause has a verb before the joint and the cue's clause a
    subject of its own after it: "Atelectasis is present, and pleural effusion was not observed", "Nodules were seen
    in the left lung, metastasis cannot be excluded"; not in a list ("Effusion, nodule and mass were not observed")
    nor where one subject has two predicates ("Lymph nodes are seen and are not of pathological size"). A clause may
    also end on a predicate without a verb, as translated reports write it (``predicate_words`` right before the
    joint): "Heart size increased, pericardial effusion was not detected"; "No pleural effusion, heart size increased".

    ``words``: token positions by payload (the joint words registered by ``ContextAssertion``).
    """

    def __init__(self, mentions: list[MentionRecord], sentence_starts: list[int], words: dict[object, list[int]]):
        self.spans = sorted((m.start, m.end) for m in mentions)
        self.ends = sorted(end for _start, end in self.spans)
        self.sentence_starts = sentence_starts
        comma_joints = words.get(_COMMA_AND, [])
        after_comma = {comma + 1 for comma in comma_joints}
        # (position, end) of each joint; ", and" stands at its comma
        self.joints = sorted(
            [*((c, c + 2) for c in comma_joints), *((a, a + 1) for a in words.get(_AND, ()) if a not in after_comma)]
        )
        self.starts = [start for start, _end in self.joints]
        self.commas = sorted(words.get(_COMMA, ()))
        self.relatives = sorted(words.get(_RELATIVE, ()))
        relative_next = {r + 1 for r in self.relatives}
        self.verbs = sorted(v for v in words.get(_VERB, ()) if v not in relative_next)
        self.predicates = frozenset(words.get(_PREDICATE, ()))

    def _joints_in(self, start: int, end: int) -> list[tuple[int, int]]:
        return self.joints[bisect.bisect_left(self.starts, start) : bisect.bisect_left(self.starts, end)]

    def ends_forward(self, cue_end: int, mention_start: int, mention_end: int | None = None) -> bool:
        """Whether an "and" between a forward cue ending at ``cue_end`` and a finding at ``mention_start`` ends the
        cue's scope; or a comma, where the finding's words end on a predicate of their own ("No pleural effusion,
        heart size increased")."""
        if (
            mention_end is not None
            and mention_end - 1 in self.predicates
            and mention_end - mention_start > 1
            and _last_before(self.commas, mention_start) > cue_end
        ):
            return True  # the cue governed a finding before the comma: "Possibly, the liver is enlarged" is hedged
        for joint, joint_end in self._joints_in(cue_end, mention_start):
            if _blocked(self.verbs, cue_end, joint):
                return True
            if joint_end - joint == 2:  # ", and"
                first, after = bisect.bisect_left(self.spans, (cue_end,)), bisect.bisect_left(self.spans, (joint,))
                last_end = max((end for _start, end in self.spans[first:after] if end <= joint), default=None)
                if last_end is not None and last_end < joint and not _blocked(self.commas, last_end, joint):
                    return True
        return False

    def predicates_a_finding(self, cue_start: int, cue_end: int, mention_start: int) -> bool:
        """Whether a two-way cue is the predicate of the finding right before it and a comma stands between it and a
        later finding: "Pneumonia resolved, new nodule in the right upper lobe" says nothing of the nodule."""
        before = bisect.bisect_left(self.ends, cue_start - 1)
        follows = before < len(self.ends) and self.ends[before] <= cue_start
        return follows and _blocked(self.commas, cue_end, mention_start)

    def ends_backward(self, mention: MentionRecord, cue_start: int) -> bool:
        """Whether an "and" or a comma between ``mention`` and a backward cue starting at ``cue_start`` ends the cue's
        scope ("Nodules were observed in the left lung, metastasis cannot be excluded": the hedge has a subject of its
        own)."""
        joints = self._joints_in(mention.end, cue_start)
        first_comma = bisect.bisect_left(self.commas, mention.end)
        commas = self.commas[first_comma : bisect.bisect_left(self.commas, cue_start)]
        last_joint = joints[-1] if joints else None
        if commas and (last_joint is None or commas[-1] > last_joint[0]):
            last_joint = (commas[-1], commas[-1] + 1)
        if last_joint is None:
            return False
        joint, joint_end = last_joint
        subject = cue_start - joint_end - _count(self.verbs, joint_end, cue_start)
        if subject <= 0:
            return False  # "... and was not detected": the cue's clause shares the finding's subject
        clause_start = max(
            self.sentence_starts[mention.sentence_index],
            _last_before(self.commas, mention.start) + 1,
            _last_before(self.relatives, mention.start) + 1,
        )
        if _blocked(self.verbs, clause_start, joint):
            return True
        # a predicate right before the joint, after the finding's name and not in a relative clause ("nodes that are
        # enlarged and effusion were not observed"), closes the finding's clause where the cue's clause names a finding
        # of its own: "Heart size increased, pericardial effusion was not detected" ("Nodule previously noted, now
        # resolved" is one clause's finding)
        closing = joint - 1
        return (
            closing in self.predicates
            and closing >= mention.end - 1
            and not _blocked(self.relatives, mention.end, joint)
            and self._finding_in(joint_end, cue_start)
        )

    def _finding_in(self, start: int, end: int) -> bool:
        """Whether a finding starts in [start, end)."""
        first = bisect.bisect_left(self.spans, (start,))
        return first < len(self.spans) and self.spans[first][0] < end


def _hedges_the_predicate(cue: AssertionCue, hit_end: int, start: int, end: int, joints: ClauseJoints | None) -> bool:
    """Whether a hedge inside a mention's words stands right before its last word or two, with no comma between: "the
    liver is possibly mildly enlarged" (not "the liver, likely steatotic, is enlarged")."""
    if cue.category != "UNCERTAIN" or not start < hit_end < end or end - hit_end > 2:
        return False
    return joints is None or not _blocked(joints.commas, hit_end, end)


def _count(positions: list[int], start: int, end: int) -> int:
    return bisect.bisect_left(positions, end) - bisect.bisect_left(positions, start)


def _last_before(positions: list[int], end: int) -> int:
    """The last position before ``end`` (-1: none)."""
    index = bisect.bisect_left(positions, end)
    return positions[index - 1] if index else -1


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
    joints: ClauseJoints | None = None,
) -> str:
    """POSITIVE, NEGATIVE, UNCERTAIN or HISTORICAL from the nearest cue whose scope reaches the mention.

    A negation also covers an uncertainty cue that follows it with no other finding and no comma between them:
    "no finding suggestive of pneumonia" is negative, "no effusion, possible atelectasis" is not, nor is "hilar
    soft tissue without calcification, evaluated in favor of lymphadenopathy" (the comma closes the negated phrase).
    """
    reaching: list[tuple[int, CueHit]] = []
    start, end = mention.start, mention.end
    forward_blocking = forward_terminators if forward_terminators is not None else terminators
    system = mention.label.organ_system
    for hit in hits:
        cue, hit_start, hit_end = hit  # unpacked once: this loop runs for every cue of every mention's sentence
        if cue.only_for and system not in cue.only_for:
            continue
        if hit_start < end and start < hit_end:
            if (hit_start < start or (hit_start == start and hit_end < end)) and cue.direction != "backward":
                # a cue that opens the mention's words: "non-enlarged lymph nodes", "without formations"
                reaching.append((0, hit))
            elif _hedges_the_predicate(cue, hit_end, start, end, joints):
                reaching.append((0, hit))  # a hedge amid a pattern's words: "the liver is possibly enlarged"
            continue  # any other cue inside the mention's words is part of the finding's name
        forward = hit_end <= start
        if forward and cue.direction != "backward":
            distance, gap_start, gap_end, blocking = start - hit_end, hit_end, start, forward_blocking
        elif hit_start >= end and cue.direction != "forward":
            distance, gap_start, gap_end, blocking = hit_start - end, end, hit_start, terminators
        else:
            continue
        if cue.max_scope is not None and distance > cue.max_scope:
            continue
        if _blocked(blocking, gap_start, gap_end):
            continue
        if joints is not None and (
            joints.ends_forward(hit_end, start, end) if forward else joints.ends_backward(mention, hit_start)
        ):
            continue
        if (
            forward
            and cue.direction == "bidirectional"
            and cue.category == "HISTORICAL"
            and joints is not None
            and joints.predicates_a_finding(hit_start, hit_end, start)
        ):
            continue
        reaching.append((distance, hit))
    if not reaching:
        return "POSITIVE"
    nearest = min(reaching, key=lambda item: item[0])[1]
    if nearest.cue.category == "PSEUDO" and nearest.start >= end:
        # a property said after the finding ("not further characterised", "not calcified") keeps it from a negation,
        # not from the hedge before it: "Possible 9 mm left adrenal nodule, not further characterised" is uncertain
        hedges = [(d, h) for d, h in reaching if h.cue.category == "UNCERTAIN" and h.end <= start]
        if hedges:
            nearest = min(hedges, key=lambda item: item[0])[1]
    if nearest.cue.category == "UNCERTAIN" and any(
        h.cue.category == "NEGATED"
        and h.end <= nearest.start <= mention.start
        and (nearest.cue.negated_across or not any(h.end <= start < nearest.start for start in finding_starts or ()))
        and not (joints is not None and _blocked(joints.commas, h.end, nearest.start))
        for _d, h in reaching
    ):
        return "NEGATIVE"
    return ASSERTION_OF_CATEGORY.get(nearest.cue.category, "POSITIVE")
