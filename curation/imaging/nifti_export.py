"""NIfTI export with a dcm2niix-style JSON sidecar, and the library side of ``ctcurate convert``.

Volumes are written as ``.nii.gz`` in RAS with qform and sform both set (code 1, scanner) and, for
CT, int16 HU with scl_slope 1 / scl_inter 0. Output names are ``series-<NNN>_<modality>``: numbered
in series order, with no UID, date or description in them.

A DICOM SEG goes with the series it labels, matched as ingest matches it (`match_seg_to_series`), and
is placed on that volume's grid as ingest places it (`place_segs`: world coordinates, nearest
neighbour): ``<name>_seg-<n>.nii.gz`` (uint8/uint16, value = segment number, same affine as the image)
with ``<name>_seg-<n>.json`` naming the segments; segments that overlap become one map each,
``<name>_seg-<n>_s<m>``. A SEG that matches no series, or cannot be placed, is quarantined with its
reason code; one on a series that is not converted shares that series' entry.

    >>> summary = convert_dicom_folder(Path("incoming/exam"), Path("nifti_out"))
    >>> [(c["name"], c["geometry_decision"]) for c in summary.converted]       # an 18.5 deg tilted head CT
    [('series-001_ct', 'resampled_tilt'), ('series-002_ct', 'regular')]
    >>> [(s["name"], s["reason"]) for s in summary.skipped]
    [('S1000/I10', 'localizer')]
    >>> [(m["nifti"], m["labels"]) for m in summary.converted[0]["segmentations"]]   # with a liver SEG
    [('series-001_ct_seg-1.nii.gz', {1: 'Liver'})]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
from pydicom.errors import InvalidDicomError

from curation.imaging.dicom_files import read_dicom_header
from curation.imaging.dicom_seg import DicomSegLabels, place_segs
from curation.imaging.dicom_volume import read_dicom_series
from curation.imaging.errors import SeriesRejected
from curation.imaging.geometry_policy import GeometryPolicy
from curation.imaging.seg_reference import frame_of_reference_uid, match_seg_to_series
from curation.imaging.series_grouping import DicomSeriesFiles, FileDisposition, group_dicom_series
from curation.imaging.series_metadata import series_metadata
from curation.imaging.volume import Volume

QUARANTINE_REASONS = {"pixel_decode_failed", "unreadable_dicom", "unreadable_nifti"}
SEG_FILE_REASON = "dicom_seg"  # how file classification sets a DICOM SEG aside: it is matched to its series here
# dcm2niix sidecar key -> series_metadata key (series_description_raw is left out on purpose: PHI).
SIDECAR_KEYS = {
    "Modality": "modality",
    "Manufacturer": "manufacturer",
    "ManufacturersModelName": "manufacturer_model",
    "ConvolutionKernel": "convolution_kernel",
    "SliceThickness": "slice_thickness_mm",
    "KVP": "kvp",
    "ImageType": "image_type",
    "ImageOrientationPatientDICOM": "image_orientation",
    "BodyPartExamined": "body_part",
}


@dataclass
class ConvertSummary:
    converted: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    discovered_files: int = 0
    converted_files: int = 0
    skipped_files: int = 0
    quarantined_files: int = 0
    label_maps_written: int = 0  # NIfTI label maps from DICOM SEGs (not a file count: a SEG may give several)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def nifti_image(volume: Volume) -> nib.Nifti1Image:
    """RAS NIfTI of a volume: data [i, j, k], qform = sform = affine_ras (code 1)."""
    data = np.ascontiguousarray(np.transpose(volume.array, (2, 1, 0)))
    if volume.intensity_unit == "HU" and data.dtype != np.int16:
        data = np.clip(np.rint(data), -32768, 32767).astype(np.int16)
    return _ras_image(data, volume.affine_ras)


def label_map_image(labels: np.ndarray, volume: Volume) -> nib.Nifti1Image:
    """RAS NIfTI of a [k, j, i] label map on ``volume``'s grid: same affine as `nifti_image` (volume), same dtype."""
    if labels.shape != volume.shape:
        raise ValueError(f"label map shape {labels.shape} is not the volume's {volume.shape}")
    return _ras_image(np.ascontiguousarray(np.transpose(labels, (2, 1, 0))), volume.affine_ras)


def _ras_image(data_ijk: np.ndarray, affine_ras: np.ndarray) -> nib.Nifti1Image:
    image = nib.Nifti1Image(data_ijk, affine_ras)
    image.header.set_data_dtype(data_ijk.dtype)
    image.set_qform(affine_ras, code=1)
    image.set_sform(affine_ras, code=1)
    image.header.set_slope_inter(1.0, 0.0)
    image.header.set_xyzt_units("mm", "sec")
    return image


