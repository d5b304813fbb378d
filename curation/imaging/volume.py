"""A volume in physical space: voxels plus the affine that places them.

Axis convention (used everywhere in ctcurate): the array is indexed ``[k, j, i]`` = (slice, row,
column), as DICOM slices stack; the 4x4 ``affine_lps`` maps the voxel index ``(i, j, k, 1)`` to DICOM
patient coordinates in mm (LPS: +x left, +y posterior, +z superior). NIfTI's RAS affine is
``diag(-1, -1, 1, 1) @ affine_lps`` over the same index order.

    >>> import numpy as np
    >>> v = Volume(np.zeros((40, 64, 64), np.int16), np.diag([0.7, 0.7, 2.5, 1.0]))
    >>> v.spacing_mm
    (0.7, 0.7, 2.5)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def spacing_of(affine_lps: np.ndarray) -> tuple[float, float, float]:
    """Voxel spacing along (i, j, k) in mm: the column norms of the affine's 3x3 part (rounded to 1e-6)."""
    norms = np.linalg.norm(np.asarray(affine_lps, dtype=np.float64)[:3, :3], axis=0)
    return tuple(round(float(n), 6) for n in norms)  # type: ignore[return-value]


@dataclass(frozen=True)
class SourceSummary:
    """What quality control needs of the acquired grid, kept when the voxels are resampled while read.

    ``shape`` is [k, j, i], ``spacing_mm`` (x, y, z); ``value_min``/``value_max`` over every voxel
    (NaN when any voxel is not finite).
    """

    shape: tuple[int, int, int]
    spacing_mm: tuple[float, float, float]
    value_min: float
    value_max: float
    all_finite: bool = True


@dataclass
class Volume:
    array: np.ndarray  # [k, j, i]
    affine_lps: np.ndarray  # 4x4, (i, j, k, 1) -> LPS mm
    intensity_unit: str = "HU"
    rescale_applied: bool = True
    metadata: dict[str, Any] = field(default_factory=dict)  # PHI-free facts about how it was made
    # Set by readers that resample while reading: the acquired grid's facts for quality control.
    source_summary: SourceSummary | None = None

    def __post_init__(self) -> None:
        self.affine_lps = np.asarray(self.affine_lps, dtype=np.float64)
        if self.array.ndim != 3 or self.affine_lps.shape != (4, 4):
            raise ValueError("a Volume needs a 3-D array and a 4x4 affine")

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(n) for n in self.array.shape)  # type: ignore[return-value]

    @property
    def spacing_mm(self) -> tuple[float, float, float]:
        """Spacing along (i, j, k): column norms of the affine's 3x3 part."""
        return spacing_of(self.affine_lps)

    @property
    def affine_ras(self) -> np.ndarray:
        return LPS_TO_RAS @ self.affine_lps

    def world_lps(self, i: float, j: float, k: float) -> np.ndarray:
        return (self.affine_lps @ np.array([i, j, k, 1.0]))[:3]
