"""Ingest a batch of series: read, check, resample, store as Zarr, and write the batch's part files.

One batch is one unit of parallel work. It writes its own ``series``, ``volumes`` and ``quarantine``
parts and returns what the cohort step needs (file dispositions and per-series facts); it never
touches the catalog. A series that fails is quarantined with a reason code; it never stops the batch.

    >>> result = ingest_series_batch(plan.series[:8], context, part="series-0000")  # doctest: +SKIP
    >>> [o.status for o in result.outcomes]  # doctest: +SKIP
    ['ingested', 'ingested', 'quarantined', ...]
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from curation.content_hashing import sha256_parts
from curation.deid.dicom_folder import quarantine_reason
from curation.deid.report_text import scrub_report_text
from curation.imaging.contrast_phase import contrast_phase_facts
from curation.imaging.dicom_seg import place_segs, seg_masks
from curation.imaging.dicom_volume import read_dicom_series
from curation.imaging.errors import SeriesRejected
from curation.imaging.nifti_volume import read_nifti, read_nifti_mask
from curation.imaging.resample import is_resampled_to, resample_volume
from curation.imaging.series_headers import complete_series_headers
from curation.imaging.series_metadata import estimate_body_region, series_metadata
from curation.imaging.volume import Volume
from curation.imaging.volume_qc import check_volume_quality
from curation.imaging.zarr_store import StoredArray, write_volume_group
from curation.ingest.cohort_inventory import FileDisposition
from curation.ingest.cohort_plan import SegAttachment, SeriesItem
from curation.ingest.study_keys import StudyKeys
from curation.provenance import RunContext
from curation.storage.table_parts import write_table_part
from curation.storage.warehouse_layout import Warehouse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeriesContext:
    """What every series of a cohort run needs besides its own files."""

    warehouse: Warehouse
    run: RunContext
    cohort: str
    resample_label: str
    target_spacing_mm: tuple[float, float, float] | None
    studies: dict[str, StudyKeys]


@dataclass
class SeriesOutcome:
    series_id: str
    study_uid: str
    status: str  # ingested or quarantined
    modality: str | None = None
    body_region: str | None = None
    reason_code: str | None = None


@dataclass
class SeriesBatchResult:
    outcomes: list[SeriesOutcome] = field(default_factory=list)
    dispositions: list[FileDisposition] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)


def ingest_series_batch(items: list[SeriesItem], context: SeriesContext, part: str) -> SeriesBatchResult:
    result = SeriesBatchResult()
    series_rows: list[dict[str, Any]] = []
    volume_rows: list[dict[str, Any]] = []
    quarantine_rows: list[dict[str, Any]] = []
    for item in items:
        study = context.studies[item.study_uid]
        input_hash = sha256_parts(*sorted(f.file_hash for f in item.files))
        metadata = _series_metadata(item)
        base_row = {**_base_series_row(item, study, context, input_hash), **_header_columns(metadata, study)}
        if item.suv is not None:
            base_row.update(
                suv_factor=item.suv.factor,
                suv_note=item.suv.reason or item.suv.factor_source,
                paired_ct_series_id=item.paired_ct_series_id,
            )
        try:
            item = _with_all_headers(item)  # this series' copy: the plan keeps one header per large series
            _check_text_in_pixels(item)
            volume, masks = _read_series(item, context.target_spacing_mm)
            volume = _as_suv(volume, item)
            check_volume_quality(volume)  # on the acquired grid, also for a volume resampled while read
            volume, masks = _resample(volume, masks, context.target_spacing_mm)
            seg_masks, refused_segs = _place_segmentations(item, volume)
            masks.update(seg_masks)
            stored = _store(context, study, item, volume, masks)
        except SeriesRejected as rejected:
            _quarantine(result, series_rows, quarantine_rows, base_row, item, study, context, rejected)
            continue
        except Exception as error:  # one bad series never stops the cohort
            unexpected = SeriesRejected("unexpected_error", stage="read", detail=type(error).__name__)
            _quarantine(result, series_rows, quarantine_rows, base_row, item, study, context, unexpected)
            continue
        image = stored[0]
        region = estimate_body_region(volume, metadata.get("body_part"))
        series_rows.append(_ingested_series_row(base_row, volume, image, region))
        volume_rows.extend(_volume_row(s, item, study, context, input_hash) for s in stored)
        result.outcomes.append(
            SeriesOutcome(item.series_id, item.study_uid, "ingested", metadata.get("modality"), region)
        )
        for seg, refused in refused_segs:
            _quarantine_segmentation(result, quarantine_rows, item, study, context, seg, refused)
        refused_files = {id(seg.file) for seg, _refused in refused_segs}
        result.dispositions.extend(
            FileDisposition(f.file_hash, f.size_bytes, _file_kind(item, f), "ingested", None, item.series_id)
            for f in item.files
            if id(f) not in refused_files
        )
    for table, rows in (("series", series_rows), ("volumes", volume_rows), ("quarantine", quarantine_rows)):
        written = write_table_part(context.warehouse, table, rows, context.run, part)
        if written:
            result.parts.append(written)
    return result


# -- reading ------------------------------------------------------------------------------------
def _series_metadata(item: SeriesItem) -> dict[str, Any]:
    """Header facts, read from the de-identified header before any pixel is read (so quarantined
    series carry them too)."""
    if item.deidentified_header is not None:
        return series_metadata(item.deidentified_header)
    assert item.nifti is not None
    values = item.nifti.sidecar_values
    return {
        "modality": values.get("Modality", "CT"),
        "manufacturer": values.get("Manufacturer"),
        "manufacturer_model": values.get("ManufacturersModelName"),
        "convolution_kernel": values.get("ConvolutionKernel"),
        "slice_thickness_mm": values.get("SliceThickness"),
        "body_part": values.get("BodyPartExamined"),
        "series_description_raw": values.get("SeriesDescription"),
        "contrast_agent": values.get("ContrastBolusAgent"),
        **contrast_phase_facts(values),
    }


def _read_series(
    item: SeriesItem, spacing: tuple[float, float, float] | None
) -> tuple[Volume, dict[str, tuple[Path, dict[int, str]]]]:
    """The volume (CT DICOM already on the target grid: resampled while read) and its masks' files."""
    if item.dicom is not None:
        is_pet = item.suv is not None
        # PET is scaled to SUV before it is resampled; everything else is resampled while it is read.
        return read_dicom_series(item.dicom, spacing_mm=None if is_pet else spacing), {}
    assert item.nifti is not None
    masks = {name: (file.path, labels) for name, file, labels in item.nifti.masks}
    return read_nifti(item.nifti.image.path), masks


