"""Organ sub-headings ("KIDNEYS:", "ADRENALS:", "LIVER:") name the anatomy of the sentences under them.

US-style structured reports say "KIDNEYS: 4 mm nonobstructing calculus in the lower pole" and leave the
organ to the heading. A heading counts for ``requires_any``, for the organ of a location pattern, and for
the sentence veto of a sentence that names no anatomy itself.
"""

from __future__ import annotations

import pytest

from curation.reports.report_analyzer import ReportAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


def _labels(analyzer: ReportAnalyzer, text: str) -> list[tuple[str, str]]:
    return [(m.label, m.assertion) for m in analyzer.analyze(text).mentions]


def test_a_heading_supplies_the_organ_a_label_requires(analyzer: ReportAnalyzer) -> None:
    analysis = analyzer.analyze("FINDINGS:\nKIDNEYS: Nonobstructing 4 mm calculus in the left lower pole.")
    [stone] = analysis.mentions
    assert (stone.label, stone.assertion, stone.size_mm, stone.laterality) == ("kidney_stone", "POSITIVE", 4.0, "left")
    assert _labels(analyzer, "Nonobstructing 4 mm calculus in the left lower pole.") == []


def test_a_heading_vetoes_a_finding_of_another_organ_in_a_sentence_without_anatomy(analyzer: ReportAnalyzer) -> None:
    assert _labels(analyzer, "ADRENALS: 1.5 cm left nodule.") == [("adrenal_nodule", "POSITIVE")]
    assert _labels(analyzer, "1.5 cm left nodule.") == [("lung_nodule", "POSITIVE")]
    assert _labels(analyzer, "LUNGS: 5 mm nodule in the right upper lobe.") == [("lung_nodule", "POSITIVE")]
    # the sentence names its own anatomy: the heading does not speak for it
    assert _labels(analyzer, "UPPER ABDOMEN: 5 mm nodule in the right lung base.") == [("lung_nodule", "POSITIVE")]


def test_a_heading_names_the_organ_of_a_location(analyzer: ReportAnalyzer) -> None:
    [lesion] = analyzer.analyze("LIVER: A 1.2 cm hypodense lesion in segment 7.").mentions
    assert (lesion.label, lesion.location, lesion.size_mm) == ("liver_lesion", "liver_segment_7", 12.0)


def test_the_same_sentence_under_two_headings_is_remembered_twice(analyzer: ReportAnalyzer) -> None:
    text = "KIDNEYS: 1.5 cm left nodule.\nLUNGS: 1.5 cm left nodule.\nFINDINGS: 1.5 cm left nodule."
    analysis = analyzer.analyze(text)
    assert [(m.label, m.sentence_index) for m in analysis.mentions] == [("lung_nodule", 1), ("lung_nodule", 2)]
    assert analyzer.analyze(text) == analysis
