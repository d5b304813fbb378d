"""Last checks before a volume is stored: is this something a model should ever see?

Reason codes (stage ``qc``): ``too_few_slices`` (under 3), ``tiny_field_of_view`` (in-plane under
50 mm), ``non_finite_values`` (NaN/inf), ``constant_image``, ``implausible_hu_range`` (CT whose
whole range lies above 500 HU or below -500 HU).

    >>> ct = Volume(np.full((40, 512, 512), -1000, np.int16), np.diag([0.7, 0.7, 2.5, 1.0]))
    >>> check_volume_quality(ct)              # every voxel -1000 HU
    Traceback (most recent call last):
    curation.imaging.errors.SeriesRejected: constant_image: every voxel is -1000
"""

from __future__ import annotations

import numpy as np

from curation.imaging.errors import SeriesRejected
from curation.imaging.volume import SourceSummary, Volume

MIN_SLICES = 3
MIN_FIELD_OF_VIEW_MM = 50.0
HU_PLAUSIBLE_LIMIT = 500.0


def summarize_volume(volume: Volume) -> SourceSummary:
    """The quality-control facts of a volume's own voxels."""
    array = volume.array
    finite = not np.issubdtype(array.dtype, np.floating) or bool(np.isfinite(array).all())
    low, high = (float(array.min()), float(array.max())) if finite else (float("nan"), float("nan"))
    return SourceSummary(volume.shape, volume.spacing_mm, low, high, finite)


def check_volume_quality(volume: Volume) -> None:
    """Raise SeriesRejected (stage 'qc') for a volume no model should see; return None otherwise.

    A volume resampled while it was read is judged on its acquired grid (``source_summary``), so a
    thin 3-slice stack is not rejected for becoming 2 slices at 1.5 mm.
    """
    check_summary_quality(volume.source_summary or summarize_volume(volume), volume.intensity_unit)


def check_summary_quality(summary: SourceSummary, intensity_unit: str) -> None:
    slices, rows, columns = summary.shape
    if slices < MIN_SLICES:
        raise SeriesRejected("too_few_slices", stage="qc", detail=f"{slices} slices")
    spacing = summary.spacing_mm
    if min(rows * spacing[1], columns * spacing[0]) < MIN_FIELD_OF_VIEW_MM:
        raise SeriesRejected("tiny_field_of_view", stage="qc", detail="in-plane field of view under 50 mm")
    if not summary.all_finite:
        raise SeriesRejected("non_finite_values", stage="qc", detail="NaN or infinite voxels")
    low, high = summary.value_min, summary.value_max
    if low == high:
        raise SeriesRejected("constant_image", stage="qc", detail=f"every voxel is {low:g}")
    if intensity_unit == "HU" and (high < -HU_PLAUSIBLE_LIMIT or low > HU_PLAUSIBLE_LIMIT):
        raise SeriesRejected("implausible_hu_range", stage="qc", detail=f"HU range {low:g}..{high:g}")