def _with_all_headers(item: SeriesItem) -> SeriesItem:
    """The item with every file's header, read again where planning kept only the first."""
    if item.dicom is None or item.dicom.has_all_headers:
        return item
    return dataclasses.replace(item, dicom=complete_series_headers(item.dicom))


def _check_text_in_pixels(item: SeriesItem) -> None:
    """Images that may carry text in their pixels (BurnedInAnnotation YES, captures, reports) never enter
    a dataset: header de-identification cannot remove text drawn into the image."""
    for header in item.dicom.headers if item.dicom else ():
        reason = quarantine_reason(header)
        if reason:
            raise SeriesRejected(reason, stage="deid", detail="pixels may carry identifying text")


def _as_suv(volume: Volume, item: SeriesItem) -> Volume:
    """PET activity (Bq/ml after rescale) to body-weight SUV when the factor is known; else kept raw."""
    if item.suv is None or item.suv.factor is None:
        return volume
    array = (volume.array.astype(np.float32) * np.float32(item.suv.factor)).astype(np.float32)
    metadata = {**volume.metadata, **item.suv.to_metadata()}
    return Volume(array, volume.affine_lps, "SUVbw", True, metadata)


def _resample(
    volume: Volume, masks: dict[str, tuple[Path, dict[int, str]]], spacing: tuple[float, float, float] | None
) -> tuple[Volume, dict[str, tuple[np.ndarray, dict[int, str]]]]:
    if spacing is not None and not is_resampled_to(volume, spacing):
        volume = resample_volume(volume, spacing)
    # masks are read onto the (possibly resampled) image grid with nearest-neighbour lookup
    return volume, {name: (read_nifti_mask(path, volume), labels) for name, (path, labels) in masks.items()}


