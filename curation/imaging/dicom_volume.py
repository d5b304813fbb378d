"""Read one grouped DICOM series into a `Volume` (int16 HU for CT, float32 for other modalities).

Each file is parsed once: the headers grouping read describe the slices, and an uncompressed
little-endian slice is read straight from its pixel bytes (`native_pixels`); every other file is
decoded by pydicom with the pylibjpeg plugins (JPEG baseline/lossless, JPEG-LS, JPEG 2000, RLE,
big-endian, enhanced multi-frame through its per-frame functional groups). Each slice's
RescaleSlope/RescaleIntercept is applied exactly once, on the stored values; PixelPaddingValue
becomes air (-1024 HU) for CT. Given a target spacing, a regular CT stack is resampled slice by slice
as it is read (`SliceStreamResampler`): memory stays well under the raw volume's size.

    >>> grouping = group_dicom_series(sorted(Path("chest_ct").iterdir()))
    >>> volume = read_dicom_series(grouping.series[0])
    >>> volume.shape, volume.spacing_mm, volume.array.dtype      # 20 slices, 0.977 mm pixels, 2 mm steps
    ((20, 512, 512), (0.976562, 0.976562, 2.0), dtype('int16'))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from curation.imaging.encapsulated_pixels import dataset_with_encapsulated_pixels
from curation.imaging.errors import SeriesRejected
from curation.imaging.geometry_correction import apply_geometry_plan
from curation.imaging.geometry_policy import GeometryPlan, GeometryPolicy, plan_geometry
from curation.imaging.header_values import has_element, header_value
from curation.imaging.imagecodecs_plugin import decode_with_imagecodecs
from curation.imaging.native_pixels import read_native_pixels
from curation.imaging.resample import resample_volume
from curation.imaging.series_grouping import DicomSeriesFiles
from curation.imaging.series_headers import complete_series_headers
from curation.imaging.slice_stream_resample import SliceStreamResampler
from curation.imaging.volume import SourceSummary, Volume, spacing_of
from curation.imaging.volume_qc import summarize_volume
from curation.imaging.worker_threads import map_on_threads

AIR_HU = -1024
INT16_MIN, INT16_MAX = np.iinfo(np.int16).min, np.iinfo(np.int16).max


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
    position = _float_tuple(header_value(ds, "ImagePositionPatient"))
    orientation = _float_tuple(header_value(ds, "ImageOrientationPatient"))
    spacing = _float_tuple(header_value(ds, "PixelSpacing"))
    if position is None or orientation is None or spacing is None or len(position) != 3 or len(spacing) != 2:
        raise SeriesRejected("missing_geometry", f"file #{index} lacks position, orientation or pixel spacing")
    return SliceRecord(
        index,
        None,
        position,  # type: ignore[arg-type]
        orientation,
        spacing,  # type: ignore[arg-type]
        _optional_float(header_value(ds, "RescaleSlope")),
        _optional_float(header_value(ds, "RescaleIntercept")),
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
        if has_element(ds, "PerFrameFunctionalGroupsSequence"):
            records.extend(multiframe_records(index, ds))
        elif int(header_value(ds, "NumberOfFrames") or 1) > 1:
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


def decode_file_pixels(
    path: Path, file_index: int, header: Dataset | None = None, pixel_data_offset: int | None = None
) -> tuple[Dataset, np.ndarray]:
    """A dataset with the pixel-describing tags and the stored values (no rescale), frames first for multi-frame.

    With the ``header`` grouping already parsed, an uncompressed little-endian single-frame file is
    read straight from its pixel bytes (`read_native_pixels`) and the header is returned; with the
    ``pixel_data_offset`` grouping noted too, compressed pixels are read from there and decoded with the
    header (`dataset_with_encapsulated_pixels`); every other file is parsed and decoded by pydicom and its
    handlers. The dataset returned holds the pixel-describing tags.
    """
    ds: Dataset | None = None
    if header is not None:
        try:
            native = read_native_pixels(path, header)
            if native is None and pixel_data_offset is not None:
                ds = dataset_with_encapsulated_pixels(path, header, pixel_data_offset)
        except OSError as error:
            detail = f"file #{file_index}: pixels could not be read ({type(error).__name__})"
            raise SeriesRejected("pixel_decode_failed", detail, stage="pixels") from error
        if native is not None:
            return header, native
    try:
        if ds is None:
            ds = pydicom.dcmread(path, force=False)
        if "PixelData" not in ds:
            raise SeriesRejected("no_pixel_data", f"file #{file_index} has no pixel data", stage="pixels")
        pixels = _decode_on_any_core(ds)
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


def _decode_on_any_core(ds: Dataset) -> np.ndarray:
    """The stored values: through the imagecodecs plugin (GIL released) where it decodes them, else pydicom's own."""
    try:
        pixels = decode_with_imagecodecs(ds)
    except Exception:  # any failure: pydicom's own plugins decode it, or say what is wrong with it
        pixels = None
    return ds.pixel_array if pixels is None else pixels


