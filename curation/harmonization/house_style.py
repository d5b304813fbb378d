"""Render a report's findings in ctcurate's house style, deterministically, from templates as data.

Organ systems come in a fixed order per region profile, one canonical term per label, sizes in mm,
laterality and location written one way, the impression ordered by clinical significance. Only what
the source states is written (see ``lexicons/templates/house_style.yaml``).

    >>> renderer = HouseStyleRenderer(ReportAnalyzer())  # doctest: +SKIP
    >>> print(renderer.render(findings, region="chest"))  # doctest: +SKIP
    FINDINGS:
    Lungs and airways: Pulmonary nodule measuring 12 mm in the right upper lobe.
    Pleura: Left pleural effusion. No pneumothorax.
    <BLANKLINE>
    IMPRESSION:
    1. Left pleural effusion.
    2. Pulmonary nodule measuring 12 mm in the right upper lobe.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from curation.harmonization.finding_set import Finding, finding_set
from curation.reports.report_analyzer import ReportAnalyzer
from curation.resources import lexicons_dir

_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;])")


@dataclass(frozen=True)
class HouseStyle:
    headings: dict[str, str]
    region_profiles: dict[str, list[str]]
    organ_headings: dict[str, str]
    sentences: dict[str, str]
    terms: dict[str, str]
    impression_order: list[str]
    no_positive_impression: str

    @classmethod
    def load(cls, path: Path | None = None) -> HouseStyle:
        data: dict[str, Any] = yaml.safe_load((path or lexicons_dir() / "templates" / "house_style.yaml").read_text())
        return cls(**data)


class HouseStyleRenderer:
    def __init__(self, analyzer: ReportAnalyzer, style: HouseStyle | None = None) -> None:
        self.analyzer = analyzer
        self.style = style or HouseStyle.load()
        self._read_cache: dict[str, frozenset[str]] = {}

    @cached_property
    def canonical_terms(self) -> dict[str, str]:
        """Per label, a term the extractor reads back as that label alone."""
        terms = {}
        for label in self.analyzer.labels:
            chosen = self.style.terms.get(label.name)
            if chosen is None or not self._reads_back_as(chosen, label.name, alone=False):
                candidates = [label.display_name.lower(), *label.synonyms]
                chosen = next((c for c in candidates if self._reads_back_as(c, label.name)), candidates[0])
            terms[label.name] = chosen
        return terms

    def _reads_back_as(self, term: str, label: str, alone: bool = True) -> bool:
        """Whether the extractor reads ``term`` as ``label`` (alone: and nothing else); a term chosen in
        the templates may co-name a broader label (a lung mass is also counted as a lung nodule)."""
        labels = self._labels_read(term)
        return labels == {label} if alone else label in labels

    def _labels_read(self, term: str) -> frozenset[str]:
        if term not in self._read_cache:
            mentions = self.analyzer.analyze(f"{term[:1].upper()}{term[1:]} is present.").mentions
            self._read_cache[term] = frozenset(m.label for m in mentions if m.assertion == "POSITIVE")
        return self._read_cache[term]

    def term_for(self, finding: Finding, source: Sequence[Finding] = ()) -> str:
        """The canonical term, unless it would also name another label that the source does not state with
        the same assertion, side and location (then the source's own words, when they read back right)."""
        canonical = self.canonical_terms.get(finding.label, finding.label.replace("_", " "))
        stated = {f.key for f in source}
        for term in (canonical, *finding.source_terms):
            read = self._labels_read(term)
            also = {
                (label, finding.assertion, finding.laterality, finding.location) for label in read - {finding.label}
            }
            if finding.label in read and also <= stated:
                return term
        return canonical

    # -- rendering ----------------------------------------------------------------------------------
    def render(self, findings: list[Finding], region: str = "chest") -> str:
        lines = [self.style.headings["findings"]]
        for system in self._system_order(findings, region):
            sentences = " ".join(self.sentence(f, findings) for f in findings if f.organ_system == system)
            lines.append(f"{self.style.organ_headings.get(system, system.replace('_', ' ').capitalize())}: {sentences}")
        lines += ["", self.style.headings["impression"], *self._impression(findings)]
        return "\n".join(lines) + "\n"

    def render_report(self, text: str, region: str = "chest") -> tuple[str, list[Finding]]:
        findings = finding_set(self.analyzer.analyze(text))
        return self.render(findings, region), findings

    def sentence(self, finding: Finding, source: Sequence[Finding] = ()) -> str:
        template = self.style.sentences[finding.assertion]
        values = {
            "term": self.term_for(finding, source),
            "severity": finding.severity or "",
            "laterality": _laterality(finding),
            "size": _size(finding),
            "location": f"in the {finding.location.replace('_', ' ')}" if finding.location else "",
            "change": finding.change or "",
        }
        values |= {key.capitalize(): value for key, value in values.items()}
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", template.format(**values))).strip()
        return text[:1].upper() + text[1:]

    def _system_order(self, findings: list[Finding], region: str) -> list[str]:
        present = list(dict.fromkeys(f.organ_system for f in findings))
        profile = self.style.region_profiles.get(region, self.style.region_profiles["chest"])
        return [s for s in profile if s in present] + [s for s in present if s not in profile]

    def _impression(self, findings: list[Finding]) -> list[str]:
        rank = {label: index for index, label in enumerate(self.style.impression_order)}
        stated = [f for f in findings if f.assertion in {"POSITIVE", "UNCERTAIN"}]
        if not stated:
            return [self.style.no_positive_impression]
        ordered = sorted(stated, key=lambda f: (rank.get(f.label, len(rank)), stated.index(f)))
        # the impression restates without change words, which belong to the findings
        return [f"{i}. {self.sentence(replace(f, change=None), findings)}" for i, f in enumerate(ordered, start=1)]


def _laterality(finding: Finding) -> str:
    if not finding.laterality:
        return ""
    if finding.location and finding.location.startswith(finding.laterality):
        return ""  # "in the right upper lobe" already says it
    return finding.laterality


def _size(finding: Finding) -> str:
    sizes = list(finding.sizes_mm) or ([finding.size_mm] if finding.size_mm is not None else [])
    return ("measuring " + " x ".join(f"{s:g}" for s in sizes) + " mm") if sizes else ""
