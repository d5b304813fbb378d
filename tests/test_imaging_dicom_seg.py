"""DICOM SEG label masks: read onto the image grid by world position, attached to their series in the plan.

Real SEGs from dcmqi (../shared/fixtures/dicom/ct_with_dicom_seg): a liver SEG on a 3-slice GE CT, and
a 23x38x3 CT with a Legacy Converted Enhanced multi-frame copy and a SEG. Overlapping, fractional and
misplaced SEGs are made here with highdicom from the tiny CT.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest

from curation.cohort.manifest import load_manifest
from curation.imaging.dicom_seg import dicom_seg_masks, place_frames_by_position, read_dicom_seg, segment_names
from curation.imaging.dicom_volume import read_dicom_series
from curation.imaging.errors import SeriesRejected
from curation.imaging.resample import resample_volume
from curation.imaging.series_grouping import group_dicom_series
from curation.imaging.volume import Volume
from curation.imaging.zarr_store import write_volume_group
from curation.ingest.cohort_plan import plan_cohort
from curation.pseudonyms import Pseudonymizer
from tests.conftest import shared_fixture
from tests.synthetic_dicom import highdicom_seg, write_ct_series, write_dataset

pytestmark = pytest.mark.fixtures
SEG_FIXTURES = "dicom/ct_with_dicom_seg"


def _series(folder: Path) -> tuple[Volume, str]:
    """The folder's single series as a Volume, and its original FrameOfReferenceUID."""
    grouping = group_dicom_series(sorted(folder.iterdir()))
    assert len(grouping.series) == 1
    series = grouping.series[0]
    return read_dicom_series(series), str(series.headers[0].FrameOfReferenceUID)