def _store(
    context: SeriesContext,
    study: StudyKeys,
    item: SeriesItem,
    volume: Volume,
    masks: dict[str, tuple[np.ndarray, dict[int, str]]],
) -> list[StoredArray]:
    uri = context.warehouse.volume_uri(context.cohort, study.study_id, item.series_id)
    warehouse = context.warehouse
    if warehouse.is_local:
        Path(warehouse.path(uri)).parent.mkdir(parents=True, exist_ok=True)
        return write_volume_group(warehouse.path(uri), volume, masks or None)
    with tempfile.TemporaryDirectory(prefix="ctcurate-zarr-") as staging:
        local = str(Path(staging) / Path(uri).name)
        stored = write_volume_group(local, volume, masks or None)
        warehouse.fs.put(local, warehouse.path(uri), recursive=True)
        shutil.rmtree(local, ignore_errors=True)
        return stored


# -- rows ---------------------------------------------------------------------------------------
def _base_series_row(item: SeriesItem, study: StudyKeys, context: SeriesContext, input_hash: str) -> dict[str, Any]:
    return {
        "series_id": item.series_id,
        "study_id": study.study_id,
        "patient_id": study.patient_id,
        "cohort": context.cohort,
        "series_uid": item.series_uid_pseudonym,
        "source_format": item.source_format,
        "n_files": len(item.files),
        "input_hash": input_hash,
    }


def _ingested_series_row(base: dict[str, Any], volume: Volume, image: StoredArray, region: str) -> dict[str, Any]:
    facts = volume.metadata
    return {
        **base,
        "status": "ingested",
        "native_spacing_mm": facts.get("native_spacing_mm"),
        "native_shape": facts.get("native_shape"),
        "gantry_tilt_deg": _float(facts.get("gantry_tilt_deg")),
        "geometry_decision": facts.get("geometry_decision"),
        "body_region": region,
        "volume_id": volume_id(image.content_hash),
    }


def _header_columns(metadata: dict[str, Any], study: StudyKeys) -> dict[str, Any]:
    return {
        "modality": metadata.get("modality"),
        "manufacturer": metadata.get("manufacturer"),
        "manufacturer_model": metadata.get("manufacturer_model"),
        "convolution_kernel": metadata.get("convolution_kernel"),
        "kvp": _float(metadata.get("kvp")),
        "slice_thickness_mm": _float(metadata.get("slice_thickness_mm")),
        "image_orientation": metadata.get("image_orientation"),
        "series_description": clean_description(metadata.get("series_description_raw"), study),
        "image_type": metadata.get("image_type"),
        "contrast_agent": metadata.get("contrast_agent"),
        "contrast_phase": metadata.get("contrast_phase"),
        "contrast_phase_source": metadata.get("contrast_phase_source"),
        "body_part": metadata.get("body_part"),
    }


def _volume_row(
    stored: StoredArray, item: SeriesItem, study: StudyKeys, context: SeriesContext, input_hash: str
) -> dict[str, Any]:
    affine = np.asarray(stored.affine_lps, dtype=float)
    return {
        "volume_id": volume_id(stored.content_hash),
        "series_id": item.series_id,
        "study_id": study.study_id,
        "patient_id": study.patient_id,
        "cohort": context.cohort,
        "kind": stored.kind,
        "uri": context.warehouse.volume_uri(context.cohort, study.study_id, item.series_id),
        "array_path": stored.array_path,
        "shape": list(stored.shape),
        "dtype": str(stored.dtype),
        "spacing_mm": list(stored.spacing_mm),
        "affine_lps": affine.ravel().tolist(),
        "affine_ras": (np.diag([-1.0, -1.0, 1.0, 1.0]) @ affine).ravel().tolist(),
        "intensity_unit": stored.intensity_unit,
        "rescale_applied": stored.rescale_applied,
        "resample_profile": context.resample_label if context.target_spacing_mm else "native",
        "value_min": stored.value_min,
        "value_max": stored.value_max,
        "label_names": json.dumps(stored.label_names, sort_keys=True) if stored.label_names else None,
        "content_hash": stored.content_hash,
        "stored_bytes": stored.stored_bytes,
        "input_hash": input_hash,
    }


