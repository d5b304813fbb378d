"""Multi-scale levels for the Zarr store: 2x mean pooling per level (full, 2x, 4x).

Mean pooling over 2x2x2 blocks is the anti-aliased 2x downsample (a box filter): a 0.7x0.7x1.5 mm CT
gives 1.4x1.4x3 mm and 2.8x2.8x6 mm levels, still in HU (rounded back to int16). Odd sizes repeat
the edge voxel so the last block is complete; level voxel n covers full-resolution voxels 2n and 2n+1,
so its centre sits half a full-resolution voxel further along each axis.

    >>> ct = np.full((301, 512, 512), -1000, np.int16)
    >>> downsample_level(ct).shape
    (151, 256, 256)
"""

from __future__ import annotations

import numpy as np

PYRAMID_FACTORS = (1, 2, 4)


def downsample_level(array: np.ndarray) -> np.ndarray:
    """[k, j, i] array averaged over 2x2x2 blocks; integer input stays integer (rounded)."""
    pad = [(0, n % 2) for n in array.shape]
    if any(p for _, p in pad):
        array = np.pad(array, pad, mode="edge")
    k, j, i = (n // 2 for n in array.shape)
    total = np.zeros((k, j, i), dtype=np.float32)
    for dk in (0, 1):
        for dj in (0, 1):
            for di in (0, 1):
                total += array[dk::2, dj::2, di::2]
    total *= 0.125
    if np.issubdtype(array.dtype, np.integer):
        info = np.iinfo(array.dtype)
        return np.clip(np.rint(total), info.min, info.max).astype(array.dtype)
    return total.astype(array.dtype, copy=False)