def sidecar_contents(volume: Volume, header_facts: dict[str, Any] | None) -> dict[str, Any]:
    facts = header_facts or {}
    sidecar = {key: facts.get(source) for key, source in SIDECAR_KEYS.items() if facts.get(source) is not None}
    if "Modality" not in sidecar and volume.metadata.get("modality"):
        sidecar["Modality"] = volume.metadata["modality"]
    meta = volume.metadata
    sidecar["ctcurate"] = {
        "geometry_decision": meta.get("geometry_decision"),
        "native_spacing_mm": meta.get("native_spacing_mm"),
        "native_shape": meta.get("native_shape"),
        "spacing_mm": list(volume.spacing_mm),
        "shape_kji": list(volume.shape),
        "gantry_tilt_deg": meta.get("gantry_tilt_deg"),
        "intensity_unit": volume.intensity_unit,
        "rescale_applied": bool(volume.rescale_applied),
        "source_format": meta.get("source_format"),
        "resampled_spacing_mm": meta.get("resampled_spacing_mm"),
        "acquired_shape": meta.get("acquired_shape"),
        "acquired_steps_mm": meta.get("acquired_steps_mm"),
        "max_in_plane_drift_mm": meta.get("max_in_plane_drift_mm"),
        "dropped_duplicate_slices": meta.get("dropped_duplicate_slices"),
        "affine_convention": "NIfTI sform/qform are RAS; DICOM LPS = diag(-1, -1, 1) x RAS",
    }
    return sidecar


def write_nifti_with_sidecar(
    volume: Volume, out_stem: Path, header_facts: dict[str, Any] | None = None
) -> tuple[Path, Path]:
    """Write ``<out_stem>.nii.gz`` and ``<out_stem>.json``; ``header_facts`` is `series_metadata` output."""
    out_stem = Path(out_stem)
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    nii_path = out_stem.with_name(out_stem.name + ".nii.gz")
    json_path = out_stem.with_name(out_stem.name + ".json")
    nib.save(nifti_image(volume), str(nii_path))  # on disk: scl_slope 1, scl_inter 0
    json_path.write_text(json.dumps(sidecar_contents(volume, header_facts), indent=2, default=str) + "\n")
    return nii_path, json_path


def discover_files(in_dir: Path) -> list[Path]:
    return sorted(p for p in Path(in_dir).rglob("*") if p.is_file())


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def output_name(index: int, series: DicomSeriesFiles) -> str:
    modality = str(series.headers[0].get("Modality", "") or "unknown").strip().lower() or "unknown"
    modality = "".join(ch for ch in modality if ch.isalnum()) or "unknown"
    return f"series-{index:03d}_{modality}"


def write_seg_label_maps(
    seg: DicomSegLabels, volume: Volume, out_dir: Path, stem: str, image_nifti: str
) -> list[dict[str, Any]]:
    """Each label map of one SEG as ``<stem><suffix>.nii.gz`` + ``.json``; the summary's entry for each."""
    written = []
    for label_map in seg.maps:
        name = stem + label_map.suffix
        nii_path, json_path = out_dir / f"{name}.nii.gz", out_dir / f"{name}.json"
        nib.save(label_map_image(label_map.labels, volume), str(nii_path))
        labels = dict(sorted(label_map.label_names.items()))
        sidecar = {
            "LabelMapOf": image_nifti,
            "Labels": {str(value): segment for value, segment in labels.items()},  # segment number -> name
            "ctcurate": {
                "source_format": "dicom_seg",
                "placement": "world coordinates, nearest neighbour, onto the image grid",
                "notes": seg.notes,
            },
        }
        json_path.write_text(json.dumps(sidecar, indent=2) + "\n")
        counts = np.bincount(label_map.labels.ravel(), minlength=max(labels) + 1)
        written.append(
            {
                "nifti": nii_path.name,
                "sidecar": json_path.name,
                "labels": labels,
                "n_voxels": {value: int(counts[value]) for value in labels},
                "notes": seg.notes,
            }
        )
    return written


def convert_one_series(
    name: str,
    series: DicomSeriesFiles,
    out_dir: Path,
    resample_spacing: Sequence[float] | None,
    policy: GeometryPolicy | None = None,
    seg_paths: Sequence[Path] = (),
) -> tuple[dict[str, Any], list[tuple[Path, SeriesRejected]]]:
    """(summary entry, SEGs that could not be placed) for one series and the SEGs matched to it."""
    volume = read_dicom_series(series, policy, spacing_mm=resample_spacing)  # resampled while read when asked
    nii_path, json_path = write_nifti_with_sidecar(volume, out_dir / name, series_metadata(series.headers[0]))
    placed, refused_by_number = place_segs(seg_paths, volume, frame_of_reference_uid(series))
    segmentations: list[dict[str, Any]] = []
    for number, seg in placed.items():
        segmentations += write_seg_label_maps(seg, volume, out_dir, f"{name}_seg-{number}", nii_path.name)
    refused = [(seg_paths[number - 1], rejected) for number, rejected in refused_by_number.items()]
    entry = {
        "name": name,
        "nifti": nii_path.name,
        "sidecar": json_path.name,
        "n_files": len(series.files) + len(seg_paths) - len(refused),
        "shape_kji": list(volume.shape),
        "spacing_mm": list(volume.spacing_mm),
        "geometry_decision": volume.metadata.get("geometry_decision"),
        "gantry_tilt_deg": volume.metadata.get("gantry_tilt_deg"),
        "segmentations": segmentations,
    }
    return entry, refused


