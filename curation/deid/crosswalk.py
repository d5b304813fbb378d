"""The optional re-identification crosswalk: original identifiers to their pseudonyms, kept as a secret.

Only for sites that must be able to go back (a recall, an incidental finding). It is written ONLY into
the given secrets folder, never next to data: the folder is made (or tightened to) mode 0700, the file
is 0600, written to a temporary file in the same folder and renamed into place (atomic), merged with the
rows already there. A folder that is a symbolic link, or not owned by the current user, is refused.

Rows: ``kind`` (patient_id, accession_number, study_instance_uid, series_instance_uid), ``institution``,
``original``, ``pseudonym`` (the value in de-identified DICOM) and ``catalog_id`` (the key in the warehouse
tables: pat_/acc_/stu_/ser_; the DICOM AccessionNumber holds the first 16 characters of it).

    >>> rows = crosswalk_rows_from_header(header, Pseudonymizer.load_or_create(secrets / "key"), "site_a")
    >>> write_crosswalk(rows, warehouse.secrets_dir)        # -> secrets/crosswalk.csv, mode 0600
    PosixPath('.../secrets/crosswalk.csv')
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from pydicom.dataset import Dataset

from curation.pseudonyms import Pseudonymizer

CROSSWALK_FILE = "crosswalk.csv"
FOLDER_MODE = 0o700
FILE_MODE = 0o600


class CrosswalkError(OSError):
    """The secrets folder is unsafe for a crosswalk (the message names no identifier)."""


@dataclass(frozen=True, order=True)
class CrosswalkRow:
    kind: str
    institution: str
    original: str
    pseudonym: str
    catalog_id: str


COLUMNS = tuple(f.name for f in fields(CrosswalkRow))


def crosswalk_rows_from_header(ds: Dataset, pseudonymizer: Pseudonymizer, institution: str) -> list[CrosswalkRow]:
    """The rows for one (original) header: its patient, accession, study and series, where present."""
    rows: list[CrosswalkRow] = []
    patient = _text(ds, "PatientID")
    if patient:
        pseudonym = pseudonymizer.patient_id(institution, patient)
        rows.append(CrosswalkRow("patient_id", institution, patient, pseudonym, pseudonym))
    accession = _text(ds, "AccessionNumber")
    if accession:
        catalog_id = pseudonymizer.accession(institution, accession)
        rows.append(CrosswalkRow("accession_number", institution, accession, catalog_id[:16], catalog_id))
    study = _text(ds, "StudyInstanceUID")
    if study:
        rows.append(
            CrosswalkRow(
                "study_instance_uid", institution, study, pseudonymizer.uid(study), pseudonymizer.study_id(study)
            )
        )
    series = _text(ds, "SeriesInstanceUID")
    if series:
        rows.append(
            CrosswalkRow(
                "series_instance_uid", institution, series, pseudonymizer.uid(series), pseudonymizer.series_id(series)
            )
        )
    return rows


def write_crosswalk(rows: Iterable[CrosswalkRow], secrets_dir: Path, name: str = CROSSWALK_FILE) -> Path:
    """Merge ``rows`` into ``secrets_dir/name`` atomically, owner-only; returns the file's path."""
    if Path(name).name != name:
        raise CrosswalkError("the crosswalk file name must not contain a folder")
    folder = prepare_secrets_folder(Path(secrets_dir))
    target = folder / name
    merged = sorted(set(read_crosswalk(target)) | set(rows)) if target.exists() else sorted(set(rows))
    write_private_atomically(target, to_csv(merged))
    return target


def read_crosswalk(path: Path) -> list[CrosswalkRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [CrosswalkRow(**{c: row[c] for c in COLUMNS}) for row in csv.DictReader(handle)]


def prepare_secrets_folder(folder: Path) -> Path:
    """Create ``folder`` with mode 0700 or tighten it; refuse symbolic links and other owners' folders."""
    if folder.is_symlink():
        raise CrosswalkError("the secrets folder is a symbolic link")
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    info = folder.stat()
    if not stat.S_ISDIR(info.st_mode):
        raise CrosswalkError("the secrets path is not a folder")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise CrosswalkError("the secrets folder belongs to another user")
    if stat.S_IMODE(info.st_mode) != FOLDER_MODE:
        os.chmod(folder, FOLDER_MODE)
    return folder


def write_private_atomically(target: Path, content: str) -> None:
    """Write to a 0600 temporary file in the same folder, fsync, then rename over ``target``."""
    descriptor, temporary = tempfile.mkstemp(prefix=".crosswalk-", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        os.chmod(target, FILE_MODE)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def to_csv(rows: Iterable[CrosswalkRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(astuple(row) for row in rows)
    return buffer.getvalue()


def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    return "" if value is None else str(value).strip()
