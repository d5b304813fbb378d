"""A file that cannot be read, or a folder that cannot be listed, is quarantined; the rest of the cohort goes on.

Hospital shares often hold a few files the ingest account may not read. They are inventoried (keyed by a
hash of their relative path, which only secrets/file_index resolves) and quarantined as
``unreadable_file`` / ``unreadable_folder``, so ``discovered = ingested + quarantined + skipped`` still holds.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from curation.cohort.manifest import load_manifest
from curation.content_hashing import sha256_file
from curation.ingest import cohort_inventory
from curation.ingest.cohort_plan import plan_cohort
from curation.pseudonyms import Pseudonymizer
from tests.synthetic_dicom import write_ct_series


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    root = tmp_path / "cohort"
    write_ct_series(root / "images" / "series-a", np.full((6, 16, 16), 40, dtype=np.int16))
    write_ct_series(root / "images" / "series-b" / "nested", np.full((5, 16, 16), 40, dtype=np.int16))
    (root / "cohort.yaml").write_text("institution: site_u\nimages: images\noptions:\n  resample_profile: native\n")
    return root


def _accounted(plan) -> set[str]:
    planned = {f.file_hash for item in plan.series for f in item.files}
    return planned | {d.file_hash for d in plan.early_dispositions}


def test_an_unreadable_file_is_quarantined_and_its_series_planned_without_it(
    cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = (cohort / "images" / "series-a" / "002.dcm").resolve()

    def hash_or_refuse(path: str | Path) -> str:
        if Path(path) == blocked:
            raise PermissionError(13, "Permission denied", str(path))
        return sha256_file(path)

    monkeypatch.setattr(cohort_inventory, "sha256_file", hash_or_refuse)
    plan = plan_cohort(load_manifest(cohort), "site_u", Pseudonymizer(b"u" * 32))
    refused = [d for d in plan.early_dispositions if d.reason_code == "unreadable_file"]
    assert [(d.disposition, d.file_kind, d.size_bytes) for d in refused] == [("quarantined", "other", 0)]
    assert sorted(len(item.files) for item in plan.series) == [5, 5]
    assert {f.file_hash for f in plan.inventory.files} == _accounted(plan)
    entry = next(f for f in plan.inventory.files if f.kind_guess == "unreadable_file")
    assert entry.relative_path == "images/series-a/002.dcm" and entry.file_hash == refused[0].file_hash


def test_a_folder_that_cannot_be_listed_is_quarantined(cohort: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = (cohort / "images" / "series-b").resolve()
    scandir = os.scandir

    def scan_or_refuse(path: str | Path = ".") -> object:
        if Path(path).resolve() == blocked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", scan_or_refuse)
    plan = plan_cohort(load_manifest(cohort), "site_u", Pseudonymizer(b"u" * 32))
    refused = [d for d in plan.early_dispositions if d.reason_code == "unreadable_folder"]
    assert len(refused) == 1 and refused[0].disposition == "quarantined"
    assert [len(item.files) for item in plan.series] == [6]
    assert {f.file_hash for f in plan.inventory.files} == _accounted(plan)


def test_a_broken_link_is_quarantined(cohort: Path) -> None:
    (cohort / "images" / "series-a" / "moved.dcm").symlink_to(cohort / "images" / "nowhere.dcm")
    plan = plan_cohort(load_manifest(cohort), "site_u", Pseudonymizer(b"u" * 32))
    assert [d.reason_code for d in plan.early_dispositions] == ["unreadable_file"]
    assert [f.relative_path for f in plan.inventory.files if f.kind_guess == "unreadable_file"] == [
        "images/series-a/moved.dcm"
    ]
    assert sorted(len(item.files) for item in plan.series) == [5, 6]
    assert {f.file_hash for f in plan.inventory.files} == _accounted(plan)


@pytest.mark.parametrize("threads", ["1", "3"])
def test_files_are_hashed_on_threads_in_path_order(cohort: Path, monkeypatch: pytest.MonkeyPatch, threads: str) -> None:
    monkeypatch.setenv(cohort_inventory.HASH_THREADS_VARIABLE, threads)
    inventory = cohort_inventory.discover_files(load_manifest(cohort))
    assert [f.relative_path for f in inventory.files] == sorted(f.relative_path for f in inventory.files)
    assert [f.file_hash for f in inventory.files] == [sha256_file(f.path) for f in inventory.files]
    assert len(inventory.files) == 11


def test_a_bad_hash_thread_count_is_an_error_naming_the_variable(cohort: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cohort_inventory.HASH_THREADS_VARIABLE, "zero")
    with pytest.raises(ValueError, match="CTCURATE_HASH_THREADS='zero': expected a whole number of threads"):
        cohort_inventory.discover_files(load_manifest(cohort))