def padding_mask(ds: Dataset, stored: np.ndarray) -> np.ndarray | None:
    """Stored values flagged by PixelPaddingValue (and PixelPaddingRangeLimit where present)."""
    padding = header_value(ds, "PixelPaddingValue")
    if padding is None:
        return None
    limit = header_value(ds, "PixelPaddingRangeLimit")
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
        values = _shifted_int16(stored, int(intercept))
        if values is None:
            values = np.clip(stored.astype(np.int32) + int(intercept), INT16_MIN, INT16_MAX).astype(np.int16)
        if padding is not None:
            values[padding] = AIR_HU
        return values
    rescaled = rescale_slice(stored, record)
    if padding is not None:
        rescaled[padding] = AIR_HU if is_ct else 0.0
    return to_storage_dtype(rescaled, is_ct)


def _shifted_int16(stored: np.ndarray, intercept: int) -> np.ndarray | None:
    """``stored + intercept`` computed directly in int16 when neither the values nor the sum leave int16; else None."""
    if stored.dtype.itemsize > 2 or stored.size == 0 or not np.issubdtype(stored.dtype, np.integer):
        return None
    if not INT16_MIN <= intercept <= INT16_MAX:  # not an int16 operand (numpy would raise): the int32 path adds it
        return None
    # Only a bound of the stored dtype that could leave int16 needs the data's own extreme (one pass, not two):
    # int16 values shifted by -1024 can only fall below, uint16 values only rise above.
    info = np.iinfo(stored.dtype)
    low_unsafe = info.min < INT16_MIN or info.min + intercept < INT16_MIN
    high_unsafe = info.max > INT16_MAX or info.max + intercept > INT16_MAX
    low = int(stored.min()) if low_unsafe else int(info.min)
    high = int(stored.max()) if high_unsafe else int(info.max)
    if low < INT16_MIN or high > INT16_MAX or low + intercept < INT16_MIN or high + intercept > INT16_MAX:
        return None
    return np.add(stored, intercept, dtype=np.int16, casting="unsafe")


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


def _header(series: DicomSeriesFiles, file_index: int) -> Dataset | None:
    return series.headers[file_index] if len(series.headers) == len(series.files) else None


def _decode_series_file(series: DicomSeriesFiles, file_index: int) -> tuple[Dataset, np.ndarray]:
    offsets = series.pixel_data_offsets
    offset = offsets[file_index] if len(offsets) == len(series.files) else None
    return decode_file_pixels(series.files[file_index], file_index, _header(series, file_index), offset)


def decode_files(series: DicomSeriesFiles, file_indices: set[int]) -> dict[int, tuple[Dataset, np.ndarray]]:
    """Decode the needed files on a few threads (file reads and most decoders release the GIL)."""
    ordered = sorted(file_indices)
    return dict(zip(ordered, map_on_threads(lambda i: _decode_series_file(series, i), ordered), strict=True))


