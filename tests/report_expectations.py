"""Sentence-level expectations of the report tests: label -> the assertion a radiologist reads, or "ABSENT"."""

from __future__ import annotations

from curation.reports.report_analyzer import ReportAnalyzer


def assertions(analyzer: ReportAnalyzer, text: str) -> dict[str, set[str]]:
    """label -> the assertions of all its mentions in ``text``."""
    found: dict[str, set[str]] = {}
    for mention in analyzer.analyze(text).mentions:
        found.setdefault(mention.label, set()).add(mention.assertion)
    return found


def study_statuses(analyzer: ReportAnalyzer, text: str) -> dict[str, str]:
    """label -> the study status of ``text`` (positive, uncertain or negative; a label not judged is left out)."""
    return {row.label: row.status for row in analyzer.analyze(text).study_labels()}


def check_expected(analyzer: ReportAnalyzer, text: str, expected: dict[str, str]) -> None:
    """Each label named in ``expected`` has exactly that assertion in ``text`` ("ABSENT": no mention at all)."""
    found = assertions(analyzer, text)
    for label, assertion in expected.items():
        if assertion == "ABSENT":
            assert label not in found, (text, found)
        else:
            assert found.get(label) == {assertion}, (text, label, found)
