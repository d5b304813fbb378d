"""Resample volumes to a target spacing, keeping direction cosines, the first voxel centre and extent.

The new grid is the old affine composed with a diagonal scale, so the new affine is exact and the
index mapping new -> old is a pure per-axis scale: linear interpolation (order 1) for images,
nearest (order 0) for label masks. CT input comes back as int16 HU (rounded, not truncated);
points outside the input are padded with air (-1024 HU) for CT, 0 otherwise. Linear resampling is
separable: one sparse `AxisOperator` per axis with the anti-alias Gaussian folded in, applied to the
shrinking axes first, so no full-resolution float32 copy of the volume is smoothed first.

    >>> ct = Volume(np.full((100, 512, 512), -1000, np.int16), np.diag([0.7, 0.7, 2.5, 1.0]))
    >>> resample_volume(ct, target_spacing("isotropic-1.5")).shape    # (k, j, i)
    (166, 239, 239)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import ndimage

from curation.imaging.axis_operator import AxisOperator, apply_along_axis, axis_operator
from curation.imaging.volume import Volume

RESAMPLE_PROFILES: dict[str, tuple[float, float, float] | None] = {
    "native": None,
    "ct-rate": (0.75, 0.75, 1.5),
    "merlin": (1.5, 1.5, 3.0),
    "isotropic-1.5": (1.5, 1.5, 1.5),
}
AIR_HU = -1024
ANISOTROPY_RATIO = 3.0
# (i, j, k) <-> (k, j, i): the affine works on (i, j, k), the arrays are stored [k, j, i].
_SWAP_IJK_KJI = np.array([[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]], dtype=np.float64)


def target_spacing(profile: str, spacing_mm: Sequence[float] | None = None) -> tuple[float, float, float] | None:
    """(x, y, z) mm for a named profile; an explicit ``spacing_mm`` wins over the profile."""
    if spacing_mm is not None:
        values = tuple(float(v) for v in spacing_mm)
        if len(values) != 3 or min(values) <= 0:
            raise ValueError("spacing_mm must be three positive numbers (x, y, z) in mm")
        return values  # type: ignore[return-value]
    if profile not in RESAMPLE_PROFILES:
        raise ValueError(f"unknown resample profile {profile!r}; known: {', '.join(sorted(RESAMPLE_PROFILES))}")
    return RESAMPLE_PROFILES[profile]


def index_map_kji(source_affine: np.ndarray, target_affine: np.ndarray) -> np.ndarray:
    """4x4 map from a target voxel [k, j, i] to the source voxel [k, j, i] through world coordinates."""
    ijk_map = np.linalg.inv(source_affine) @ target_affine
    return _SWAP_IJK_KJI @ ijk_map @ _SWAP_IJK_KJI


def _is_diagonal(matrix: np.ndarray) -> bool:
    return bool(np.allclose(matrix, np.diag(np.diag(matrix)), atol=1e-12))


def separable_operators(
    mapping: np.ndarray, source_shape: Sequence[int], target_shape: Sequence[int], sigmas_kji: Sequence[float]
) -> list[AxisOperator]:
    """One `AxisOperator` per [k, j, i] axis for a diagonal target -> source index mapping."""
    return [
        axis_operator(int(source_shape[a]), int(target_shape[a]), mapping[a, a], mapping[a, 3], float(sigmas_kji[a]))
        for a in range(3)
    ]


def mask_outside(
    values: np.ndarray, operators: Sequence[AxisOperator], cval: float, first_axis_rows: slice = slice(None)
) -> np.ndarray:
    """Voxels whose centre lies outside the source extent along any axis take ``cval`` (in place).

    ``first_axis_rows``: which target rows of axis 0 ``values`` holds, where it is a part of the volume.
    """
    for axis, operator in enumerate(operators):
        inside = operator.inside[first_axis_rows] if axis == 0 else operator.inside
        if not inside.all():
            index: list[Any] = [slice(None)] * 3
            index[axis] = ~inside
            values[tuple(index)] = cval
    return values


def separable_resample(array: np.ndarray, operators: Sequence[AxisOperator], cval: float) -> np.ndarray:
    """Apply the per-axis operators (shrinking axes first, so intermediates stay small); float32 out.

    Linear interpolation clamps coordinates to the outer voxel centres (the outer half voxel repeats
    the edge value); voxels beyond the source's physical extent take ``cval``.
    """
    values = array
    ratios = [operators[a].matrix.shape[0] / array.shape[a] for a in range(3)]
    for axis in sorted(range(3), key=lambda a: ratios[a]):
        if not operators[axis].identity:
            values = apply_along_axis(operators[axis], values, axis)
    values = np.array(values, dtype=np.float32, copy=values is array)
    return mask_outside(values, operators, cval)


def _inside_source(mapping: np.ndarray, source_shape: Sequence[int], target_shape: Sequence[int]) -> np.ndarray | None:
    """Target voxels whose centre falls inside the source's physical extent (index -0.5..n-0.5).

    None when all do. Per-axis for a diagonal mapping; otherwise by nearest-sampling a padded mask.
    """
    matrix, offset = mapping[:3, :3], mapping[:3, 3]
    if _is_diagonal(matrix):
        axes = []
        for axis in range(3):
            coordinate = matrix[axis, axis] * np.arange(int(target_shape[axis])) + offset[axis]
            axes.append((coordinate >= -0.5 - 1e-6) & (coordinate <= source_shape[axis] - 0.5 + 1e-6))
        if all(a.all() for a in axes):
            return None
        return axes[0][:, None, None] & axes[1][None, :, None] & axes[2][None, None, :]
    ones = np.pad(np.ones(tuple(int(n) for n in source_shape), np.uint8), 1)
    inside = ndimage.affine_transform(
        ones,
        matrix,
        offset=offset + 1.0,
        output_shape=tuple(int(n) for n in target_shape),
        order=0,
        mode="constant",
        cval=0,
    )
    return inside.astype(bool)


def resample_array_to_grid(
    array: np.ndarray,
    source_affine: np.ndarray,
    target_affine: np.ndarray,
    target_shape: Sequence[int],
    order: int,
    cval: float,
) -> np.ndarray:
    """Sample ``array`` ([k, j, i] on source_affine) on the target grid; float32 (order 1) or input dtype.

    Points inside the source's physical extent (up to half a voxel beyond the outer voxel centres)
    take values; points outside take ``cval``. For linear interpolation the input is padded with
    one edge-replicated voxel so the outer half voxel interpolates against the edge, not the pad.
    """
    if order not in (0, 1):
        raise ValueError("order must be 0 (labels, nearest) or 1 (images, linear)")
    mapping = index_map_kji(source_affine, target_affine)
    matrix, offset = mapping[:3, :3], mapping[:3, 3] + 1.0  # +1 for the padding voxel
    shape = tuple(int(n) for n in target_shape)
    if order == 1 and _is_diagonal(matrix):
        return separable_resample(array, separable_operators(mapping, array.shape, shape, (0.0, 0.0, 0.0)), cval)
    if order == 0:
        source, output_dtype = np.pad(array, 1, mode="constant", constant_values=cval), array.dtype
    else:
        source, output_dtype = np.pad(array, 1, mode="edge").astype(np.float32, copy=False), np.float32
    inside = None if order == 0 else _inside_source(mapping, array.shape, shape)  # order 0 pads with cval
    if _is_diagonal(matrix):
        matrix = np.diag(matrix)  # per-axis scale: scipy's faster separable path
    values = ndimage.affine_transform(
        source,
        matrix,
        offset=offset,
        output_shape=shape,
        output=output_dtype,
        order=order,
        mode="constant",
        cval=cval,
        prefilter=False,
    )
    if inside is not None:
        values[~inside] = cval
    return values


def resampled_grid(
    affine_lps: np.ndarray, shape: Sequence[int], spacing_mm: Sequence[float]
) -> tuple[np.ndarray, tuple[int, int, int]]:
    """Affine and [k, j, i] shape of the grid with ``spacing_mm`` (x, y, z), same origin and cosines."""
    old_spacing = np.linalg.norm(affine_lps[:3, :3], axis=0)  # along i, j, k
    new_spacing = np.asarray([float(v) for v in spacing_mm], dtype=np.float64)
    scale = np.diag([*(new_spacing / old_spacing), 1.0])
    new_affine = affine_lps @ scale
    nk, nj, ni = (int(n) for n in shape)
    # From the kept first voxel centre to the far edge of the old extent: every new centre stays inside.
    reach = (np.asarray([ni, nj, nk]) - 0.5) * old_spacing
    new_ijk = np.floor(reach / new_spacing + 1e-6).astype(int) + 1
    return new_affine, (int(new_ijk[2]), int(new_ijk[1]), int(new_ijk[0]))


def _pad_value(volume: Volume) -> float:
    return float(AIR_HU) if volume.intensity_unit == "HU" else 0.0


def anti_alias_sigmas(old_spacing: Sequence[float], new_spacing: Sequence[float]) -> tuple[float, float, float]:
    """Gaussian sigma per [k, j, i] axis in input voxels, skimage's rule: max(0, (factor - 1) / 2)."""
    factors = [float(n) / float(o) for o, n in zip(old_spacing, new_spacing, strict=True)]  # along i, j, k
    sigmas = [max(0.0, (f - 1.0) / 2.0) for f in factors]
    return sigmas[2], sigmas[1], sigmas[0]


