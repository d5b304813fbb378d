"""Split a radiology report into canonical sections with character offsets.

Headings come from ``lexicons/sections.yaml``: "FINDINGS:", "Impression:", and organ-system
sub-headings such as "LUNGS:" (findings, tagged ``lung_airways``). A report without headings is
one findings section, unless an impression cue ("IMPRESSION", "Conclusion") opens a conclusion.

    >>> splitter = SectionSplitter(load_lexicon().sections)
    >>> text = "FINDINGS:\\nLUNGS: Small left effusion.\\nIMPRESSION: Left pleural effusion."
    >>> [(s.name, s.organ_system) for s in splitter.split(text)]
    [('findings', None), ('findings', 'lung_airways'), ('impression', None)]
    >>> section = splitter.split(text)[1]
    >>> text[section.start : section.end].strip()
    'Small left effusion.'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from curation.reports.lexicon import SectionHeading, SectionLexicon, load_lexicon

if not Doc.has_extension("sections"):
    Doc.set_extension("sections", default=None)

_TEXT_KEY = "ctcurate_text"


def doc_text(doc: Doc) -> str:
    """The Doc's text, computed once: ``Doc.text`` rebuilds it from the tokens on every access."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


class TextKeepingTokenizer:
    """Wraps a tokenizer to keep the input text on the Doc (read back by ``doc_text``)."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data[_TEXT_KEY] = text
        return doc


@dataclass(frozen=True)
class Section:
    name: str  # canonical section
    organ_system: str | None  # organ system of a findings sub-heading
    heading_start: int  # where the heading starts (== start when there is no heading)
    start: int  # first character of the body, after the heading and its colon
    end: int  # exclusive
    heading: str | None = None  # the heading as written


def _alternation(phrases: list[str]) -> str:
    ordered = sorted(set(phrases), key=len, reverse=True)  # longest first: "LUNGS AND PLEURA" before "LUNGS"
    return "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in ordered)


class SectionSplitter:
    """Finds headings with two regular expressions built from the lexicon."""

    def __init__(self, lexicon: SectionLexicon) -> None:
        self._by_heading: dict[str, SectionHeading] = {h.heading.upper(): h for h in lexicon.headings}
        names = _alternation([h.heading for h in lexicon.headings])
        list_marker = r"(?:[-*•]|\d{1,2}[.)])?[ \t]*"
        # At a line start, any letter case, with a colon ("Lungs: ..."), or alone on its line in capitals.
        self._line_heading = re.compile(
            rf"(?im)^[ \t]*{list_marker}(?P<h>{names})[ \t]*:[ \t]*|^[ \t]*(?P<u>(?-i:{names}))[ \t]*$"
        )
        # Mid-line, only in capitals with a colon, after a sentence end ("... normal. IMPRESSION: ...").
        self._inline_heading = re.compile(rf"(?<=[.!?])[ \t]+(?P<h>(?-i:{names}))[ \t]*:[ \t]*")
        cues = _alternation(list(lexicon.impression_cues))
        self._impression_cue = re.compile(rf"(?i)(?:^|(?<=[.!?\n]))[ \t]*(?P<h>{cues})\b[ \t]*:?")

    def find_headings(self, text: str) -> list[tuple[int, int, SectionHeading, str]]:
        """(heading start, body start, heading record, heading as written), in text order."""
        found: dict[int, tuple[int, int, SectionHeading, str]] = {}
        for pattern in (self._line_heading, self._inline_heading):
            for match in pattern.finditer(text):
                group = "h" if match.group("h") else "u"
                written = match.group(group)
                record = self._by_heading.get(" ".join(written.upper().split()))
                if record is not None:
                    found.setdefault(match.start(group), (match.start(group), match.end(), record, written))
        return [found[key] for key in sorted(found)]

    def split(self, text: str) -> list[Section]:
        headings = self.find_headings(text)
        if not headings:
            return self._split_prose(text)
        sections: list[Section] = []
        preamble_end = headings[0][0]
        if text[:preamble_end].strip():
            has_findings = any(record.section == "findings" for _s, _e, record, _w in headings)
            sections.append(Section("other" if has_findings else "findings", None, 0, 0, preamble_end))
        for index, (heading_start, body_start, record, written) in enumerate(headings):
            end = headings[index + 1][0] if index + 1 < len(headings) else len(text)
            sections.append(Section(record.section, record.organ_system, heading_start, body_start, end, written))
        return sections

    def _split_prose(self, text: str) -> list[Section]:
        cue = self._impression_cue.search(text)
        if cue is None or not text[: cue.start("h")].strip():
            if cue is not None:  # the report opens with the cue: all of it is the impression
                return [Section("impression", None, cue.start("h"), cue.end(), len(text), cue.group("h"))]
            return [Section("findings", None, 0, 0, len(text))]
        return [
            Section("findings", None, 0, 0, cue.start("h")),
            Section("impression", None, cue.start("h"), cue.end(), len(text), cue.group("h")),
        ]


class SectionComponent:
    """spaCy component: ``doc._.sections`` = the report's sections."""

    def __init__(self, lexicon_dir: str = "") -> None:
        self.splitter = SectionSplitter(load_lexicon(lexicon_dir or None).sections)

    def __call__(self, doc: Doc) -> Doc:
        doc._.sections = self.splitter.split(doc_text(doc))
        return doc


@Language.factory("ctcurate_sections", default_config={"lexicon_dir": ""})
def make_section_component(nlp: Language, name: str, lexicon_dir: str) -> SectionComponent:
    return SectionComponent(lexicon_dir)