class SliceSource:
    """The modality values of each distinct position, decoded on demand (or from files decoded up front).

    Single-frame files are decoded one position at a time, so a caller can reduce each slice and
    drop it; multi-frame files hold many positions and are decoded once, up front.
    """

    def __init__(
        self, series: DicomSeriesFiles, records: Sequence[SliceRecord], groups: Sequence[Sequence[int]], is_ct: bool
    ) -> None:
        self.series, self.records, self.groups, self.is_ct = series, records, groups, is_ct
        self.n_copies = sum(len(g) - 1 for g in groups)
        multiframe = any(r.frame_index is not None for r in records)
        needed = {records[i].file_index for group in groups for i in group}
        self.decoded = decode_files(series, needed) if multiframe else None

    def slice_at(self, group_index: int) -> np.ndarray:
        """[j, i] values of one position; every copy at that position must hold the same pixels."""
        group = self.groups[group_index]
        decoded = self.decoded
        if decoded is None:
            files = sorted({self.records[i].file_index for i in group})
            decoded = {i: _decode_series_file(self.series, i) for i in files}
        first = decode_slice(self.records, group[0], decoded, self.is_ct)
        for other in group[1:]:
            if not np.array_equal(first, decode_slice(self.records, other, decoded, self.is_ct)):
                raise SeriesRejected(
                    "duplicate_positions",
                    f"{self.n_copies} slice(s) repeat a position with different pixels (echoes, phases?)",
                )
        return first

    def map(self, function: Callable[[int, np.ndarray], Any]) -> list[Any]:
        """``function(k, slice)`` for every position k, in order, on a few threads (reads and numpy release the GIL).

        The first slice is read first and fixes the matrix size every other slice must have.
        """
        first = self.slice_at(0)

        def one(group_index: int) -> Any:
            values = self.slice_at(group_index)
            if values.shape != first.shape:
                raise SeriesRejected(
                    "mixed_matrix", "slices in this series have different matrix sizes", stage="pixels"
                )
            return function(group_index, values)

        return [function(0, first), *map_on_threads(one, range(1, len(self.groups)))]


def read_slices(
    series: DicomSeriesFiles, records: Sequence[SliceRecord], groups: Sequence[Sequence[int]], is_ct: bool
) -> np.ndarray:
    """Decode and stack one slice per position group as [k, j, i]; copies must hold the same pixels."""
    source = SliceSource(series, records, groups, is_ct)
    slices = source.map(lambda _, values: values)
    return np.stack(slices, axis=0)


def read_dicom_series(
    series: DicomSeriesFiles,
    policy: GeometryPolicy | None = None,
    spacing_mm: Sequence[float] | None = None,
) -> Volume:
    """Decode, rescale and stack a grouped series, correcting its geometry as ``policy`` allows.

    The default policy corrects gantry tilt and mildly uneven steps; see `GeometryPolicy`. Anything
    it does not allow raises SeriesRejected with the reason code. With ``spacing_mm`` (x, y, z) the
    volume comes back resampled as `resample_volume` does it, and ``source_summary`` keeps the
    acquired grid's facts for quality control; a regular CT stack is resampled slice by slice as it
    is read (`SliceStreamResampler`), so the full-resolution volume is never held.
    """
    if not series.headers:
        raise SeriesRejected("too_few_slices", "0 slice(s); a volume needs at least 3", stage="read")
    series = complete_series_headers(series)  # grouped keeping only its first header: the others, read again
    first = series.headers[0]
    modality = str(first.get("Modality", "") or "").upper()
    is_ct = modality == "CT"
    records = collect_slice_records(series.headers)
    plan = series_geometry(records, policy)
    source = SliceSource(series, records, plan.groups, is_ct)
    if spacing_mm is not None and is_ct and plan.decision == "regular":
        return _read_resampled_while_reading(source, records, plan, modality, spacing_mm)
    array = np.stack(source.map(lambda _, values: values), axis=0)
    native_shape = list(array.shape)
    array = apply_geometry_plan(array, plan, float(AIR_HU) if is_ct else 0.0)
    volume = Volume(
        array=array,
        affine_lps=plan.affine_lps,
        intensity_unit="HU" if is_ct else "raw",
        rescale_applied=any(r.slope is not None or r.intercept is not None for r in records),
    )
    volume.metadata = _read_facts(series, records, plan, modality, volume.spacing_mm, volume.shape, native_shape)
    if spacing_mm is None:
        return volume
    summary = summarize_volume(volume)
    resampled = resample_volume(volume, spacing_mm)
    resampled.source_summary = summary
    return resampled


