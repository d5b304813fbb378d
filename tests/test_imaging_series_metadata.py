"""Series facts for the series table: contrast phase (lexicon, header) and the body-region estimate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from curation.deid.dicom_header import DeidOptions, deidentify_dataset
from curation.imaging.contrast_phase import (
    PHASES,
    contrast_phase_from_values,
    load_contrast_lexicon,
    phase_from_description,
)
from curation.imaging.series_metadata import estimate_body_region, series_metadata, superior_extent_mm
from curation.imaging.volume import Volume
from curation.pseudonyms import Pseudonymizer
from curation.table_schemas import table_schema
from tests.conftest import shared_fixture


@pytest.mark.parametrize(
    ("description", "phase"),
    [
        ("Abdomen venös 3.0 B30f", "portal_venous"),
        ("Abd_Venous_3mm", "portal_venous"),
        ("Portal Venous 5.0", "portal_venous"),
        ("PV 1.25 STND", "portal_venous"),
        ("KM venoes", "portal_venous"),
        ("Thorax arterielle Phase", "arterial"),
        ("CT ABD C+ arterial", "arterial"),  # the specific phase wins over a bare contrast mark
        ("late arterial 1mm", "arterial"),
        ("ART 2.0", "arterial"),
        ("Nephro 2.5", "nephrographic"),
        ("Delayed 10 min", "delayed"),
        ("Spätphase 5mm", "delayed"),
        ("Thorax nativ 1.0", "non_contrast"),
        ("ABD/PEL W/O CONTRAST", "non_contrast"),  # "contrast" is used up by "w/o contrast"
        ("NC chest", "non_contrast"),
        ("5/5mm Plain", "non_contrast"),
        ("Head C- 5mm", "non_contrast"),
        ("CHEST W CONTRAST", "contrast_unspecified"),
        ("Thorax mit KM", "contrast_unspecified"),
        ("Art/Ven split bolus", "contrast_unspecified"),  # two phases named: contrast, phase unknown
        ("noncontrast + contrast", None),  # contradictory
        ("C-SPINE 2mm", None),  # cervical spine, not "C-"
        ("Arthro knee", None),  # not "art"
        ("CT AP 5mm", None),  # abdomen-pelvis as often as arterial phase: not a term
        ("Lung 1.0 B70f", None),
        ("", None),
    ],
)
def test_phase_from_description(description: str, phase: str | None) -> None:
    assert phase_from_description(description) == phase


def test_contrast_header_says_given_or_not_and_the_description_decides_the_phase() -> None:
    assert contrast_phase_from_values({"SeriesDescription": "Thorax 1.0", "ContrastBolusAgent": "IOMEPROL 350"}) == (
        "contrast_unspecified",
        "header",
    )
    assert contrast_phase_from_values({"ContrastBolusRoute": "IV"}) == ("contrast_unspecified", "header")
    assert contrast_phase_from_values({"ContrastBolusStartTime": "101500"}) == ("contrast_unspecified", "header")
    assert contrast_phase_from_values({"ContrastBolusAgent": "None"}) == ("non_contrast", "header")
    # "no" is a YAML boolean unless quoted: the lexicon must keep it a word
    assert contrast_phase_from_values({"ContrastBolusAgent": "NO"}) == ("non_contrast", "header")
    # the exam's agent copied onto the pre-contrast series: the description wins
    assert contrast_phase_from_values({"SeriesDescription": "Abdomen nativ", "ContrastBolusAgent": "IOMEPROL"}) == (
        "non_contrast",
        "description",
    )
    assert contrast_phase_from_values({"SeriesDescription": "Thorax 1.0"}) == (None, None)
    assert contrast_phase_from_values(Dataset()) == (None, None)


def test_contrast_phase_survives_deidentification_into_series_metadata() -> None:
    ds = Dataset()
    ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID = "p1", "1.2.3", "1.2.3.4", "1.2.3.5"
    ds.Modality, ds.SeriesDescription = "CT", "Abdomen venös 3.0 B30f"
    ds.ContrastBolusAgent, ds.ContrastBolusRoute, ds.ContrastBolusVolume = "IOMEPROL 350", "IV", "80"
    deidentified = deidentify_dataset(ds, Pseudonymizer(b"k" * 32), "site_a", DeidOptions()).dataset
    facts = series_metadata(deidentified)
    assert (facts["contrast_phase"], facts["contrast_phase_source"]) == ("portal_venous", "description")
    assert facts["contrast_agent"] == "IOMEPROL 350"
    row = {"series_id": "ser_1", "study_id": "st", "patient_id": "pt", "cohort": "c", "source_format": "dicom"}
    row |= {"status": "ingested", "n_files": 1, "contrast_phase": facts["contrast_phase"]}
    row |= {"contrast_phase_source": facts["contrast_phase_source"]}
    table = table_schema("series").table_from_rows([row])
    assert table.column("contrast_phase").to_pylist() == ["portal_venous"]


@pytest.mark.fixtures
@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("dicom/ct_chest_j2k", ("contrast_unspecified", "header")),  # ContrastBolusAgent 'APPLIED'
        ("dicom/enhanced_and_j2k_ct/693_J2KR.dcm", ("non_contrast", "description")),  # '5/5mm Plain'
        ("dicom/ct_series_with_gap", (None, None)),  # 'Routine Brain'
    ],
)
def test_contrast_phase_of_real_headers(relative: str, expected: tuple[str | None, str | None]) -> None:
    path = shared_fixture(relative)
    first = path if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())[0]
    facts = series_metadata(pydicom.dcmread(first, stop_before_pixels=True))
    assert (facts["contrast_phase"], facts["contrast_phase_source"]) == expected


def test_lexicon_names_only_known_phases(tmp_path: Path) -> None:
    lexicon = load_contrast_lexicon()
    assert {phase for phase, _ in lexicon.patterns} == set(PHASES)
    bad = tmp_path / "contrast_phases.yaml"
    bad.write_text("phases:\n  venous_late: {terms: [late venous]}\n")
    with pytest.raises(ValueError, match="unknown phase 'venous_late'"):
        load_contrast_lexicon(bad)


# -- body region ---------------------------------------------------------------------------------------
def _axial(n_slices: int, step_mm: float = 2.5) -> Volume:
    return Volume(np.zeros((n_slices, 2, 2), np.int16), np.diag([0.7, 0.7, step_mm, 1.0]))


@pytest.mark.parametrize(
    ("body_part", "n_slices", "expected"),
    [
        ("TORSO", 80, "chest-abdomen"),
        ("WHOLEBODY", 80, "chest-abdomen"),
        ("CAP", 80, "chest-abdomen"),
        ("Chest Abdomen", 80, "chest-abdomen"),  # spaces and case do not matter
        ("THORAX", 120, "chest"),
        ("chest", 120, "chest"),
        ("PELVIS", 150, "abdomen"),
        ("ABDOMEN", 200, "abdomen"),  # 199 steps of 2.5 mm: 497.5 mm, just under the 500 mm threshold
        ("ABDOMEN", 201, "chest-abdomen"),  # 500 mm
        ("HEAD", 160, "other"),  # a head tag on a 397.5 mm scan
        ("BRAIN", 40, "head"),
        ("PARTIALBODY", 40, "other"),
        ("", 240, "chest-abdomen"),
    ],
)
def test_body_region_from_tag_and_extent(body_part: str, n_slices: int, expected: str) -> None:
    assert estimate_body_region(_axial(n_slices), body_part) == expected


def test_extent_is_head_foot_whatever_the_slice_orientation() -> None:
    # coronal slices: columns along x, rows along -z (head to foot), slices along y
    coronal = np.array([[0.8, 0, 0, 0], [0, 0, 3.0, 0], [0, -0.8, 0, 0], [0, 0, 0, 1.0]])
    volume = Volume(np.zeros((50, 700, 10), np.int16), coronal)
    assert superior_extent_mm(volume) == pytest.approx(699 * 0.8)
    assert estimate_body_region(volume, None) == "chest-abdomen"
    assert estimate_body_region(Volume(np.zeros((50, 300, 10), np.int16), coronal), "CHEST") == "chest"
