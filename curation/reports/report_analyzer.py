"""Analyse radiology reports: sections, sentences, label mentions with assertion and attributes.

The pipeline is ``spacy.blank("en")`` (its tokenizer, with bullets split off) plus one component,
``ctcurate_report``, that reads its rules from ``lexicons/`` and does the whole extraction in one pass
over plain Python data taken from the Doc once: sections -> sentences -> one PhraseMatcher run for
every lexicon phrase (labels, exclusions, cues, terminators, anatomy) -> organ systems -> label
mentions -> assertion -> attributes. The result is ``doc._.ctcurate_report``. Character offsets refer to the
input text exactly.

    >>> analyzer = ReportAnalyzer()
    >>> analysis = analyzer.analyze("FINDINGS: Stable 4 mm nodule in the right upper lobe. No pleural effusion.")
    >>> [(m.label, m.assertion, m.size_mm, m.location) for m in analysis.mentions]
    [('lung_nodule', 'POSITIVE', 4.0, 'right_upper_lobe'), ('pleural_effusion', 'NEGATIVE', None, None)]
    >>> [(s.label, s.status) for s in analysis.study_labels()]
    [('lung_nodule', 'positive'), ('pleural_effusion', 'negative')]
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

from curation.reports.assertion import ContextAssertion
from curation.reports.attributes import MentionAttributes
from curation.reports.caseless import lower_if_exact
from curation.reports.lexicon import LabelDef, Lexicon, load_lexicon
from curation.reports.mentions import LabelMentionRules, MentionRecord
from curation.reports.sections import Section, SectionSplitter, TextKeepingTokenizer, doc_text
from curation.reports.sentences import BULLETS, sentence_starts, sentence_token_starts
from curation.reports.term_matcher import TermKind, TermMatcher

if not Doc.has_extension("ctcurate_report"):
    Doc.set_extension("ctcurate_report", default=None)

STATUS_OF_ASSERTION = {
    "POSITIVE": "positive",
    "UNCERTAIN": "uncertain",
    "NEGATIVE": "negative",
    "HISTORICAL": "negative",
}
_STATUS_RANK = {"positive": 2, "uncertain": 1, "negative": 0}
_BULLETS = tuple(BULLETS)


@dataclass
class SentenceResult:
    index: int
    section: str
    char_start: int
    char_end: int
    text: str
    organ_systems: list[str]


@dataclass
class Mention:
    label: str
    organ_system: str
    assertion: str  # POSITIVE | NEGATIVE | UNCERTAIN | HISTORICAL
    mention_text: str
    char_start: int
    char_end: int
    sentence_index: int
    section: str
    laterality: str | None = None
    location: str | None = None
    size_mm: float | None = None
    sizes_mm: list[float] | None = None
    count: int | None = None
    change: str | None = None
    severity: str | None = None
    suv_max: float | None = None  # PET: "SUVmax 7.4"
    deauville: int | None = None  # PET: Deauville 5-point score


@dataclass
class StudyLabel:
    label: str
    organ_system: str
    status: str  # positive | uncertain | negative
    n_mentions: int
    max_size_mm: float | None
    lateralities: list[str] | None


@dataclass
class ReportAnalysis:
    style: str  # 'sectioned' (headings found) or 'prose'
    sections: list[str]
    sentences: list[SentenceResult]
    mentions: list[Mention]

    def study_labels(self) -> list[StudyLabel]:
        """One row per mentioned label over all sections: positive over uncertain over negative.

        HISTORICAL mentions ("effusion has resolved") count as negative: absent on this scan.
        Labels never mentioned are absent (not mentioned is not negative).
        """
        by_label: dict[str, list[Mention]] = {}
        for mention in self.mentions:
            by_label.setdefault(mention.label, []).append(mention)
        rows = []
        for label, mentions in sorted(by_label.items()):
            status = max((STATUS_OF_ASSERTION[m.assertion] for m in mentions), key=_STATUS_RANK.__getitem__)
            positives = [m for m in mentions if m.assertion == "POSITIVE"]
            sizes = [m.size_mm for m in positives if m.size_mm is not None]
            sides = sorted({m.laterality for m in positives if m.laterality})
            rows.append(
                StudyLabel(
                    label=label,
                    organ_system=mentions[0].organ_system,
                    status=status,
                    n_mentions=len(mentions),
                    max_size_mm=max(sizes) if sizes else None,
                    lateralities=sides or None,
                )
            )
        return rows


def build_pipeline(lexicon_dir: Path | None = None) -> Language:
    """``spacy.blank("en")`` with bullets split off as prefixes and the ``ctcurate_report`` component."""
    nlp = blank_pipeline()
    nlp.add_pipe("ctcurate_report", config={"lexicon_dir": str(lexicon_dir) if lexicon_dir else ""})
    return nlp


def blank_pipeline() -> Language:
    """``spacy.blank("en")`` whose tokenizer splits bullets off and keeps the input text on the Doc."""
    nlp = spacy.blank("en")
    prefixes = [*nlp.Defaults.prefixes, *_BULLETS]
    nlp.tokenizer.prefix_search = spacy.util.compile_prefix_regex(prefixes).search
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    return nlp


class ReportAnalyzer:
    """Rule-based report analyser; the rules are the YAML lexicons under ``lexicon_dir``."""

    def __init__(self, lexicon_dir: Path | None = None) -> None:
        self.lexicon = load_lexicon(lexicon_dir)
        self.labels: list[LabelDef] = list(self.lexicon.labels)
        self.nlp = build_pipeline(lexicon_dir)

    def analyze(self, text: str) -> ReportAnalysis:
        return to_analysis(self.nlp(text or ""))

    def analyze_many(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[ReportAnalysis]:
        for doc in self.nlp.pipe((t or "" for t in texts), batch_size=batch_size):
            yield to_analysis(doc)


def to_analysis(doc: Doc) -> ReportAnalysis:
    """The ``ReportAnalysis`` of a Doc that went through ``ctcurate_report``."""
    analysis = doc._.ctcurate_report
    if analysis is None:
        raise ValueError("the Doc was not analysed: its pipeline has no ctcurate_report component")
    return analysis


class ReportComponent:
    """spaCy component: ``doc._.ctcurate_report`` = the report's ``ReportAnalysis``.

    Heading-only sentences ("LUNGS:") and mentions inside headings are left out of the result.
    """

    def __init__(self, nlp: Language, lexicon_dir: str = "") -> None:
        lexicon: Lexicon = load_lexicon(lexicon_dir or None)
        self.splitter = SectionSplitter(lexicon.sections)
        self.terms = TermMatcher(nlp)
        for system in lexicon.organ_systems:
            self.terms.add(TermKind.ORGAN_SYSTEM, system.name, system.terms)
        self.mentions = LabelMentionRules(nlp, lexicon.labels, self.terms, lexicon.organ_systems)
        self.assertion = ContextAssertion(lexicon.assertion, self.terms)
        self.attributes = MentionAttributes(lexicon_dir)

    def __call__(self, doc: Doc) -> Doc:
        doc._.ctcurate_report = self.analyze(doc)
        return doc

    def analyze(self, doc: Doc) -> ReportAnalysis:
        text = doc_text(doc)
        sections = self.splitter.split(text)
        style = "sectioned" if any(s.heading is not None for s in sections) else "prose"
        section_names = list(dict.fromkeys(s.name for s in sections))
        if len(doc) == 0:
            return ReportAnalysis(style, section_names, [], [])
        forced = [offset for s in sections for offset in (s.heading_start, s.start) if offset < len(text)]
        token_starts: list[int] = doc.to_array(IDX).tolist()
        starts = sentence_token_starts(token_starts, sentence_starts(text, forced))
        bounds = [*(token_starts[t] for t in starts), len(text)]
        found_terms = self.terms(doc)
        sentences, kept_index = _sentences(text, sections, bounds)
        if not sentences:
            return ReportAnalysis(style, section_names, [], [])
        organ_systems: dict[int, set[str]] = {}
        for system, start, _end in found_terms[TermKind.ORGAN_SYSTEM]:
            organ_systems.setdefault(bisect.bisect_right(starts, start) - 1, set()).add(system)
        lower = lower_if_exact(text)
        mentions = self.mentions.find(doc, text, found_terms, starts, bounds, token_starts, lower)
        self.assertion.assign(mentions, found_terms, starts)
        mentions = [m for m in mentions if m.sentence_index in kept_index]
        self.attributes.assign(mentions, text, bounds, lower)
        for index, sentence in kept_index.items():
            systems = organ_systems.get(index)
            if systems:
                result = sentences[sentence]
                result.organ_systems = sorted({*result.organ_systems, *systems})
        public = [_to_mention(m, kept_index[m.sentence_index], sentences) for m in mentions]
        for mention in public:
            sentence = sentences[mention.sentence_index]
            if mention.organ_system not in sentence.organ_systems:
                sentence.organ_systems = sorted({*sentence.organ_systems, mention.organ_system})
        return ReportAnalysis(style, section_names, sentences, public)


def _sentences(text: str, sections: list[Section], bounds: list[int]) -> tuple[list[SentenceResult], dict[int, int]]:
    """Public sentences (heading-only and empty ones left out) and {sentence index: public index}."""
    heading_starts = [s.heading_start for s in sections]
    kept_index: dict[int, int] = {}
    sentences: list[SentenceResult] = []
    for index in range(len(bounds) - 1):
        end_char = bounds[index + 1]
        section = sections[max(bisect.bisect_right(heading_starts, bounds[index]) - 1, 0)]
        if end_char <= section.start and section.heading is not None:
            continue  # the heading itself ("LUNGS:")
        char_start = max(bounds[index], section.start)
        sentence_text = text[char_start:end_char].rstrip()
        if not sentence_text:
            continue
        kept_index[index] = len(sentences)
        system = section.organ_system
        sentences.append(
            SentenceResult(
                len(sentences),
                section.name,
                char_start,
                char_start + len(sentence_text),
                sentence_text,
                [system] if system else [],
            )
        )
    return sentences, kept_index


def _to_mention(record: MentionRecord, sentence_index: int, sentences: list[SentenceResult]) -> Mention:
    label = record.label
    attributes = record.attributes or {}
    sizes = attributes.get("sizes_mm")
    return Mention(
        label.name,
        label.organ_system,
        record.assertion,
        record.text,
        record.char_start,
        record.char_end,
        sentence_index,
        sentences[sentence_index].section,
        attributes.get("laterality"),  # type: ignore[arg-type]
        attributes.get("location"),  # type: ignore[arg-type]
        attributes.get("size_mm"),  # type: ignore[arg-type]
        list(sizes) if sizes else None,  # type: ignore[call-overload]
        attributes.get("count"),  # type: ignore[arg-type]
        attributes.get("change"),  # type: ignore[arg-type]
        attributes.get("severity"),  # type: ignore[arg-type]
        attributes.get("suv_max"),  # type: ignore[arg-type]
        attributes.get("deauville"),  # type: ignore[arg-type]
    )


@Language.factory("ctcurate_report", default_config={"lexicon_dir": ""})
def make_report_component(nlp: Language, name: str, lexicon_dir: str) -> ReportComponent:
    return ReportComponent(nlp, lexicon_dir)
