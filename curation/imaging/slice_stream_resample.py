"""Resample a regular stack while its slices are read: in-plane first, one slice at a time, then along k.

The operators are those of `resample_volume` (Gaussian anti-alias folded into linear interpolation,
see `axis_operator`), applied in the same order (the shrinking in-plane axes, then the slice axis),
so the result is the same volume; only the memory differs: a 300x512x512 int16 CT (150 MiB)
resampled to 1.5 mm never exists as a full-resolution float32 array, only as its in-plane-reduced
stack (300x239x239 float32, 65 MiB).

    >>> resampler = SliceStreamResampler(affine_lps, (300, 512, 512), (1.5, 1.5, 1.5), cval=-1024.0)
    >>> reduced = np.stack([resampler.reduce_slice(s) for s in slices])      # [300, 239, 239] float32
    >>> resampler.finish(reduced, np.int16).shape
    (200, 239, 239)
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from curation.imaging.resample import (
    anti_alias_sigmas,
    index_map_kji,
    mask_outside,
    resampled_grid,
    separable_operators,
    to_dtype,
)
from curation.imaging.worker_threads import map_on_threads

ROW_PADDING = 16  # floats (one 64-byte cache line) added to each row before a transpose, see `reduce_slice`
BLOCK_BYTES = 2**20  # target slices per block of `finish`: about 1 MiB of float32 at a time (at least one slice)


class SliceStreamResampler:
    """The target grid of a [k, j, i] stack and the per-axis operators that lead to it."""

    def __init__(
        self,
        affine_lps: np.ndarray,
        shape_kji: Sequence[int],
        spacing_mm: Sequence[float],
        cval: float,
        anti_alias: bool = True,
    ) -> None:
        self.source_shape = tuple(int(n) for n in shape_kji)
        self.affine_lps, self.shape = resampled_grid(affine_lps, self.source_shape, spacing_mm)
        old_spacing = np.linalg.norm(np.asarray(affine_lps)[:3, :3], axis=0)
        sigmas = anti_alias_sigmas(old_spacing, spacing_mm) if anti_alias else (0.0, 0.0, 0.0)
        mapping = index_map_kji(np.asarray(affine_lps, dtype=np.float64), self.affine_lps)
        self.operators = separable_operators(mapping, self.source_shape, self.shape, sigmas)
        self.cval = float(cval)
        self._scratch = threading.local()

    @property
    def reduced_slice_shape(self) -> tuple[int, int]:
        return self.shape[1], self.shape[2]

    def reduce_slice(self, values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """One acquired [j, i] slice on the target in-plane grid (float32, not yet masked), into ``out`` if given."""
        along_j, along_i = self.operators[1], self.operators[2]
        if out is None:
            out = np.empty(self.reduced_slice_shape, dtype=np.float32)
        # Sparse products are faster on float32 than on int16; the per-thread buffers spare a fresh
        # (page-faulting) allocation per slice.
        reduced = self._buffer("slice", values.shape)
        np.copyto(reduced, values)
        if not along_j.identity:
            reduced = along_j.matrix @ reduced
        if not along_i.identity:
            # sparse @ contiguous dense on the transposed slice: much faster than dense @ sparse. The
            # transpose reads from rows padded past a power-of-two length: reading down the columns of a
            # 512-float-wide array hits the same cache sets again and again (4x slower, measured).
            n_rows, n_columns = reduced.shape
            padded = self._buffer("padded", (n_rows, n_columns + ROW_PADDING))[:, :n_columns]
            np.copyto(padded, reduced)
            transposed = self._buffer("transposed", (n_columns, n_rows))
            np.copyto(transposed, padded.T)
            reduced = (along_i.matrix @ transposed).T
        np.copyto(out, reduced)
        return out

    def _buffer(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A float32 scratch array of this thread, reused from slice to slice."""
        buffers: dict[tuple[str, tuple[int, ...]], np.ndarray] = self._scratch.__dict__.setdefault("buffers", {})
        key = (name, tuple(shape))
        if key not in buffers:
            buffers[key] = np.empty(shape, dtype=np.float32)
        return buffers[key]

    def finish(self, reduced: np.ndarray, dtype: np.dtype | type) -> np.ndarray:
        """The in-plane-reduced stack [k, j', i'] resampled along k, outside voxels set, in ``dtype``.

        ``reduced`` is scratch: it may be overwritten (when the slice axis keeps its grid). The target
        slices are made in blocks of a few consecutive slices, on threads (the sparse product and numpy
        release the GIL); each target slice is computed exactly as in one block. Blocks keep the float32
        intermediate at ``BLOCK_BYTES``: a whole-volume intermediate would double the peak memory.
        """
        out = np.empty(self.shape, dtype=np.dtype(dtype))
        slice_bytes = self.shape[1] * self.shape[2] * np.dtype(np.float32).itemsize
        block = max(1, BLOCK_BYTES // max(1, slice_bytes))
        ranges = [slice(start, min(start + block, self.shape[0])) for start in range(0, self.shape[0], block)]
        map_on_threads(lambda rows: self._finish_rows(reduced, rows, out), ranges)
        return out

    def _finish_rows(self, reduced: np.ndarray, rows: slice, out: np.ndarray) -> None:
        """Target slices ``rows``: resampled along k, masked outside the source, rounded into ``out``."""
        along_k = self.operators[0]
        if along_k.identity:
            values = reduced[rows]
        else:
            n_k, n_j, n_i = reduced.shape
            part = along_k.matrix[rows] @ reduced.reshape(n_k, n_j * n_i)
            values = np.asarray(part, dtype=np.float32).reshape(-1, n_j, n_i)
        mask_outside(values, self.operators, self.cval, first_axis_rows=rows)
        out[rows] = to_dtype(values, out.dtype, in_place=True)