def is_anisotropic(spacing_mm: Sequence[float]) -> bool:
    """nnU-Net's test: the coarsest axis more than 3x the finest."""
    return max(spacing_mm) / min(spacing_mm) > ANISOTROPY_RATIO


def to_dtype(values: np.ndarray, dtype: np.dtype, in_place: bool = False) -> np.ndarray:
    """Float values in an integer dtype: rounded half to even, clipped to its range; ``in_place`` reuses ``values``."""
    if np.issubdtype(dtype, np.integer) and values.dtype != dtype:
        info = np.iinfo(dtype)
        if in_place and np.issubdtype(values.dtype, np.floating):
            np.rint(values, out=values)
            np.clip(values, info.min, info.max, out=values)
            return values.astype(dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(dtype)
    return values


def resample_volume(
    volume: Volume,
    spacing_mm: Sequence[float],
    order: int = 1,
    anti_alias: bool = True,
    anisotropic_rule: bool = False,
) -> Volume:
    """A new Volume at ``spacing_mm`` (x, y, z); int16 HU in, int16 HU out (rounded), never normalised.

    ``anti_alias`` smooths axes that shrink (Gaussian, sigma from the zoom factor) before sampling.
    ``anisotropic_rule`` (nnU-Net): when the input's coarsest axis is over 3x its finest, resample in
    plane (i, j) linearly first, then along the coarse axis with nearest neighbour (order 0).
    """
    new_affine, new_shape = resampled_grid(volume.affine_lps, volume.shape, spacing_mm)
    old_spacing = volume.spacing_mm
    source = volume.array
    sigmas = anti_alias_sigmas(old_spacing, spacing_mm) if anti_alias and order > 0 else (0.0, 0.0, 0.0)
    cval = _pad_value(volume)
    if anisotropic_rule and order > 0 and is_anisotropic(old_spacing):
        coarse = int(np.argmax(old_spacing))  # along i, j or k
        step_spacing = [float(v) for v in spacing_mm]
        step_spacing[coarse] = float(old_spacing[coarse])
        mid_affine, mid_shape = resampled_grid(volume.affine_lps, volume.shape, step_spacing)
        mapping = index_map_kji(volume.affine_lps, mid_affine)
        mid = separable_resample(source, separable_operators(mapping, source.shape, mid_shape, sigmas), cval)
        values = resample_array_to_grid(mid, mid_affine, new_affine, new_shape, 0, cval)
    elif order > 0:
        mapping = index_map_kji(volume.affine_lps, new_affine)
        values = separable_resample(source, separable_operators(mapping, source.shape, new_shape, sigmas), cval)
    else:
        values = resample_array_to_grid(source, volume.affine_lps, new_affine, new_shape, order, cval)
    values = to_dtype(values, volume.array.dtype, in_place=True)  # a fresh array from the resampling above
    metadata = {
        **volume.metadata,
        "resampled_spacing_mm": [float(v) for v in spacing_mm],
        "resample_order": order,
        "anti_aliased": bool(anti_alias and order > 0),
    }
    return Volume(values, new_affine, volume.intensity_unit, volume.rescale_applied, metadata)


def is_resampled_to(volume: Volume, spacing_mm: Sequence[float]) -> bool:
    """True when ``volume`` already came out of a resampling to ``spacing_mm`` (x, y, z), e.g. while it was read."""
    done = volume.metadata.get("resampled_spacing_mm")
    return done is not None and np.allclose([float(v) for v in done], [float(v) for v in spacing_mm], atol=1e-9)


def crop_or_pad(volume: Volume, shape_kji: Sequence[int], cval: float | None = None) -> Volume:
    """Centre crop or pad to ``shape_kji`` (e.g. (256, 512, 512) as Argus uses); pad with air for CT.

    The affine moves by whole voxels, so every kept voxel keeps its exact world position.
    """
    target = [int(n) for n in shape_kji]
    fill = _pad_value(volume) if cval is None else cval
    out = np.full(target, fill, dtype=volume.array.dtype)
    source_slices, target_slices, offset_kji = [], [], []
    for size, wanted in zip(volume.shape, target, strict=True):
        start = (size - wanted) // 2  # >0 crops, <0 pads
        offset_kji.append(start)
        source_slices.append(slice(max(start, 0), max(start, 0) + min(size, wanted)))
        target_slices.append(slice(max(-start, 0), max(-start, 0) + min(size, wanted)))
    out[tuple(target_slices)] = volume.array[tuple(source_slices)]
    shift = np.eye(4)
    shift[:3, 3] = [offset_kji[2], offset_kji[1], offset_kji[0]]
    metadata = {**volume.metadata, "crop_pad_offset_kji": offset_kji, "crop_pad_shape_kji": target}
    return Volume(out, volume.affine_lps @ shift, volume.intensity_unit, volume.rescale_applied, metadata)


def resample_mask(
    mask: np.ndarray, affine_lps: np.ndarray, spacing_mm: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest-neighbour resampling of a [k, j, i] label array; returns (labels, new affine)."""
    new_affine, new_shape = resampled_grid(affine_lps, mask.shape, spacing_mm)
    return resample_array_to_grid(mask, affine_lps, new_affine, new_shape, 0, 0), new_affine


def resample_mask_to_reference(
    mask: np.ndarray, mask_affine: np.ndarray, reference_affine: np.ndarray, reference_shape: Sequence[int]
) -> np.ndarray:
    """Labels moved onto another grid through world coordinates (nearest neighbour, 0 outside)."""
    return resample_array_to_grid(mask, mask_affine, reference_affine, reference_shape, 0, 0)
