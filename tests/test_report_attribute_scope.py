"""An attribute describes the finding it stands next to, not every finding of its sentence.

"A 12 mm nodule in the right upper lobe and a small left pleural effusion": the 12 mm and the right
side are the nodule's, the left side is the effusion's (see ``attributes.OtherFindings``). A sentence
with one finding is read as before: "Bilateral pleural effusions, right greater than left" stays bilateral.
"""

from __future__ import annotations

import pytest

from curation.reports.report_analyzer import Mention, ReportAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


def _mention(analyzer: ReportAnalyzer, sentence: str, label: str) -> Mention:
    found = [m for m in analyzer.analyze("FINDINGS: " + sentence).mentions if m.label == label]
    assert len(found) == 1, (label, found)
    return found[0]


# (sentence, label, {attribute: value a radiologist reads})
CASES: list[tuple[str, str, dict[str, object]]] = [
    (
        "A 12 mm nodule in the right upper lobe and a small left pleural effusion.",
        "lung_nodule",
        {"size_mm": 12.0, "laterality": "right", "location": "right_upper_lobe"},
    ),
    (
        "A 12 mm nodule in the right upper lobe and a small left pleural effusion.",
        "pleural_effusion",
        {"size_mm": None, "laterality": "left"},
    ),
    (
        "Small right pleural effusion measuring 15 mm in depth, and a 6 mm nodule in the left lower lobe.",
        "pleural_effusion",
        {"size_mm": 15.0, "laterality": "right"},
    ),
    (
        "Small right pleural effusion measuring 15 mm in depth, and a 6 mm nodule in the left lower lobe.",
        "lung_nodule",
        {"size_mm": 6.0, "laterality": "left", "location": "left_lower_lobe"},
    ),
    (
        "4 cm mass in the pancreatic head with dilatation of the pancreatic duct.",
        "pancreatic_lesion",
        {"size_mm": 40.0},
    ),
    (
        "4 cm mass in the pancreatic head with dilatation of the pancreatic duct.",
        "pancreatic_duct_dilatation",
        {"size_mm": None},
    ),
    ("Liver lesion of 2.3 x 1.8 cm in segment 7; gallstones.", "liver_lesion", {"sizes_mm": [23.0, 18.0]}),
    ("Liver lesion of 2.3 x 1.8 cm in segment 7; gallstones.", "cholelithiasis", {"size_mm": None}),
    (
        "New 5 mm nodule in the right upper lobe; atelectasis in the left lower lobe.",
        "lung_nodule",
        {"change": "new", "laterality": "right", "location": "right_upper_lobe"},
    ),
    (
        "New 5 mm nodule in the right upper lobe; atelectasis in the left lower lobe.",
        "atelectasis",
        {"laterality": "left", "location": "left_lower_lobe"},
    ),
    ("No right pleural effusion; 5 mm nodule in the left lower lobe.", "lung_nodule", {"laterality": "left"}),
    ("Right pleural effusion and left pneumothorax.", "pleural_effusion", {"laterality": "right"}),
    ("Right pleural effusion and left pneumothorax.", "pneumothorax", {"laterality": "left"}),
    # one finding: every side named in the sentence is its own, as before
    ("Bilateral pleural effusions, right greater than left.", "pleural_effusion", {"laterality": "bilateral"}),
    ("Pleural effusion on the right and on the left.", "pleural_effusion", {"laterality": "bilateral"}),
    (
        "Stable 4 mm nodule in the right upper lobe.",
        "lung_nodule",
        {"size_mm": 4.0, "change": "stable", "laterality": "right", "location": "right_upper_lobe"},
    ),
]


@pytest.mark.parametrize(("sentence", "label", "expected"), CASES)
def test_attribute_belongs_to_the_nearest_finding(
    analyzer: ReportAnalyzer, sentence: str, label: str, expected: dict[str, object]
) -> None:
    mention = _mention(analyzer, sentence, label)
    assert {name: getattr(mention, name) for name in expected} == expected


def test_pet_values_stay_with_their_node(analyzer: ReportAnalyzer) -> None:
    text = "FINDINGS: FDG-avid right hilar lymph node, SUVmax 7.4. FDG-avid left axillary lymph node, SUVmax 3.1."
    avid = [m for m in analyzer.analyze(text).mentions if m.label == "pet_avid_lymph_node"]
    assert [(m.laterality, m.suv_max) for m in avid] == [("right", 7.4), ("left", 3.1)]