def _read_facts(
    series: DicomSeriesFiles,
    records: Sequence[SliceRecord],
    plan: GeometryPlan,
    modality: str,
    spacing_mm: Sequence[float],
    shape: Sequence[int],
    acquired_shape: Sequence[int],
) -> dict[str, Any]:
    """PHI-free facts of how the volume was read, stored with it (``Volume.metadata``)."""
    multiframe = any(r.frame_index is not None for r in records)
    facts: dict[str, Any] = {
        "source_format": "dicom-enhanced" if multiframe else "dicom",
        "modality": modality or None,
        "n_files": len(series.files),
        "gantry_tilt_deg": round(abs(plan.gantry_tilt_deg), 3),
        "geometry_decision": plan.decision,
        "native_spacing_mm": list(spacing_mm),
        "native_shape": list(shape),
        "acquired_shape": list(acquired_shape),
        "dropped_duplicate_slices": sum(len(g) - 1 for g in plan.groups),
    }
    if plan.decision != "regular":
        steps = np.diff(plan.z_mm)
        facts["acquired_steps_mm"] = [round(float(steps.min()), 4), round(float(steps.max()), 4)]
        facts["max_in_plane_drift_mm"] = round(plan.max_in_plane_drift_mm, 3)
    return facts


def _read_resampled_while_reading(
    source: SliceSource,
    records: Sequence[SliceRecord],
    plan: GeometryPlan,
    modality: str,
    spacing_mm: Sequence[float],
) -> Volume:
    """A regular CT stack read slice by slice onto the target grid; only the in-plane-reduced stack is held."""
    header = source.series.headers[0]
    rows, columns = int(header.get("Rows", 0) or 0), int(header.get("Columns", 0) or 0)
    shape = (len(plan.groups), rows, columns)
    resampler = SliceStreamResampler(plan.affine_lps, shape, spacing_mm, cval=float(AIR_HU))
    stack = np.empty((shape[0], *resampler.reduced_slice_shape), dtype=np.float32)

    def reduce(k: int, values: np.ndarray) -> tuple[int, int]:
        if values.shape != (rows, columns):
            raise SeriesRejected("mixed_matrix", "slice matrix differs from Rows x Columns", stage="pixels")
        resampler.reduce_slice(values, out=stack[k])
        return int(values.min()), int(values.max())

    ranges = source.map(reduce)
    native_spacing = spacing_of(plan.affine_lps)
    summary = SourceSummary(
        shape, native_spacing, float(min(low for low, _ in ranges)), float(max(high for _, high in ranges))
    )
    array = resampler.finish(stack, np.int16)
    volume = Volume(
        array=array,
        affine_lps=resampler.affine_lps,
        intensity_unit="HU",
        rescale_applied=any(r.slope is not None or r.intercept is not None for r in records),
        source_summary=summary,
    )
    volume.metadata = {
        **_read_facts(source.series, records, plan, modality, native_spacing, shape, shape),
        "resampled_spacing_mm": [float(v) for v in spacing_mm],
        "resample_order": 1,
        "anti_aliased": True,
    }
    return volume
