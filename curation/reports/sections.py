"""Split a radiology report into canonical sections with character offsets.

Headings come from ``lexicons/sections.yaml``: "FINDINGS:", "Impression:", and organ-system
sub-headings such as "LUNGS:" (findings, tagged ``lung_airways``). A report without headings is
one findings section, unless an impression cue ("IMPRESSION", "Conclusion") opens a conclusion.

    >>> from curation.reports.lexicon import load_lexicon
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
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc

from curation.reports.lexicon import SectionHeading, SectionLexicon
from curation.reports.mentions import singular
from curation.reports.sentences import sentence_starts

_TEXT_KEY = "ctcurate_text"
_SENTENCE_PUNCTUATION = ".!?"


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


# Sections that introduce a report (the request, how it was made, what it is compared with) and hold a line or two.
PREAMBLE_SECTIONS = frozenset({"clinical_information", "technique", "comparison"})


_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")

# A line that opens with one to four words, the first capitalised, and a colon ("Lung nodules: None."), after the
# first line of a section.
_HEADING_LIKE_LINE = re.compile(r"(?m)(?<=\n)[ \t]*(?P<h>[^\W\d_][\w/&-]*(?:[ \t]+[\w/&-]+){0,3})[ \t]*:(?=[ \t\r]|$)")


def _first_line_or_sentence_end(text: str, body_start: int, end: int | None = None) -> int:
    """Where the first line of a section body ends (if more text follows it before ``end``), else its first sentence.

    A line goes on on the next where that one continues its sentence, opening in lower case ("Clinical details: known
    right pleural\neffusion.\nThe lungs are clear."); a blank line or a line opening with a capital starts anew.
    """
    end = len(text) if end is None else end
    body = text[body_start:end]
    first_text = len(body) - len(body.lstrip())
    line_break = body.find("\n", first_text)
    while line_break >= 0 and body[line_break:].strip():
        next_line = body[line_break + 1 :]
        if next_line[:1].strip() and next_line[:1].islower():
            line_break = body.find("\n", line_break + 1)  # the sentence goes on
            continue
        return body_start + line_break + 1
    starts = [start for start in sentence_starts(body) if start > first_text]
    return body_start + starts[0] if starts else end


# After a blank line, a checklist of so many lines or more reads as findings even where no line ends a sentence, when
# most lines carry an answer ("Free air (-)\nFree fluid (+) small volume\n...", "[x] Emphysema")
LINES_OF_A_FINDINGS_LIST = 4
_CHECKLIST_ANSWER = re.compile(
    r"\((?:\+|-|\?|x| )\)|\[(?:x| )\]|[☐☒☑]|^\s*\||:\s*(?:yes|no|y|n|present|absent|true|false|[+-])(?:\W|$)",
    re.IGNORECASE,
)


def _reads_as_findings(text: str, lines_enough: int | None = None) -> bool:
    """Whether text after a preamble's line reads as report sentences (one ends with a full stop, ? or !), not as
    more lines of a history ("68 year old smoker\nlung cancer, liver metastases"); or, with ``lines_enough``, as a
    checklist of that many lines or more, most with an answer."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if any(line[-1:] in _SENTENCE_PUNCTUATION for line in lines):
        return True
    answered = sum(bool(_CHECKLIST_ANSWER.search(line)) for line in lines)
    return lines_enough is not None and len(lines) >= lines_enough and 2 * answered >= len(lines)


# The report's first line naming the exam ("CTA CHEST PE PROTOCOL", "CT chest noncontrast.") is the procedure, not
# an observation: the "PE" of a PE protocol is no embolism, nor the "dissection" of a dissection protocol.
_EXAM_TITLE = re.compile(
    r"(?i)[ \t]*(?:(?:emergency|urgent|stat|limited|low[- ]dose|contrast[- ]enhanced|non[- ]?contrast)[ \t]+)?"
    r"(?:cta?|hrct|mdct|ldct|pet[ \t]*[/-][ \t]*ct|computed[ \t]+tomography)\b"
)
_TITLE_VERB = re.compile(
    r"(?i)\b(?:is|are|was|were|has|have|shows?|demonstrates?|reveals?|seen|noted|identified|observed|present)\b"
)
# words that make a first line a finding, not the exam's name: "CT features suggestive of ...", "... with
# hydronephrosis"
_TITLE_FINDING_WORDS = re.compile(
    r"(?i)\b(?:features?|findings?|evidence|appearances?|suggestive|consistent|compatible|keeping|likely|"
    r"negative|positive|showing|s/o)\b|\bwith\s+(?!(?:and\s+without\s+)?(?:iv\s+|oral\s+|intravenous\s+)?contrast)"
)
TITLE_WORDS = 14


def exam_title_end(text: str) -> int:
    """Where the report's first line ends when it names the exam (a line of a few words, no verb, colon or second
    sentence, before more lines), else 0."""
    line_end = text.find("\n")
    if line_end < 0:
        return 0  # a one-line report is all findings
    line = text[:line_end].strip()
    if not _EXAM_TITLE.match(line) or ":" in line or ". " in line or len(line.split()) > TITLE_WORDS:
        return 0
    return 0 if _TITLE_VERB.search(line) or _TITLE_FINDING_WORDS.search(line) else line_end + 1


# the first word of a line that answers a heading naming a finding with none of it
_NONE_ANSWERS = frozenset({"no", "none", "nil", "normal", "unremarkable", "not", "absent", "negative", "n/a"})


def _stands_alone(text: str, match: re.Match[str], earlier: list[re.Match[str]]) -> bool:
    """Whether a heading written in lower or title case alone on its line ("Liver", "Lung Bases") is one: the text
    before it ends a sentence or is a heading (or nothing), and the next line opens with a capital, a digit or a list
    mark. A wrapped sentence ("... seen in both\nlungs\nand ...") keeps its words."""
    before = text[: match.start()].rstrip()
    after_heading = bool(earlier) and not text[earlier[-1].end() : match.start()].strip()
    if before and before[-1] not in ".!?:)" and not after_heading:
        return False
    following = text[match.end() :].lstrip()
    return bool(following) and (following[0].isupper() or following[0].isdigit() or following[0] in "-*•[(")


def _alternation(phrases: list[str]) -> str:
    ordered = sorted(set(phrases), key=len, reverse=True)  # longest first: "LUNGS AND PLEURA" before "LUNGS"
    return "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in ordered)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


class SectionSplitter:
    """Finds headings with regular expressions built from the lexicon.

    Headings can only start at a line start or right after a sentence's final punctuation, so the
    expressions are tried at those positions only (a scan of every character costs more than the
    rest of the splitting): ``.match`` at each line start, and one expression per punctuation mark
    whose literal first character lets the regex engine skip to the candidates.
    """

    def __init__(
        self, lexicon: SectionLexicon, anatomy_terms: Iterable[str] = (), finding_terms: Iterable[str] = ()
    ) -> None:
        # words of organ-system terms ("lung", "kidney") and names of findings ("pericardial effusion"): headings the
        # lexicon does not know that name them open the findings after a preamble (see `_preamble_split`)
        self._anatomy_words = frozenset(word for term in anatomy_terms for word in term.lower().split())
        self._finding_terms = frozenset(" ".join(term.lower().split()) for term in finding_terms)
        self._by_heading: dict[str, SectionHeading] = {h.heading.upper(): h for h in lexicon.headings}
        names = _alternation([h.heading for h in lexicon.headings])
        list_marker = r"(?:[-*•]|\d{1,2}[.)])?[ \t]*"
        # At a line start, any letter case, with a colon ("Lungs: ...", "ADDENDUM (next day):"), or alone on its line
        # in capitals (any case for the lexicon's lone-line headings: "findings").
        qualifier = r"(?:[ \t]*\([^()\n]{0,40}\))?"
        # Headings joined by slashes name each organ ("GI TRACT/BOWEL:", "KIDNEYS/URETERS/BLADDER:"); the first decides.
        joined = rf"(?:[ \t]*/[ \t]*(?:{names}))*"
        lone = _alternation(list(lexicon.lone_line_headings))
        self._line_heading = re.compile(
            rf"(?im)^[ \t]*{list_marker}(?P<h>(?:{names}){joined}){qualifier}[ \t]*:[ \t]*"
            rf"|^[ \t]*(?P<u>(?-i:{names}))[ \t\r]*$"
            + (rf"|^[ \t]*(?P<l>{lone})[ \t]*$" if lone else "")
            # alone on its line in any case ("Liver" / "Lung Bases"), where the line stands between two sentences: see
            # `_stands_alone`
            + rf"|^[ \t]*(?P<t>{names})[ \t\r]*$"
        )
        # Mid-line, only in capitals with a colon, after a sentence end ("... normal. IMPRESSION: ...").
        inline = rf"[ \t]+(?P<h>(?-i:{names}))[ \t]*:[ \t]*"
        self._inline_heading = re.compile(rf"(?<=[.!?]){inline}")
        # One expression per punctuation mark (the match includes the mark); exact only when no heading
        # contains one of the marks (then a match holds exactly one, at its start).
        self._inline_after: tuple[tuple[str, re.Pattern[str]], ...] | None = None
        if not any(mark in h.heading for h in lexicon.headings for mark in _SENTENCE_PUNCTUATION):
            self._inline_after = tuple((mark, re.compile(re.escape(mark) + inline)) for mark in _SENTENCE_PUNCTUATION)
        cues = _alternation(list(lexicon.impression_cues))
        self._impression_cue = re.compile(rf"(?i)(?:^|(?<=[.!?\n]))[ \t]*(?P<h>{cues})\b[ \t]*:?")
        self._impression_cue_at_start = re.compile(rf"(?i)[ \t]*(?P<h>{cues})\b[ \t]*:?")
        self._impression_cue_after = tuple(
            (mark, re.compile(rf"(?i){re.escape(mark)}[ \t]*(?P<h>{cues})\b[ \t]*:?")) for mark in ".!?\n"
        )

    def _line_heading_matches(self, text: str) -> list[re.Match[str]]:
        """``self._line_heading.finditer(text)``, tried only where ``^`` can match."""
        matches = []
        covered = 0
        for start in _line_starts(text):
            if start < covered:
                continue  # inside a heading that spans lines ("LUNGS AND\nPLEURA:")
            match = self._line_heading.match(text, start)
            if match is not None and (match.group("t") is None or self._lone_heading(text, match, matches)):
                matches.append(match)
                covered = match.end()
        return matches

    def _lone_heading(self, text: str, match: re.Match[str], earlier: list[re.Match[str]]) -> bool:
        """Whether a heading in lower or title case alone on its line is one (`_stands_alone`); one that names a finding
        is one only over an answer that says none ("Lymph Nodes" / "No enlarged nodes.", "Lines and Tubes" / "None."),
        else it stays the finding's name ("Lymph nodes" over "N2: subcarinal 12 mm")."""
        words = " ".join(match.group("t").lower().split())
        if words in self._finding_terms or singular(words) in self._finding_terms:
            following = text[match.end() :].split(maxsplit=1)
            if not following or following[0].lower().strip(".,:;") not in _NONE_ANSWERS:
                return False
        return _stands_alone(text, match, earlier)

    def _inline_heading_matches(self, text: str) -> list[re.Match[str]]:
        """The matches of ``self._inline_heading`` (group positions are what count)."""
        if self._inline_after is None:
            return list(self._inline_heading.finditer(text))
        return [m for mark, pattern in self._inline_after if mark in text for m in pattern.finditer(text)]

    def find_headings(self, text: str) -> list[tuple[int, int, SectionHeading, str]]:
        """(heading start, body start, heading record, heading as written), in text order."""
        found: dict[int, tuple[int, int, SectionHeading, str]] = {}
        for matches in (self._line_heading_matches(text), self._inline_heading_matches(text)):
            for match in matches:
                group = next(name for name in ("h", "u", "l", "t") if match.groupdict().get(name))
                written = match.group(group)
                key = " ".join(written.upper().split())
                record = self._by_heading.get(key) or self._by_heading.get(key.split("/")[0].strip())
                if record is not None:
                    found.setdefault(match.start(group), (match.start(group), match.end(), record, written))
        return [found[key] for key in sorted(found)]

    def split(self, text: str) -> list[Section]:
        headings = self.find_headings(text)
        if not headings:
            return self._split_prose(text)
        sections: list[Section] = []
        preamble_end = headings[0][0]
        title_end = exam_title_end(text) if preamble_end > 0 else 0
        if title_end and title_end <= preamble_end:
            sections.append(Section("technique", None, 0, 0, title_end))
        if text[title_end:preamble_end].strip():
            has_findings = any(record.section == "findings" for _s, _e, record, _w in headings)
            name = "other" if has_findings else "findings"
            sections.append(Section(name, None, title_end, title_end, preamble_end))
        for index, (heading_start, body_start, record, written) in enumerate(headings):
            end = headings[index + 1][0] if index + 1 < len(headings) else len(text)
            later = [later_record for _s, _e, later_record, _w in headings[index + 1 :]]
            split = self._preamble_split(text, record.section, body_start, end, later)
            if split is not None:
                preamble_end, findings_start = split
                sections.append(Section(record.section, None, heading_start, body_start, preamble_end, written))
                sections.append(Section("findings", None, findings_start, findings_start, end))
                continue
            sections.append(Section(record.section, record.organ_system, heading_start, body_start, end, written))
        return sections

    def _preamble_split(
        self, text: str, section: str, body_start: int, end: int, later: list[SectionHeading]
    ) -> tuple[int, int] | None:
        """(where a preamble section ends, where the unheaded findings after it start), or None where the section's
        body is all preamble. ``later``: the headings after it."""
        if section not in PREAMBLE_SECTIONS:
            return None
        later_sections = [heading.section for heading in later]
        heading_line_end = text.find("\n", body_start, end)
        inline = bool(text[body_start : heading_line_end if heading_line_end >= 0 else end].strip())
        followed_by_preamble = bool(later) and later_sections[0] in PREAMBLE_SECTIONS
        # the findings have a heading of their own later ("FINDINGS:"; an organ sub-heading such as "Thyroid:" heads
        # only its organ's findings)
        findings_heading_later = any(h.section == "findings" and h.organ_system is None for h in later)
        if not findings_heading_later and not followed_by_preamble and (inline or end == len(text)):
            # "Comparison: CT of 25.12.2019. Trachea and main bronchi are open. ..." or "Clinical details: cough.
            # \nThe lungs are clear.\nConclusion: ..." with no findings heading after it (nor another preamble
            # heading next): the preamble is its first line (or sentence), the rest an unheaded findings section
            preamble_end = _first_line_or_sentence_end(text, body_start, end)
            if preamble_end < end and _reads_as_findings(text[preamble_end:end]):
                return preamble_end, preamble_end
        if inline:
            # "Clinical details: fevers. ?leak.\n\nThere is a collection ...\nLung bases: ...": a blank line after
            # an inline preamble, then sentences, ends it even where findings headings come later
            blank = _BLANK_LINE.search(text, body_start, end)
            # a list of lines with no full stop reads as findings only where no findings heading follows: a history's
            # list ("Lung cancer 2019\nCOPD\n...") stays history before its "FINDINGS:"
            enough = LINES_OF_A_FINDINGS_LIST if "findings" not in later_sections else None
            if blank is not None and _reads_as_findings(text[blank.end() : end], lines_enough=enough):
                return blank.start(), blank.end()
        # "Technique: low-dose CT.\nLung nodules: None.\nLungs: ...": a line opening with a heading the lexicon does
        # not know, naming anatomy or a finding, ends the technique; what follows is findings. A history or comparison
        # ends where two such lines follow ("Indication: screening.\nPericardial effusion: No\nCardiac size: Normal"),
        # a template's fields (one may still be history: "Lung cancer: 2019"), unless a findings heading comes later.
        if section != "technique" and findings_heading_later:
            return None  # the findings have their heading: "INDICATION:\nPleural effusion: follow-up\n...\nFINDINGS:"
        fields = self._unknown_finding_headings(text, body_start, end)
        if len(fields) >= (1 if section == "technique" else 2):
            return fields[0], fields[0]
        return None

    def _unknown_finding_headings(self, text: str, start: int, end: int) -> list[int]:
        """Where the heading-like lines that name anatomy or a finding ("Lung nodules:", "Pericardial effusion:")
        start in text[start:end]."""
        if not self._anatomy_words and not self._finding_terms:
            return []
        return [
            match.start()
            for match in _HEADING_LIKE_LINE.finditer(text, start, end)
            if match.group("h")[:1].isupper() and self._names_anatomy_or_finding(match.group("h"))
        ]

    def _names_anatomy_or_finding(self, heading: str) -> bool:
        words = heading.lower().split()
        if any(word in self._anatomy_words for word in words):
            return True
        runs = (" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1))
        return any(run in self._finding_terms or singular(run) in self._finding_terms for run in runs)

    def _impression_cue_search(self, text: str) -> re.Match[str] | None:
        """``self._impression_cue.search(text)``: at the text start, else the leftmost after a mark."""
        match = self._impression_cue_at_start.match(text)
        if match is not None:
            return match
        found = [m for mark, pattern in self._impression_cue_after if mark in text if (m := pattern.search(text))]
        return min(found, key=lambda m: m.start()) if found else None

    def _split_prose(self, text: str) -> list[Section]:
        sections = self._split_untitled_prose(text)
        title_end = exam_title_end(text)
        first = sections[0]
        if title_end and first.name == "findings" and first.start == 0 and first.end > title_end:
            return [
                Section("technique", None, 0, 0, title_end),
                Section("findings", None, title_end, title_end, first.end),
                *sections[1:],
            ]
        return sections

    def _split_untitled_prose(self, text: str) -> list[Section]:
        cue = self._impression_cue_search(text)
        if cue is None or not text[: cue.start("h")].strip():
            if cue is not None:  # the report opens with the cue: all of it is the impression
                return [Section("impression", None, cue.start("h"), cue.end(), len(text), cue.group("h"))]
            return [Section("findings", None, 0, 0, len(text))]
        return [
            Section("findings", None, 0, 0, cue.start("h")),
            Section("impression", None, cue.start("h"), cue.end(), len(text), cue.group("h")),
        ]
