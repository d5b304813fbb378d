"""PET SUVbw factor: the 8 calculate-suv header cases, before and after de-identification, and clear reasons."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from curation.deid.dicom_header import DeidOptions, deidentify_dataset
from curation.pet.suv_factor import (
    PHILIPS_ACTIVITY_SCALE_OFFSET,
    PHILIPS_PRIVATE_CREATOR,
    PHILIPS_PRIVATE_GROUP,
    PHILIPS_SUV_SCALE_OFFSET,
    suv_factor_before_deid,
)
from curation.pseudonyms import Pseudonymizer
from tests.conftest import shared_fixture

SECRET = b"test-secret-0123456789abcdef"
CASES_DIR = "pet/suv_header_cases"
RADIOPHARMACEUTICAL_KEYS = (
    "RadionuclideTotalDose",
    "RadionuclideHalfLife",
    "RadiopharmaceuticalStartTime",
    "RadiopharmaceuticalStartDateTime",
)
PHILIPS_OFFSETS = {
    "SUVScaleFactor": PHILIPS_SUV_SCALE_OFFSET,
    "ActivityConcentrationScaleFactor": PHILIPS_ACTIVITY_SCALE_OFFSET,
}


def expected_factors() -> dict[str, float]:
    path = shared_fixture(f"{CASES_DIR}/expected_suvbw_factors.csv")
    with path.open(encoding="utf-8") as handle:
        return {row["case"]: float(row["expected_suvbw_factor"]) for row in csv.DictReader(handle)}


def header_from_case(values: dict[str, object], index: int) -> Dataset:
    """A PET header as a scanner writes it: radiopharmaceutical fields in their sequence, Philips privates."""
    ds = Dataset()
    ds.Modality = "PT"
    ds.PatientName = "DOE^JANE"
    ds.PatientID = "MRN0042"
    ds.PatientBirthDate = "19600101"
    ds.StudyInstanceUID = "1.2.3.4.5"
    ds.SeriesInstanceUID = "1.2.3.4.5.6"
    ds.SOPInstanceUID = f"1.2.3.4.5.6.{index + 1}"
    ds.StudyDate = str(values["SeriesDate"])
    item = Dataset()
    for key, value in values.items():
        if key in RADIOPHARMACEUTICAL_KEYS:
            setattr(item, key, str(value).strip() if isinstance(value, str) else value)
        elif key != "PhilipsPETPrivateGroup":
            setattr(ds, key, value)
    ds.RadiopharmaceuticalInformationSequence = Sequence([item])
    philips = values.get("PhilipsPETPrivateGroup") or {}
    assert isinstance(philips, dict)
    if philips:
        block = ds.private_block(PHILIPS_PRIVATE_GROUP, PHILIPS_PRIVATE_CREATOR, create=True)
        for name, text in philips.items():
            block.add_new(PHILIPS_OFFSETS[name], "DS", str(text).strip())
    return ds


def case_headers(case: str) -> list[Dataset]:
    path: Path = shared_fixture(f"{CASES_DIR}/{case}-instances.json")
    return [header_from_case(values, i) for i, values in enumerate(json.loads(path.read_text(encoding="utf-8")))]


def deidentified(headers: list[Dataset]) -> list[Dataset]:
    pseudonymizer = Pseudonymizer(SECRET)
    return [deidentify_dataset(ds, pseudonymizer, "site_a", DeidOptions()).dataset for ds in headers]


CASES = (
    "SIEMENS",
    "GE_MEDICAL_AND_BQML",
    "PHILIPS_BQML",
    "PHILIPS_CNTS_AND_BQML_SUV",
    "PHILIPS_CNTS_AND_SUV",
    "BQML_AC_DT_lessThan_S_DT_SIEMENS",
    "CPS_AND_BQML_AC_DT_-_S_DT",
    "RADIOPHARM_DATETIME_UNDEFINED",
)


@pytest.mark.fixtures
@pytest.mark.parametrize("case", CASES)
def test_case_factor_matches_calculate_suv(case: str) -> None:
    expected = expected_factors()[case]
    headers = case_headers(case)
    result = suv_factor_before_deid(headers)
    print(f"{case}: factor={result.factor!r} expected={expected!r} source={result.scan_time_source}")
    assert result.reason is None
    assert result.factor == pytest.approx(expected, abs=1e-6, rel=1e-9)
    assert suv_factor_before_deid(headers[0]).factor == pytest.approx(expected, abs=1e-6)  # the first header alone


@pytest.mark.fixtures
@pytest.mark.parametrize("case", CASES)
def test_factor_survives_date_shifting(case: str) -> None:
    headers = case_headers(case)
    before = suv_factor_before_deid(headers)
    clean = deidentified(headers)
    assert clean[0].SeriesDate != headers[0].SeriesDate  # dates did move
    assert clean[0].SeriesTime == headers[0].SeriesTime  # times did not
    item = clean[0].RadiopharmaceuticalInformationSequence[0]
    if "RadiopharmaceuticalStartDateTime" in headers[0].RadiopharmaceuticalInformationSequence[0]:
        assert item.RadiopharmaceuticalStartDateTime[:8] == clean[0].SeriesDate  # same offset inside the sequence
    if headers[0].Units == "CNTS":
        return  # the private scale factors are gone: see the next test
    after = suv_factor_before_deid(clean)
    assert after.decay_time_s == pytest.approx(before.decay_time_s, abs=1e-6)
    assert after.factor == pytest.approx(before.factor, rel=1e-12)


@pytest.mark.fixtures
@pytest.mark.parametrize("case", ["PHILIPS_CNTS_AND_SUV", "PHILIPS_CNTS_AND_BQML_SUV"])
def test_cnts_needs_the_private_tags_so_it_is_computed_before_deid(case: str) -> None:
    headers = case_headers(case)
    carried = suv_factor_before_deid(headers)  # what the pipeline keeps
    naive = suv_factor_before_deid(deidentified(headers))  # what computing afterwards would give
    assert carried.factor == pytest.approx(expected_factors()[case], abs=1e-6)
    assert naive.factor is None
    assert naive.reason is not None and "7053,1000" in naive.reason


def bqml_header() -> Dataset:
    """70 kg, 370 MBq F-18 (half-life 6586.2 s) injected at 09:00, series at 10:00."""
    ds = Dataset()
    ds.Units, ds.DecayCorrection, ds.CorrectedImage = "BQML", "START", ["ATTN", "DECY"]
    ds.PatientWeight = 70
    ds.SeriesDate, ds.SeriesTime = "20210305", "100000"
    ds.AcquisitionDate, ds.AcquisitionTime = "20210305", "100010"
    item = Dataset()
    item.RadionuclideTotalDose, item.RadionuclideHalfLife = 370e6, 6586.2
    item.RadiopharmaceuticalStartDateTime = "20210305090000"
    ds.RadiopharmaceuticalInformationSequence = Sequence([item])
    return ds


def test_reference_header_and_admin_decay() -> None:
    result = suv_factor_before_deid(bqml_header())
    assert result.decay_time_s == 3600.0 and result.scan_time_source == "series"
    assert result.factor == pytest.approx(70_000 / (370e6 * 2 ** (-3600 / 6586.2)), rel=1e-12)
    admin = bqml_header()
    admin.DecayCorrection = "ADMIN"
    assert suv_factor_before_deid(admin).factor == pytest.approx(70_000 / 370e6, rel=1e-12)


def test_start_time_without_date_uses_the_series_date() -> None:
    ds = bqml_header()
    item = ds.RadiopharmaceuticalInformationSequence[0]
    del item.RadiopharmaceuticalStartDateTime
    item.RadiopharmaceuticalStartTime = "090000"
    assert suv_factor_before_deid(ds).decay_time_s == 3600.0


def test_gml_values_are_already_suv() -> None:
    ds = bqml_header()
    ds.Units = "GML"
    assert suv_factor_before_deid(ds).factor == 1.0


def _without(keyword: str) -> Dataset:
    ds = bqml_header()
    delattr(ds, keyword)
    return ds


def _with(**values: object) -> Dataset:
    ds = bqml_header()
    for keyword, value in values.items():
        setattr(ds, keyword, value)
    return ds


def _with_item(**values: object) -> Dataset:
    ds = bqml_header()
    for keyword, value in values.items():
        setattr(ds.RadiopharmaceuticalInformationSequence[0], keyword, value)
    return ds


@pytest.mark.parametrize(
    ("ds", "fragment"),
    [
        (_without("PatientWeight"), "PatientWeight"),
        (_with(PatientWeight=0), "PatientWeight"),
        (_with(Units="PROPCNTS"), "Units"),
        (_with(DecayCorrection="NONE"), "DecayCorrection"),
        (_with(CorrectedImage=["ATTN"]), "DECY"),
        (_without("RadiopharmaceuticalInformationSequence"), "RadionuclideTotalDose"),
        (_with_item(RadionuclideHalfLife=None), "RadionuclideHalfLife"),
        (_with_item(RadiopharmaceuticalStartDateTime="20210305110000"), "injection time is after"),
        (_without("SeriesTime"), "SeriesDate/SeriesTime"),
        (_with(Units="CNTS"), "7053,1000"),
    ],
)
def test_missing_or_contradictory_fields_give_a_reason(ds: Dataset, fragment: str) -> None:
    result = suv_factor_before_deid(ds)
    assert result.factor is None and not result.ok
    assert result.reason is not None and fragment in result.reason


def test_instances_of_different_series_are_refused() -> None:
    other = bqml_header()
    other.PatientWeight = 80
    result = suv_factor_before_deid([bqml_header(), other])
    assert result.factor is None and "not one series" in (result.reason or "")


def test_activity_concentration_scale_factor_converts_counts() -> None:
    ds = _with(Units="CNTS")
    block = ds.private_block(PHILIPS_PRIVATE_GROUP, PHILIPS_PRIVATE_CREATOR, create=True)
    block.add_new(PHILIPS_ACTIVITY_SCALE_OFFSET, "DS", "2.5")
    result = suv_factor_before_deid(ds)
    bqml = suv_factor_before_deid(bqml_header())
    assert result.factor == pytest.approx(2.5 * (bqml.factor or 0), rel=1e-12)
    assert result.factor_source == "philips_activity_scale"


def test_reasons_and_metadata_carry_no_phi() -> None:
    ds = copy.deepcopy(bqml_header())
    ds.PatientName, ds.PatientID = "DOE^JANE", "MRN0042"
    del ds.PatientWeight
    result = suv_factor_before_deid(ds)
    text = json.dumps(result.to_metadata())
    assert "DOE" not in text and "MRN0042" not in text and "2021" not in text
    assert set(suv_factor_before_deid(bqml_header()).to_metadata()) >= {"suv_factor", "decay_time_s", "pet_units"}
