"""The cohort manifest, ``cohort.yaml``: what a cohort folder holds and how to read it.

A cohort folder is one institution's delivery: images in any layout and, optionally, a reports file.
Example ``cohort.yaml``::

    institution: site_a            # a site code, not the hospital's name
    description: Chest CT 2019-2021
    images: images                 # folder to search for images (default: the cohort folder)
    reports:
      path: reports.csv            # CSV or JSONL
      key_column: AccessionNumber  # the study key of each report
      key_type: accession_number   # accession_number or study_instance_uid
      text_column: ReportText
      language: en
    options:
      resample_profile: isotropic-1.5   # native, ct-rate, merlin, isotropic-1.5
      spacing_mm: [1.0, 1.0, 2.0]       # explicit spacing (x, y, z), instead of a profile
      write_crosswalk: false            # original -> pseudonym table, only in the warehouse's secrets/

NIfTI images carry their study keys in a JSON sidecar of the same stem (``ct.nii.gz`` and
``ct.json``), as dcm2niix writes them, plus optional label masks::

    {"PatientID": "...", "StudyInstanceUID": "...", "AccessionNumber": "...", "StudyDate": "20200115",
     "Modality": "CT", "PatientSex": "F", "PatientAge": "054Y",
     "Masks": [{"file": "ct_organs.nii.gz", "name": "organs", "labels": {"1": "liver", "2": "spleen"}}]}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

MANIFEST_NAME = "cohort.yaml"
REPORT_KEY_TYPES = ("accession_number", "study_instance_uid")


class ManifestError(ValueError):
    """cohort.yaml is missing or malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class ReportsSpec:
    path: Path
    key_column: str
    text_column: str
    key_type: str = "accession_number"
    language: str = "en"

    @property
    def format(self) -> str:
        return "jsonl" if self.path.suffix.lower() in {".jsonl", ".ndjson"} else "csv"


@dataclass(frozen=True)
class CohortOptions:
    resample_profile: str = "isotropic-1.5"
    spacing_mm: tuple[float, float, float] | None = None
    write_crosswalk: bool = False

    @property
    def resample_label(self) -> str:
        if self.spacing_mm is not None:
            return "spacing:" + "x".join(f"{s:g}" for s in self.spacing_mm)
        return self.resample_profile


@dataclass(frozen=True)
class CohortManifest:
    root: Path
    institution: str
    images_dir: Path
    reports: ReportsSpec | None
    options: CohortOptions = field(default_factory=CohortOptions)
    description: str | None = None

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST_NAME

    def metadata_files(self) -> set[Path]:
        """Files of the cohort folder that describe it rather than hold images."""
        files = {self.manifest_path.resolve()}
        if self.reports is not None:
            files.add(self.reports.path.resolve())
        return files

    def to_json(self) -> str:
        """The manifest as JSON with paths relative to the cohort folder (no absolute paths)."""
        data: dict[str, Any] = {
            "institution": self.institution,
            "description": self.description,
            "images": str(self.images_dir.relative_to(self.root)),
            "options": asdict(self.options),
        }
        if self.reports is not None:
            reports = asdict(self.reports)
            reports["path"] = str(self.reports.path.relative_to(self.root))
            data["reports"] = reports
        return json.dumps(data, sort_keys=True)


def load_manifest(cohort_dir: str | Path) -> CohortManifest:
    root = Path(cohort_dir).resolve()
    path = root / MANIFEST_NAME
    if not root.is_dir():
        raise ManifestError(f"{root}: not a folder")
    if not path.is_file():
        raise ManifestError(f"{path}: missing; a cohort folder needs a {MANIFEST_NAME} (see the README)")
    try:
        spec = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ManifestError(f"{path}: not valid YAML ({error.__class__.__name__})") from None
    if not isinstance(spec, dict):
        raise ManifestError(f"{path}: expected a mapping at the top level")
    return _parse(root, path, spec)


def _parse(root: Path, path: Path, spec: dict[str, Any]) -> CohortManifest:
    institution = spec.get("institution")
    if not institution or not isinstance(institution, str):
        raise ManifestError(f"{path}: 'institution' (a site code) is required")
    images_dir = (root / str(spec.get("images", "."))).resolve()
    if not images_dir.is_dir():
        raise ManifestError(f"{path}: images folder {spec.get('images')!r} does not exist")
    return CohortManifest(
        root=root,
        institution=institution,
        images_dir=images_dir,
        reports=_parse_reports(root, path, spec.get("reports")),
        options=_parse_options(path, spec.get("options") or {}),
        description=spec.get("description"),
    )


def _parse_reports(root: Path, path: Path, spec: Any) -> ReportsSpec | None:
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ManifestError(f"{path}: 'reports' must be a mapping")
    missing = [key for key in ("path", "key_column", "text_column") if not spec.get(key)]
    if missing:
        raise ManifestError(f"{path}: reports needs {', '.join(missing)}")
    reports_path = (root / spec["path"]).resolve()
    if not reports_path.is_file():
        raise ManifestError(f"{path}: reports file {spec['path']!r} does not exist")
    key_type = spec.get("key_type", "accession_number")
    if key_type not in REPORT_KEY_TYPES:
        raise ManifestError(f"{path}: reports.key_type must be one of {', '.join(REPORT_KEY_TYPES)}")
    return ReportsSpec(
        path=reports_path,
        key_column=str(spec["key_column"]),
        text_column=str(spec["text_column"]),
        key_type=key_type,
        language=str(spec.get("language", "en")),
    )


def _parse_options(path: Path, spec: dict[str, Any]) -> CohortOptions:
    spacing = spec.get("spacing_mm")
    if spacing is not None:
        if not (isinstance(spacing, list) and len(spacing) == 3 and all(float(s) > 0 for s in spacing)):
            raise ManifestError(f"{path}: options.spacing_mm must be three positive numbers (x, y, z)")
        spacing = tuple(float(s) for s in spacing)
    return CohortOptions(
        resample_profile=str(spec.get("resample_profile", "isotropic-1.5")),
        spacing_mm=spacing,
        write_crosswalk=bool(spec.get("write_crosswalk", False)),
    )