def match_segs_to_series(
    seg_files: Sequence[FileDisposition], series: Sequence[DicomSeriesFiles]
) -> tuple[dict[int, list[Path]], list[tuple[FileDisposition, str]]]:
    """({series index: its SEG paths}, [(SEG set aside, quarantine reason)]), as the cohort plan attaches them."""
    attached: dict[int, list[Path]] = {}
    unmatched: list[tuple[FileDisposition, str]] = []
    for seg_file in seg_files:
        try:
            header = read_dicom_header(seg_file.path)
        except (OSError, ValueError, EOFError, InvalidDicomError):  # classified a moment ago: changed since
            unmatched.append((seg_file, "unreadable_seg"))
            continue
        match = match_seg_to_series(header, series)
        if match.series_index is None:
            unmatched.append((seg_file, match.outcome))
        else:
            attached.setdefault(match.series_index, []).append(seg_file.path)
    return attached, unmatched


def convert_dicom_folder(
    in_dir: Path,
    out_dir: Path,
    resample_spacing: Sequence[float] | None = None,
    policy: GeometryPolicy | None = None,
) -> ConvertSummary:
    """Convert every series under ``in_dir`` to NIfTI + sidecar in ``out_dir``, one per volume, and every
    DICOM SEG to label maps on the grid of the series it labels.

    Each volume is written at its native grid (unless ``resample_spacing``); a tilted or unevenly
    spaced series is written corrected, as dcm2niix's ``_Tilt``/``_Eq`` files, when ``policy`` (default
    `GeometryPolicy()`) allows it; the sidecar and the summary carry the geometry decision. Counts are
    in files: discovered = converted + skipped + quarantined (a SEG written as label maps is converted;
    a series' entry counts its SEGs). File-level entries name the file by its path relative to
    ``in_dir``; series-level entries by their output name.
    """
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    files = discover_files(in_dir)
    grouping = group_dicom_series(files)
    summary = ConvertSummary(discovered_files=len(files))
    seg_files = [item for item in grouping.rejected if item.reason_code == SEG_FILE_REASON]
    segs_by_series, unmatched = match_segs_to_series(seg_files, grouping.series)
    for index, series in enumerate(grouping.series, start=1):
        name = output_name(index, series)
        seg_paths = segs_by_series.get(index - 1, [])
        try:
            entry, refused = convert_one_series(name, series, out_dir, resample_spacing, policy, seg_paths)
        except SeriesRejected as rejected:
            entry = {
                "name": name,
                "reason": rejected.reason_code,
                "stage": rejected.stage,
                "detail": rejected.detail,
                "n_files": len(series.files) + len(seg_paths),
                **rejected.measurements,
            }
            if seg_paths:
                entry["segmentations"] = [_relative(path, in_dir) for path in seg_paths]
            bucket = "quarantined" if rejected.reason_code in QUARANTINE_REASONS else "skipped"
            _add(summary, bucket, entry)
            continue
        summary.converted.append(entry)
        summary.converted_files += entry["n_files"]
        summary.label_maps_written += len(entry["segmentations"])
        for seg_path, seg_rejected in refused:
            seg_entry = {
                "name": _relative(seg_path, in_dir),
                "reason": seg_rejected.reason_code,
                "file_kind": "dicom",
                "detail": seg_rejected.detail,
                "n_files": 1,
                "segmentation_of": name,
            }
            _add(summary, "quarantined", seg_entry)
    for seg_file, reason in unmatched:
        _add(
            summary,
            "quarantined",
            {"name": _relative(seg_file.path, in_dir), "reason": reason, "file_kind": "dicom", "n_files": 1},
        )
    for item in grouping.rejected:
        if item.reason_code == SEG_FILE_REASON:
            continue
        entry = {
            "name": _relative(item.path, in_dir),
            "reason": item.reason_code,
            "file_kind": item.file_kind,
            "n_files": 1,
        }
        _add(summary, "quarantined" if item.disposition == "quarantined" else "skipped", entry)
    return summary


def _add(summary: ConvertSummary, bucket: str, entry: dict[str, Any]) -> None:
    """``entry`` into the summary's skipped or quarantined list, its files into the matching count."""
    if bucket == "quarantined":
        summary.quarantined.append(entry)
        summary.quarantined_files += entry["n_files"]
    else:
        summary.skipped.append(entry)
        summary.skipped_files += entry["n_files"]
