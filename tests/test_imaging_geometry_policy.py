"""Geometry policy on synthetic series: tilt correction lands every pixel in place, 48 orientations, gaps."""

from __future__ import annotations

import itertools
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from pydicom.uid import generate_uid

from curation.imaging.geometry_policy import GeometryPolicy
from curation.imaging.nifti_export import write_nifti_with_sidecar
from tests.test_imaging_geometry import (
    COLS,
    PIXEL_SPACING,
    ROWS,
    axial_positions,
    read_single_series,
    rejection,
    write_series,
    write_slice,
)


@pytest.mark.parametrize("rows_per_slice", [1, -2])
def test_tilt_correction_puts_each_original_pixel_at_its_world_position(tmp_path: Path, rows_per_slice: int) -> None:
    # each slice origin drifts by a whole number of rows along the column cosine: a tilted gantry
    step = 2.5
    positions = [(-120.0, -80.0 + rows_per_slice * PIXEL_SPACING[0] * k, step * k) for k in range(5)]
    volume = read_single_series(write_series(tmp_path, positions, shuffle=False))
    assert volume.metadata["geometry_decision"] == "resampled_tilt"
    assert volume.metadata["gantry_tilt_deg"] == pytest.approx(
        np.degrees(np.arctan(abs(rows_per_slice) * 0.5 / step)), abs=0.01
    )
    assert volume.shape == (5, ROWS + 4 * abs(rows_per_slice), COLS)
    inverse = np.linalg.inv(volume.affine_lps)
    for k, position in enumerate(positions):
        for j, i in ((0, 0), (ROWS - 1, COLS - 1), (2, 3)):
            world = (
                np.array(position)
                + i * PIXEL_SPACING[1] * np.array([1, 0, 0])
                + j * PIXEL_SPACING[0] * np.array([0, 1, 0])
            )
            index = (inverse @ np.append(world, 1.0))[:3]
            voxel = np.rint(index).astype(int)
            assert np.linalg.norm(volume.world_lps(*voxel) - world) < 0.1  # lands on a voxel centre
            assert volume.array[voxel[2], voxel[1], voxel[0]] == 10 * k  # ... holding that slice's pixel
    assert (volume.array == -1024).any()  # the corners no slice covers are air


def test_missing_slice_is_quarantined_by_default_and_filled_when_the_policy_allows(tmp_path: Path) -> None:
    positions = axial_positions(8)
    del positions[4]
    paths = write_series(tmp_path, positions, shuffle=False)
    assert rejection(paths).reason_code == "missing_slices"
    volume = read_single_series(paths, GeometryPolicy(max_gap_factor=2.01))
    assert volume.metadata["geometry_decision"] == "resampled_uneven"
    assert volume.shape[0] == 8 and volume.spacing_mm[2] == pytest.approx(2.5)
    # slice values are 10 * list index; the filled slice sits halfway between 30 and 40 HU
    assert [int(volume.array[k].mean()) for k in range(8)] == [0, 10, 20, 30, 35, 40, 50, 60]


def test_tilt_quarantined_beyond_the_policy_limit(tmp_path: Path) -> None:
    positions = [(-120.0, -80.0 + 2.5 * k, 2.5 * k) for k in range(5)]  # 45 degrees
    error = rejection(write_series(tmp_path, positions), GeometryPolicy(max_tilt_deg=30.0))
    assert error.reason_code == "gantry_tilt"


def signed_permutations() -> list[np.ndarray]:
    """All 48 orthonormal axis frames (3! permutations x 2^3 sign flips)."""
    frames = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((1.0, -1.0), repeat=3):
            frames.append(np.eye(3)[:, list(perm)] * np.array(signs))
    return frames


def test_all_48_orientations_round_trip_through_nifti(tmp_path: Path) -> None:
    frames = signed_permutations()
    assert len(frames) == 48
    for n, frame in enumerate(frames):
        row, col, stack = frame[:, 0], frame[:, 1], frame[:, 2]  # stack may run against row x col
        folder = tmp_path / f"o{n}"
        folder.mkdir()
        uid = generate_uid()
        origin = np.array([10.0, -20.0, 30.0])
        positions = [origin + 3.0 * k * stack for k in range(3)]
        paths = [
            write_slice(folder / f"{k}.dcm", uid, tuple(p), k + 1, 10 * k, orientation=(*row, *col))
            for k, p in enumerate(positions)
        ]
        volume = read_single_series(paths)
        nii_path, _ = write_nifti_with_sidecar(volume, folder / "out")
        image = nib.load(nii_path)
        data = np.asarray(image.dataobj)
        for k, position in enumerate(positions):
            for j, i in ((0, 0), (ROWS - 1, COLS - 1)):
                world_lps = position + i * PIXEL_SPACING[1] * row + j * PIXEL_SPACING[0] * col
                world_ras = world_lps * np.array([-1.0, -1.0, 1.0])
                index = np.rint(np.linalg.solve(image.affine, np.append(world_ras, 1.0))[:3]).astype(int)
                assert np.allclose(image.affine @ np.append(index, 1.0), np.append(world_ras, 1.0), atol=1e-3), n
                assert data[tuple(index)] == 10 * k, n
