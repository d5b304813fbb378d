"""NIfTI export with a dcm2niix-style JSON sidecar, and the library side of ``ctcurate convert``.

Volumes are written as ``.nii.gz`` in RAS with qform and sform both set (code 1, scanner) and, for
CT, int16 HU with scl_slope 1 / scl_inter 0. Output names are ``series-<NNN>_<modality>``: numbered
in series order, with no UID, date or description in them.

    >>> summary = convert_dicom_folder(Path("incoming/exam"), Path("nifti_out"))
    >>> [(c["name"], c["geometry_decision"]) for c in summary.converted]       # an 18.5 deg tilted head CT
    [('series-001_ct', 'resampled_tilt'), ('series-002_ct', 'regular')]
    >>> [(s["name"], s["reason"]) for s in summary.skipped]
    [('S1000/I10', 'localizer')]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np

from curation.imaging.dicom_volume import read_dicom_series
from curation.imaging.errors import SeriesRejected
from curation.imaging.geometry_policy import GeometryPolicy
from curation.imaging.series_grouping import DicomSeriesFiles, group_dicom_series
from curation.imaging.series_metadata import series_metadata
from curation.imaging.volume import Volume

QUARANTINE_REASONS = {"pixel_decode_failed", "unreadable_dicom", "unreadable_nifti"}
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def nifti_image(volume: Volume) -> nib.Nifti1Image:
    """RAS NIfTI of a volume: data [i, j, k], qform = sform = affine_ras (code 1)."""
    data = np.ascontiguousarray(np.transpose(volume.array, (2, 1, 0)))
    if volume.intensity_unit == "HU" and data.dtype != np.int16:
        data = np.clip(np.rint(data), -32768, 32767).astype(np.int16)
    image = nib.Nifti1Image(data, volume.affine_ras)
    image.header.set_data_dtype(data.dtype)
    image.set_qform(volume.affine_ras, code=1)
    image.set_sform(volume.affine_ras, code=1)
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


def convert_one_series(
    name: str,
    series: DicomSeriesFiles,
    out_dir: Path,
    resample_spacing: Sequence[float] | None,
    policy: GeometryPolicy | None = None,
) -> dict[str, Any]:
    volume = read_dicom_series(series, policy, spacing_mm=resample_spacing)  # resampled while read when asked
    nii_path, json_path = write_nifti_with_sidecar(volume, out_dir / name, series_metadata(series.headers[0]))
    return {
        "name": name,
        "nifti": nii_path.name,
        "sidecar": json_path.name,
        "n_files": len(series.files),
        "shape_kji": list(volume.shape),
        "spacing_mm": list(volume.spacing_mm),
        "geometry_decision": volume.metadata.get("geometry_decision"),
        "gantry_tilt_deg": volume.metadata.get("gantry_tilt_deg"),
    }


def convert_dicom_folder(
    in_dir: Path,
    out_dir: Path,
    resample_spacing: Sequence[float] | None = None,
    policy: GeometryPolicy | None = None,
) -> ConvertSummary:
    """Convert every series under ``in_dir`` to NIfTI + sidecar in ``out_dir``, one per volume.

    Each volume is written at its native grid (unless ``resample_spacing``); a tilted or unevenly
    spaced series is written corrected, as dcm2niix's ``_Tilt``/``_Eq`` files, when ``policy`` (default
    `GeometryPolicy()`) allows it; the sidecar and the summary carry the geometry decision. Counts are
    in files: discovered = converted + skipped + quarantined. File-level entries name the file by its
    path relative to ``in_dir``; series-level entries by their output name.
    """
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    files = discover_files(in_dir)
    grouping = group_dicom_series(files)
    summary = ConvertSummary(discovered_files=len(files))
    for index, series in enumerate(grouping.series, start=1):
        name = output_name(index, series)
        try:
            summary.converted.append(convert_one_series(name, series, out_dir, resample_spacing, policy))
            summary.converted_files += len(series.files)
        except SeriesRejected as rejected:
            entry = {
                "name": name,
                "reason": rejected.reason_code,
                "stage": rejected.stage,
                "detail": rejected.detail,
                "n_files": len(series.files),
                **rejected.measurements,
            }
            if rejected.reason_code in QUARANTINE_REASONS:
                summary.quarantined.append(entry)
                summary.quarantined_files += len(series.files)
            else:
                summary.skipped.append(entry)
                summary.skipped_files += len(series.files)
    for item in grouping.rejected:
        entry = {
            "name": _relative(item.path, in_dir),
            "reason": item.reason_code,
            "file_kind": item.file_kind,
            "n_files": 1,
        }
        if item.disposition == "quarantined":
            summary.quarantined.append(entry)
            summary.quarantined_files += 1
        else:
            summary.skipped.append(entry)
            summary.skipped_files += 1
    return summary
