"""De-identify a folder of DICOM files into ``OUT/<study UID>/<series UID>/<SOP instance UID>.dcm``.

The library side of ``ctcurate deid IN_DIR OUT_DIR --secret-file F``. Every file under ``in_dir`` is read
(recursively, in sorted order); output paths are built only from remapped UIDs, never from input file or
folder names, which often carry names and dates. Files that may hold identifying pixels or free text are
quarantined, not written: burned-in annotation, secondary captures, structured reports (dose reports
included) and encapsulated documents. Pixel data is copied byte for byte (compressed transfer syntaxes
stay as they are). The summary keys each file by its index in discovery order and never holds a path or
an exception message, so it can be logged.

    >>> from pathlib import Path
    >>> from curation.pseudonyms import Pseudonymizer
    >>> summary = deidentify_folder(Path("incoming"), Path("deid"), Pseudonymizer(b"0" * 32))  # doctest: +SKIP
    >>> summary.discovered == summary.written + summary.quarantined + summary.skipped  # doctest: +SKIP
    True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from curation.deid.dicom_header import DeidOptions, deidentify_dataset
from curation.deid.known_phi import KnownPhi
from curation.pseudonyms import Pseudonymizer

SECONDARY_CAPTURE_PREFIX = "1.2.840.10008.5.1.4.1.1.7"
STRUCTURED_REPORT_PREFIX = "1.2.840.10008.5.1.4.1.1.88."
ENCAPSULATED_DOCUMENT_PREFIX = "1.2.840.10008.5.1.4.1.1.104."
MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"

WRITTEN = "written"
QUARANTINED = "quarantined"
SKIPPED = "skipped"


@dataclass(frozen=True)
class FileOutcome:
    index: int  # position of the file in sorted discovery order
    status: str  # written, quarantined or skipped
    reason: str  # e.g. "secondary_capture", "not_dicom", "unreadable:EOFError"; "" when written
    output: str = ""  # output path relative to out_dir (remapped UIDs only) when written


@dataclass
class DeidFolderSummary:
    discovered: int = 0
    written: int = 0
    quarantined: int = 0
    skipped: int = 0
    outcomes: list[FileOutcome] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)  # reason -> count, for quarantined and skipped
    known_phi: dict[str, KnownPhi] = field(default_factory=dict)  # patient pseudonym -> values for reports
    date_shifts: dict[str, int] = field(default_factory=dict)  # patient pseudonym -> days

    def record(self, outcome: FileOutcome) -> None:
        self.outcomes.append(outcome)
        if outcome.status == WRITTEN:
            self.written += 1
        else:
            if outcome.status == QUARANTINED:
                self.quarantined += 1
            else:
                self.skipped += 1
            self.reasons[outcome.reason] = self.reasons.get(outcome.reason, 0) + 1


def deidentify_folder(
    in_dir: Path,
    out_dir: Path,
    pseudonymizer: Pseudonymizer,
    institution: str = "default",
    options: DeidOptions | None = None,
) -> DeidFolderSummary:
    """De-identify every DICOM file under ``in_dir`` into ``out_dir`` (see the module docstring)."""
    options = options or DeidOptions()
    summary = DeidFolderSummary()
    files = discover_files(in_dir)
    summary.discovered = len(files)
    for index, path in enumerate(files):
        summary.record(deidentify_file(index, path, out_dir, pseudonymizer, institution, options, summary))
    return summary


def discover_files(in_dir: Path) -> list[Path]:
    if not in_dir.is_dir():
        raise NotADirectoryError("the input folder does not exist or is not a folder")
    found = []
    for root, dirs, names in os.walk(in_dir):
        dirs.sort()
        found += [Path(root) / name for name in sorted(names)]
    return found


def deidentify_file(
    index: int,
    path: Path,
    out_dir: Path,
    pseudonymizer: Pseudonymizer,
    institution: str,
    options: DeidOptions,
    summary: DeidFolderSummary,
) -> FileOutcome:
    try:
        ds = pydicom.dcmread(path)
    except InvalidDicomError:
        return FileOutcome(index, SKIPPED, "not_dicom")
    except Exception as error:  # the message may quote header values or the path: keep only the type
        return FileOutcome(index, SKIPPED, f"unreadable:{type(error).__name__}")
    reason = quarantine_reason(ds)
    if reason:
        return FileOutcome(index, QUARANTINED, reason)
    try:
        result = deidentify_dataset(ds, pseudonymizer, institution, options)
        relative = output_path(result.dataset)
        write_dataset(result.dataset, out_dir / relative)
    except Exception as error:
        return FileOutcome(index, SKIPPED, f"deid_failed:{type(error).__name__}")
    patient = str(result.dataset.get("PatientID", "") or "")
    previous = summary.known_phi.get(patient)
    summary.known_phi[patient] = result.known_phi if previous is None else previous.merge(result.known_phi)
    if result.date_shift_days is not None:
        summary.date_shifts[patient] = result.date_shift_days
    return FileOutcome(index, WRITTEN, "", relative.as_posix())


def quarantine_reason(ds: Dataset) -> str:
    """Why a file may not be released as pixel data with a cleaned header ("" when it may)."""
    sop_class = sop_class_of(ds)
    if sop_class == MEDIA_STORAGE_DIRECTORY:
        return "dicomdir"
    if str(ds.get("BurnedInAnnotation", "") or "").upper() == "YES":
        return "burned_in_annotation"
    if sop_class.startswith(SECONDARY_CAPTURE_PREFIX):
        return "secondary_capture"
    if sop_class.startswith(STRUCTURED_REPORT_PREFIX) or str(ds.get("Modality", "")).upper() == "SR":
        return "structured_report"
    if sop_class.startswith(ENCAPSULATED_DOCUMENT_PREFIX):
        return "encapsulated_document"
    return ""


def sop_class_of(ds: Dataset) -> str:
    """SOPClassUID, falling back to the file meta where the dataset leaves it empty."""
    value = str(ds.get("SOPClassUID", "") or "")
    if not value and getattr(ds, "file_meta", None) is not None:
        value = str(ds.file_meta.get("MediaStorageSOPClassUID", "") or "")
    return value


def output_path(ds: Dataset) -> Path:
    parts = [str(ds.get(keyword, "") or "") for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")]
    if not all(parts):
        raise ValueError("a de-identified file lacks a study, series or SOP instance UID")
    return Path(parts[0], parts[1], parts[2] + ".dcm")


def write_dataset(ds: Dataset, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    ds.save_as(partial, enforce_file_format=True)
    partial.replace(target)
