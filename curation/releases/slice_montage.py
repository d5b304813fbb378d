"""Central axial, coronal and sagittal slices of a stored volume, in radiological display convention.

The stored array is ``[k, j, i]`` with an LPS affine whose voxel axes may point any way (flipped rows,
slices stored head-first or feet-first, sagittal acquisitions). Each plane is read on its own (only
the chunks it touches) and turned so that it displays as radiologists expect: axial seen from the
feet (patient's left on the image right, anterior up), coronal seen from the front (left on the
right, head up), sagittal seen from the patient's left (anterior on the left, head up). Values are
windowed to HU -1000..400 and scaled to [0, 1].

    >>> planes = radiological_planes(lambda s: volume[s], volume.shape, affine_lps)  # doctest: +SKIP
    >>> planes["axial"].image.shape, planes["axial"].aspect  # doctest: +SKIP
    ((233, 233), 1.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

DISPLAY_WINDOW_HU = (-1000.0, 400.0)
# plane -> (world axis held fixed, (row world axis, row direction), (column world axis, column direction));
# world axes are LPS: 0 = x (to the patient's left), 1 = y (posterior), 2 = z (superior).
PLANES: dict[str, tuple[int, tuple[int, int], tuple[int, int]]] = {
    "axial": (2, (1, +1), (0, +1)),  # rows go anterior -> posterior, columns right -> left
    "coronal": (1, (2, -1), (0, +1)),  # rows go superior -> inferior, columns right -> left
    "sagittal": (0, (2, -1), (1, +1)),  # rows go superior -> inferior, columns anterior -> posterior
}


@dataclass(frozen=True)
class DisplayPlane:
    image: np.ndarray  # float32 in [0, 1], rows x columns as displayed
    aspect: float  # row spacing / column spacing, for imshow(aspect=...)


def voxel_axes_to_world(affine_lps: np.ndarray) -> list[tuple[int, int]]:
    """For voxel axes i, j, k: (the LPS axis it mostly runs along, +1 or -1)."""
    directions = np.asarray(affine_lps, dtype=np.float64).reshape(4, 4)[:3, :3]
    result = []
    for v in range(3):
        world = int(np.argmax(np.abs(directions[:, v])))
        result.append((world, 1 if directions[world, v] >= 0 else -1))
    if len({w for w, _ in result}) != 3:
        raise ValueError("the affine's voxel axes do not map to three distinct patient axes")
    return result


def window(plane: np.ndarray, low: float = DISPLAY_WINDOW_HU[0], high: float = DISPLAY_WINDOW_HU[1]) -> np.ndarray:
    return ((np.clip(plane.astype(np.float32), low, high) - low) / (high - low)).astype(np.float32)


def radiological_planes(
    read: Callable[[tuple[slice | int, ...]], np.ndarray], shape: Sequence[int], affine_lps: Sequence[float]
) -> dict[str, DisplayPlane]:
    """The three central planes; ``read`` takes a ``[k, j, i]`` index tuple (an int on the fixed axis)."""
    affine = np.asarray(affine_lps, dtype=np.float64).reshape(4, 4)
    spacing = np.linalg.norm(affine[:3, :3], axis=0)  # per voxel axis i, j, k
    axes = voxel_axes_to_world(affine)
    voxel_of_world = {world: v for v, (world, _) in enumerate(axes)}
    planes = {}
    for name, (fixed_world, (row_world, row_dir), (_col_world, col_dir)) in PLANES.items():
        fixed_voxel = voxel_of_world[fixed_world]
        fixed_array_axis = 2 - fixed_voxel  # array axes are [k, j, i]
        index: list[slice | int] = [slice(None)] * 3
        index[fixed_array_axis] = int(shape[fixed_array_axis]) // 2
        plane = np.asarray(read(tuple(index)))
        remaining_voxels = [2 - a for a in range(3) if a != fixed_array_axis]  # voxel axis of each plane dim
        if axes[remaining_voxels[0]][0] != row_world:
            plane, remaining_voxels = plane.T, remaining_voxels[::-1]
        for dim, (voxel, wanted) in enumerate(zip(remaining_voxels, (row_dir, col_dir), strict=True)):
            if axes[voxel][1] != wanted:
                plane = np.flip(plane, axis=dim)
        aspect = float(spacing[remaining_voxels[0]] / spacing[remaining_voxels[1]])
        planes[name] = DisplayPlane(window(plane), aspect)
    return planes
