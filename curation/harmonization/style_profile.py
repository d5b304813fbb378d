"""An institution's reporting style, learned from a sample of its reports, and rendering in it.

Learned: the section headings as the institution writes them and their usual order, how often each
section is used, organ sub-headings ("LUNGS:"), whether reports are headed or prose, the size unit
(cm or mm), numbered impressions, frequent abbreviations and sentence openers. Used to render
structured findings in that institution's style (synthetic data) and to condition LLM prompts.

    >>> style = learn_style_profile("site_a", reports_of_site_a)  # doctest: +SKIP
    >>> style.size_unit, [heading for _section, heading in style.headings]  # doctest: +SKIP
    ('mm', ['CLINICAL INFORMATION:', 'TECHNIQUE:', 'COMPARISON:', 'FINDINGS:', 'IMPRESSION:'])
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from curation.harmonization.finding_set import Finding
from curation.harmonization.house_style import HouseStyleRenderer
from curation.reports.lexicon import load_lexicon
from curation.reports.sections import SectionSplitter

_CM = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:x\s*\d+(?:[.,]\d+)?\s*)*cm\b", re.IGNORECASE)
_MM = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:x\s*\d+(?:[.,]\d+)?\s*)*mm\b", re.IGNORECASE)
_ABBREVIATION = re.compile(r"\b[A-Z]{2,5}\b")
_NUMBERED = re.compile(r"^\s*1[.)]\s", re.MULTILINE)
_OPENER = re.compile(r"(?:^|[.!?]\s+)([A-Z][a-z]+ [a-z]+)")


@dataclass
class InstitutionStyle:
    institution: str
    n_reports: int
    headings: list[tuple[str, str]]  # (section, heading as written), in usual order
    organ_headings: dict[str, str]  # organ system -> sub-heading as written
    section_usage: dict[str, float]  # share of reports using each section
    headed_share: float  # share of reports with headings (else prose)
    size_unit: str  # mm or cm
    impression_numbered: bool
    abbreviations: list[str] = field(default_factory=list)
    sentence_openers: list[str] = field(default_factory=list)

    @property
    def is_prose(self) -> bool:
        return self.headed_share < 0.5

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> InstitutionStyle:
        data = json.loads(text)
        data["headings"] = [tuple(pair) for pair in data["headings"]]
        return cls(**data)

    def prompt_description(self) -> str:
        """A short description of the style for LLM prompts."""
        layout = "free prose paragraphs without headings" if self.is_prose else "headed sections"
        headings = ", ".join(heading for _section, heading in self.headings) or "none"
        return (
            f"Institution {self.institution}: {layout}; headings {headings}; sizes in {self.size_unit}; "
            f"impression {'numbered' if self.impression_numbered else 'as sentences'}; "
            f"typical openers: {', '.join(self.sentence_openers[:5]) or 'none'}."
        )


def learn_style_profile(institution: str, texts: Iterable[str]) -> InstitutionStyle:
    splitter = SectionSplitter(load_lexicon().sections)
    texts = list(texts)
    heading_forms: dict[str, Counter[str]] = {}
    organ_forms: dict[str, Counter[str]] = {}
    positions: dict[str, list[int]] = {}
    used: Counter[str] = Counter()
    headed = cm = mm = numbered = 0
    abbreviations: Counter[str] = Counter()
    openers: Counter[str] = Counter()
    for text in texts:
        sections = [s for s in splitter.split(text) if s.heading]
        headed += bool(sections)
        for order, section in enumerate(s for s in sections if s.organ_system is None):
            heading_forms.setdefault(section.name, Counter())[_heading_as_written(text, section)] += 1
            positions.setdefault(section.name, []).append(order)
        for section in (s for s in sections if s.organ_system):
            organ_forms.setdefault(section.organ_system or "", Counter())[_heading_as_written(text, section)] += 1
        used.update({s.name for s in splitter.split(text)})
        cm += len(_CM.findall(text))
        mm += len(_MM.findall(text))
        numbered += bool(_NUMBERED.search(text))
        abbreviations.update(a for a in _ABBREVIATION.findall(text) if a not in {"CT", "IMPRESSION", "FINDINGS"})
        openers.update(_OPENER.findall(text))
    n = max(len(texts), 1)
    order = sorted(heading_forms, key=lambda name: sum(positions[name]) / len(positions[name]))
    return InstitutionStyle(
        institution=institution,
        n_reports=len(texts),
        headings=[(name, heading_forms[name].most_common(1)[0][0]) for name in order],
        organ_headings={system: forms.most_common(1)[0][0] for system, forms in organ_forms.items()},
        section_usage={name: round(count / n, 3) for name, count in sorted(used.items())},
        headed_share=round(headed / n, 3),
        size_unit="cm" if cm > mm else "mm",
        impression_numbered=numbered / n >= 0.5,
        abbreviations=[a for a, count in abbreviations.most_common(10) if count >= 2],
        sentence_openers=[o for o, _count in openers.most_common(10)],
    )


def render_in_style(findings: list[Finding], style: InstitutionStyle, renderer: HouseStyleRenderer) -> str:
    """The findings as this institution writes them: its headings, sub-headings, order and unit."""
    sentences = {f: _in_unit(renderer.sentence(f), style.size_unit) for f in findings}
    impression = [f for f in findings if f.assertion in {"POSITIVE", "UNCERTAIN"}]
    impression_lines = [
        f"{i}. {_in_unit(renderer.sentence(replace(f, change=None)), style.size_unit)}"
        if style.impression_numbered
        else _in_unit(renderer.sentence(replace(f, change=None)), style.size_unit)
        for i, f in enumerate(impression, start=1)
    ] or [renderer.style.no_positive_impression]
    if style.is_prose:
        body = " ".join(sentences[f] for f in findings)
        closing = dict(style.headings).get("impression", "Conclusion:")
        return f"{body}\n\n{closing} {' '.join(impression_lines)}\n"
    headings = dict(style.headings)
    lines = [headings.get("findings", "FINDINGS:")]
    for system in dict.fromkeys(f.organ_system for f in findings):
        text = " ".join(sentences[f] for f in findings if f.organ_system == system)
        sub = style.organ_headings.get(system)
        lines.append(f"{sub} {text}" if sub else text)
    lines += ["", headings.get("impression", "IMPRESSION:"), *impression_lines]
    return "\n".join(lines) + "\n"


def _heading_as_written(text: str, section: object) -> str:
    start, body = section.heading_start, section.start  # type: ignore[attr-defined]
    return text[start:body].strip()


_SIZE_MM = re.compile(r"measuring ([\d.]+(?: x [\d.]+)*) mm")


def _in_unit(sentence: str, unit: str) -> str:
    if unit != "cm":
        return sentence

    def to_cm(match: re.Match[str]) -> str:
        values = [f"{float(v) / 10:g}" for v in match.group(1).split(" x ")]
        return f"measuring {' x '.join(values)} cm"

    return _SIZE_MM.sub(to_cm, sentence)
