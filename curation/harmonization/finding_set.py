"""The findings of a report as a set that two texts can be compared on.

Mentions repeat (findings and impression) and vary in wording; what a rewrite must preserve is, per
label: the assertion, the sizes (within 1 mm), the laterality and the location. Mentions are reduced
to one ``Finding`` per (label, status, laterality, location), keeping the largest size.

    >>> findings = finding_set(analyzer.analyze("Small right pleural effusion. No pneumothorax."))  # doctest: +SKIP
    >>> sorted(f.label for f in findings)  # doctest: +SKIP
    ['pleural_effusion', 'pneumothorax']
"""

from __future__ import annotations

from dataclasses import dataclass

from curation.reports.report_analyzer import Mention, ReportAnalysis

SIZE_TOLERANCE_MM = 1.0


@dataclass(frozen=True)
class Finding:
    label: str
    organ_system: str
    assertion: str  # POSITIVE, UNCERTAIN, NEGATIVE, HISTORICAL
    laterality: str | None = None
    location: str | None = None
    size_mm: float | None = None
    sizes_mm: tuple[float, ...] = ()
    severity: str | None = None
    change: str | None = None
    source_terms: tuple[str, ...] = ()  # the words the report used for it (not part of the comparison)

    @property
    def key(self) -> tuple[str, str, str | None, str | None]:
        return (self.label, self.assertion, self.laterality, self.location)

    def describe(self) -> str:
        parts = [self.assertion.lower(), self.label.replace("_", " ")]
        if self.laterality:
            parts.append(f"laterality {self.laterality}")
        if self.location:
            parts.append(f"location {self.location.replace('_', ' ')}")
        if self.size_mm is not None:
            parts.append(f"size {self.size_mm:g} mm")
        return ", ".join(parts)


def finding_set(analysis: ReportAnalysis) -> list[Finding]:
    """One Finding per (label, assertion, laterality, location), in order of first mention.

    A location that names a side ("right_middle_lobe") implies the laterality, so "middle lobe" read as the
    right middle lobe and "right middle lobe" compare equal.
    """
    grouped: dict[tuple[str, str, str | None, str | None], list[Mention]] = {}
    for mention in analysis.mentions:
        laterality = mention.laterality or _side_of(mention.location)
        grouped.setdefault((mention.label, mention.assertion, laterality, mention.location), []).append(mention)
    findings = []
    for (label, assertion, laterality, location), mentions in grouped.items():
        with_size = [m for m in mentions if m.size_mm is not None]
        largest = max(with_size, key=lambda m: m.size_mm or 0.0) if with_size else None
        findings.append(
            Finding(
                label=label,
                organ_system=mentions[0].organ_system,
                assertion=assertion,
                laterality=laterality,
                location=location,
                size_mm=largest.size_mm if largest else None,
                sizes_mm=tuple(largest.sizes_mm or ()) if largest else (),
                severity=next((m.severity for m in mentions if m.severity), None),
                change=next((m.change for m in mentions if m.change), None),
                source_terms=tuple(dict.fromkeys(m.mention_text.lower() for m in mentions)),
            )
        )
    return findings


def compare_findings(source: list[Finding], candidate: list[Finding]) -> list[str]:
    """Differences a rewrite must not have: missing, added, or changed size. Empty when equal."""
    differences = []
    by_key = {f.key: f for f in candidate}
    for finding in source:
        other = by_key.pop(finding.key, None)
        if other is None:
            differences.append(f"missing: {finding.describe()}")
        elif not _same_size(finding.size_mm, other.size_mm):
            differences.append(f"size changed: {finding.describe()} (rewrite says {other.size_mm} mm)")
    differences.extend(f"added: {f.describe()}" for f in by_key.values())
    return differences


def _side_of(location: str | None) -> str | None:
    side = (location or "").split("_", 1)[0]
    return side if side in {"left", "right"} else None


def _same_size(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= SIZE_TOLERANCE_MM
