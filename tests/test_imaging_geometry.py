"""Slice ordering, spacing and the geometry checks on synthetic DICOM series built with pydicom."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from pydicom.uid import generate_uid

from curation.imaging.dicom_files import classify_dicom_file
from curation.imaging.dicom_volume import read_dicom_series
from curation.imaging.errors import SeriesRejected
from curation.imaging.geometry_policy import STRICT_POLICY, GeometryPolicy
from curation.imaging.series_geometry import slice_geometry
from curation.imaging.series_grouping import group_dicom_series
from tests.synthetic_dicom import AXIAL, write_ct_slice

ROWS, COLS = 6, 5
PIXEL_SPACING = (0.5, 0.8)  # (between rows, between columns): unequal, to catch a swap
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"


def write_slice(
    path: Path,
    series_uid: str,
    position: tuple[float, float, float],
    instance: int,
    hu_value: int,
    *,
    slope: float = 1.0,
    intercept: float = -1024.0,
    padding_value: int | None = None,
    **options,
) -> Path:
    """One uncompressed slice whose stored pixels all map to ``hu_value`` (a marker for the order check)."""
    stored = np.full((ROWS, COLS), round((hu_value - intercept) / slope), dtype=np.int16)
    if padding_value is not None:
        stored[0, 0] = padding_value
    return write_ct_slice(
        path,
        stored,
        position,
        series_uid=series_uid,
        study_uid="1.2.3.4",
        instance=instance,
        spacing=PIXEL_SPACING,
        slope=slope,
        intercept=intercept,
        padding_value=padding_value,
        SeriesNumber=3,
        SliceThickness=9.9,  # deliberately wrong: spacing must come from positions
        **options,  # orientation, image_type, sop_class, modality
    )


def axial_positions(n: int, step: float = 2.5, start: float = -100.0) -> list[tuple[float, float, float]]:
    return [(-120.0, -80.0, start + k * step) for k in range(n)]


def write_series(
    folder: Path, positions: list[tuple[float, float, float]], shuffle: bool = True, **kwargs
) -> list[Path]:
    """Slice k (in list order) has HU 10*k; InstanceNumbers are shuffled so they cannot be trusted."""
    folder.mkdir(parents=True, exist_ok=True)
    uid = generate_uid()
    instances = list(range(1, len(positions) + 1))
    if shuffle:
        random.Random(7).shuffle(instances)
    return [
        write_slice(folder / f"slice{n:03d}.dcm", uid, pos, instances[n], 10 * n, **kwargs)
        for n, pos in enumerate(positions)
    ]


def read_single_series(paths: list[Path], policy: GeometryPolicy | None = None):
    grouping = group_dicom_series(paths)
    assert len(grouping.series) == 1, grouping
    return read_dicom_series(grouping.series[0], policy)


def rejection(paths: list[Path], policy: GeometryPolicy | None = None) -> SeriesRejected:
    with pytest.raises(SeriesRejected) as caught:
        read_single_series(paths, policy)
    return caught.value


def test_shuffled_instance_numbers_sort_by_position(tmp_path: Path) -> None:
    volume = read_single_series(write_series(tmp_path, axial_positions(8)))
    assert volume.shape == (8, ROWS, COLS)
    assert volume.array.dtype == np.int16
    assert [int(volume.array[k].mean()) for k in range(8)] == [10 * k for k in range(8)]
    assert volume.spacing_mm == (0.8, 0.5, 2.5)
    assert volume.metadata["geometry_decision"] == "regular"
    assert volume.metadata["native_shape"] == [8, ROWS, COLS]


def test_every_voxel_centre_maps_to_its_dicom_position(tmp_path: Path) -> None:
    positions = axial_positions(6, step=1.25)
    volume = read_single_series(write_series(tmp_path, positions))
    row_cos, col_cos = np.array(AXIAL[:3]), np.array(AXIAL[3:])
    for k, position in enumerate(positions):
        for j, i in ((0, 0), (ROWS - 1, 0), (0, COLS - 1), (2, 3)):
            expected = np.array(position) + i * PIXEL_SPACING[1] * row_cos + j * PIXEL_SPACING[0] * col_cos
            assert np.linalg.norm(volume.world_lps(i, j, k) - expected) < 0.1


@pytest.mark.parametrize(
    "orientation",
    [
        (1.0, 0.0, 0.0, 0.0, 0.0, -1.0),  # coronal
        (0.0, 1.0, 0.0, 0.0, 0.0, -1.0),  # sagittal
        (0.9848078, 0.1736482, 0.0, -0.1736482, 0.9848078, 0.0),  # axial rotated 10 deg in plane
    ],
)
def test_negative_slice_direction_gives_correct_affine(tmp_path: Path, orientation: tuple[float, ...]) -> None:
    normal = np.cross(orientation[:3], orientation[3:])
    origin = np.array([10.0, -20.0, 30.0])
    positions = [tuple(origin - 3.0 * n * normal) for n in range(5)]  # InstanceNumber runs against the normal
    volume = read_single_series(write_series(tmp_path, positions, shuffle=False, orientation=orientation))
    assert np.isclose(np.linalg.det(volume.affine_lps[:3, :3]), 0.8 * 0.5 * 3.0)
    for n, position in enumerate(positions):
        k = 4 - n  # sorted ascending along the normal
        assert np.allclose(volume.world_lps(0, 0, k), position, atol=1e-4)
        assert int(volume.array[k].mean()) == 10 * n
    assert np.allclose(volume.affine_lps[:3, 0], np.array(orientation[:3]) * PIXEL_SPACING[1])
    assert np.allclose(volume.affine_lps[:3, 1], np.array(orientation[3:]) * PIXEL_SPACING[0])


def test_missing_slice_is_detected(tmp_path: Path) -> None:
    positions = axial_positions(10)
    del positions[4]
    error = rejection(write_series(tmp_path, positions))
    assert error.reason_code == "missing_slices"
    assert error.measurements["missing_slices"] == 1


def test_uneven_spacing_is_detected(tmp_path: Path) -> None:
    positions = axial_positions(6)
    positions[3] = (positions[3][0], positions[3][1], positions[3][2] + 0.6)
    paths = write_series(tmp_path, positions)
    assert rejection(paths, STRICT_POLICY).reason_code == "uneven_spacing"
    assert read_single_series(paths).metadata["geometry_decision"] == "resampled_uneven"  # 2.5/3.1/1.9 mm


def test_small_jitter_within_tolerance_is_regular(tmp_path: Path) -> None:
    positions = axial_positions(6)
    positions[3] = (positions[3][0], positions[3][1], positions[3][2] + 0.05)
    assert read_single_series(write_series(tmp_path, positions)).spacing_mm[2] == pytest.approx(2.5, abs=0.01)


def test_duplicate_positions_with_different_pixels_are_quarantined(tmp_path: Path) -> None:
    positions = axial_positions(6)
    positions.append(positions[2])  # slice 6 carries HU 60, slice 2 HU 20 at the same place
    assert rejection(write_series(tmp_path, positions)).reason_code == "duplicate_positions"


def test_identical_duplicate_slices_are_dropped(tmp_path: Path) -> None:
    paths = write_series(tmp_path, axial_positions(5))
    uid = str(classify_dicom_file(paths[0]).header.SeriesInstanceUID)  # type: ignore[union-attr]
    copy = write_slice(tmp_path / "copy.dcm", uid, axial_positions(5)[2], 77, 20)  # same place, same pixels
    volume = read_single_series([*paths, copy])
    assert volume.shape == (5, ROWS, COLS) and volume.metadata["dropped_duplicate_slices"] == 1
    assert volume.metadata["geometry_decision"] == "regular"


def test_all_slices_at_one_position_is_not_a_volume(tmp_path: Path) -> None:
    error = rejection(write_series(tmp_path, [(0.0, 0.0, 5.0)] * 4))
    assert error.reason_code == "single_position"


def test_too_few_slices(tmp_path: Path) -> None:
    assert rejection(write_series(tmp_path, axial_positions(2))).reason_code == "too_few_slices"


@pytest.mark.parametrize("tilt_deg", [12.0, -20.0])
def test_gantry_tilt_is_detected_without_a_tilt_tag(tmp_path: Path, tilt_deg: float) -> None:
    shift = np.tan(np.radians(tilt_deg))
    positions = [(-120.0, -80.0 + shift * 2.5 * k, 2.5 * k) for k in range(6)]
    error = rejection(write_series(tmp_path, positions), STRICT_POLICY)
    assert error.reason_code == "gantry_tilt"
    assert error.stage == "geometry"
    assert error.measurements["gantry_tilt_deg"] == pytest.approx(tilt_deg, abs=0.01)
    assert "deg" in error.detail and "slice" in error.detail


def test_localizer_in_the_same_series_is_skipped(tmp_path: Path) -> None:
    paths = write_series(tmp_path, axial_positions(5))
    uid = str(classify_dicom_file(paths[0]).header.SeriesInstanceUID)  # type: ignore[union-attr]
    scout = write_slice(
        tmp_path / "scout.dcm",
        uid,
        (-250.0, 0.0, 100.0),
        99,
        0,
        orientation=(1.0, 0.0, 0.0, 0.0, 0.0, -1.0),
        image_type=("ORIGINAL", "PRIMARY", "LOCALIZER"),
    )
    grouping = group_dicom_series([*paths, scout])
    assert [(r.path.name, r.disposition, r.reason_code) for r in grouping.rejected] == [
        ("scout.dcm", "skipped", "localizer")
    ]
    assert read_dicom_series(grouping.series[0]).shape == (5, ROWS, COLS)


def test_orientation_change_splits_a_series(tmp_path: Path) -> None:
    axial = write_series(tmp_path / "a", axial_positions(4))
    uid = str(classify_dicom_file(axial[0]).header.SeriesInstanceUID)  # type: ignore[union-attr]
    coronal = [
        write_slice(tmp_path / f"c{n}.dcm", uid, (0.0, float(n), 0.0), 10 + n, 0, orientation=(1, 0, 0, 0, 0, -1))
        for n in range(3)
    ]
    grouping = group_dicom_series([*axial, *coronal])
    assert sorted((s.split_index, len(s.files)) for s in grouping.series) == [(0, 4), (1, 3)]
    assert all(len(s.headers) == len(s.files) for s in grouping.series)


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")
def test_non_dicom_and_broken_files_are_reported(tmp_path: Path) -> None:
    good = write_series(tmp_path, axial_positions(3))
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    broken = tmp_path / "broken.dcm"
    broken.write_bytes(b"\0" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\xff\xff" + b"garbage")
    grouping = group_dicom_series([*good, notes, broken])
    found = {(r.path.name, r.file_kind, r.disposition, r.reason_code) for r in grouping.rejected}
    assert found == {
        ("notes.txt", "other", "skipped", "not_an_image"),
        ("broken.dcm", "dicom", "quarantined", "unreadable_dicom"),
    }


def test_non_volume_objects_are_classified(tmp_path: Path) -> None:
    uid = generate_uid()
    screenshot = write_slice(
        tmp_path / "sc.dcm",
        uid,
        (0, 0, 0),
        1,
        0,
        sop_class=SECONDARY_CAPTURE,
        image_type=("DERIVED", "SECONDARY", "SCREEN SAVE"),
    )
    report = write_slice(tmp_path / "sr.dcm", uid, (0, 0, 0), 1, 0, sop_class=BASIC_TEXT_SR, modality="SR")
    assert classify_dicom_file(screenshot).reason_code == "secondary_capture"
    assert classify_dicom_file(report).reason_code == "structured_report"


def test_rescale_is_applied_once_and_padding_becomes_air(tmp_path: Path) -> None:
    paths = write_series(tmp_path, axial_positions(3), slope=2.0, intercept=-1000.0, padding_value=-2000)
    volume = read_single_series(paths)
    assert volume.rescale_applied and volume.intensity_unit == "HU"
    assert [int(volume.array[k, 1:, 1:].mean()) for k in range(3)] == [0, 10, 20]
    assert (volume.array[:, 0, 0] == -1024).all()


def test_mr_keeps_raw_float_values(tmp_path: Path) -> None:
    volume = read_single_series(write_series(tmp_path, axial_positions(3), modality="MR", slope=1.0, intercept=0.0))
    assert volume.array.dtype == np.float32 and volume.intensity_unit == "raw"
    assert [float(volume.array[k].mean()) for k in range(3)] == [0.0, 10.0, 20.0]


def test_slice_geometry_orders_by_projection_not_input_order() -> None:
    geometry = slice_geometry(AXIAL, (0.7, 0.7), [(0, 0, 5.0), (0, 0, 0.0), (0, 0, 2.5)])
    assert geometry.order == [1, 2, 0]
    assert geometry.slice_spacing_mm == pytest.approx(2.5)
    assert np.allclose(geometry.affine_lps[:3, 3], [0, 0, 0])


def test_truncated_header_is_quarantined(tmp_path: Path) -> None:
    good = write_series(tmp_path, axial_positions(3))
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(good[0].read_bytes()[:400])  # pydicom itself parses this without an error
    assert classify_dicom_file(cut).category == "unreadable_dicom"
