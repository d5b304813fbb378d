"""Slice order and spacing from DICOM positions, and the checks that decide if a series is a volume.

Slices are ordered by the projection of ImagePositionPatient on the slice normal (row cosine x
column cosine), never by InstanceNumber; the slice spacing comes from those projections, never from
SliceThickness. A series is *regular* when positions are distinct, lie along the normal (no gantry
tilt) and are evenly spaced (tolerance 0.2 mm). Anything else raises `SeriesRejected`.

    >>> geometry = slice_geometry(orientation=[1, 0, 0, 0, 1, 0], pixel_spacing=(0.7, 0.7),
    ...                           positions=[[0, 0, 5.0], [0, 0, 0.0], [0, 0, 2.5]])
    >>> geometry.order, geometry.slice_spacing_mm
    ([1, 2, 0], 2.5)
    >>> geometry.affine_lps[:3, 3]          # first slice centre in LPS mm
    array([0., 0., 0.])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from curation.imaging.errors import SeriesRejected

MIN_SLICES = 3
SPACING_TOLERANCE_MM = 0.2
DUPLICATE_TOLERANCE_MM = 0.01
TILT_OFFSET_TOLERANCE_MM = 0.1  # an in-plane drift of slice origins beyond this is a tilted stack


@dataclass(frozen=True)
class SliceGeometry:
    order: list[int]  # input indices, sorted along the slice normal (ascending)
    affine_lps: np.ndarray  # 4x4, (i, j, k, 1) -> LPS mm
    slice_spacing_mm: float
    gantry_tilt_deg: float  # measured from positions, 0.0 for a regular stack
    normal: np.ndarray


def orientation_cosines(orientation: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row cosine (direction of increasing column index i), column cosine (increasing row j), normal."""
    values = np.asarray([float(v) for v in orientation], dtype=np.float64)
    if values.shape != (6,):
        raise SeriesRejected("missing_geometry", "ImageOrientationPatient does not hold 6 values")
    row, col = values[:3], values[3:]
    if not (np.isclose(np.linalg.norm(row), 1, atol=1e-3) and np.isclose(np.linalg.norm(col), 1, atol=1e-3)):
        raise SeriesRejected("invalid_orientation", "orientation cosines are not unit vectors")
    row, col = row / np.linalg.norm(row), col / np.linalg.norm(col)
    normal = np.cross(row, col)
    norm = np.linalg.norm(normal)
    if norm < 0.99:
        raise SeriesRejected("invalid_orientation", "row and column cosines are not orthogonal")
    return row, col, normal / norm


