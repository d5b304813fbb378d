"""What to do with a stack that is not regular: correct it (like dcm2niix's ``_Tilt``/``_Eq``) or quarantine it.

`plan_geometry` measures a series' slice positions and returns a `GeometryPlan`: the slice order,
duplicate groups, the in-plane shift of each slice (gantry tilt), the target positions along the
slice normal (uneven spacing) and the affine of the corrected, orthogonal, evenly spaced grid. The
decision recorded in ``Volume.metadata['geometry_decision']`` is one of

- ``regular``: positions along the normal, steps equal within 0.2 mm;
- ``resampled_tilt``: gantry tilt; each slice shifted in-plane onto an orthogonal grid (rows/columns
  grow to keep every original pixel, as dcm2niix does);
- ``resampled_uneven``: uneven steps (or missing slices, if the policy allows the gap) interpolated
  linearly along the normal onto even steps;
- ``resampled_tilt_uneven``: both (dcm2niix ``_Tilt_Eq``);

or `SeriesRejected` (``too_few_slices``, ``single_position``, ``duplicate_positions``, ``gantry_tilt``,
``missing_slices``, ``uneven_spacing``) when the policy says quarantine.

    >>> policy = GeometryPolicy()                  # correct tilt up to 30 deg, equalise gaps up to 1.5x
    >>> plan = plan_geometry([1, 0, 0, 0, 1, 0], (0.5, 0.5), [[0, 0, 0], [0, 0, 2.5], [0, 0, 5.6]], policy)
    >>> plan.decision, plan.target_z_mm            # 2.5 mm and 3.1 mm steps -> 3 slices 2.8 mm apart
    ('resampled_uneven', [0.0, 2.8, 5.6])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from curation.imaging.errors import SeriesRejected
from curation.imaging.series_geometry import (
    DUPLICATE_TOLERANCE_MM,
    MIN_SLICES,
    SPACING_TOLERANCE_MM,
    TILT_OFFSET_TOLERANCE_MM,
    check_even_spacing,
    measure_tilt,
    orientation_cosines,
    sort_along_normal,
)


@dataclass(frozen=True)
class GeometryPolicy:
    """What ingest may correct. Defaults: correct tilt, equalise steps up to 1.5x the median, else quarantine.

    A single missing slice is a 2x gap: quarantined by default (interpolating a whole slice invents
    anatomy); ``max_gap_factor=2.01`` fills it. ``max_slices_factor`` caps the equalised slice count at
    that multiple of the input count (dcm2niix uses 2).
    """

    correct_tilt: bool = True
    max_tilt_deg: float = 30.0
    equalize_uneven: bool = True
    max_gap_factor: float = 1.5
    max_slices_factor: float = 2.0
    drop_identical_duplicates: bool = True


STRICT_POLICY = GeometryPolicy(correct_tilt=False, equalize_uneven=False)
DCM2NIIX_POLICY = GeometryPolicy(max_tilt_deg=89.0, max_gap_factor=float("inf"))


@dataclass(frozen=True)
class GeometryPlan:
    decision: str
    groups: list[list[int]]  # input indices per distinct position, ascending along the normal
    z_mm: np.ndarray  # position of each distinct slice along the normal, relative to the first
    shifts_ij: np.ndarray  # [n, 2] in-plane offset (columns, rows) of each slice from the first, in voxels
    target_z_mm: list[float]  # slice positions of the output grid along the normal
    pad_ij: tuple[int, int, int, int]  # columns/rows added (before i, after i, before j, after j) to keep pixels
    affine_lps: np.ndarray  # output grid: (i, j, k, 1) -> LPS mm
    gantry_tilt_deg: float
    max_in_plane_drift_mm: float

    @property
    def order(self) -> list[int]:
        return [group[0] for group in self.groups]

    @property
    def duplicate_groups(self) -> list[list[int]]:
        return [group for group in self.groups if len(group) > 1]


def group_positions(order: list[int], projections: np.ndarray) -> list[list[int]]:
    """Input indices grouped by position along the normal (steps under 0.01 mm are the same position)."""
    groups: list[list[int]] = [[order[0]]]
    for index, step in zip(order[1:], np.diff(projections), strict=True):
        if step < DUPLICATE_TOLERANCE_MM:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def check_groups(groups: list[list[int]], n_inputs: int, policy: GeometryPolicy) -> None:
    if n_inputs < MIN_SLICES:
        raise SeriesRejected("too_few_slices", f"{n_inputs} slice(s); a volume needs at least {MIN_SLICES}")
    if len(groups) == 1:
        raise SeriesRejected("single_position", f"all {n_inputs} slices lie at one position")
    duplicates = n_inputs - len(groups)
    if duplicates and not policy.drop_identical_duplicates:
        raise SeriesRejected(
            "duplicate_positions",
            f"{duplicates} of {n_inputs} slices repeat a position (multiple echoes, phases or copies?)",
        )
    if len(groups) < MIN_SLICES:
        raise SeriesRejected("too_few_slices", f"{len(groups)} distinct position(s); a volume needs {MIN_SLICES}")


def in_plane_shifts(
    points: np.ndarray, row: np.ndarray, col: np.ndarray, normal: np.ndarray, pixel_spacing: Sequence[float]
) -> np.ndarray:
    """[n, 2] drift of each slice origin from the first, in (column, row) voxels, off the normal."""
    displacement = points - points[0]
    in_plane = displacement - np.outer(displacement @ normal, normal)
    return np.column_stack([in_plane @ row / float(pixel_spacing[1]), in_plane @ col / float(pixel_spacing[0])])


def tilt_decision(tilt: float, drift: float, policy: GeometryPolicy) -> bool:
    """True when the stack is tilted and the policy corrects it; raises when it must be quarantined."""
    if drift <= TILT_OFFSET_TOLERANCE_MM:
        return False
    if policy.correct_tilt and abs(tilt) <= policy.max_tilt_deg:
        return True
    raise SeriesRejected(
        "gantry_tilt",
        f"slice positions run {abs(tilt):.2f} deg off the slice normal (max in-plane drift {drift:.1f} mm)",
        measurements={"gantry_tilt_deg": round(tilt, 3), "max_in_plane_drift_mm": round(drift, 3)},
    )


def equalized_positions(z: np.ndarray, policy: GeometryPolicy) -> list[float]:
    """Even target positions from first to last slice: the smallest step, at most ``max_slices_factor`` x n slices."""
    extent = float(z[-1] - z[0])
    smallest = float(np.min(np.diff(z)))
    count = int(np.floor(extent / smallest + 0.5)) + 1
    count = max(len(z), min(count, int(policy.max_slices_factor * len(z))))
    return [float(v) for v in z[0] + np.arange(count) * (extent / (count - 1))]


def spacing_decision(z: np.ndarray, policy: GeometryPolicy) -> list[float] | None:
    """None for an even stack; target positions when the policy equalises it; raises otherwise."""
    steps = np.diff(z)
    if not np.any(np.abs(steps - np.median(steps)) > SPACING_TOLERANCE_MM):
        return None
    gap_factor = float(steps.max() / np.median(steps))
    if policy.equalize_uneven and gap_factor <= policy.max_gap_factor:
        return equalized_positions(z, policy)
    try:
        check_even_spacing(z)  # raises missing_slices or uneven_spacing with the measurements
    except SeriesRejected as rejected:
        rejected.measurements["gap_factor"] = round(gap_factor, 3)
        raise
    raise AssertionError("uneven steps passed the even-spacing check")  # pragma: no cover


def grid_padding(shifts_ij: np.ndarray) -> tuple[int, int, int, int]:
    """Whole voxels to add on each side of i and j so that every shifted slice stays inside."""
    low = np.ceil(np.maximum(-shifts_ij.min(axis=0), 0) - 1e-6).astype(int)
    high = np.ceil(np.maximum(shifts_ij.max(axis=0), 0) - 1e-6).astype(int)
    return int(low[0]), int(high[0]), int(low[1]), int(high[1])


def output_affine(
    row: np.ndarray,
    col: np.ndarray,
    normal: np.ndarray,
    pixel_spacing: Sequence[float],
    origin: np.ndarray,
    target_z: list[float],
    pad_ij: tuple[int, int, int, int],
) -> np.ndarray:
    column_spacing, row_spacing = float(pixel_spacing[1]), float(pixel_spacing[0])
    step = (target_z[-1] - target_z[0]) / (len(target_z) - 1)
    affine = np.eye(4)
    affine[:3, :3] = np.column_stack([row * column_spacing, col * row_spacing, normal * step])
    affine[:3, 3] = origin - pad_ij[0] * column_spacing * row - pad_ij[2] * row_spacing * col
    return affine


def plan_geometry(
    orientation: Sequence[float],
    pixel_spacing: Sequence[float],
    positions: Sequence[Sequence[float]],
    policy: GeometryPolicy | None = None,
) -> GeometryPlan:
    """Measure the stack and decide: regular, corrected (tilt, uneven) or `SeriesRejected`."""
    policy = policy or GeometryPolicy()
    row, col, normal = orientation_cosines(orientation)
    if pixel_spacing is None or len(pixel_spacing) != 2 or min(float(v) for v in pixel_spacing) <= 0:
        raise SeriesRejected("missing_geometry", "PixelSpacing is absent or not positive")
    points = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    if len(points) < MIN_SLICES:
        raise SeriesRejected("too_few_slices", f"{len(points)} slice(s); a volume needs at least {MIN_SLICES}")
    order, projections = sort_along_normal(points, normal)
    groups = group_positions(order, projections)
    check_groups(groups, len(points), policy)
    distinct = points[[g[0] for g in groups]]
    z = (distinct - distinct[0]) @ normal
    tilt, drift = measure_tilt(distinct, normal, col)
    tilted = tilt_decision(tilt, drift, policy)
    shifts = in_plane_shifts(distinct, row, col, normal, pixel_spacing) if tilted else np.zeros((len(z), 2))
    equalized = spacing_decision(z, policy)
    target = equalized if equalized is not None else [float(v) for v in np.linspace(0.0, z[-1], len(z))]
    pad = grid_padding(shifts)
    decision = {
        (False, False): "regular",
        (True, False): "resampled_tilt",
        (False, True): "resampled_uneven",
        (True, True): "resampled_tilt_uneven",
    }[(tilted, equalized is not None)]
    return GeometryPlan(
        decision=decision,
        groups=groups,
        z_mm=z,
        shifts_ij=shifts,
        target_z_mm=target,
        pad_ij=pad,
        affine_lps=output_affine(row, col, normal, pixel_spacing, distinct[0], target, pad),
        gantry_tilt_deg=tilt if tilted else 0.0,
        max_in_plane_drift_mm=drift,
    )