def _frames(seg_path: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """(ImagePositionPatient, pixels) of every stored SEG frame."""
    ds = pydicom.dcmread(seg_path)
    pixels = ds.pixel_array.reshape(int(ds.NumberOfFrames), int(ds.Rows), int(ds.Columns))
    positions = [
        np.asarray(f.PlanePositionSequence[0].ImagePositionPatient, float) for f in ds.PerFrameFunctionalGroupsSequence
    ]
    return list(zip(positions, pixels, strict=True))


def _assert_frames_land_on_their_positions(labels: np.ndarray, volume: Volume, seg_path: Path) -> None:
    """Each SEG frame's first pixel maps to voxel (0, 0, k) of the image, and slice k equals the frame."""
    inverse = np.linalg.inv(volume.affine_lps)
    for position, pixels in _frames(seg_path):
        i, j, k = (inverse @ np.append(position, 1.0))[:3]
        assert abs(i) < 1e-3 and abs(j) < 1e-3 and abs(k - round(k)) < 1e-3
        np.testing.assert_array_equal(labels[round(k)] > 0, pixels > 0)
        assert np.allclose(volume.world_lps(0, 0, round(k)), position, atol=1e-3)


def test_liver_seg_lands_on_the_3slice_ct_grid() -> None:
    folder = shared_fixture(SEG_FIXTURES)
    ct, frame = _series(folder / "ct-3slice")
    seg = read_dicom_seg(folder / "liver.dcm", ct, frame)
    assert seg.segment_names == {1: "Liver"} and seg.notes == []
    [liver] = seg.maps
    assert liver.suffix == "" and liver.label_names == {1: "Liver"}
    assert liver.labels.shape == ct.shape and liver.labels.dtype == np.uint8
    assert set(np.unique(liver.labels)) == {0, 1}
    assert int(liver.labels.sum()) == sum(int(p.sum()) for _, p in _frames(folder / "liver.dcm")) == 107098
    _assert_frames_land_on_their_positions(liver.labels, ct, folder / "liver.dcm")


@pytest.mark.parametrize("image_folder", ["image", "multiframe"])
def test_tiny_seg_lands_on_its_ct_and_on_the_legacy_converted_multiframe(image_folder: str) -> None:
    folder = shared_fixture(SEG_FIXTURES) / "23x38x3"
    ct, frame = _series(folder / image_folder)
    [label_map] = read_dicom_seg(folder / "seg" / "label.seg", ct, frame).maps
    assert label_map.labels.shape == (3, 38, 23)
    assert int(label_map.labels.sum()) == 322
    _assert_frames_land_on_their_positions(label_map.labels, ct, folder / "seg" / "label.seg")


def test_seg_on_a_resampled_grid_keeps_its_labels_and_volume() -> None:
    folder = shared_fixture(SEG_FIXTURES) / "23x38x3"
    ct, frame = _series(folder / "image")
    native = read_dicom_seg(folder / "seg" / "label.seg", ct, frame).maps[0].labels
    coarse = resample_volume(ct, (1.4, 1.4, 2.5))
    masks = dicom_seg_masks([folder / "seg" / "label.seg"], coarse, frame)
    labels, names = masks["seg_1"]
    assert labels.shape == coarse.shape and names == {1: "Liver"}
    native_mm3 = native.astype(bool).sum() * np.prod(ct.spacing_mm)
    coarse_mm3 = labels.astype(bool).sum() * np.prod(coarse.spacing_mm)
    assert abs(coarse_mm3 - native_mm3) / native_mm3 < 0.25  # nearest neighbour at 2x: same order of volume


def test_seg_masks_store_like_nifti_masks(tmp_path: Path) -> None:
    folder = shared_fixture(SEG_FIXTURES)
    ct, frame = _series(folder / "ct-3slice")
    masks = dicom_seg_masks([folder / "liver.dcm"], ct, frame)
    stored = write_volume_group(str(tmp_path / "ct.zarr"), ct, masks)
    seg = next(s for s in stored if s.kind == "label_mask")
    assert seg.array_path == "labels/seg_1/0" and seg.label_names == {1: "Liver"} and seg.value_max == 1


# -- synthetic SEGs made with highdicom from the tiny CT --------------------------------------------
def _make_seg(
    folder: Path, masks: np.ndarray, labels: list[str], fractional: bool = False, frame_of_reference: str | None = None
) -> pydicom.Dataset:
    sources = [pydicom.dcmread(p) for p in sorted((folder / "image").iterdir())]
    if frame_of_reference:
        for source in sources:
            source.FrameOfReferenceUID = frame_of_reference
    if fractional:
        return highdicom_seg(sources, masks.astype(np.float32), labels, "FRACTIONAL", max_fractional_value=100)
    return highdicom_seg(sources, masks.astype(bool), labels)


def test_segments_without_overlap_make_one_label_map_named_by_label_or_property(tmp_path: Path) -> None:
    folder = shared_fixture(SEG_FIXTURES) / "23x38x3"
    ct, frame = _series(folder / "image")
    masks = np.zeros((3, 38, 23, 2), bool)
    masks[:, 2:10, 2:10, 0] = True
    masks[1:, 20:30, 5:20, 1] = True
    path = write_dataset(_make_seg(folder, masks, ["liver lesion", ""]), tmp_path / "two.dcm")
    assert segment_names(pydicom.dcmread(path)) == {1: "liver lesion", 2: "Spleen"}
    [combined] = read_dicom_seg(path, ct, frame).maps
    assert combined.label_names == {1: "liver lesion", 2: "Spleen"}
    assert int((combined.labels == 1).sum()) == 3 * 8 * 8 and int((combined.labels == 2).sum()) == 2 * 10 * 15


def test_overlapping_segments_are_stored_as_separate_maps(tmp_path: Path) -> None:
    folder = shared_fixture(SEG_FIXTURES) / "23x38x3"
    ct, frame = _series(folder / "image")
    masks = np.zeros((3, 38, 23, 2), bool)
    masks[:, 5:20, 5:15, 0] = True
    masks[:, 10:30, 10:20, 1] = True
    path = write_dataset(_make_seg(folder, masks, ["liver", "tumour"]), tmp_path / "overlap.dcm")
    seg = read_dicom_seg(path, ct, frame)
    assert [m.suffix for m in seg.maps] == ["_s1", "_s2"] and "overlap" in seg.notes[0]
    first, second = seg.maps
    assert first.label_names == {1: "liver"} and second.label_names == {2: "tumour"}
    assert int((first.labels == 1).sum()) == 3 * 15 * 10 and int((second.labels == 2).sum()) == 3 * 20 * 10
    assert sorted(dicom_seg_masks([path], ct, frame)) == ["seg_1_s1", "seg_1_s2"]


def test_fractional_seg_is_thresholded_at_one_half(tmp_path: Path) -> None:
    folder = shared_fixture(SEG_FIXTURES) / "23x38x3"
    ct, frame = _series(folder / "image")
    occupancy = np.zeros((3, 38, 23, 1), np.float32)
    occupancy[:, 0:10, 0:10, 0] = 0.3
    occupancy[:, 10:20, 0:10, 0] = 0.5
    occupancy[:, 20:30, 0:10, 0] = 0.9
    path = write_dataset(_make_seg(folder, occupancy, ["liver"], fractional=True), tmp_path / "fractional.dcm")
    seg = read_dicom_seg(path, ct, frame)
    assert seg.notes == ["fractional segments thresholded at >= 0.5"]
    assert int(seg.maps[0].labels.sum()) == 3 * 20 * 10


# -- LABELMAP SEGs (one frame holds every segment's number) over a synthetic CT ---------------------
LABELMAP_STORAGE = "1.2.840.10008.5.1.4.1.1.66.7"


def _three_segments() -> np.ndarray:
    """[k, row, column] segment numbers over a 4x12x10 grid: 1 on slices 0 and 2, 2 on 1-3, 3 on slice 3."""
    labels = np.zeros((4, 12, 10), np.uint8)
    labels[[0, 2], 1:4, 2:6] = 1
    labels[1:4, 6:10, 1:3] = 2
    labels[3, 0:2, 7:10] = 3
    return labels


def _synthetic_ct_and_seg(
    tmp_path: Path, segmentation_type: str, positions: list[tuple[float, float, float]] | None = None
) -> tuple[Volume, str, Path]:
    paths = write_ct_series(tmp_path / "ct", np.full((4, 12, 10), 40), spacing=(0.5, 0.8), positions=positions)
    sources = [pydicom.dcmread(p) for p in paths]
    seg = highdicom_seg(sources, _three_segments(), ["liver", "", "kidney cyst"], segmentation_type)
    assert seg.SegmentationType == segmentation_type
    if segmentation_type == "LABELMAP":
        assert seg.SOPClassUID == LABELMAP_STORAGE and seg.SegmentSequence[0].SegmentLabel == "Background"
        assert int(seg.NumberOfFrames) == 4  # every frame holds every segment: no SegmentIdentificationSequence
        assert "SegmentIdentificationSequence" not in seg.PerFrameFunctionalGroupsSequence[0]
    ct, frame = _series(tmp_path / "ct")
    return ct, frame, write_dataset(seg, tmp_path / f"{segmentation_type.lower()}.dcm")


@pytest.mark.parametrize("segmentation_type", ["LABELMAP", "BINARY"])
def test_labelmap_seg_gives_one_label_map_of_its_segment_numbers(tmp_path: Path, segmentation_type: str) -> None:
    ct, frame, path = _synthetic_ct_and_seg(tmp_path, segmentation_type)
    seg = read_dicom_seg(path, ct, frame)
    assert seg.notes == [] and seg.segment_names == {1: "liver", 2: "Spleen", 3: "kidney cyst"}  # no Background
    masks = dicom_seg_masks([path], ct, frame)
    assert sorted(masks) == ["seg_1"]
    labels, names = masks["seg_1"]
    assert names == {1: "liver", 2: "Spleen", 3: "kidney cyst"}
    assert labels.dtype == np.uint8 and labels.shape == ct.shape == (4, 12, 10)
    np.testing.assert_array_equal(labels, _three_segments())


@pytest.mark.parametrize("segmentation_type", ["LABELMAP", "BINARY"])
def test_seg_of_an_unevenly_spaced_series_takes_each_voxel_from_its_nearest_frame(
    tmp_path: Path, segmentation_type: str
) -> None:
    """Frames at z = 0, 2.5, 4 and 7.5 mm; the CT is equalised to 1.5 mm (z = 0, 1.5, ..., 7.5), whose
    nearest frames are 0, 1, 1, 2, 3, 3. A BINARY SEG omits a segment's empty frames, yet the frames of the
    other segments still bound each one: segment 1 (frames 0 and 4 mm) stays off z = 1.5, nearest to the
    frame at 2.5 mm, and segment 3 (frame 7.5 mm alone) reaches z = 6, half way to the frame at 4 mm."""
    positions = [(-120.0, -80.0, z) for z in (0.0, 2.5, 4.0, 7.5)]
    ct, frame, path = _synthetic_ct_and_seg(tmp_path, segmentation_type, positions)
    assert ct.metadata["geometry_decision"] == "resampled_uneven" and ct.spacing_mm == (0.8, 0.5, 1.5)
    seg = read_dicom_seg(path, ct, frame)
    assert seg.notes == ["frames not regularly spaced: placed frame by frame"]
    [label_map] = seg.maps
    assert label_map.label_names == {1: "liver", 2: "Spleen", 3: "kidney cyst"}
    np.testing.assert_array_equal(label_map.labels, _three_segments()[[0, 1, 1, 2, 3, 3]])


def test_unreadable_or_misplaced_seg_is_refused_naming_the_file(tmp_path: Path) -> None:
    folder = shared_fixture(SEG_FIXTURES) / "23x38x3"
    ct, _ = _series(folder / "image")
    with pytest.raises(SeriesRejected, match=re.escape("label.seg: its frame of reference")) as mismatch:
        read_dicom_seg(folder / "seg" / "label.seg", ct, "1.2.3.4")
    assert mismatch.value.reason_code == "seg_frame_of_reference_mismatch" and mismatch.value.stage == "read"
    broken = tmp_path / "broken.dcm"
    broken.write_bytes(b"not a dicom file at all")
    with pytest.raises(SeriesRejected, match=re.escape("broken.dcm: not a DICOM file")) as unreadable:
        read_dicom_seg(broken, ct)
    assert unreadable.value.reason_code == "unreadable_seg"
    with pytest.raises(SeriesRejected, match=re.escape("IMG0001.dcm: not a valid DICOM Segmentation")):
        read_dicom_seg(folder / "image" / "IMG0001.dcm", ct)
    shifted = Volume(ct.array, ct.affine_lps @ _translation(0, 0, 500.0))  # 500 mm away: no overlap
    with pytest.raises(SeriesRejected, match="no segmented voxel falls inside") as outside:
        read_dicom_seg(folder / "seg" / "label.seg", shifted)
    assert outside.value.reason_code == "seg_outside_image"


def _translation(i: float, j: float, k: float) -> np.ndarray:
    shift = np.eye(4)
    shift[:3, 3] = [i, j, k]
    return shift


# -- planning: a SEG rides with the series it references --------------------------------------------
def _cohort(tmp_path: Path, members: dict[str, Path]) -> Path:
    """A cohort folder with copies (not links: discovery resolves paths inside the cohort) of the members."""
    root = tmp_path / "cohort"
    for relative, source in members.items():
        target = root / "images" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    (root / "cohort.yaml").write_text("institution: site_seg\nimages: images\n")
    return root


def _plan(root: Path):
    return plan_cohort(load_manifest(root), "site_seg", Pseudonymizer(b"s" * 32))


def _attached(item) -> list[tuple[str, str]]:
    return [(s.file.path.name, s.matched_by) for s in item.segmentations]


def _accounted_once(plan) -> None:
    """discovered = files of planned series + early dispositions, each file exactly once."""
    planned = [f.file_hash for item in plan.series for f in item.files]
    early = [d.file_hash for d in plan.early_dispositions]
    assert sorted(planned + early) == sorted(f.file_hash for f in plan.inventory.files)


def test_plan_attaches_each_seg_to_the_series_it_references(tmp_path: Path) -> None:
    fixtures = shared_fixture(SEG_FIXTURES)
    members = {f"ct/{p.name}": p for p in (fixtures / "ct-3slice").iterdir()}
    members["ct/liver.dcm"] = fixtures / "liver.dcm"
    for sub in ("image", "multiframe", "seg"):
        members.update({f"tiny/{sub}/{p.name}": p for p in (fixtures / "23x38x3" / sub).iterdir()})
    plan = _plan(_cohort(tmp_path, members))
    _accounted_once(plan)
    assert not [d for d in plan.early_dispositions if d.reason_code in {"dicom_seg", "seg_reference_missing"}]
    three_slice = [i for i in plan.series if i.dicom and int(i.dicom.headers[0].Rows) == 512]
    tiny = [i for i in plan.series if i.dicom and int(i.dicom.headers[0].Rows) == 38 and len(i.dicom.files) == 3]
    multiframe = [i for i in plan.series if i.dicom and int(i.dicom.headers[0].Rows) == 38 and len(i.dicom.files) == 1]
    assert len(three_slice) == len(tiny) == len(multiframe) == 1
    assert _attached(three_slice[0]) == [("liver.dcm", "referenced_series")]
    assert _attached(tiny[0]) == [("label.seg", "referenced_series")]
    assert _attached(multiframe[0]) == []
    assert three_slice[0].seg_paths[0] in [f.path for f in three_slice[0].files]
    ct, _ = _series(fixtures / "ct-3slice")
    masks = dicom_seg_masks(three_slice[0].seg_paths, ct, three_slice[0].frame_of_reference_uid)
    assert int(masks["seg_1"][0].sum()) == 107098


def test_seg_without_its_series_is_quarantined_and_frame_of_reference_is_the_fallback(tmp_path: Path) -> None:
    fixtures = shared_fixture(SEG_FIXTURES)
    orphan = pydicom.dcmread(fixtures / "liver.dcm")
    by_frame = pydicom.dcmread(fixtures / "23x38x3" / "seg" / "label.seg")
    by_frame.ReferencedSeriesSequence[0].SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.1"  # not in the cohort
    members = {f"tiny/{p.name}": p for p in (fixtures / "23x38x3" / "multiframe").iterdir()}
    members["segs/liver.dcm"] = write_dataset(orphan, tmp_path / "src" / "liver.dcm")
    members["segs/by_frame.dcm"] = write_dataset(by_frame, tmp_path / "src" / "by_frame.dcm")
    plan = _plan(_cohort(tmp_path, members))
    _accounted_once(plan)
    quarantined = [(d.disposition, d.reason_code, d.file_kind) for d in plan.early_dispositions]
    assert quarantined == [("quarantined", "seg_reference_missing", "dicom")]
    [multiframe] = plan.series
    assert _attached(multiframe) == [("by_frame.dcm", "frame_of_reference")]


def test_seg_naming_its_series_in_another_frame_of_reference_is_quarantined(tmp_path: Path) -> None:
    fixtures = shared_fixture(SEG_FIXTURES) / "23x38x3"
    wrong_frame = pydicom.dcmread(fixtures / "seg" / "label.seg")
    wrong_frame.FrameOfReferenceUID = "1.2.826.0.1.3680043.8.498.2"
    members = {f"tiny/{p.name}": p for p in (fixtures / "image").iterdir()}
    members["tiny/seg.dcm"] = write_dataset(wrong_frame, tmp_path / "src" / "seg.dcm")
    plan = _plan(_cohort(tmp_path, members))
    _accounted_once(plan)
    assert [d.reason_code for d in plan.early_dispositions] == ["seg_frame_of_reference_mismatch"]
    assert plan.series[0].segmentations == []


# -- frames that are not a regular volume: placed frame by frame -------------------------------------
@pytest.mark.parametrize("spacing", [None, (1.5, 1.5, 1.5)])
def test_frame_by_frame_placement_equals_highdicom_volume_on_a_regular_seg(spacing) -> None:
    import highdicom as hd

    folder = shared_fixture(SEG_FIXTURES)
    ct, frame = _series(folder / "ct-3slice")
    target = ct if spacing is None else resample_volume(ct, spacing)
    regular = read_dicom_seg(folder / "liver.dcm", target, frame).maps[0].labels
    by_frame = place_frames_by_position(hd.seg.segread(folder / "liver.dcm"), target, {1: "Liver"})[1]
    assert int(regular.sum()) > 0
    if spacing is None:
        np.testing.assert_array_equal(by_frame, regular)
    else:  # nearest-neighbour ties at half-voxel boundaries may round either way
        assert np.mean(by_frame != regular) < 1e-3


def test_seg_of_a_tilted_unevenly_spaced_series_lands_on_the_corrected_grid(tmp_path: Path) -> None:
    """A bone SEG drawn on the raw GE head slices (18.5 deg tilt, steps 1.08-7 mm) agrees with the bone of
    the tilt-corrected, equalised CT: placed by the frames' own positions, not by slice index."""
    from pydicom.sr.codedict import codes

    from curation.imaging.geometry_policy import DCM2NIIX_POLICY

    folder = shared_fixture("dicom/ct_head_gantry_tilt_ge")
    series = group_dicom_series(sorted(folder.iterdir())).series[0]
    series.files, series.headers = series.files[8:20], series.headers[8:20]  # steps of 4.22, 1.14 and 7.38 mm
    ct = read_dicom_series(series, DCM2NIIX_POLICY)
    assert ct.metadata["geometry_decision"] == "resampled_tilt_uneven"
    sources = [pydicom.dcmread(p) for p in series.files]
    bone = np.stack([s.pixel_array * float(s.RescaleSlope) + float(s.RescaleIntercept) > 300 for s in sources])
    seg = highdicom_seg(sources, bone[..., None], ["bone"], property_types=[codes.SCT.Bone])
    result = read_dicom_seg(write_dataset(seg, tmp_path / "bone.dcm"), ct, str(series.headers[0].FrameOfReferenceUID))
    assert result.notes == ["frames not regularly spaced: placed frame by frame"]
    mask, reference = result.maps[0].labels > 0, ct.array > 300
    dice = 2 * np.sum(mask & reference) / (mask.sum() + reference.sum())
    assert dice > 0.85  # the CT is interpolated across gaps of up to 7 mm; the mask is nearest-frame
    shifted = np.roll(mask, round(20 / ct.spacing_mm[1]), axis=1)  # the measure notices a 20 mm misplacement
    assert 2 * np.sum(shifted & reference) / (shifted.sum() + reference.sum()) < dice - 0.2


def test_seg_whose_frames_are_not_parallel_is_refused(tmp_path: Path) -> None:
    from pydicom.dataset import Dataset

    folder = shared_fixture(SEG_FIXTURES) / "23x38x3"
    ct, frame = _series(folder / "image")
    ds = pydicom.dcmread(folder / "seg" / "label.seg")
    oblique = Dataset()
    oblique.ImageOrientationPatient = [1, 0, 0, 0, 0.8660254, -0.5]
    ds.PerFrameFunctionalGroupsSequence[2].PlaneOrientationSequence = [oblique]
    ds.PerFrameFunctionalGroupsSequence[2].PlanePositionSequence[0].ImagePositionPatient[2] = -168.0
    with pytest.raises(SeriesRejected, match=re.escape("oblique.dcm: frames cannot be placed")) as refused:
        read_dicom_seg(write_dataset(ds, tmp_path / "oblique.dcm"), ct, frame)
    assert refused.value.reason_code == "seg_not_a_volume"


def _ingest_the_series_with_segs(cohort: Path, tmp_path: Path) -> tuple[Any, Any, Any, Any]:
    """Plan the cohort (its images under ``cohort/images``) and ingest its one series that has SEGs:
    (plan, series item, warehouse, batch result)."""
    from curation.ingest.series_batch import SeriesContext, ingest_series_batch
    from curation.provenance import RunContext
    from curation.storage.warehouse_layout import Warehouse

    (cohort / "cohort.yaml").write_text("institution: site_seg\nimages: images\noptions:\n  resample_profile: native\n")
    plan = plan_cohort(load_manifest(cohort), "site_seg", Pseudonymizer(b"s" * 32))
    (item,) = [i for i in plan.series if i.segmentations]
    warehouse = Warehouse.open(tmp_path / "warehouse")
    context = SeriesContext(
        warehouse, RunContext(kind="ingest", cohort="site_seg"), "site_seg", "native", None, plan.studies
    )
    return plan, item, warehouse, ingest_series_batch([item], context, "series-00000")


def test_ingest_stores_the_seg_as_a_label_mask_of_its_series(tmp_path: Path) -> None:
    import pyarrow.parquet as pq
    import zarr

    source = shared_fixture("dicom/ct_with_dicom_seg")
    cohort = tmp_path / "cohort"
    shutil.copytree(source / "ct-3slice", cohort / "images" / "ct")
    shutil.copy(source / "liver.dcm", cohort / "images" / "liver.dcm")
    plan, item, warehouse, batch = _ingest_the_series_with_segs(cohort, tmp_path)

    assert [(o.status, o.reason_code) for o in batch.outcomes] == [("ingested", None)]
    assert {d.file_kind for d in batch.dispositions} == {"dicom", "dicom_seg"}
    study = plan.studies[item.study_uid]
    group = zarr.open_group(warehouse.path(warehouse.volume_uri("site_seg", study.study_id, item.series_id)), mode="r")
    liver = np.asarray(group["labels/seg_1/0"][...])
    assert liver.shape == group["0"].shape and set(np.unique(liver)) == {0, 1}
    assert int((liver == 1).sum()) == 107_098  # every voxel of the SEG's frames
    volumes = pq.read_table(warehouse.path(next(p for p in batch.parts if "/volumes/" in p))).to_pylist()
    assert {"label_mask", "label_level"} <= {v["kind"] for v in volumes}
    series = pq.read_table(warehouse.path(next(p for p in batch.parts if "/series/" in p))).to_pylist()
    assert "contrast_phase" in series[0]


def test_ingest_keeps_the_image_and_quarantines_only_a_seg_that_cannot_be_placed(tmp_path: Path) -> None:
    import pyarrow.parquet as pq
    import zarr

    cohort = tmp_path / "cohort"
    paths = write_ct_series(
        cohort / "images" / "ct", np.random.default_rng(0).integers(-1000, 1000, (4, 64, 64)), spacing=(1.0, 1.0)
    )
    sources = [pydicom.dcmread(p) for p in paths]
    labels = np.zeros((4, 64, 64), np.uint8)
    labels[0:2, 1:4, 2:6] = 1
    write_dataset(highdicom_seg(sources, labels, ["liver"], "LABELMAP"), cohort / "images" / "a.dcm")
    far = highdicom_seg(sources, labels, ["liver"], "LABELMAP")
    for frame in far.PerFrameFunctionalGroupsSequence:
        frame.PlanePositionSequence[0].ImagePositionPatient[2] += 500.0
    write_dataset(far, cohort / "images" / "b.dcm")
    plan, item, warehouse, batch = _ingest_the_series_with_segs(cohort, tmp_path)

    assert [(o.status, o.reason_code) for o in batch.outcomes] == [("ingested", None)]
    by_status = sorted((d.file_kind, d.disposition, d.reason_code or "") for d in batch.dispositions)
    assert by_status == [
        *[("dicom", "ingested", "")] * 4,
        ("dicom_seg", "ingested", ""),
        ("dicom_seg", "quarantined", "seg_outside_image"),
    ]
    group = zarr.open_group(
        warehouse.path(warehouse.volume_uri("site_seg", plan.studies[item.study_uid].study_id, item.series_id)),
        mode="r",
    )
    assert set(group["labels"].group_keys()) == {"seg_1"}
    assert int((np.asarray(group["labels/seg_1/0"][...]) == 1).sum()) == 2 * 3 * 4
    quarantine = pq.read_table(warehouse.path(next(p for p in batch.parts if "/quarantine/" in p))).to_pylist()
    assert [(q["stage"], q["reason_code"], q["file_count"]) for q in quarantine] == [
        ("segmentation", "seg_outside_image", 1)
    ]
