"""Read one grouped DICOM series into a `Volume` (int16 HU for CT, float32 for other modalities).

Pixels are decoded by pydicom with the pylibjpeg plugins (JPEG baseline/lossless, JPEG-LS, JPEG
2000, RLE, big-endian, implicit VR). Each slice's RescaleSlope/RescaleIntercept is applied exactly
once, on the stored values; PixelPaddingValue becomes air (-1024 HU) for CT. Enhanced multi-frame
objects are read through their per-frame functional groups.

    >>> grouping = group_dicom_series(sorted(Path("chest_ct").iterdir()))
    >>> volume = read_dicom_series(grouping.series[0])
    >>> volume.shape, volume.spacing_mm, volume.array.dtype      # 20 slices, 0.977 mm pixels, 2 mm steps
    ((20, 512, 512), (0.976562, 0.976562, 2.0), dtype('int16'))
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from curation.imaging.errors import SeriesRejected
from curation.imaging.geometry_correction import apply_geometry_plan
from curation.imaging.geometry_policy import GeometryPlan, GeometryPolicy, plan_geometry
from curation.imaging.series_grouping import DicomSeriesFiles
from curation.imaging.volume import Volume

AIR_HU = -1024
INT16_MIN, INT16_MAX = np.iinfo(np.int16).min, np.iinfo(np.int16).max
DECODE_THREADS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class SliceRecord:
    """One 2-D slice: where its pixels live (file, frame) and how to turn them into values."""

    file_index: int
    frame_index: int | None  # None for single-frame files
    position: tuple[float, float, float]
    orientation: tuple[float, ...]
    pixel_spacing: tuple[float, float]
    slope: float | None
    intercept: float | None


def _float_tuple(value: Any) -> tuple[float, ...] | None:
    if value is None:
        return None
    try:
        return tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None


def _optional_float(value: Any) -> float | None:
    try:
        return None if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return None


def _first_item(ds: Dataset | None, sequence: str) -> Dataset | None:
    if ds is None:
        return None
    seq = ds.get(sequence)
    return seq[0] if seq else None


def _functional_value(frame: Dataset | None, shared: Dataset | None, sequence: str, keyword: str) -> Any:
    """A value from the per-frame functional group, else the shared one."""
    for group in (frame, shared):
        item = _first_item(group, sequence)
        if item is not None and item.get(keyword) is not None:
            return item.get(keyword)
    return None


def single_frame_record(index: int, ds: Dataset) -> SliceRecord:
    position = _float_tuple(ds.get("ImagePositionPatient"))
    orientation = _float_tuple(ds.get("ImageOrientationPatient"))
    spacing = _float_tuple(ds.get("PixelSpacing"))
    if position is None or orientation is None or spacing is None or len(position) != 3 or len(spacing) != 2:
        raise SeriesRejected("missing_geometry", f"file #{index} lacks position, orientation or pixel spacing")
    return SliceRecord(
        index,
        None,
        position,  # type: ignore[arg-type]
        orientation,
        spacing,  # type: ignore[arg-type]
        _optional_float(ds.get("RescaleSlope")),
        _optional_float(ds.get("RescaleIntercept")),
    )


def multiframe_records(index: int, ds: Dataset) -> list[SliceRecord]:
    """One record per frame from the Enhanced CT/MR functional groups."""
    frames = ds.get("PerFrameFunctionalGroupsSequence")
    if not frames:
        raise SeriesRejected(
            "unsupported_multiframe", "multi-frame object without per-frame functional groups", stage="read"
        )
    shared = _first_item(ds, "SharedFunctionalGroupsSequence")
    records = []
    for frame_index, frame in enumerate(frames):
        position = _float_tuple(_functional_value(frame, shared, "PlanePositionSequence", "ImagePositionPatient"))
        orientation = _float_tuple(
            _functional_value(frame, shared, "PlaneOrientationSequence", "ImageOrientationPatient")
        )
        spacing = _float_tuple(_functional_value(frame, shared, "PixelMeasuresSequence", "PixelSpacing"))
        if position is None or orientation is None or spacing is None:
            raise SeriesRejected("missing_geometry", f"frame #{frame_index} lacks plane position/orientation/spacing")
        slope = _functional_value(frame, shared, "PixelValueTransformationSequence", "RescaleSlope")
        intercept = _functional_value(frame, shared, "PixelValueTransformationSequence", "RescaleIntercept")
        records.append(
            SliceRecord(
                index,
                frame_index,
                position,  # type: ignore[arg-type]
                orientation,
                spacing,  # type: ignore[arg-type]
                _optional_float(slope if slope is not None else ds.get("RescaleSlope")),
                _optional_float(intercept if intercept is not None else ds.get("RescaleIntercept")),
            )
        )
    return records


def collect_slice_records(headers: Sequence[Dataset]) -> list[SliceRecord]:
    records: list[SliceRecord] = []
    for index, ds in enumerate(headers):
        if ds.get("PerFrameFunctionalGroupsSequence") is not None:
            records.extend(multiframe_records(index, ds))
        elif int(ds.get("NumberOfFrames", 1) or 1) > 1:
            raise SeriesRejected(
                "unsupported_multiframe", f"file #{index} is multi-frame without functional groups", stage="read"
            )
        else:
            records.append(single_frame_record(index, ds))
    return records


def check_consistent_orientation(records: Sequence[SliceRecord]) -> None:
    reference = np.asarray(records[0].orientation)
    for record in records[1:]:
        if np.max(np.abs(np.asarray(record.orientation) - reference)) > 1e-4:
            raise SeriesRejected("mixed_orientation", "slices in this series have different orientations")
        if np.max(np.abs(np.asarray(record.pixel_spacing) - np.asarray(records[0].pixel_spacing))) > 1e-4:
            raise SeriesRejected("mixed_pixel_spacing", "slices in this series have different pixel spacings")


def series_geometry(records: Sequence[SliceRecord], policy: GeometryPolicy | None = None) -> GeometryPlan:
    if not records:
        raise SeriesRejected("too_few_slices", "0 slice(s); a volume needs at least 3")
    check_consistent_orientation(records)
    return plan_geometry(records[0].orientation, records[0].pixel_spacing, [r.position for r in records], policy)


def decode_file_pixels(path: Path, file_index: int) -> tuple[Dataset, np.ndarray]:
    """Full dataset and its stored pixel values (no rescale), frames first for multi-frame files."""
    try:
        ds = pydicom.dcmread(path, force=False)
        if "PixelData" not in ds:
            raise SeriesRejected("no_pixel_data", f"file #{file_index} has no pixel data", stage="pixels")
        pixels = ds.pixel_array
    except SeriesRejected:
        raise
    except Exception as error:  # decoders raise many types (ValueError, RuntimeError, NotImplementedError...)
        raise SeriesRejected(
            "pixel_decode_failed",
            f"file #{file_index}: pixels could not be decoded ({type(error).__name__})",
            stage="pixels",
        ) from error
    if int(ds.get("SamplesPerPixel", 1) or 1) != 1:
        raise SeriesRejected(
            "color_image", f"file #{file_index} holds colour pixels, not a grey-level image", stage="pixels"
        )
    return ds, pixels


def padding_mask(ds: Dataset, stored: np.ndarray) -> np.ndarray | None:
    """Stored values flagged by PixelPaddingValue (and PixelPaddingRangeLimit where present)."""
    padding = ds.get("PixelPaddingValue")
    if padding is None:
        return None
    limit = ds.get("PixelPaddingRangeLimit")
    if limit is None:
        return stored == padding
    low, high = min(padding, limit), max(padding, limit)
    return (stored >= low) & (stored <= high)


def rescale_slice(stored: np.ndarray, record: SliceRecord) -> np.ndarray:
    """Stored value -> modality value (HU for CT), once; identity where the tags are absent."""
    slope = 1.0 if record.slope is None else record.slope
    intercept = 0.0 if record.intercept is None else record.intercept
    return stored.astype(np.float64) * slope + intercept


def to_storage_dtype(values: np.ndarray, is_ct: bool) -> np.ndarray:
    if is_ct:
        return np.clip(np.rint(values), INT16_MIN, INT16_MAX).astype(np.int16)
    return values.astype(np.float32)


def modality_values(stored: np.ndarray, record: SliceRecord, padding: np.ndarray | None, is_ct: bool) -> np.ndarray:
    """Stored -> storage dtype in one pass; integer arithmetic when slope is 1 and the intercept whole."""
    slope = 1.0 if record.slope is None else record.slope
    intercept = 0.0 if record.intercept is None else record.intercept
    if is_ct and slope == 1.0 and float(intercept).is_integer() and np.issubdtype(stored.dtype, np.integer):
        values = stored.astype(np.int32) + int(intercept)
        if padding is not None:
            values[padding] = AIR_HU
        return np.clip(values, INT16_MIN, INT16_MAX).astype(np.int16)
    rescaled = rescale_slice(stored, record)
    if padding is not None:
        rescaled[padding] = AIR_HU if is_ct else 0.0
    return to_storage_dtype(rescaled, is_ct)


def decode_slice(
    records: Sequence[SliceRecord],
    record_index: int,
    decoded: dict[int, tuple[Dataset, np.ndarray]],
    is_ct: bool,
) -> np.ndarray:
    """One slice's modality values in the storage dtype, from the decoded files."""
    record = records[record_index]
    ds, pixels = decoded[record.file_index]
    stored = pixels if record.frame_index is None else (pixels[record.frame_index] if pixels.ndim == 3 else pixels)
    if stored.ndim != 2:
        raise SeriesRejected(
            "unsupported_pixels", f"file #{record.file_index} pixels are not a 2-D slice", stage="pixels"
        )
    return modality_values(stored, record, padding_mask(ds, stored), is_ct)