def _quarantine_row(
    item: SeriesItem,
    study: StudyKeys,
    context: SeriesContext,
    rejected: SeriesRejected,
    input_hash: str,
    file_hashes: list[str] | None = None,
    stage: str | None = None,
) -> dict[str, Any]:
    """The quarantine row of the series (or of ``file_hashes`` of it, at ``stage``: a SEG that cannot be placed)."""
    hashes = sorted(file_hashes if file_hashes is not None else (f.file_hash for f in item.files))
    stage = stage or rejected.stage
    return {
        "item_id": sha256_parts(stage, rejected.reason_code, *hashes)[:24],
        "cohort": context.cohort,
        "stage": stage,
        "reason_code": rejected.reason_code,
        "reason_detail": rejected.detail,
        "study_id": study.study_id,
        "series_id": item.series_id,
        "file_count": len(hashes),
        "file_hashes": hashes,
        "input_hash": input_hash,
    }


def _quarantine(
    result: SeriesBatchResult,
    series_rows: list[dict[str, Any]],
    quarantine_rows: list[dict[str, Any]],
    base_row: dict[str, Any],
    item: SeriesItem,
    study: StudyKeys,
    context: SeriesContext,
    rejected: SeriesRejected,
) -> None:
    log.info("series %s quarantined: %s", item.series_id, rejected.reason_code)
    measured_tilt = (getattr(rejected, "measurements", None) or {}).get("gantry_tilt_deg")
    base_row.update(
        status="quarantined",
        status_reason=rejected.reason_code,
        geometry_decision="quarantined" if rejected.stage == "geometry" else None,
        gantry_tilt_deg=_float(measured_tilt),
    )
    series_rows.append(base_row)
    quarantine_rows.append(_quarantine_row(item, study, context, rejected, base_row["input_hash"]))
    reason = rejected.reason_code
    result.outcomes.append(
        SeriesOutcome(item.series_id, item.study_uid, "quarantined", base_row.get("modality"), None, reason)
    )
    result.dispositions.extend(
        FileDisposition(f.file_hash, f.size_bytes, _file_kind(item, f), "quarantined", reason, item.series_id)
        for f in item.files
    )


def _place_segmentations(
    item: SeriesItem, volume: Volume
) -> tuple[dict[str, tuple[np.ndarray, dict[int, str]]], list[tuple[SegAttachment, SeriesRejected]]]:
    """Masks of the series' SEGs on the image grid, and the SEGs that cannot be placed: those are
    quarantined on their own, the image is still ingested."""
    placed, refused = place_segs(item.seg_paths, volume, item.frame_of_reference_uid)
    return seg_masks(placed), [(item.segmentations[number - 1], rejected) for number, rejected in refused.items()]


def _quarantine_segmentation(
    result: SeriesBatchResult,
    quarantine_rows: list[dict[str, Any]],
    item: SeriesItem,
    study: StudyKeys,
    context: SeriesContext,
    seg: SegAttachment,
    rejected: SeriesRejected,
) -> None:
    log.info("a segmentation of series %s quarantined: %s", item.series_id, rejected.reason_code)
    file_hash = seg.file.file_hash
    quarantine_rows.append(_quarantine_row(item, study, context, rejected, file_hash, [file_hash], "segmentation"))
    result.dispositions.append(
        FileDisposition(
            seg.file.file_hash, seg.file.size_bytes, "dicom_seg", "quarantined", rejected.reason_code, item.series_id
        )
    )


def clean_description(description: Any, study: StudyKeys) -> str | None:
    """Keep a series description only when scrubbing finds nothing identifying in it.

    The engine's Clean Descriptors check knows one header's PHI; this one knows every value seen for
    the study (all series, sidecars), so a name from another header is caught too.
    """
    text = str(description or "").strip()
    if not text:
        return None
    scrubbed = scrub_report_text(text, study.known_phi, None)
    return text if scrubbed.n_replacements == 0 else None


def volume_id(content_hash: str) -> str:
    return "vol_" + content_hash[:24]


def _file_kind(item: SeriesItem, file: Any) -> str:
    if item.nifti is None:
        return "dicom_seg" if any(seg.file is file for seg in item.segmentations) else "dicom"
    if file is item.nifti.image:
        return "nifti"
    return "sidecar" if file is item.nifti.sidecar else "mask"


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None