def sort_along_normal(positions: np.ndarray, normal: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Stable ascending order of the positions' projections on the normal, and the sorted projections."""
    projections = positions @ normal
    order = np.argsort(projections, kind="stable")
    return [int(i) for i in order], projections[order]


def check_slice_count(n_slices: int) -> None:
    if n_slices < MIN_SLICES:
        raise SeriesRejected("too_few_slices", f"{n_slices} slice(s); a volume needs at least {MIN_SLICES}")


def check_distinct_positions(projections: np.ndarray) -> None:
    gaps = np.diff(projections)
    if float(projections[-1] - projections[0]) < DUPLICATE_TOLERANCE_MM:
        raise SeriesRejected("single_position", f"all {len(projections)} slices lie at one position")
    duplicates = int(np.sum(gaps < DUPLICATE_TOLERANCE_MM))
    if duplicates:
        raise SeriesRejected(
            "duplicate_positions",
            f"{duplicates} of {len(gaps)} slice steps repeat a position (multiple echoes, phases or copies?)",
        )


def measure_tilt(positions_sorted: np.ndarray, normal: np.ndarray, col: np.ndarray) -> tuple[float, float]:
    """(signed tilt in degrees about the row axis, largest in-plane drift of a slice origin in mm)."""
    displacement = positions_sorted - positions_sorted[0]
    along = displacement @ normal
    in_plane = displacement - np.outer(along, normal)
    max_drift = float(np.max(np.linalg.norm(in_plane, axis=1)))
    total = positions_sorted[-1] - positions_sorted[0]
    tilt = float(np.degrees(np.arctan2(total @ col, total @ normal)))
    return tilt, max_drift


def check_no_tilt(positions_sorted: np.ndarray, normal: np.ndarray, col: np.ndarray) -> float:
    tilt, drift = measure_tilt(positions_sorted, normal, col)
    if drift > TILT_OFFSET_TOLERANCE_MM:
        raise SeriesRejected(
            "gantry_tilt",
            f"slice positions run {abs(tilt):.2f} deg off the slice normal (max in-plane drift {drift:.1f} mm)",
            measurements={"gantry_tilt_deg": round(tilt, 3), "max_in_plane_drift_mm": round(drift, 3)},
        )
    return tilt


def check_even_spacing(projections: np.ndarray) -> float:
    """Median slice step when all steps agree within 0.2 mm; names missing slices when it can."""
    gaps = np.diff(projections)
    median = float(np.median(gaps))
    deviating = np.abs(gaps - median) > SPACING_TOLERANCE_MM
    if not deviating.any():
        return float((projections[-1] - projections[0]) / (len(projections) - 1))
    measurements = {
        "median_step_mm": round(median, 4),
        "min_step_mm": round(float(gaps.min()), 4),
        "max_step_mm": round(float(gaps.max()), 4),
    }
    multiples = gaps[deviating] / median
    if np.all(np.abs(gaps[deviating] - np.round(multiples) * median) <= SPACING_TOLERANCE_MM) and np.all(
        np.round(multiples) >= 2
    ):
        missing = int(np.sum(np.round(multiples) - 1))
        raise SeriesRejected(
            "missing_slices",
            f"{missing} slice(s) missing from a {median:.2f} mm stack ({int(deviating.sum())} gap(s))",
            measurements={**measurements, "missing_slices": missing},
        )
    raise SeriesRejected(
        "uneven_spacing",
        f"slice steps vary from {gaps.min():.2f} to {gaps.max():.2f} mm (median {median:.2f} mm)",
        measurements=measurements,
    )


def volume_affine(
    row: np.ndarray,
    col: np.ndarray,
    normal: np.ndarray,
    pixel_spacing: Sequence[float],
    slice_step: float,
    origin: np.ndarray,
) -> np.ndarray:
    """Affine (i, j, k, 1) -> LPS: PixelSpacing[0] is the row-to-row spacing (along j), [1] along i."""
    row_spacing, column_spacing = float(pixel_spacing[0]), float(pixel_spacing[1])
    directions = np.column_stack([row, col, normal])
    affine = np.eye(4)
    affine[:3, :3] = directions @ np.diag([column_spacing, row_spacing, slice_step])
    affine[:3, 3] = origin
    return affine


def slice_geometry(
    orientation: Sequence[float], pixel_spacing: Sequence[float], positions: Sequence[Sequence[float]]
) -> SliceGeometry:
    """Order slices and build the affine of a regular stack, or raise SeriesRejected with the reason."""
    row, col, normal = orientation_cosines(orientation)
    if pixel_spacing is None or len(pixel_spacing) != 2 or min(float(v) for v in pixel_spacing) <= 0:
        raise SeriesRejected("missing_geometry", "PixelSpacing is absent or not positive")
    points = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    check_slice_count(len(points))
    order, projections = sort_along_normal(points, normal)
    check_distinct_positions(projections)
    tilt = check_no_tilt(points[order], normal, col)
    step = check_even_spacing(projections)
    affine = volume_affine(row, col, normal, pixel_spacing, step, points[order[0]])
    return SliceGeometry(order=order, affine_lps=affine, slice_spacing_mm=step, gantry_tilt_deg=tilt, normal=normal)
