"""Organs called normal, alone or in a list, rule out their labels (``lexicons/organ_statements.yaml``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from curation.reports.lexicon import LexiconError
from curation.reports.report_analyzer import ReportAnalyzer
from curation.resources import lexicons_dir
from tests.report_expectations import study_statuses


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "FINDINGS: The liver, spleen, pancreas and adrenal glands are unremarkable.",
            {
                "liver_lesion": "negative",
                "splenic_lesion": "negative",
                "pancreatic_lesion": "negative",
                "adrenal_nodule": "negative",
            },
        ),
        ("FINDINGS: Liver, spleen and kidneys: normal.", {"renal_lesion": "negative", "hepatomegaly": "negative"}),
        ("FINDINGS: The gallbladder is unremarkable.", {"cholelithiasis": "negative"}),
        ("FINDINGS: The pancreas is normal in appearance.", {"pancreatic_duct_dilatation": "negative"}),
        # with parts that rule out nothing of their own in the list
        ("FINDINGS: Heart size and mediastinal vessels are normal.", {"cardiomegaly": "negative"}),
        (
            "FINDINGS: The thyroid, bones and soft tissues are unremarkable.",
            {"thyroid_nodule": "negative", "fracture": "negative", "osteolytic_lesion": "negative"},
        ),
    ],
)
def test_an_organ_called_normal_rules_out_its_labels(
    analyzer: ReportAnalyzer, text: str, expected: dict[str, str]
) -> None:
    found = study_statuses(analyzer, text)
    assert {label: found.get(label) for label in expected} == expected


@pytest.mark.parametrize(
    ("text", "label", "status"),
    [
        # the size only: a cyst may still be there
        ("FINDINGS: The kidneys are normal in size.", "renal_lesion", None),
        # after a finding of the organ: the rest of it is normal
        ("FINDINGS: The liver is otherwise unremarkable.", "liver_lesion", None),
        # a finding elsewhere in the report wins over the organ's normal statement
        (
            "FINDINGS: 2 cm liver lesion in segment 6. The liver and spleen are unremarkable otherwise.",
            "liver_lesion",
            "positive",
        ),
        ("FINDINGS: Abnormal liver.", "liver_lesion", None),
        # "bladder" inside "gallbladder" (or "gall-bladder") is no bladder
        ("FINDINGS: The gallbladder is unremarkable.", "bladder_wall_thickening", None),
        ("FINDINGS: The gall-bladder is normal.", "bladder_wall_thickening", None),
        # the normal word speaks of one property, or leads to a finding
        ("FINDINGS: Gallbladder: Normal wall thickness. Multiple stones.", "cholelithiasis", None),
        ("FINDINGS: The liver is normal to mildly enlarged in size.", "hepatomegaly", None),
        ("FINDINGS: The kidneys are unremarkable apart from a 2 cm cyst.", "renal_lesion", None),
        ("FINDINGS: The kidneys are unremarkable, except for a 2 cm cyst.", "renal_lesion", None),
    ],
)
def test_what_is_no_organ_statement(analyzer: ReportAnalyzer, text: str, label: str, status: str | None) -> None:
    assert study_statuses(analyzer, text).get(label) == status


def test_an_unknown_label_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "lexicons"
    shutil.copytree(lexicons_dir(), folder)
    path = folder / "organ_statements.yaml"
    path.write_text(path.read_text().replace("rules_out: [appendicitis]", "rules_out: [appendicitiss]"))
    with pytest.raises(
        LexiconError, match=r"organ_statements\.yaml: rules_out names unknown labels \['appendicitiss'\]"
    ):
        ReportAnalyzer(folder)


def test_a_name_written_with_two_spaces_is_found() -> None:
    from curation.reports.organ_statements import load_organ_statements

    statements = load_organ_statements()
    assert statements is not None
    assert statements.find("The adrenal  glands are normal.") == [("adrenal_nodule", 4, 19)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a template's organ heading, then a normal word alone: with a colon, in capitals, or in title case alone
        (
            "FINDINGS:\nLIVER:\nUnremarkable.\nSPLEEN: Normal.",
            {"liver_lesion": "negative", "hepatic_steatosis": "negative", "splenic_lesion": "negative"},
        ),
        (
            "Findings:\nHeart\nNormal.\nPancreas\nUnremarkable.\nBowel\nWithin normal limits.",
            {
                "cardiomegaly": "negative",
                "pericardial_effusion": None,  # the heart alone does not name the pericardium (requires_any)
                "pancreatic_lesion": "negative",
                "bowel_obstruction": "negative",
            },
        ),
        # a heading naming two organs speaks for both
        (
            "FINDINGS:\nHeart and pericardium:\nNormal.",
            {"cardiomegaly": "negative", "pericardial_effusion": "negative"},
        ),
        (
            "FINDINGS:\nKIDNEYS AND BLADDER: Normal.",
            {"renal_lesion": "negative", "bladder_wall_thickening": "negative"},
        ),
        # only the first sentence under the heading speaks for the organ; a finding after it still counts
        ("FINDINGS:\nLIVER: Normal size. Unremarkable.", {"liver_lesion": None}),
        (
            "FINDINGS:\nKIDNEYS:\nUnremarkable. 2 cm cyst on the left.",
            {"hydronephrosis": "negative", "renal_cyst": "positive"},
        ),
        # Windows line ends, a list mark before the normal word, a heading naming a finding over an answer of none
        (
            "Findings:\r\nLiver\r\nUnremarkable.\r\nSpleen\r\nUnremarkable.",
            {"liver_lesion": "negative", "splenic_lesion": "negative"},
        ),
        ("Findings:\nLiver\n- Unremarkable.", {"liver_lesion": "negative"}),
        (
            "Findings:\nLungs\nClear.\nLines and Tubes\nNone.\nLymph Nodes\nNo enlarged nodes.",
            {"medical_material": "negative", "lymphadenopathy": "negative"},
        ),
        # the sentence must be the normal word alone
        ("FINDINGS:\nLIVER: Normal attenuation.", {"liver_lesion": None}),
    ],
)
def test_an_organ_heading_with_a_normal_word_rules_out_its_labels(
    analyzer: ReportAnalyzer, text: str, expected: dict[str, str | None]
) -> None:
    found = study_statuses(analyzer, text)
    assert {label: found.get(label) for label in expected} == expected
