"""Multi-scale levels for the Zarr store: 2x pooling per level (full, 2x, 4x); mean for images, mode for labels.

Mean pooling over 2x2x2 blocks is the anti-aliased 2x downsample (a box filter): a 0.7x0.7x1.5 mm CT
gives 1.4x1.4x3 mm and 2.8x2.8x6 mm levels, still in HU (rounded back to int16). Odd sizes repeat
the edge voxel so the last block is complete; level voxel n covers full-resolution voxels 2n and 2n+1,
so its centre sits half a full-resolution voxel further along each axis.

Label masks take the most frequent label of each 2x2x2 block (ties go to the lower label id), so a
level holds only labels of the full-resolution mask and never an average of two label ids.

    >>> ct = np.full((301, 512, 512), -1000, np.int16)
    >>> downsample_level(ct).shape
    (151, 256, 256)
    >>> downsample_labels(np.array([[[0, 5], [5, 5]], [[0, 0], [5, 7]]], np.uint8))   # 4 of 8 voxels are 5
    array([[[5]]], dtype=uint8)
"""

from __future__ import annotations

import numpy as np

PYRAMID_FACTORS = (1, 2, 4)
SLAB_BYTES = 2**20  # the largest int32 intermediate of a slab: about 1 MiB (at least one output slice)


def _even(array: np.ndarray) -> np.ndarray:
    """Odd axes grow by one repeated edge voxel so every 2x2x2 block is complete."""
    pad = [(0, n % 2) for n in array.shape]
    return np.pad(array, pad, mode="edge") if any(p for _, p in pad) else array


def downsample_level(array: np.ndarray) -> np.ndarray:
    """[k, j, i] array averaged over 2x2x2 blocks; integer input stays integer (rounded)."""
    if np.issubdtype(array.dtype, np.integer) and array.dtype.itemsize <= 2:
        return _integer_block_mean(array)
    array = _even(array)
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


def _along(values: np.ndarray, axis: int, part: slice) -> np.ndarray:
    index = [slice(None)] * values.ndim
    index[axis] = part
    return values[tuple(index)]


def _pair_sums(values: np.ndarray, axis: int) -> np.ndarray:
    """Sums of neighbouring pairs along ``axis`` in int32; an odd last voxel pairs with itself (edge repeat)."""
    n = values.shape[axis]
    half = n // 2
    shape = list(values.shape)
    shape[axis] = half + n % 2
    out = np.empty(shape, dtype=np.int32)
    low, high = _along(values, axis, slice(0, 2 * half, 2)), _along(values, axis, slice(1, 2 * half, 2))
    np.add(low, high, out=_along(out, axis, slice(0, half)), dtype=np.int32)  # int32 loop: no int16 overflow
    if n % 2:
        np.multiply(_along(values, axis, slice(n - 1, n)), 2, out=_along(out, axis, slice(half, n)), dtype=np.int32)
    return out


def _integer_block_mean(array: np.ndarray) -> np.ndarray:
    """The 2x2x2 block mean of 8- or 16-bit integers (odd edges repeated), summed exactly in int32.

    Any 8 such values and their partial sums are integers below 2^24, exact in float32 too, so this is
    the same number as the float32 sum of the eight block views, in three pairwise passes (whole slices
    first, where the halves are contiguous) and without a padded copy of the volume. The level is made
    a slab of slices at a time, so the int32 and float32 intermediates stay near ``SLAB_BYTES``: the first pass
    (along k) holds an int32 slice per output slice at the full in-plane size, four times an output slice's.
    """
    out = np.empty(tuple((n + 1) // 2 for n in array.shape), dtype=array.dtype)
    if out.size == 0:
        return out
    slab = max(1, SLAB_BYTES // (array[0].size * 4))  # output slices per slab
    for start in range(0, out.shape[0], slab):
        stop = min(start + slab, out.shape[0])
        out[start:stop] = _slab_block_mean(array[2 * start : 2 * stop])
    return out


def _slab_block_mean(array: np.ndarray) -> np.ndarray:
    total = _pair_sums(_pair_sums(_pair_sums(array, 0), 1), 2)
    mean = total.astype(np.float32)
    mean *= 0.125
    info = np.iinfo(array.dtype)
    np.rint(mean, out=mean)
    np.clip(mean, info.min, info.max, out=mean)
    return mean.astype(array.dtype)


def downsample_labels(labels: np.ndarray) -> np.ndarray:
    """[k, j, i] label ids: the most frequent id of each 2x2x2 block (the lower id on a tie)."""
    labels = _even(labels)
    offsets = [(dk, dj, di) for dk in (0, 1) for dj in (0, 1) for di in (0, 1)]
    views = [labels[dk::2, dj::2, di::2] for dk, dj, di in offsets]
    result, highest = views[0].copy(), views[0].copy()
    for view in views[1:]:
        np.minimum(result, view, out=result)
        np.maximum(highest, view, out=highest)
    mixed = np.nonzero(result != highest)  # uniform blocks (most of a mask) are done
    if mixed[0].size:
        k, j, i = (2 * index for index in mixed)
        blocks = np.sort(np.stack([labels[k + dk, j + dj, i + di] for dk, dj, di in offsets], axis=1), axis=1)
        counts = np.zeros(blocks.shape, dtype=np.uint8)
        for position in range(8):
            counts += blocks == blocks[:, position : position + 1]
        # argmax takes the first maximum; ascending order makes that the lower label id on a tie.
        result[mixed] = blocks[np.arange(blocks.shape[0]), np.argmax(counts, axis=1)]
    return result
