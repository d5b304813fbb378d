"""Real public DICOM fixtures (../shared/fixtures/dicom): decoding, geometry decisions, skips."""

from __future__ import annotations

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from curation.imaging.dicom_files import classify_dicom_file
from curation.imaging.dicom_volume import decode_file_pixels, read_dicom_series
from curation.imaging.errors import SeriesRejected
from curation.imaging.geometry_policy import STRICT_POLICY
from curation.imaging.nifti_export import convert_dicom_folder
from curation.imaging.nifti_volume import read_nifti, read_nifti_mask
from curation.imaging.resample import index_map_kji, resample_array_to_grid
from curation.imaging.series_grouping import group_dicom_series
from curation.imaging.series_metadata import estimate_body_region, series_metadata
from tests.conftest import shared_fixture

pytestmark = pytest.mark.fixtures


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def read_only_series(folder: Path):
    grouping = group_dicom_series(files_under(folder))
    assert len(grouping.series) == 1
    return grouping, read_dicom_series(grouping.series[0])


def rejection_reasons(folder: Path, policy=STRICT_POLICY) -> list[str]:
    reasons = []
    for series in group_dicom_series(files_under(folder)).series:
        with pytest.raises(SeriesRejected) as caught:
            read_dicom_series(series, policy)
        reasons.append(caught.value.reason_code)
    return reasons


