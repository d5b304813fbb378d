"""Every public DICOM fixture series, and the tilt/uneven ones against dcm2niix run on the same input."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from curation.imaging.dicom_volume import collect_slice_records, read_dicom_series, read_slices
from curation.imaging.errors import SeriesRejected
from curation.imaging.geometry_correction import equalize_slices
from curation.imaging.geometry_policy import DCM2NIIX_POLICY, plan_geometry
from curation.imaging.nifti_export import convert_dicom_folder, nifti_image
from curation.imaging.series_grouping import group_dicom_series
from tests.conftest import SHARED_FIXTURES, shared_fixture

pytestmark = pytest.mark.fixtures
DICOM = SHARED_FIXTURES / "dicom"
# each top-level fixture folder is converted recursively: every series and file under it is covered
SERIES_FOLDERS = sorted(p.name for p in DICOM.iterdir() if p.is_dir()) if DICOM.is_dir() else []
STATED_REASONS = {
    "too_few_slices", "single_position", "duplicate_positions", "missing_slices", "uneven_spacing", "gantry_tilt",
    "color_image", "pixel_decode_failed", "unreadable_dicom", "localizer", "secondary_capture", "dicomdir",
    "dicom_seg", "not_an_image", "structured_report", "dose_report", "no_pixel_data", "unsupported_multiframe",
    "mixed_matrix", "missing_geometry",
}  # fmt: skip


@pytest.mark.parametrize("folder", SERIES_FOLDERS)
def test_every_fixture_file_converts_or_has_a_stated_reason(folder: str, tmp_path: Path) -> None:
    summary = convert_dicom_folder(shared_fixture(f"dicom/{folder}"), tmp_path)
    assert summary.discovered_files == summary.converted_files + summary.skipped_files + summary.quarantined_files
    for entry in summary.skipped + summary.quarantined:
        assert entry["reason"] in STATED_REASONS, entry
    for entry in summary.converted:
        assert (tmp_path / entry["nifti"]).is_file() and entry["geometry_decision"]


def dcm2niix_command() -> list[str]:
    binary = shutil.which("dcm2niix") or str(Path(sys.executable).with_name("dcm2niix"))
    if not Path(binary).is_file():
        pytest.skip("dcm2niix not installed (pip install dcm2niix): reference comparison skipped")
    return [binary]


def run_dcm2niix(folder: Path, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([*dcm2niix_command(), "-z", "n", "-b", "n", "-f", "%s", "-o", str(out), str(folder)], check=True,
                   capture_output=True)  # fmt: skip
    return {p.name: p for p in out.glob("*.nii")}


def canonical(image: nib.Nifti1Image) -> tuple[np.ndarray, np.ndarray]:
    image = nib.as_closest_canonical(image)
    return np.asarray(image.dataobj).astype(np.float32), image.affine


# (fixture, series index, dcm2niix file, our decision); dcm2niix marks corrected outputs _Tilt / _Eq
REFERENCE_CASES = [
    ("ct_head_gantry_tilt_ge", 0, "2_Tilt_Eq_1.nii", "resampled_tilt_uneven"),
    ("edge_cases/gantrytilting", 0, "4_Tilt_1.nii", "resampled_tilt"),
    ("edge_cases/sliceincrement/002", 0, "3_Tilt_Eq_1.nii", "resampled_tilt_uneven"),
    ("ct_series_with_gap", 0, "2_Eq_1.nii", "resampled_uneven"),
    ("ct_phantom_philips_tilt", 0, "201_Tilt_1.nii", "resampled_tilt"),
    ("ct_chest_j2k", 0, "0.nii", "regular"),
]


@pytest.mark.parametrize(("fixture", "index", "reference", "decision"), REFERENCE_CASES)
def test_voxels_affine_and_decision_match_dcm2niix(
    fixture: str, index: int, reference: str, decision: str, tmp_path: Path
) -> None:
    folder = shared_fixture(f"dicom/{fixture}")
    outputs = run_dcm2niix(folder, tmp_path)
    assert reference in outputs, sorted(outputs)
    series = group_dicom_series(sorted(p for p in folder.rglob("*") if p.is_file())).series[index]
    volume = read_dicom_series(series, DCM2NIIX_POLICY)
    assert volume.metadata["geometry_decision"] == decision
    ours, our_affine = canonical(nifti_image(volume))
    theirs, their_affine = canonical(nib.load(outputs[reference]))
    assert ours.shape == theirs.shape
    assert np.allclose(our_affine, their_affine, atol=1e-3)  # both RAS after nibabel's canonical reorder
    theirs = np.maximum(theirs, -1024)  # dcm2niix keeps PixelPaddingValue; ctcurate makes it air
    inside = (ours > -1000) & (theirs > -1000)
    difference = np.abs(ours - theirs)
    assert np.median(difference[inside]) <= 1.0
    assert np.mean(difference[inside] > 2) < 0.01  # only the edge voxels, where fill rules differ


def test_dcm2niix_tilt_sign_disagreement_is_ours_right(tmp_path: Path) -> None:
    """Philips series 301: GantryDetectorTilt says +16.5, the positions -16.5; dcm2niix follows the tag
    (its log says so) and misplaces slices; ctcurate follows the positions: slice k's IPP is on slice k."""
    folder = shared_fixture("dicom/ct_phantom_philips_tilt")
    series = group_dicom_series(sorted(p for p in folder.rglob("*") if p.is_file())).series[1]
    volume = read_dicom_series(series)
    assert volume.metadata["geometry_decision"] == "resampled_tilt"
    inverse = np.linalg.inv(volume.affine_lps)
    records = collect_slice_records(series.headers)
    plan = plan_geometry(records[0].orientation, records[0].pixel_spacing, [r.position for r in records])
    for k, group in enumerate(plan.groups):
        index = (inverse @ np.append(records[group[0]].position, 1.0))[:3]
        assert abs(index[2] - k) < 1e-3 and abs(index[0] - plan.pad_ij[0]) < 1e-3


