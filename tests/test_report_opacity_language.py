"""What lung opacity, peribronchial thickening and pericardial fluid mean in report language, as the lexicons read it.

A density increase of the lung parenchyma is an opacity; one the report reads as consolidation is the consolidation;
a density increase around the bronchi is peribronchial thickening (cuffing), not an airspace opacity; "pleural
parenchymal" is "pleuroparenchymal" (a scar); "no increase in density" negates the density increase it names;
"pericardial-pleural effusion" names both spaces.
"""

from __future__ import annotations

import pytest

from curation.reports.report_analyzer import ReportAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


def _labels(analyzer: ReportAnalyzer, text: str) -> set[tuple[str, str]]:
    return {(m.label, m.assertion) for m in analyzer.analyze(text).mentions}


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        # a parenchymal density increase is an opacity ...
        (
            "There is a slight increase in parenchymal density in the basal segment of the right lower lobe.",
            {("lung_opacity", "POSITIVE")},
            set(),
        ),
        ("Mild parenchymal density increases in the left lower lobe.", {("lung_opacity", "POSITIVE")}, set()),
        # ... while the parenchymal density of an organ, or a normal one, is not
        ("Lung parenchymal density is normal.", set(), {"lung_opacity"}),
        ("Increased parenchymal density of the liver.", set(), {"lung_opacity"}),
        # "pleural parenchymal" is "pleuroparenchymal": a scar, not an opacity
        (
            "Diffuse pleural parenchymal density increases in the apical segments of both lungs.",
            {("pulmonary_fibrotic_sequela", "POSITIVE")},
            {"lung_opacity"},
        ),
        # a density increase read as consolidation is the consolidation, named twice
        (
            "In the left lower lobe there are increases in density consistent with consolidation.",
            {("consolidation", "POSITIVE")},
            {"lung_opacity"},
        ),
        # ground glass beside a consolidation is both
        (
            "Ground glass opacities and consolidation in the right lower lobe.",
            {("lung_opacity", "POSITIVE"), ("consolidation", "POSITIVE")},
            set(),
        ),
        # a density increase read as atelectasis stays an opacity (CT-RATE annotators mark both); only the reading
        # is uncertain
        (
            "Linear density increases evaluated in favor of atelectasis in the left lung.",
            {("lung_opacity", "POSITIVE"), ("atelectasis", "UNCERTAIN")},
            set(),
        ),
    ],
)
def test_lung_opacity_language(
    analyzer: ReportAnalyzer, text: str, expected: set[tuple[str, str]], absent: set[str]
) -> None:
    found = _labels(analyzer, text)
    assert expected <= found
    assert not absent & {label for label, _assertion in found}


@pytest.mark.parametrize(
    "text",
    [
        "A significant increase in peribronchovascular density is observed in both lungs.",
        "Peribronchial density increases were observed in the right middle lobe.",
        "Increased peribronchial density in the lower lobes.",
    ],
)
def test_a_peribronchial_density_increase_is_peribronchial_thickening(analyzer: ReportAnalyzer, text: str) -> None:
    found = _labels(analyzer, text)
    assert ("peribronchial_thickening", "POSITIVE") in found
    assert "lung_opacity" not in {label for label, _assertion in found}


def test_ground_glass_in_a_peribronchial_distribution_is_an_opacity(analyzer: ReportAnalyzer) -> None:
    found = _labels(analyzer, "Ground glass densities in a peribronchial distribution in the right lower lobe.")
    assert ("lung_opacity", "POSITIVE") in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No increase in density was observed in the lung parenchyma.", {("lung_opacity", "NEGATIVE")}),
        ("There is no increase in parenchymal density.", {("lung_opacity", "NEGATIVE")}),
        (
            "No significant increase in density or consolidation is seen.",
            {("lung_opacity", "NEGATIVE"), ("consolidation", "NEGATIVE")},
        ),
        (
            "However, there was no increase in peribronchial wall thickness and no signs of infection.",
            {("peribronchial_thickening", "NEGATIVE")},
        ),
        ("No increase in interlobular septal thickness.", {("interlobular_septal_thickening", "NEGATIVE")}),
        ("No increase in bronchial wall thickness.", {("bronchial_wall_thickening", "NEGATIVE")}),
        # an increase of a finding's size is a change, not the finding: the nodule stays present
        ("No increase in the size of the nodule was observed.", {("lung_nodule", "POSITIVE")}),
        ("No increase in density of the nodule.", {("lung_nodule", "POSITIVE")}),
        (
            "The ground glass opacity shows no increase in density.",
            {("lung_opacity", "POSITIVE"), ("lung_opacity", "NEGATIVE")},
        ),
    ],
)
def test_no_increase_in_what_is_itself_the_finding(
    analyzer: ReportAnalyzer, text: str, expected: set[tuple[str, str]]
) -> None:
    assert _labels(analyzer, text) == expected


@pytest.mark.parametrize(
    ("text", "assertion"),
    [
        ("Pericardial-pleural effusion revealed on the current examination.", "POSITIVE"),
        ("Pleural-pericardial effusions are seen.", "POSITIVE"),
        ("No pleural-pericardial effusion.", "NEGATIVE"),
    ],
)
def test_one_effusion_noun_for_pericardium_and_pleura(analyzer: ReportAnalyzer, text: str, assertion: str) -> None:
    assert _labels(analyzer, text) == {("pericardial_effusion", assertion), ("pleural_effusion", assertion)}
