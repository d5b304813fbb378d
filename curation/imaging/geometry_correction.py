"""Apply a `GeometryPlan` to a stacked series: in-plane shifts for gantry tilt, linear re-slicing for uneven steps.

Both corrections are linear interpolations, like dcm2niix's ``_Tilt`` and ``_Eq`` outputs. The tilt
shift of slice k moves its pixel (i, j) to (i + u_k, j + v_k) on the orthogonal grid (plus the padding
that keeps every pixel); voxels no slice covers become air (-1024 HU) for CT. Integer HU stay integer
(rounded).

    >>> stack = np.full((3, 4, 4), 40, np.int16)            # 3 slices of 40 HU, 2.5 and 3.1 mm apart
    >>> equalize_slices(stack, np.array([0.0, 2.5, 5.6]), [0.0, 2.8, 5.6]).shape
    (3, 4, 4)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from curation.imaging.geometry_policy import GeometryPlan


def _to_dtype(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(dtype)
    return values.astype(dtype, copy=False)


def shift_slices(
    array: np.ndarray, shifts_ij: np.ndarray, pad_ij: tuple[int, int, int, int], cval: float
) -> np.ndarray:
    """Each [j, i] slice k moved by (shifts_ij[k, 1] rows, shifts_ij[k, 0] columns) on a padded canvas."""
    n, rows, cols = array.shape
    i_low, i_high, j_low, j_high = pad_ij
    out = np.empty((n, rows + j_low + j_high, cols + i_low + i_high), dtype=array.dtype)
    canvas = np.full(out.shape[1:], cval, dtype=np.float32)
    for k in range(n):
        canvas.fill(cval)
        canvas[j_low : j_low + rows, i_low : i_low + cols] = array[k]
        shift = (float(shifts_ij[k, 1]), float(shifts_ij[k, 0]))
        if np.allclose(shift, np.round(shift), atol=1e-6):
            moved = np.roll(canvas, (round(shift[0]), round(shift[1])), axis=(0, 1))
        else:
            moved = ndimage.shift(canvas, shift, order=1, mode="constant", cval=cval, prefilter=False)
        out[k] = _to_dtype(moved, array.dtype)
    return out


def equalize_slices(array: np.ndarray, z_mm: np.ndarray, target_z_mm: Sequence[float]) -> np.ndarray:
    """Slices at ascending ``z_mm`` linearly interpolated to ``target_z_mm`` (within the first..last range)."""
    z = np.asarray(z_mm, dtype=np.float64)
    target = np.clip(np.asarray(target_z_mm, dtype=np.float64), z[0], z[-1])
    high = np.clip(np.searchsorted(z, target, side="left"), 1, len(z) - 1)
    low = high - 1
    weight = (target - z[low]) / (z[high] - z[low])
    out = np.empty((len(target), *array.shape[1:]), dtype=array.dtype)
    for k, (lo, hi, w) in enumerate(zip(low, high, weight, strict=True)):
        if w <= 1e-6:
            out[k] = array[lo]
        elif w >= 1 - 1e-6:
            out[k] = array[hi]
        else:
            out[k] = _to_dtype(array[lo].astype(np.float32) * (1 - w) + array[hi].astype(np.float32) * w, array.dtype)
    return out


def apply_geometry_plan(array: np.ndarray, plan: GeometryPlan, cval: float) -> np.ndarray:
    """The stacked distinct slices ([k, j, i], plan order) on the plan's orthogonal, evenly spaced grid."""
    if plan.decision in ("resampled_tilt", "resampled_tilt_uneven"):
        array = shift_slices(array, plan.shifts_ij, plan.pad_ij, cval)
    if plan.decision in ("resampled_uneven", "resampled_tilt_uneven"):
        array = equalize_slices(array, plan.z_mm, plan.target_z_mm)
    return array