def demosaic_like_dcm2niix(mosaic: np.ndarray, tile: int, n_slices: int) -> np.ndarray:
    """Siemens mosaic tiles -> dcm2niix's NIfTI layout [i, j, k] (rows flipped)."""
    per_row = mosaic.shape[1] // tile
    tiles = [
        mosaic[(s // per_row) * tile : (s // per_row + 1) * tile, (s % per_row) * tile : (s % per_row + 1) * tile]
        for s in range(n_slices)
    ]
    return np.stack([t[::-1].T for t in tiles], axis=2)


def test_every_transfer_syntax_decodes_to_the_same_pixels() -> None:
    folder = shared_fixture("dicom/transfer_syntaxes")
    syntaxes = set()
    decoded = []
    for n in range(1, 10):
        ds, pixels = decode_file_pixels(folder / "In" / f"{n}.dcm", n)
        syntaxes.add(str(ds.file_meta.TransferSyntaxUID))
        decoded.append(pixels.astype(np.int32))
        reference = np.asanyarray(nib.load(folder / "Ref" / f"{n}.nii").dataobj)
        assert np.array_equal(demosaic_like_dcm2niix(pixels, 64, reference.shape[2]), reference), f"file {n}"
    assert len(syntaxes) >= 7  # implicit, explicit, big endian, RLE, JPEG lossless, JPEG-LS, JPEG 2000
    assert all(np.array_equal(decoded[0], other) for other in decoded[1:])


@pytest.mark.parametrize(
    "case",
    [
        "anatomical/001",
        "anatomical/001_implicit",
        "anatomical/002_non_isotropic",
        "compressed/001",
        "compressed_j2k/001",
        "compressed_jpeg/001",
        "compressed_jpegls/001",
        "compressed_rle/001",
    ],
)
def test_compressed_mr_matches_ground_truth_in_world_space(case: str) -> None:
    folder = shared_fixture(f"dicom/compressed_mr_with_truth/{case}")
    _, volume = read_only_series(folder)
    assert volume.intensity_unit == "raw" and volume.array.dtype == np.float32
    truth = read_nifti(folder.parent / f"{folder.name}_ground_truth.nii.gz", modality="MR")
    mapping = index_map_kji(volume.affine_lps, truth.affine_lps)
    assert np.allclose(mapping, np.round(mapping), atol=1e-3), "grids must coincide up to axis flips/permutation"
    on_truth_grid = resample_array_to_grid(volume.array, volume.affine_lps, truth.affine_lps, truth.shape, 0, 0)
    assert np.array_equal(on_truth_grid, truth.array)


def test_ct_chest_j2k_reads_as_a_regular_volume() -> None:
    folder = shared_fixture("dicom/ct_chest_j2k")
    grouping, volume = read_only_series(folder)
    assert not grouping.rejected
    assert volume.shape == (20, 512, 512)
    assert volume.spacing_mm == pytest.approx((0.9765625, 0.9765625, 2.0), abs=1e-5)
    assert volume.array.dtype == np.int16 and volume.intensity_unit == "HU"
    assert -1100 <= int(volume.array.min()) <= -900 and 1000 <= int(volume.array.max()) <= 3100
    assert volume.metadata["geometry_decision"] == "regular" and volume.metadata["n_files"] == 20
    # slice k sits at the k-th lowest ImagePositionPatient
    z_positions = sorted(float(h.ImagePositionPatient[2]) for h in grouping.series[0].headers)
    assert [volume.world_lps(0, 0, k)[2] for k in range(20)] == pytest.approx(z_positions, abs=1e-4)
    facts = series_metadata(grouping.series[0].headers[0])
    assert facts["modality"] == "CT" and facts["kvp"] == 120.0 and facts["slice_thickness_mm"] == 3.0
    assert estimate_body_region(volume, facts["body_part"]) == "other"  # 'PARTIALBODY', 38 mm


def test_ct_chest_j2k_label_map_lands_on_the_dicom_grid() -> None:
    _, volume = read_only_series(shared_fixture("dicom/ct_chest_j2k"))
    labels = read_nifti_mask(shared_fixture("dicom/ct_chest_j2k_totalseg_labels.nii.gz"), reference=volume)
    assert labels.shape == volume.shape and labels.dtype == np.uint8
    assert labels.max() > 0
    inside, outside = volume.array[labels > 0], volume.array[labels == 0]
    assert inside.mean() > -200 > outside.mean()  # organs are soft tissue; unlabelled space is mostly air


@pytest.mark.parametrize("fixture", ["dicom/ct_head_gantry_tilt_ge", "dicom/edge_cases/gantrytilting"])
def test_gantry_tilt_fixtures_are_rejected_under_the_strict_policy(fixture: str) -> None:
    assert rejection_reasons(shared_fixture(fixture)) == ["gantry_tilt"]


def test_ge_tilt_is_measured_in_degrees() -> None:
    series = group_dicom_series(files_under(shared_fixture("dicom/ct_head_gantry_tilt_ge"))).series[0]
    with pytest.raises(SeriesRejected) as caught:
        read_dicom_series(series, STRICT_POLICY)
    assert abs(caught.value.measurements["gantry_tilt_deg"]) == pytest.approx(18.5, abs=0.1)
    assert caught.value.stage == "geometry"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("dicom/edge_cases/notavolume", ["single_position"]),
        ("dicom/edge_cases/slicecount", ["too_few_slices"]),
        ("dicom/edge_cases/sliceorientation", ["too_few_slices", "too_few_slices"]),  # split by orientation
        ("dicom/ct_series_with_gap", ["missing_slices"]),
    ],
)
def test_edge_cases_are_rejected_with_a_reason(fixture: str, expected: list[str]) -> None:
    assert rejection_reasons(shared_fixture(fixture)) == expected


def test_slice_increment_cases_are_rejected() -> None:
    folder = shared_fixture("dicom/edge_cases/sliceincrement")
    assert rejection_reasons(folder / "001") == ["missing_slices"]  # steps 5, 5, 10 mm
    # 0.78/1.56 mm steps, and its positions also drift in-plane (tilted acquisition): tilt is reported first
    assert rejection_reasons(folder / "002")[0] in {"gantry_tilt", "missing_slices", "uneven_spacing"}