def decode_files(series: DicomSeriesFiles, file_indices: set[int]) -> dict[int, tuple[Dataset, np.ndarray]]:
    """Decode the needed files on a few threads (file reads and most decoders release the GIL)."""
    ordered = sorted(file_indices)
    workers = min(DECODE_THREADS, len(ordered))
    if workers <= 1:
        return {i: decode_file_pixels(series.files[i], i) for i in ordered}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda i: decode_file_pixels(series.files[i], i), ordered)
        return dict(zip(ordered, results, strict=True))


def read_slices(
    series: DicomSeriesFiles, records: Sequence[SliceRecord], groups: Sequence[Sequence[int]], is_ct: bool
) -> np.ndarray:
    """Decode and stack one slice per position group as [k, j, i]; copies must hold the same pixels."""
    decoded = decode_files(series, {records[i].file_index for group in groups for i in group})
    slices = []
    for group in groups:
        first = decode_slice(records, group[0], decoded, is_ct)
        for other in group[1:]:
            if not np.array_equal(first, decode_slice(records, other, decoded, is_ct)):
                n_copies = sum(len(g) - 1 for g in groups)
                raise SeriesRejected(
                    "duplicate_positions",
                    f"{n_copies} slice(s) repeat a position with different pixels (echoes, phases?)",
                )
        slices.append(first)
    shapes = {s.shape for s in slices}
    if len(shapes) != 1:
        raise SeriesRejected("mixed_matrix", "slices in this series have different matrix sizes", stage="pixels")
    return np.stack(slices, axis=0)


