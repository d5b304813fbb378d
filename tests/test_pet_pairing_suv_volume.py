"""PET/CT pairing on synthetic headers, and a hot-sphere PET phantom as SUV on the CT grid."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from curation.deid.dicom_header import DeidOptions, deidentify_dataset
from curation.imaging.volume import Volume
from curation.pet.pairing import NO_CT, SeriesRef, pair_pet_with_ct, series_ref_from_header
from curation.pet.suv_factor import suv_factor_before_deid
from curation.pet.suv_volume import suv_volume_on_ct_grid
from curation.pseudonyms import Pseudonymizer

SECRET = b"test-secret-0123456789abcdef"
STUDY, OTHER_STUDY = "1.2.826.0.1.1", "1.2.826.0.1.2"
FOR_PETCT, FOR_OTHER = "1.2.826.0.9.1", "1.2.826.0.9.2"
CT_UIDS = {
    name: f"1.2.826.0.3.{n}"
    for n, name in enumerate(
        (
            "ct.a",
            "ct.b",
            "ct.c",
            "ct.d",
            "ct.early",
            "ct.late",
            "ct.other.study",
            "ct.petct",
            "ct.same.study.other.frame",
            "ct.x",
        ),
        start=10,
    )
}


def header(
    modality: str,
    series_uid: str,
    study_uid: str = STUDY,
    frame_uid: str | None = FOR_PETCT,
    when: str = "20210305100000",
    patient: str = "MRN0042",
) -> Dataset:
    ds = Dataset()
    ds.PatientID, ds.PatientName = patient, "DOE^JANE"
    ds.Modality = modality
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    if frame_uid:
        ds.FrameOfReferenceUID = frame_uid
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = when[:8]
    ds.SeriesTime = ds.AcquisitionTime = when[8:]
    ds.SliceThickness = 2.5 if modality == "CT" else 4.0
    return ds


def pet_header(series_uid: str = "1.2.826.0.2.1", when: str = "20210305100000") -> Dataset:
    """PET: 70 kg, 370 MBq F-18 injected at 09:00 (decay correction START, values in Bq/ml)."""
    ds = header("PT", series_uid, when=when)
    ds.Units, ds.DecayCorrection, ds.CorrectedImage = "BQML", "START", ["ATTN", "DECY"]
    ds.PatientWeight = 70
    item = Dataset()
    item.RadionuclideTotalDose, item.RadionuclideHalfLife = 370e6, 6586.2
    item.RadiopharmaceuticalStartDateTime = when[:8] + "090000"
    ds.RadiopharmaceuticalInformationSequence = Sequence([item])
    return ds


def refs(*headers: Dataset) -> list[SeriesRef]:
    return [series_ref_from_header(ds) for ds in headers]


def test_pet_pairs_with_the_ct_of_its_study_and_frame_of_reference() -> None:
    series = refs(
        pet_header(),
        header("CT", CT_UIDS["ct.same.study.other.frame"], frame_uid=FOR_OTHER, when="20210305095900"),
        header("CT", CT_UIDS["ct.other.study"], study_uid=OTHER_STUDY, when="20210305100000"),
        header("CT", CT_UIDS["ct.petct"], when="20210305095500"),
    )
    (pair,) = pair_pet_with_ct(series)
    assert (pair.ct_series_uid, pair.reason, pair.time_gap_s) == (
        CT_UIDS["ct.petct"],
        "same_study_and_frame_of_reference",
        300,
    )


def test_nearest_in_time_breaks_ties_within_a_rule() -> None:
    series = refs(
        pet_header(),
        header("CT", CT_UIDS["ct.early"], when="20210305090000"),
        header("CT", CT_UIDS["ct.late"], when="20210305095800"),
    )
    assert pair_pet_with_ct(series)[0].ct_series_uid == CT_UIDS["ct.late"]


def test_fallbacks_name_their_reason() -> None:
    pet = pet_header()
    same_study = header("CT", CT_UIDS["ct.a"], frame_uid=FOR_OTHER, when="20210305093000")
    assert pair_pet_with_ct(refs(pet, same_study))[0].reason == "same_study_nearest_in_time"
    same_frame = header("CT", CT_UIDS["ct.b"], study_uid=OTHER_STUDY, when="20210305093000")
    assert pair_pet_with_ct(refs(pet, same_frame))[0].reason == "same_frame_of_reference"
    near = header("CT", CT_UIDS["ct.c"], study_uid=OTHER_STUDY, frame_uid=FOR_OTHER, when="20210301100000")
    far = header("CT", CT_UIDS["ct.d"], study_uid=OTHER_STUDY, frame_uid=FOR_OTHER, when="20200101100000")
    pair = pair_pet_with_ct(refs(pet, far, near))[0]
    assert (pair.ct_series_uid, pair.reason, pair.time_gap_s) == (
        CT_UIDS["ct.c"],
        "same_patient_nearest_in_time",
        4 * 86400,
    )
    assert pair_pet_with_ct(refs(pet, far))[0].reason == NO_CT  # beyond max_gap (30 days)
    assert pair_pet_with_ct(refs(pet, far), max_gap=dt.timedelta(days=500))[0].ct_series_uid == CT_UIDS["ct.d"]


def test_another_patients_ct_is_never_used() -> None:
    pair = pair_pet_with_ct(refs(pet_header(), header("CT", CT_UIDS["ct.x"], patient="MRN9999")))[0]
    assert (pair.ct_series_uid, pair.reason, pair.time_gap_s) == (None, NO_CT, None)


def test_pairing_is_the_same_on_deidentified_headers() -> None:
    pseudonymizer = Pseudonymizer(SECRET)
    originals = [pet_header(), header("CT", "1.2.826.0.3.1", when="20210305095500")]
    clean = [deidentify_dataset(ds, pseudonymizer, "site_a", DeidOptions()).dataset for ds in originals]
    (pair,) = pair_pet_with_ct(refs(*clean))
    assert pair.ct_series_uid == pseudonymizer.uid("1.2.826.0.3.1")
    assert (pair.reason, pair.time_gap_s) == ("same_study_and_frame_of_reference", 300)


# --- SUV on the CT grid -----------------------------------------------------------------------------

SPHERE_CENTRE_LPS = np.array([12.0, -18.0, 31.0])  # mm
SPHERE_RADIUS_MM = 20.0
SPHERE_BQML = 20_000.0  # 20 kBq/ml
BACKGROUND_BQML = 2_000.0


def world_grid(volume_shape: tuple[int, int, int], affine: np.ndarray) -> np.ndarray:
    """World LPS coordinates (mm) of every voxel centre, shape (k, j, i, 3)."""
    k, j, i = np.meshgrid(*(np.arange(n) for n in volume_shape), indexing="ij")
    ijk1 = np.stack([i, j, k, np.ones_like(i)], axis=-1).astype(np.float64)
    return (ijk1 @ affine.T)[..., :3]


def pet_phantom() -> Volume:
    """4 mm PET voxels, 128 x 128 x 50, origin (-254, -254, -80): a hot sphere in a warm cylinder of water."""
    affine = np.array([[4.0, 0, 0, -254.0], [0, 4.0, 0, -254.0], [0, 0, 4.0, -80.0], [0, 0, 0, 1]])
    shape = (50, 128, 128)
    world = world_grid(shape, affine)
    inside = np.linalg.norm(world - SPHERE_CENTRE_LPS, axis=-1) <= SPHERE_RADIUS_MM
    values = np.where(inside, SPHERE_BQML, BACKGROUND_BQML).astype(np.float32)
    return Volume(values, affine, "raw", True)


def ct_grid() -> Volume:
    """1.5 mm CT voxels over a smaller field, rows running posterior-to-anterior (a flipped j axis)."""
    affine = np.array([[1.5, 0, 0, -60.0], [0, -1.5, 0, 70.0], [0, 0, 2.0, -20.0], [0, 0, 0, 1]])
    return Volume(np.full((60, 100, 100), -1000, np.int16), affine)


def test_hot_sphere_has_the_expected_suv_and_position_on_the_ct_grid() -> None:
    factor = suv_factor_before_deid(pet_header()).factor
    assert factor is not None
    ct = ct_grid()
    suv = suv_volume_on_ct_grid(pet_phantom(), factor, ct)
    assert suv.shape == ct.shape and suv.array.dtype == np.float32 and suv.intensity_unit == "SUVbw"
    assert np.allclose(suv.affine_lps, ct.affine_lps)
    world = world_grid(ct.shape, ct.affine_lps)
    distance = np.linalg.norm(world - SPHERE_CENTRE_LPS, axis=-1)
    expected_sphere_suv = SPHERE_BQML * factor  # 20 kBq/ml x 2.763e-4 g/Bq = 5.53
    assert expected_sphere_suv == pytest.approx(5.527, abs=1e-3)
    assert np.allclose(suv.array[distance < SPHERE_RADIUS_MM - 8], expected_sphere_suv, rtol=1e-5)
    assert np.allclose(suv.array[distance > SPHERE_RADIUS_MM + 8], BACKGROUND_BQML * factor, rtol=1e-5)
    hot = suv.array > (SPHERE_BQML + BACKGROUND_BQML) / 2 * factor
    centroid = world[hot].mean(axis=0)
    assert np.linalg.norm(centroid - SPHERE_CENTRE_LPS) < 0.5  # mm
    volume_ml = hot.sum() * np.prod(ct.spacing_mm) / 1000
    assert volume_ml == pytest.approx(4 / 3 * np.pi * SPHERE_RADIUS_MM**3 / 1000, rel=0.1)


def test_outside_the_pet_field_of_view_is_zero() -> None:
    pet = pet_phantom()
    ct = Volume(np.zeros((10, 20, 20), np.int16), np.diag([2.0, 2.0, 2.0, 1.0]))
    ct.affine_lps[:3, 3] = [0.0, 0.0, 150.0]  # 150-170 mm: above the PET's last slice centre at 116 mm
    suv = suv_volume_on_ct_grid(pet, 1e-3, ct)
    assert float(suv.array.max()) == 0.0


def test_a_bad_factor_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        suv_volume_on_ct_grid(pet_phantom(), float("nan"), ct_grid())