def test_equalisation_matches_dcm2niix_on_its_own_grid(tmp_path: Path) -> None:
    """sliceincrement/001 (5, 5, 10 mm): dcm2niix picks 6 slices, ctcurate 5; on dcm2niix's positions the
    interpolated slices agree."""
    folder = shared_fixture("dicom/edge_cases/sliceincrement/001")
    outputs = run_dcm2niix(folder, tmp_path)
    (reference,) = [p for name, p in outputs.items() if "_Eq" in name]
    series = group_dicom_series(sorted(p for p in folder.rglob("*") if p.is_file())).series[0]
    with pytest.raises(SeriesRejected):
        read_dicom_series(series)  # a 2x step is a missing slice: quarantined by default
    assert read_dicom_series(series, DCM2NIIX_POLICY).metadata["geometry_decision"] == "resampled_uneven"
    records = collect_slice_records(series.headers)
    positions = [r.position for r in records]
    plan = plan_geometry(records[0].orientation, records[0].pixel_spacing, positions, DCM2NIIX_POLICY)
    stack = read_slices(series, records, plan.groups, True)
    image = nib.load(reference)
    step = float(image.header.get_zooms()[2])
    theirs, _ = canonical(image)
    ours = equalize_slices(stack, plan.z_mm, [n * step for n in range(image.shape[2])])
    ours_image, _ = canonical(nifti_image_of(ours, image))
    assert np.median(np.abs(ours_image - theirs)) <= 1.0


def nifti_image_of(stack_kji: np.ndarray, like: nib.Nifti1Image) -> nib.Nifti1Image:
    """Our [k, j, i] stack in dcm2niix's voxel layout (rows flipped, as dcm2niix stores them)."""
    data = np.transpose(stack_kji, (2, 1, 0))[:, ::-1, :]
    return nib.Nifti1Image(np.ascontiguousarray(data), like.affine)


def test_strict_reasons_are_errors_not_crashes() -> None:
    folder = shared_fixture("dicom/ct_series_with_gap")
    series = group_dicom_series(sorted(p for p in folder.rglob("*") if p.is_file())).series[0]
    with pytest.raises(SeriesRejected) as caught:
        read_dicom_series(series)  # default policy: a 162x gap is not interpolated
    assert caught.value.reason_code == "missing_slices"
