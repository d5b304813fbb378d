"""Analyse radiology reports: sections, sentences, label mentions with assertion and attributes.

The pipeline is ``spacy.blank("en")`` (its tokenizer, with bullets split off) plus one component,
``ctcurate_report``, that reads its rules from ``lexicons/``: sections and sentences are found on the
text; the sentences not met before go through ``SentenceAnalyzer`` in one Doc (one PhraseMatcher run for
every lexicon phrase: labels, exclusions, cues, terminators, anatomy -> organ systems -> label mentions ->
assertion -> attributes, each within its sentence); remembered sentences are not analysed again. The
result is ``doc._.ctcurate_report``; ``ReportAnalyzer.analyze`` gives the same without a Doc of the whole
report. Character offsets refer to the input text exactly.

    >>> analyzer = ReportAnalyzer()
    >>> analysis = analyzer.analyze("FINDINGS: Stable 4 mm nodule in the right upper lobe. No pleural effusion.")
    >>> [(m.label, m.assertion, m.size_mm, m.location) for m in analysis.mentions]
    [('lung_nodule', 'POSITIVE', 4.0, 'right_upper_lobe'), ('pleural_effusion', 'NEGATIVE', None, None)]
    >>> [(s.label, s.status) for s in analysis.study_labels()]
    [('lung_nodule', 'positive'), ('pleural_effusion', 'negative')]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from curation.reports.lexicon import LabelDef, Lexicon, load_lexicon
from curation.reports.list_headings import ListHeadings
from curation.reports.mentions import continued_heading
from curation.reports.sections import Section, SectionSplitter, TextKeepingTokenizer, doc_text
from curation.reports.sentence_findings import DEFAULT_MEMO_SIZE, SentenceAnalyzer, SentenceMention
from curation.reports.sentences import BULLETS, sentence_starts

if not Doc.has_extension("ctcurate_report"):
    Doc.set_extension("ctcurate_report", default=None)

STATUS_OF_ASSERTION = {
    "POSITIVE": "positive",
    "UNCERTAIN": "uncertain",
    "NEGATIVE": "negative",
    "HISTORICAL": "negative",
}
_STATUS_RANK = {"positive": 2, "uncertain": 1, "negative": 0}
# Sections that speak of the request or the procedure, not of what this scan shows.
NOT_OBSERVED_SECTIONS = frozenset({"clinical_information", "technique", "comparison"})
ADDENDUM_SECTION = "addendum"
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
        """One row per label the findings and impression mention: positive over uncertain over negative.

        HISTORICAL mentions ("effusion has resolved") count as negative: absent on this scan. Mentions in
        the clinical information, technique and comparison sections are not observations of this scan
        ("INDICATION: pleural effusion on chest x-ray"): they stay in ``mentions`` but set no status.
        Labels never mentioned are absent (not mentioned is not negative). An addendum corrects the report: a label
        it mentions takes its status from the addendum's mentions alone ("the 5 mm nodule described above is a
        vessel; there is no pulmonary nodule"), except earlier mentions of the other side where the addendum speaks
        of one side only ("small right pleural effusion" stays after "ADDENDUM: no left pleural effusion").
        """
        by_label: dict[str, list[Mention]] = {}
        for mention in self.mentions:
            if mention.section not in NOT_OBSERVED_SECTIONS:
                by_label.setdefault(mention.label, []).append(mention)
        for label, mentions in by_label.items():
            corrected = [m for m in mentions if m.section == ADDENDUM_SECTION]
            if corrected and len(corrected) < len(mentions):
                by_label[label] = corrected + [m for m in mentions if _on_another_side(m, corrected)]
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


_SIDES_OF = {"left": {"left"}, "right": {"right"}, "bilateral": {"left", "right"}}


def _on_another_side(mention: Mention, corrected: list[Mention]) -> bool:
    """Whether an earlier mention names a side the addendum leaves alone: every addendum mention of its label is of
    one side ("no left pleural effusion") and the earlier one of the other, or of both ("bilateral effusions")."""
    if mention.section == ADDENDUM_SECTION or mention.laterality not in _SIDES_OF:
        return False
    addressed: set[str] = set()
    for correction in corrected:
        if correction.laterality not in ("left", "right"):
            return False  # no side, or both: the addendum speaks of the whole finding
        addressed.add(correction.laterality)
    return bool(_SIDES_OF[mention.laterality] - addressed)


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
        self.component: ReportComponent = self.nlp.get_pipe("ctcurate_report")

    def analyze(self, text: str) -> ReportAnalysis:
        # The same as ``to_analysis(self.nlp(text))`` without tokenizing the whole report: sentences are
        # tokenized one by one, and only those not met before.
        return self.component.analyze_text(text or "")

    def analyze_many(self, texts: Iterable[str]) -> Iterator[ReportAnalysis]:
        for text in texts:
            yield self.component.analyze_text(text or "")


def to_analysis(doc: Doc) -> ReportAnalysis:
    """The ``ReportAnalysis`` of a Doc that went through ``ctcurate_report``."""
    analysis = doc._.ctcurate_report
    if analysis is None:
        raise ValueError("the Doc was not analysed: its pipeline has no ctcurate_report component")
    return analysis


class ReportComponent:
    """spaCy component: ``doc._.ctcurate_report`` = the report's ``ReportAnalysis``.

    Sections and sentences are found on the text; each sentence is analysed on its own (see
    ``sentence_findings``), so ``analyze_text`` needs no Doc of the whole report. Heading-only sentences
    ("LUNGS:") are left out of the result.
    """

    def __init__(self, nlp: Language, lexicon_dir: str = "", memo_size: int = DEFAULT_MEMO_SIZE) -> None:
        lexicon: Lexicon = load_lexicon(lexicon_dir or None)
        self.splitter = SectionSplitter(
            lexicon.sections,
            [t for system in lexicon.organ_systems for t in system.terms],
            [synonym for label in lexicon.labels for synonym in label.synonyms],
        )
        self.sentences = SentenceAnalyzer(nlp, lexicon, lexicon_dir, memo_size)
        self.list_headings = ListHeadings.from_lexicon(lexicon.assertion.list_headings)
        self.lexicon_words = lexicon_words(lexicon)

    def __call__(self, doc: Doc) -> Doc:
        doc._.ctcurate_report = self.analyze_text(doc_text(doc))
        return doc

    def analyze_text(self, text: str) -> ReportAnalysis:
        sections = self.splitter.split(text)
        style = "sectioned" if any(s.heading is not None for s in sections) else "prose"
        section_names = list(dict.fromkeys(s.name for s in sections))
        forced = [offset for s in sections for offset in (s.heading_start, s.start) if offset < len(text)]
        bounds = [*sentence_starts(text, forced), len(text)]
        heading_starts = [s.heading_start for s in sections]
        kept: list[tuple[int, str, Section]] = []
        field: tuple[int, Section] | None = None  # a heading line the lexicon does not know, waiting for its value
        for index in range(len(bounds) - 1):
            end_char = bounds[index + 1]
            section = sections[max(bisect.bisect_right(heading_starts, bounds[index]) - 1, 0)]
            if end_char <= section.start and section.heading is not None:
                continue  # the heading itself ("LUNGS:")
            char_start = max(bounds[index], section.start)
            sentence_text = text[char_start:end_char]
            if sentence_text[:1].isspace() or sentence_text[-1:].isspace():
                stripped = sentence_text.lstrip()
                char_start += len(sentence_text) - len(stripped)
                sentence_text = stripped.rstrip()
                if not sentence_text:
                    continue
            if sentence_text[-1] == ":" and _HEADING_LINE.fullmatch(sentence_text) and sentence_text.count(" ") < 5:
                field = (char_start, section)  # "CORONARY CALCIUM:", "Nodules:": a heading names no finding
                continue
            if field is not None:
                # a short value on the next line belongs to its field ("Pleural effusion:" "None."); a longer text is
                # what the heading heads ("CORONARY CALCIUM:" "Total Agatston score: 0 ...")
                if field[1] is section and _is_field_value(text[field[0] : char_start], sentence_text):
                    sentence_text = text[field[0] : char_start + len(sentence_text)]
                    char_start = field[0]
                field = None
            kept.append((char_start, sentence_text, section))
        if not kept:
            return ReportAnalysis(style, section_names, [], [])
        sentences: list[SentenceResult] = []
        mentions: list[Mention] = []
        headings = _sentence_headings([section for _start, _text, section in kept])
        if _is_single_spaced(text):  # one test for the report, not one per sentence
            collapsed = [(sentence_text, None) for _start, sentence_text, _section in kept]
        else:
            words = self.lexicon_words
            collapsed = [_collapse_whitespace(sentence_text, words) for _start, sentence_text, _section in kept]
        all_findings = self.sentences.findings(
            [single_spaced for single_spaced, _offsets in collapsed], headings if any(headings) else None
        )
        listed = self.list_headings.assertions(text, [(start, sentence) for start, sentence, _section in kept])
        for index, ((char_start, sentence_text, section), findings) in enumerate(zip(kept, all_findings, strict=True)):
            systems = findings.organ_systems
            if section.organ_system and section.organ_system not in systems:
                systems = tuple(sorted((*systems, section.organ_system)))
            offsets = collapsed[index][1]
            list_assertion, items_start = listed[index]
            for found in findings.mentions:
                mention = _to_mention(found, text, char_start, offsets, index, section.name)
                # an item of a list under "Resolved:" or "Pertinent negatives:" (see ``list_headings``)
                listed_item = list_assertion is not None and mention.char_start >= char_start + items_start
                if listed_item and mention.assertion == "POSITIVE":
                    mention.assertion = list_assertion
                mentions.append(mention)
            sentences.append(
                SentenceResult(
                    index, section.name, char_start, char_start + len(sentence_text), sentence_text, list(systems)
                )
            )
        return ReportAnalysis(style, section_names, sentences, mentions)


# A line that is only a few words (at most five) and a colon: a heading, whether or not the section lexicon knows it.
_HEADING_LINE = re.compile(r"[A-Za-z][A-Za-z /&,()'-]{0,40}:")
# a line of at most so many words after such a heading is its value: "None.", "Small on the right, none on the left."
FIELD_VALUE_WORDS = 8


def _is_field_value(heading: str, line: str) -> bool:
    """Whether ``line`` is the value of the field ``heading`` names ("Pleural effusion:" "Small right."): short, and
    not a sentence of its own that names the field again ("CORONARY CALCIUM:" "No coronary artery calcium.")."""
    words = line.lower().split()
    if len(words) > FIELD_VALUE_WORDS:
        return False
    named = heading.lower().rstrip(" :\n").split()
    return not named or named[-1][:5] not in line.lower()


_NOT_A_SINGLE_SPACE = re.compile(r"\s\s|[^\S ]")


# The characters other than the space that str.isspace (and so the regex \s) takes for whitespace in ASCII.
_ASCII_WHITESPACE_BUT_SPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f"


def _sentence_headings(sections: list[Section]) -> list[str | None]:
    """The organ sub-heading each sentence stands under (None outside one); sentences after the first under a
    heading get it marked as continued (`continued_heading`): only the first speaks for the organ as a whole
    ("AORTA: Aneurysm of the infrarenal aorta. Normal caliber." rules out no aneurysm)."""
    headings: list[str | None] = []
    for index, section in enumerate(sections):
        if not section.organ_system or section.heading is None:
            headings.append(None)
        elif index > 0 and sections[index - 1] is section:
            headings.append(continued_heading(section.heading))
        else:
            headings.append(section.heading)
    return headings


def _is_single_spaced(text: str) -> bool:
    """Whether each whitespace in the text is a lone space ("left pleural effusion", not "pleural\n  effusion").

    In ASCII text a few substring tests answer it about 4x faster than the regular expression, which steps
    through every character.
    """
    if not text.isascii():
        return _NOT_A_SINGLE_SPACE.search(text) is None
    return "  " not in text and not any(character in text for character in _ASCII_WHITESPACE_BUT_SPACE)


def lexicon_words(lexicon: Lexicon) -> frozenset[str]:
    r"""The words (lower case, four letters or more) of the lexicons' label phrases, cues and anatomy: those a word
    broken at a line end ("pleu-\nral") is joined back into."""
    phrases = [
        *(term for system in lexicon.organ_systems for term in system.terms),
        *(phrase for label in lexicon.labels for phrase in (*label.synonyms, *label.normal_statements)),
        *(cue.phrase for cue in lexicon.assertion.cues),
    ]
    return frozenset(word for phrase in phrases for word in _LETTERS.findall(phrase.lower()) if len(word) >= 4)


_LETTERS = re.compile(r"[a-z]+")
# A hyphen at a line's end between letters of one case goes on: a word broken at the wrap ("pleu-\nral effusion",
# "PNEUMO-\nTHORAX") or a hyphenated compound ("ground-\nglass"); otherwise a run of whitespace.
_BREAK_OR_SPACE = re.compile(r"(?<=[a-z])-[ \t]*\r?\n\s*(?=[a-z])|(?<=[A-Z])-[ \t]*\r?\n\s*(?=[A-Z])|\s+")
_WORD_BEFORE = re.compile(r"[A-Za-z]+$")
_WORD_AFTER = re.compile(r"[A-Za-z]+")


def _collapse_whitespace(sentence: str, words: frozenset[str] = frozenset()) -> tuple[str, list[int] | None]:
    r"""The sentence with each run of whitespace as one space (a line wrapped by the RIS, "pleural  effusion") and each
    word broken at a line's end joined back where the joined word is one of ``words`` ("pleu-\nral" -> "pleural";
    "ground-\nglass" -> "ground-glass"), and the offset in the sentence of each character of it; (sentence, None)
    where there is nothing to collapse.

    >>> _collapse_whitespace("left pleural\n  effusion")
    ('left pleural effusion', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 20, 21, 22])
    >>> _collapse_whitespace("pleu-\nral", frozenset({"pleural"}))[0]
    'pleural'
    """
    if _is_single_spaced(sentence):
        return sentence, None
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    for run in _BREAK_OR_SPACE.finditer(sentence):
        if sentence[run.start()] == "-":  # a line-end hyphen (the expression's first branch)
            before = _WORD_BEFORE.search(sentence, 0, run.start())
            after = _WORD_AFTER.match(sentence, run.end())
            joined = before is not None and after is not None and (before.group() + after.group()).lower() in words
            kept_end = run.start() if joined else run.start() + 1  # the hyphen goes, or stays without the break
            pieces.append(sentence[position:kept_end])
            offsets.extend(range(position, kept_end))
            position = run.end()
            continue
        pieces.append(sentence[position : run.start()])
        offsets.extend(range(position, run.start()))
        pieces.append(" ")
        offsets.append(run.start())
        position = run.end()
    pieces.append(sentence[position:])
    offsets.extend(range(position, len(sentence)))
    return "".join(pieces), offsets


def _to_mention(
    found: SentenceMention,
    text: str,
    offset: int,
    collapsed_offsets: list[int] | None,
    sentence_index: int,
    section: str,
) -> Mention:
    """The public mention; ``collapsed_offsets`` (see `_collapse_whitespace`) lead back from the single-spaced
    sentence the findings were made on to the text as written."""
    if collapsed_offsets is None:
        char_start, char_end, written = found.char_start + offset, found.char_end + offset, found.text
    else:
        char_start = offset + collapsed_offsets[found.char_start]
        char_end = offset + collapsed_offsets[found.char_end - 1] + 1
        written = text[char_start:char_end]
    return Mention(
        found.label,
        found.organ_system,
        found.assertion,
        written,
        char_start,
        char_end,
        sentence_index,
        section,
        found.laterality,
        found.location,
        found.size_mm,
        list(found.sizes_mm) if found.sizes_mm else None,
        found.count,
        found.change,
        found.severity,
        found.suv_max,
        found.deauville,
    )


@Language.factory("ctcurate_report", default_config={"lexicon_dir": "", "memo_size": DEFAULT_MEMO_SIZE})
def make_report_component(nlp: Language, name: str, lexicon_dir: str, memo_size: int) -> ReportComponent:
    return ReportComponent(nlp, lexicon_dir, memo_size)
