"""Analyse radiology reports: sections, sentences, label mentions with assertion and attributes.

The pipeline is ``spacy.blank("en")`` plus one small component per concern, each reading its rules
from ``lexicons/``: sections -> sentences -> organ systems -> label mentions -> assertion ->
attributes. Character offsets refer to the input text exactly.

    >>> analyzer = ReportAnalyzer()
    >>> analysis = analyzer.analyze("FINDINGS: Stable 4 mm nodule in the right upper lobe. No pleural effusion.")
    >>> [(m.label, m.assertion, m.size_mm, m.location) for m in analysis.mentions]
    [('lung_nodule', 'POSITIVE', 4.0, 'right_upper_lobe'), ('pleural_effusion', 'NEGATIVE', None, None)]
    >>> [(s.label, s.status) for s in analysis.study_labels()]
    [('lung_nodule', 'positive'), ('pleural_effusion', 'negative')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# The imports register the spaCy factories (ctcurate_*).
from curation.reports import assertion as _assertion
from curation.reports import attributes as _attributes
from curation.reports import mentions as _mentions
from curation.reports import sections as _sections
from curation.reports import sentences as _sentences
from curation.reports.lexicon import LabelDef, load_lexicon
from curation.reports.mentions import MentionRecord
from curation.reports.sections import TextKeepingTokenizer, doc_text

_FACTORY_MODULES = (_sections, _sentences, _mentions, _assertion, _attributes)
STATUS_OF_ASSERTION = {
    "POSITIVE": "positive",
    "UNCERTAIN": "uncertain",
    "NEGATIVE": "negative",
    "HISTORICAL": "negative",
}
_STATUS_RANK = {"positive": 2, "uncertain": 1, "negative": 0}
_BULLETS = ("•", "·", "▪", "●", "◦")


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
    """``spacy.blank("en")`` with the ctcurate components, bullets split off as prefixes."""
    config = {"lexicon_dir": str(lexicon_dir) if lexicon_dir else ""}
    nlp = spacy.blank("en")
    prefixes = [*nlp.Defaults.prefixes, *(b for b in _BULLETS)]
    nlp.tokenizer.prefix_search = spacy.util.compile_prefix_regex(prefixes).search
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    nlp.add_pipe("ctcurate_sections", config=config)
    nlp.add_pipe("ctcurate_sentences")
    nlp.add_pipe("ctcurate_organ_systems", config=config)
    nlp.add_pipe("ctcurate_mentions", config=config)
    nlp.add_pipe("ctcurate_assertion", config=config)
    nlp.add_pipe("ctcurate_attributes", config=config)
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
    """Public records from an analysed Doc; heading-only sentences and mentions inside headings are dropped."""
    sections = doc._.sections or []
    starts = [int(s) for s in doc._.sentence_starts] if len(doc) else []
    sentence_sections = doc._.sentence_sections
    organ_systems = doc._.sentence_organ_systems or []
    full_text = doc_text(doc)
    bounds = doc._.sentence_bounds
    kept_index: dict[int, int] = {}
    sentences: list[SentenceResult] = []
    for index in range(len(starts)):
        end_char = bounds[index + 1]
        section = sections[int(sentence_sections[index])]
        if end_char <= section.start and section.heading is not None:
            continue  # the heading itself ("LUNGS:")
        char_start = max(bounds[index], section.start)
        text = full_text[char_start:end_char].rstrip()
        if not text:
            continue
        kept_index[index] = len(sentences)
        sentences.append(
            SentenceResult(
                index=len(sentences),
                section=section.name,
                char_start=char_start,
                char_end=char_start + len(text),
                text=text,
                organ_systems=sorted(organ_systems[index]),
            )
        )
    records = [m for m in doc._.mentions or [] if m.sentence_index in kept_index]
    mentions = [_to_mention(m, kept_index[m.sentence_index], sentences) for m in records]
    for mention in mentions:
        sentence = sentences[mention.sentence_index]
        if mention.organ_system not in sentence.organ_systems:
            sentence.organ_systems = sorted({*sentence.organ_systems, mention.organ_system})
    return ReportAnalysis(
        style="sectioned" if any(s.heading is not None for s in sections) else "prose",
        sections=list(dict.fromkeys(s.name for s in sections)),
        sentences=sentences,
        mentions=mentions,
    )


def _to_mention(record: MentionRecord, sentence_index: int, sentences: list[SentenceResult]) -> Mention:
    attributes = record.attributes
    sizes = attributes.get("sizes_mm")
    return Mention(
        label=record.label.name,
        organ_system=record.label.organ_system,
        assertion=record.assertion,
        mention_text=record.text,
        char_start=record.char_start,
        char_end=record.char_end,
        sentence_index=sentence_index,
        section=sentences[sentence_index].section,
        laterality=attributes.get("laterality"),  # type: ignore[arg-type]
        location=attributes.get("location"),  # type: ignore[arg-type]
        size_mm=attributes.get("size_mm"),  # type: ignore[arg-type]
        sizes_mm=list(sizes) if sizes else None,  # type: ignore[call-overload]
        count=attributes.get("count"),  # type: ignore[arg-type]
        change=attributes.get("change"),
        severity=attributes.get("severity"),  # type: ignore[arg-type]
        suv_max=attributes.get("suv_max"),  # type: ignore[arg-type]
        deauville=attributes.get("deauville"),  # type: ignore[arg-type]
    )
