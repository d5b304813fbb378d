"""What one sentence says: its label mentions (assertion, attributes) and the organ systems it names.

Every rule of the extraction looks no further than the sentence: phrases, token patterns, organ vetoes,
ConText scopes and attributes all stop at its edges. So a sentence is analysed on its own (its own
spaCy Doc, offsets relative to it), and a sentence met before is not analysed again: radiology reports
repeat template sentences ("Pleural effusion-thickening was not detected.") across a cohort, and about
half the sentences of the 800 CT-RATE development reports are such repeats. The memo is keyed by the
exact sentence text, so a hit gives exactly what the analysis would; it is bounded (oldest entries go
first) and private to one analyser.

    >>> analyzer = SentenceAnalyzer(blank_pipeline(), load_lexicon())  # doctest: +SKIP
    >>> [findings] = analyzer.findings(["Small right pleural effusion, no pneumothorax."])  # doctest: +SKIP
    >>> [(m.label, m.assertion, m.char_start) for m in findings.mentions]  # doctest: +SKIP
    [('pleural_effusion', 'POSITIVE', 12), ('pneumothorax', 'NEGATIVE', 33)]
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from spacy.attrs import IDX
from spacy.language import Language

from curation.reports.assertion import ContextAssertion
from curation.reports.attributes import MentionAttributes
from curation.reports.caseless import lower_if_exact
from curation.reports.lexicon import Lexicon
from curation.reports.mentions import LabelMentionRules, MentionRecord, is_continued
from curation.reports.misspelled_words import misspelled_words
from curation.reports.organ_statements import check_labels, load_organ_statements
from curation.reports.sentences import sentence_token_starts
from curation.reports.term_matcher import TermKind, TermMatcher

DEFAULT_MEMO_SIZE = 100_000  # sentences; about 60 MB at the size of CT-RATE sentences


@dataclass(frozen=True, slots=True)
class SentenceMention:
    """A label mention with its assertion and attributes; offsets relative to its sentence."""

    label: str
    organ_system: str
    assertion: str  # POSITIVE | NEGATIVE | UNCERTAIN | HISTORICAL
    text: str
    char_start: int
    char_end: int
    laterality: str | None
    location: str | None
    size_mm: float | None
    sizes_mm: tuple[float, ...] | None
    count: int | None
    change: str | None
    severity: str | None
    suv_max: float | None
    deauville: int | None


@dataclass(frozen=True, slots=True)
class SentenceFindings:
    mentions: tuple[SentenceMention, ...]
    organ_systems: tuple[str, ...]  # sorted: those its anatomy terms name and those of its mentions' labels


class SentenceAnalyzer:
    """Label mentions, assertion and attributes of single sentences, remembered by sentence text.

    ``memo_size``: how many distinct sentences to remember (0: none).
    """

    def __init__(self, nlp: Language, lexicon: Lexicon, lexicon_dir: str = "", memo_size: int = DEFAULT_MEMO_SIZE):
        self.tokenizer = nlp.tokenizer
        self.terms = TermMatcher(nlp)
        for system in lexicon.organ_systems:
            self.terms.add(TermKind.ORGAN_SYSTEM, system.name, system.own_terms)
            self.terms.add(TermKind.SHARED_ORGAN_TERM, system.name, system.shared_terms)
        self.mentions = LabelMentionRules(nlp, lexicon.labels, self.terms, lexicon.organ_systems, lexicon.veto_scope)
        self.assertion = ContextAssertion(lexicon.assertion, self.terms)
        self.attributes = MentionAttributes(lexicon_dir)
        self.misspellings = misspelled_words(lexicon)
        self.organ_statements = load_organ_statements(lexicon.source)
        if self.organ_statements is not None:
            check_labels(self.organ_statements, {label.name for label in lexicon.labels})
        self._suspect = self.misspellings.flag(nlp.vocab)  # a word that may be misspelt (a flag of its lexeme)
        self.memo_size = memo_size
        self._memo: dict[str | tuple[str, str], SentenceFindings] = {}

    def findings(self, sentences: list[str], headings: list[str | None] | None = None) -> list[SentenceFindings]:
        """The findings of each sentence (remembered ones are shared: treat them as read-only).

        ``headings``: the organ sub-heading each sentence stands under ("KIDNEYS"), or None (see
        ``LabelMentionRules.find``); a sentence under a heading is remembered with it.
        """
        memo = self._memo
        keys: list[str | tuple[str, str]] = (
            [s if h is None else (h, s) for s, h in zip(sentences, headings, strict=True)] if headings else sentences
        )
        found: list[SentenceFindings | None] = [memo.get(key) for key in keys]
        missing = list(dict.fromkeys(key for key, f in zip(keys, found, strict=True) if f is None))
        if not missing:
            return found  # type: ignore[return-value]
        texts = [key if isinstance(key, str) else key[1] for key in missing]
        missing_headings = [None if isinstance(key, str) else key[0] for key in missing]
        fresh = dict(zip(missing, self.analyze(texts, missing_headings), strict=True))
        if self.memo_size:
            for key, findings in fresh.items():
                if len(memo) >= self.memo_size:
                    del memo[next(iter(memo))]
                memo[key] = findings
        return [f if f is not None else fresh[key] for key, f in zip(keys, found, strict=True)]

    def forget(self) -> None:
        """Empty the memo (benchmarks measure the analysis, not a memo filled beforehand)."""
        self._memo.clear()

    def analyze(self, sentences: list[str], headings: list[str | None] | None = None) -> list[SentenceFindings]:
        """Analyse sentences (stripped, not empty) in one Doc: one tokenizer and one PhraseMatcher run for all.

        They are joined by single spaces, where spaCy's tokenizer splits anyway: each sentence gets the
        tokens it gets alone. Then mentions -> assertion -> attributes, each within its sentence. A misspelt word is
        read as the lexicon's ("consolidaton": see ``misspelled_words``); mentions keep the sentence as written.
        """
        text, char_starts = join_sentences(sentences)
        doc = self.tokenizer(text)
        corrected: list[tuple[str, list[int] | None]] = [(sentence, None) for sentence in sentences]
        if doc.to_array(self._suspect).any():  # one look at all the tokens: most sentences hold no misspelt word
            corrected = [self.misspellings.corrected(sentence) for sentence in sentences]
            text, char_starts = join_sentences([sentence for sentence, _offsets in corrected])
            doc = self.tokenizer(text)
        found_terms = self.terms(doc)
        token_starts: list[int] = doc.to_array(IDX).tolist()
        starts = sentence_token_starts(token_starts, char_starts)
        if self.organ_statements is not None:  # "The liver, spleen and pancreas are unremarkable."
            found_terms[TermKind.NORMAL] += _token_spans(self.organ_statements.find(text), token_starts)
            if headings is not None:  # "LIVER:" "Unremarkable."
                found_terms[TermKind.NORMAL] += self._normal_under_organ_headings(sentences, headings, starts, len(doc))
        systems: list[set[str]] = [set() for _ in sentences]
        for kind in (TermKind.ORGAN_SYSTEM, TermKind.SHARED_ORGAN_TERM):
            for system, start, _end in found_terms[kind]:
                systems[bisect.bisect_right(starts, start) - 1].add(system)
        mentions_of: list[list[SentenceMention]] = [[] for _ in sentences]
        named = found_terms[TermKind.LABEL] or found_terms[TermKind.ANCHOR] or found_terms[TermKind.NORMAL]
        under_headings = self.mentions.heading_statements or self.mentions.heading_findings
        if named or (headings is not None and under_headings and any(headings)):  # "HEART:" "Normal." / "Enlarged."
            lower = lower_if_exact(text)
            bounds = [*char_starts, len(text)]
            mentions = self.mentions.find(doc, text, found_terms, starts, bounds, token_starts, lower, headings)
            self.assertion.assign(mentions, found_terms, starts, doc)
            self.attributes.assign(mentions, text, bounds, lower, headings)
            mentions = self.mentions.without_yielded(mentions)
            mentions = self.mentions.without_answered_fields(mentions, text, bounds)
            for mention in mentions:
                index = mention.sentence_index
                found = _sentence_mention(mention, char_starts[index])
                offsets = corrected[index][1]
                mentions_of[index].append(found if offsets is None else _as_written(found, sentences[index], offsets))
        return [
            SentenceFindings(tuple(m), tuple(sorted({*s, *(x.organ_system for x in m)}))) if m or s else _NOTHING
            for m, s in zip(mentions_of, systems, strict=True)
        ]

    def _normal_under_organ_headings(
        self, sentences: list[str], headings: list[str | None], starts: list[int], n_tokens: int
    ) -> list[tuple[str, int, int]]:
        """(label, start token, end token) of each sentence that calls the organ of its sub-heading normal; only the
        first sentence under a heading speaks for the organ as a whole."""
        assert self.organ_statements is not None
        spans = []
        for index, heading in enumerate(headings):
            if heading is None or is_continued(heading):
                continue
            end = starts[index + 1] if index + 1 < len(starts) else n_tokens
            spans += [
                (label, starts[index], end) for label in self.organ_statements.under_heading(heading, sentences[index])
            ]
        return spans


_NOTHING = SentenceFindings((), ())


def _token_spans(spans: list[tuple[str, int, int]], token_starts: list[int]) -> list[tuple[str, int, int]]:
    """(payload, character start, end) -> (payload, start token, end token), where the characters are whole tokens."""
    tokens = []
    for payload, char_start, char_end in spans:
        start, end = bisect.bisect_left(token_starts, char_start), bisect.bisect_left(token_starts, char_end)
        if start < len(token_starts) and token_starts[start] == char_start:
            tokens.append((payload, start, end))
    return tokens


def join_sentences(sentences: list[str]) -> tuple[str, list[int]]:
    """The sentences joined by single spaces, and where each starts in the joined text."""
    char_starts, position = [], 0
    for sentence in sentences:
        char_starts.append(position)
        position += len(sentence) + 1
    return " ".join(sentences), char_starts


def _as_written(mention: SentenceMention, sentence: str, offsets: list[int]) -> SentenceMention:
    """A mention found in a corrected sentence, placed in the sentence as written (``offsets``: the position there of
    each corrected character)."""
    start, end = offsets[mention.char_start], offsets[mention.char_end - 1] + 1
    return replace(mention, char_start=start, char_end=end, text=sentence[start:end])


def _sentence_mention(record: MentionRecord, offset: int) -> SentenceMention:
    label, attributes = record.label, record.attributes or {}
    sizes = attributes.get("sizes_mm")
    return SentenceMention(
        label.name,
        label.organ_system,
        record.assertion,
        record.text,
        record.char_start - offset,
        record.char_end - offset,
        attributes.get("laterality"),  # type: ignore[arg-type]
        attributes.get("location"),  # type: ignore[arg-type]
        attributes.get("size_mm"),  # type: ignore[arg-type]
        tuple(sizes) if sizes else None,  # type: ignore[arg-type]
        attributes.get("count"),  # type: ignore[arg-type]
        attributes.get("change"),  # type: ignore[arg-type]
        attributes.get("severity"),  # type: ignore[arg-type]
        attributes.get("suv_max"),  # type: ignore[arg-type]
        attributes.get("deauville"),  # type: ignore[arg-type]
    )
