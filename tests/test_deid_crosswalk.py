"""The re-identification crosswalk: owner-only, atomic, merged, consistent with de-identified headers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydicom.dataset import Dataset

from curation.deid.crosswalk import (
    CrosswalkError,
    CrosswalkRow,
    crosswalk_rows_from_header,
    read_crosswalk,
    write_crosswalk,
)
from curation.deid.dicom_header import DeidOptions, deidentify_dataset
from curation.pseudonyms import Pseudonymizer

SECRET = b"test-secret-0123456789abcdef"


def header(patient: str = "MRN0042", accession: str = "ACC77", series: str = "1.2.826.0.1.1.2") -> Dataset:
    ds = Dataset()
    ds.PatientID, ds.PatientName, ds.AccessionNumber = patient, "DOE^JANE", accession
    ds.StudyInstanceUID, ds.SeriesInstanceUID = "1.2.826.0.1.1", series
    return ds


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_rows_match_the_deidentified_header() -> None:
    p = Pseudonymizer(SECRET)
    original = header()
    rows = {row.kind: row for row in crosswalk_rows_from_header(original, p, "site_a")}
    clean = deidentify_dataset(original, p, "site_a", DeidOptions()).dataset
    assert rows["patient_id"].pseudonym == clean.PatientID and rows["patient_id"].original == "MRN0042"
    assert rows["accession_number"].pseudonym == clean.AccessionNumber
    assert rows["accession_number"].catalog_id == p.accession("site_a", "ACC77")
    assert rows["study_instance_uid"].pseudonym == clean.StudyInstanceUID
    assert rows["study_instance_uid"].catalog_id == p.study_id("1.2.826.0.1.1")
    assert rows["series_instance_uid"].pseudonym == clean.SeriesInstanceUID


def test_written_owner_only_and_merged(tmp_path: Path) -> None:
    p = Pseudonymizer(SECRET)
    secrets = tmp_path / "warehouse" / "secrets"
    first = crosswalk_rows_from_header(header(), p, "site_a")
    path = write_crosswalk(first, secrets)
    assert path == secrets / "crosswalk.csv"
    assert mode(secrets) == 0o700 and mode(path) == 0o600
    second = crosswalk_rows_from_header(header("MRN0043", "ACC78", "1.2.826.0.1.1.3"), p, "site_a")
    write_crosswalk([*second, *first], secrets)  # rows already there are not duplicated
    rows = read_crosswalk(path)
    assert sorted(rows) == sorted(set(first) | set(second)) and len(rows) == 7  # the study is shared
    assert mode(path) == 0o600
    assert [f.name for f in secrets.iterdir()] == ["crosswalk.csv"]  # no temporary file left behind
    assert path.read_text().splitlines()[0] == "kind,institution,original,pseudonym,catalog_id"


def test_loose_folder_is_tightened(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o755)
    os.chmod(secrets, 0o755)
    write_crosswalk([CrosswalkRow("patient_id", "site_a", "MRN1", "pat_x", "pat_x")], secrets)
    assert mode(secrets) == 0o700


def test_unsafe_places_are_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    row = CrosswalkRow("patient_id", "site_a", "MRN1", "pat_x", "pat_x")
    with pytest.raises(CrosswalkError, match="symbolic link"):
        write_crosswalk([row], link)
    with pytest.raises(CrosswalkError, match="folder"):
        write_crosswalk([row], tmp_path / "secrets", name="../crosswalk.csv")
    assert not any(real.iterdir()) and not (tmp_path / "crosswalk.csv").exists()


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = tmp_path / "secrets"
    path = write_crosswalk([CrosswalkRow("patient_id", "site_a", "MRN1", "pat_x", "pat_x")], secrets)
    before = path.read_text()

    def fail(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_crosswalk([CrosswalkRow("patient_id", "site_a", "MRN2", "pat_y", "pat_y")], secrets)
    assert path.read_text() == before
    assert [f.name for f in secrets.iterdir()] == ["crosswalk.csv"]