def read_dicom_series(series: DicomSeriesFiles, policy: GeometryPolicy | None = None) -> Volume:
    """Decode, rescale and stack a grouped series, correcting its geometry as ``policy`` allows.

    The default policy corrects gantry tilt and mildly uneven steps; see `GeometryPolicy`. Anything
    it does not allow raises SeriesRejected with the reason code.
    """
    if not series.headers:
        raise SeriesRejected("too_few_slices", "0 slice(s); a volume needs at least 3", stage="read")
    first = series.headers[0]
    modality = str(first.get("Modality", "") or "").upper()
    is_ct = modality == "CT"
    records = collect_slice_records(series.headers)
    plan = series_geometry(records, policy)
    array = read_slices(series, records, plan.groups, is_ct)
    native_shape = list(array.shape)
    array = apply_geometry_plan(array, plan, float(AIR_HU) if is_ct else 0.0)
    rescaled = any(r.slope is not None or r.intercept is not None for r in records)
    multiframe = any(r.frame_index is not None for r in records)
    volume = Volume(
        array=array,
        affine_lps=plan.affine_lps,
        intensity_unit="HU" if is_ct else "raw",
        rescale_applied=rescaled,
    )
    volume.metadata = {
        "source_format": "dicom-enhanced" if multiframe else "dicom",
        "modality": modality or None,
        "n_files": len(series.files),
        "gantry_tilt_deg": round(abs(plan.gantry_tilt_deg), 3),
        "geometry_decision": plan.decision,
        "native_spacing_mm": list(volume.spacing_mm),
        "native_shape": list(volume.shape),
        "acquired_shape": native_shape,
        "dropped_duplicate_slices": sum(len(g) - 1 for g in plan.groups),
    }
    if plan.decision != "regular":
        steps = np.diff(plan.z_mm)
        volume.metadata["acquired_steps_mm"] = [round(float(steps.min()), 4), round(float(steps.max()), 4)]
        volume.metadata["max_in_plane_drift_mm"] = round(plan.max_in_plane_drift_mm, 3)
    return volume
