"""Every public DICOM fixture series, and the tilt/uneven ones against dcm2niix run on the same input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from curation.imaging.dicom_seg import dicom_seg_masks
from curation.imaging.dicom_volume import collect_slice_records, read_dicom_series, read_slices
from curation.imaging.errors import SeriesRejected
from curation.imaging.geometry_correction import equalize_slices
from curation.imaging.geometry_policy import DCM2NIIX_POLICY, plan_geometry
from curation.imaging.nifti_export import convert_dicom_folder, nifti_image
from curation.imaging.series_grouping import group_dicom_series
from tests.conftest import SHARED_FIXTURES, shared_fixture
from tests.synthetic_dicom import highdicom_seg, write_ct_series, write_dataset

pytestmark = pytest.mark.fixtures
DICOM = SHARED_FIXTURES / "dicom"
# each top-level fixture folder is converted recursively: every series and file under it is covered
SERIES_FOLDERS = sorted(p.name for p in DICOM.iterdir() if p.is_dir()) if DICOM.is_dir() else []
STATED_REASONS = {
    "too_few_slices",
    "single_position",
    "duplicate_positions",
    "missing_slices",
    "uneven_spacing",
    "gantry_tilt",
    "color_image",
    "pixel_decode_failed",
    "unreadable_dicom",
    "localizer",
    "secondary_capture",
    "dicomdir",
    "not_an_image",
    "structured_report",
    "dose_report",
    "no_pixel_data",
    "unsupported_multiframe",
    "mixed_matrix",
    "missing_geometry",
    "seg_reference_missing",
    "seg_frame_of_reference_mismatch",
    "seg_outside_image",
    "seg_not_a_volume",
    "unreadable_seg",
}  # fmt: skip  (no "dicom_seg": a SEG is converted with its series or quarantined, never skipped)


@pytest.mark.parametrize("folder", SERIES_FOLDERS)
def test_every_fixture_file_converts_or_has_a_stated_reason(folder: str, tmp_path: Path) -> None:
    summary = convert_dicom_folder(shared_fixture(f"dicom/{folder}"), tmp_path)
    assert summary.discovered_files == summary.converted_files + summary.skipped_files + summary.quarantined_files
    for entry in summary.skipped + summary.quarantined:
        assert entry["reason"] in STATED_REASONS, entry
    for entry in summary.converted:
        assert (tmp_path / entry["nifti"]).is_file() and entry["geometry_decision"]
        assert all((tmp_path / seg["nifti"]).is_file() for seg in entry["segmentations"])


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


# -- DICOM SEG: a label map NIfTI on the grid of the series it labels ---------------------------------
SEG_FIXTURES = "dicom/ct_with_dicom_seg"


def _accounted(summary) -> None:
    assert summary.discovered_files == summary.converted_files + summary.skipped_files + summary.quarantined_files


def _same_grid(label_map: nib.Nifti1Image, image: nib.Nifti1Image) -> None:
    assert label_map.shape == image.shape
    assert np.array_equal(label_map.affine, image.affine)
    assert np.array_equal(label_map.get_sform(), image.get_sform()) and np.array_equal(
        label_map.get_qform(), image.get_qform()
    )
    assert int(label_map.header["sform_code"]) == int(label_map.header["qform_code"]) == 1


def test_convert_writes_each_seg_as_a_label_map_on_its_series_grid(tmp_path: Path) -> None:
    folder = shared_fixture(SEG_FIXTURES)
    summary = convert_dicom_folder(folder, tmp_path)
    _accounted(summary)
    assert summary.quarantined == [] and not [s for s in summary.skipped if s["reason"] == "dicom_seg"]
    by_shape = {tuple(c["shape_kji"]): c for c in summary.converted}
    ge_ct = by_shape[(3, 512, 512)]
    assert ge_ct["n_files"] == 4  # 3 slices + liver.dcm
    [liver] = ge_ct["segmentations"]
    assert liver["nifti"] == "series-001_ct_seg-1.nii.gz" and liver["labels"] == {1: "Liver"}
    assert liver["n_voxels"] == {1: 107_098}  # every segmented pixel of the SEG's 3 frames
    label_map, image = nib.load(tmp_path / liver["nifti"]), nib.load(tmp_path / ge_ct["nifti"])
    _same_grid(label_map, image)
    data = np.asarray(label_map.dataobj)
    assert data.dtype == np.uint8 and set(np.unique(data)) == {0, 1} and int(data.sum()) == 107_098
    sidecar = json.loads((tmp_path / liver["sidecar"]).read_text())
    assert sidecar["LabelMapOf"] == "series-001_ct.nii.gz" and sidecar["Labels"] == {"1": "Liver"}
    # the same voxels ingest stores: dicom_seg_masks on the volume convert read
    series = next(s for s in group_dicom_series(sorted((folder / "ct-3slice").iterdir())).series)
    masks = dicom_seg_masks(
        [folder / "liver.dcm"], read_dicom_series(series), str(series.headers[0].FrameOfReferenceUID)
    )
    np.testing.assert_array_equal(np.transpose(data, (2, 1, 0)), masks["seg_1"][0])
    tiny_entries = [c for c in summary.converted if c["shape_kji"] == [3, 38, 23]]
    assert sorted(len(c["segmentations"]) for c in tiny_entries) == [0, 1]  # the SEG names the single-frame CT


def test_seg_label_map_lands_where_the_nrrd_it_was_made_from_says(tmp_path: Path) -> None:
    """dcmqi made the tiny SEG from label.nrrd: every labelled NRRD voxel, moved through world coordinates
    (NRRD LPS -> NIfTI RAS), is labelled in the converted NIfTI, and nothing else is."""
    sitk = pytest.importorskip("SimpleITK")
    folder = shared_fixture(SEG_FIXTURES) / "23x38x3"
    source = tmp_path / "in"
    shutil.copytree(folder / "image", source / "image")
    shutil.copytree(folder / "seg", source / "seg")
    summary = convert_dicom_folder(source, tmp_path / "out")
    [entry] = summary.converted
    [seg] = entry["segmentations"]
    label_map = nib.load(tmp_path / "out" / seg["nifti"])
    _same_grid(label_map, nib.load(tmp_path / "out" / entry["nifti"]))
    ours = np.asarray(label_map.dataobj)
    nrrd = sitk.ReadImage(str(folder / "nrrd" / "label.nrrd"))
    reference = sitk.GetArrayFromImage(nrrd)  # [k, j, i]
    k, j, i = np.nonzero(reference)
    lps = np.array(
        [
            nrrd.TransformContinuousIndexToPhysicalPoint((float(a), float(b), float(c)))
            for a, b, c in zip(i, j, k, strict=True)
        ]
    )
    ras = np.c_[-lps[:, 0], -lps[:, 1], lps[:, 2], np.ones(len(lps))]
    index = np.rint((np.linalg.inv(label_map.affine) @ ras.T)[:3]).astype(int)
    assert len(lps) == 322 and np.all(ours[tuple(index)] == 1)
    assert int(ours.sum()) == len(lps)


def test_convert_quarantines_a_seg_without_its_series_or_in_another_frame_of_reference(tmp_path: Path) -> None:
    fixtures = shared_fixture(SEG_FIXTURES)
    source = tmp_path / "in"
    shutil.copytree(fixtures / "23x38x3" / "image", source / "tiny")
    shutil.copy(fixtures / "liver.dcm", source / "orphan.dcm")  # its GE CT is not in the folder
    wrong_frame = pydicom.dcmread(fixtures / "23x38x3" / "seg" / "label.seg")
    wrong_frame.FrameOfReferenceUID = "1.2.826.0.1.3680043.8.498.2"
    write_dataset(wrong_frame, source / "tiny" / "seg.dcm")
    summary = convert_dicom_folder(source, tmp_path / "out")
    _accounted(summary)
    assert [c["segmentations"] for c in summary.converted] == [[]]
    assert sorted((q["name"], q["reason"], q["n_files"]) for q in summary.quarantined) == [
        ("orphan.dcm", "seg_reference_missing", 1),
        ("tiny/seg.dcm", "seg_frame_of_reference_mismatch", 1),
    ]
    assert not [p for p in (tmp_path / "out").iterdir() if "_seg-" in p.name]


def _synthetic_ct_with_segs(folder: Path) -> None:
    """A 4x12x10 synthetic CT; a.dcm: LABELMAP SEG of 3 segments; b.dcm: BINARY SEG of 2 overlapping ones;
    c.dcm: a SEG of the same frame of reference whose frames lie 500 mm away."""
    paths = write_ct_series(folder / "ct", np.full((4, 12, 10), 40), spacing=(0.5, 0.8))
    sources = [pydicom.dcmread(p) for p in paths]
    labels = np.zeros((4, 12, 10), np.uint8)
    labels[0:2, 1:4, 2:6], labels[1:4, 6:10, 1:3], labels[3, 0:2, 7:10] = 1, 2, 3
    write_dataset(highdicom_seg(sources, labels, ["liver", "spleen", "kidney"], "LABELMAP"), folder / "a.dcm")
    overlapping = np.zeros((4, 12, 10, 2), bool)
    overlapping[:, 2:8, 2:8, 0] = overlapping[:, 5:10, 5:10, 1] = True
    write_dataset(highdicom_seg(sources, overlapping, ["liver", "tumour"]), folder / "b.dcm")
    far = highdicom_seg(sources, labels, ["liver", "spleen", "kidney"], "LABELMAP")
    for frame in far.PerFrameFunctionalGroupsSequence:
        frame.PlanePositionSequence[0].ImagePositionPatient[2] += 500.0
    write_dataset(far, folder / "c.dcm")


def test_convert_writes_labelmap_and_overlapping_segs_as_ingest_stores_them(tmp_path: Path) -> None:
    _synthetic_ct_with_segs(tmp_path / "in")
    summary = convert_dicom_folder(tmp_path / "in", tmp_path / "out")
    _accounted(summary)
    [entry] = summary.converted
    assert entry["n_files"] == 4 + 2 and summary.converted_files == 6 and summary.label_maps_written == 3
    assert [(s["nifti"], s["labels"]) for s in entry["segmentations"]] == [
        ("series-001_ct_seg-1.nii.gz", {1: "liver", 2: "spleen", 3: "kidney"}),
        ("series-001_ct_seg-2_s1.nii.gz", {1: "liver"}),
        ("series-001_ct_seg-2_s2.nii.gz", {2: "tumour"}),
    ]
    assert entry["segmentations"][0]["n_voxels"] == {1: 2 * 3 * 4, 2: 3 * 4 * 2, 3: 2 * 3}
    assert "segments overlap" in entry["segmentations"][1]["notes"][0]
    [far] = summary.quarantined
    assert (far["name"], far["reason"], far["segmentation_of"]) == ("c.dcm", "seg_outside_image", "series-001_ct")
    image = nib.load(tmp_path / "out" / "series-001_ct.nii.gz")
    for seg in entry["segmentations"]:
        _same_grid(nib.load(tmp_path / "out" / seg["nifti"]), image)
    overlap = np.asarray(nib.load(tmp_path / "out" / "series-001_ct_seg-2_s2.nii.gz").dataobj)
    assert set(np.unique(overlap)) == {0, 2} and int((overlap == 2).sum()) == 4 * 5 * 5


def test_segs_of_a_series_that_is_not_converted_share_its_entry(tmp_path: Path) -> None:
    _synthetic_ct_with_segs(tmp_path / "in")
    for path in sorted((tmp_path / "in" / "ct").iterdir())[2:]:
        path.unlink()  # 2 slices left: too few for a volume
    summary = convert_dicom_folder(tmp_path / "in", tmp_path / "out")
    _accounted(summary)
    assert summary.converted == [] and summary.quarantined == []
    [entry] = summary.skipped
    assert entry["reason"] == "too_few_slices" and entry["n_files"] == 2 + 3
    assert entry["segmentations"] == ["a.dcm", "b.dcm", "c.dcm"]