def test_philips_scout_and_secondary_captures_are_skipped() -> None:
    folder = shared_fixture("dicom/ct_phantom_philips_tilt")
    grouping = group_dicom_series(files_under(folder))
    by_name = {str(r.path.relative_to(folder)): r.reason_code for r in grouping.rejected}
    assert by_name["S1000/I10"] == "localizer"
    assert {by_name[f"S4010/I{n}0"] for n in range(1, 6)} == {"secondary_capture"}
    assert by_name["DIRFILE"] == "dicomdir"
    assert all(r.disposition == "skipped" for r in grouping.rejected)
    tilts = []
    for series in grouping.series:
        volume = read_dicom_series(series)
        assert volume.metadata["geometry_decision"] == "resampled_tilt"
        tilts.append(volume.metadata["gantry_tilt_deg"])
    assert sorted(tilts) == pytest.approx([16.5, 18.5], abs=0.1)


def test_sop_class_from_file_meta_when_dataset_value_is_empty() -> None:
    path = files_under(shared_fixture("dicom/ct_chest_j2k"))[0]
    assert not str(pydicom.dcmread(path, stop_before_pixels=True).get("SOPClassUID", ""))
    assert classify_dicom_file(path).category == "image"


def test_dicom_seg_is_skipped_and_legacy_multiframe_matches_single_frames() -> None:
    folder = shared_fixture("dicom/ct_with_dicom_seg")
    assert classify_dicom_file(folder / "liver.dcm").reason_code == "dicom_seg"
    _, singles = read_only_series(folder / "23x38x3" / "image")
    _, multiframe = read_only_series(folder / "23x38x3" / "multiframe")
    assert multiframe.metadata["source_format"] == "dicom-enhanced"
    assert np.array_equal(singles.array, multiframe.array)
    assert np.allclose(singles.affine_lps, multiframe.affine_lps, atol=1e-4)


def test_enhanced_ct_with_two_frames_is_too_short() -> None:
    path = shared_fixture("dicom/enhanced_and_j2k_ct/eCT_Supplemental.dcm")
    grouping = group_dicom_series([path])
    with pytest.raises(SeriesRejected) as caught:
        read_dicom_series(grouping.series[0])
    assert caught.value.reason_code == "too_few_slices"


def test_convert_folder_counts_every_file(tmp_path: Path) -> None:
    folder = shared_fixture("dicom/ct_chest_j2k")
    summary = convert_dicom_folder(folder, tmp_path)
    assert [c["name"] for c in summary.converted] == ["series-001_ct"]
    assert summary.discovered_files == summary.converted_files + summary.skipped_files + summary.quarantined_files
    nii = nib.load(tmp_path / "series-001_ct.nii.gz")
    assert nii.get_data_dtype() == np.int16 and nii.shape == (512, 512, 20)
    sidecar = json.loads((tmp_path / "series-001_ct.json").read_text())
    assert sidecar["Modality"] == "CT" and sidecar["ctcurate"]["geometry_decision"] == "regular"
    assert "SeriesDescription" not in sidecar and "PatientName" not in json.dumps(sidecar)


def test_convert_folder_reports_skips_without_phi(tmp_path: Path) -> None:
    folder = shared_fixture("dicom/ct_phantom_philips_tilt")
    summary = convert_dicom_folder(folder, tmp_path)
    assert [c["geometry_decision"] for c in summary.converted] == ["resampled_tilt", "resampled_tilt"]
    assert summary.discovered_files == summary.converted_files + summary.skipped_files + summary.quarantined_files
    sidecar = json.loads((tmp_path / f"{summary.converted[0]['name']}.json").read_text())
    assert sidecar["ctcurate"]["geometry_decision"] == "resampled_tilt"
    strict = convert_dicom_folder(folder, tmp_path / "strict", policy=STRICT_POLICY)
    series_entries = [s for s in strict.skipped if s["name"].startswith("series-")]
    assert [s["reason"] for s in series_entries] == ["gantry_tilt", "gantry_tilt"]
    uids = {str(h.SeriesInstanceUID) for s in group_dicom_series(files_under(folder)).series for h in s.headers[:1]}
    text = json.dumps(summary.to_dict())
    assert not any(uid in text for uid in uids)
