"""Grouping a cohort without keeping every header (bounded memory), and reading them again per series.

``group_dicom_series(keep_headers=False)`` keeps one header per series; `complete_series_headers`
reads the rest when the series is read. Both ways must give the same series, the same volumes and the
same ingest results; a file that changed in between refuses its series with ``files_changed``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from curation.cohort.manifest import load_manifest
from curation.imaging.dicom_volume import read_dicom_series
from curation.imaging.errors import SeriesRejected
from curation.imaging.series_grouping import group_dicom_series
from curation.imaging.series_headers import complete_series_headers
from curation.ingest.cohort_plan import plan_cohort
from curation.ingest.header_budget import ENVIRONMENT_VARIABLE, header_budget_files, keeps_all_headers
from curation.ingest.series_batch import SeriesContext, ingest_series_batch
from curation.provenance import RunContext
from curation.pseudonyms import Pseudonymizer
from curation.sample_cohort import generate_sample_cohorts
from curation.storage.warehouse_layout import Warehouse
from tests.conftest import shared_fixture
from tests.synthetic_dicom import write_ct_series

FIXTURE_FOLDERS = (
    "ct_chest_j2k",
    "ct_head_gantry_tilt_ge",
    "ct_phantom_philips_tilt",
    "ct_series_with_gap",
    "ct_with_dicom_seg",
    "enhanced_and_j2k_ct",
    "transfer_syntaxes",
    "edge_cases",
)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.mark.fixtures
@pytest.mark.parametrize("name", FIXTURE_FOLDERS)
def test_grouping_without_headers_gives_the_same_series_and_headers_read_again(name: str) -> None:
    files = _files(shared_fixture(f"dicom/{name}"))
    kept = group_dicom_series(files)
    lean = group_dicom_series(files, keep_headers=False)
    assert lean.rejected == kept.rejected
    assert len(lean.series) == len(kept.series)
    for full, first_only in zip(kept.series, lean.series, strict=True):
        assert (first_only.series_uid, first_only.split_index, first_only.files) == (
            full.series_uid,
            full.split_index,
            full.files,
        )
        assert first_only.pixel_data_offsets == full.pixel_data_offsets
        assert first_only.sop_instance_uids == [str(h.get("SOPInstanceUID", "")) for h in full.headers]
        assert len(first_only.headers) == 1 and first_only.headers[0] == full.headers[0]
        assert first_only.has_all_headers == (len(full.files) == 1)
        completed = complete_series_headers(first_only)
        assert completed.has_all_headers
        assert completed.headers == full.headers
        assert completed.pixel_data_offsets == full.pixel_data_offsets


@pytest.mark.fixtures
def test_a_series_read_from_headers_read_again_is_the_same_volume() -> None:
    files = _files(shared_fixture("dicom/ct_phantom_philips_tilt"))
    full = group_dicom_series(files).series[0]
    lean = group_dicom_series(files, keep_headers=False).series[0]
    expected = read_dicom_series(full, spacing_mm=(1.5, 1.5, 1.5))
    actual = read_dicom_series(lean, spacing_mm=(1.5, 1.5, 1.5))  # reads the other headers itself
    assert np.array_equal(actual.array, expected.array)
    assert np.allclose(actual.affine_lps, expected.affine_lps)
    assert actual.metadata == expected.metadata


def _synthetic_series(folder: Path, n: int = 6) -> list[Path]:
    hu = np.full((n, 16, 16), 40, dtype=np.int16)
    return write_ct_series(folder, hu)


def test_a_file_changed_after_grouping_refuses_its_series(tmp_path: Path) -> None:
    paths = _synthetic_series(tmp_path / "a")
    other = _synthetic_series(tmp_path / "b")
    series = group_dicom_series(paths, keep_headers=False).series[0]
    shutil.copyfile(other[2], paths[2])  # same place, another series' slice
    with pytest.raises(SeriesRejected, match=r"file #2 is no longer the image slice") as refused:
        complete_series_headers(series)
    assert refused.value.reason_code == "files_changed"
    paths[4].write_text("not DICOM any more")
    with pytest.raises(SeriesRejected, match="files_changed"):
        complete_series_headers(series)


def test_the_header_budget_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    assert keeps_all_headers(50_000) and not keeps_all_headers(50_001)
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "0")
    assert header_budget_files() == 0 and not keeps_all_headers(1)
    for wrong in ("many", "-3", "1.5"):
        monkeypatch.setenv(ENVIRONMENT_VARIABLE, wrong)
        with pytest.raises(ValueError, match=ENVIRONMENT_VARIABLE):
            header_budget_files()


def _ingest_site(cohort: Path, warehouse_root: Path) -> dict[str, list]:
    """Plan one sample site and ingest all its series in one batch: the rows that must not depend on how."""
    plan = plan_cohort(load_manifest(cohort), "site_a", Pseudonymizer(b"h" * 32))
    warehouse = Warehouse.open(warehouse_root)
    context = SeriesContext(
        warehouse,
        RunContext(kind="ingest", cohort="site_a"),
        "site_a",
        plan.resample_label,
        plan.target_spacing_mm,
        plan.studies,
    )
    batch = ingest_series_batch(plan.series, context, "series-00000")
    tables = {Path(part).parts[1]: pq.read_table(warehouse.path(part)) for part in batch.parts}
    volumes = tables["volumes"].sort_by("volume_id")
    return {
        "dicom_series_with_all_headers": [i.dicom.has_all_headers for i in plan.series if i.dicom is not None],
        "outcomes": sorted((o.series_id, o.status) for o in batch.outcomes),
        "dispositions": sorted((d.file_hash, d.disposition, d.reason_code or "") for d in batch.dispositions),
        "volumes": volumes.select(["volume_id", "content_hash", "shape"]).to_pylist(),
    }


def test_a_cohort_planned_without_every_header_ingests_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_sample_cohorts(tmp_path / "cohorts", n_patients_per_site=2, image_size=32, n_slices=12)
    cohort = tmp_path / "cohorts" / "site_a"
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    kept = _ingest_site(cohort, tmp_path / "kept")
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "0")
    lean = _ingest_site(cohort, tmp_path / "lean")
    assert all(kept.pop("dicom_series_with_all_headers"))
    assert not any(lean.pop("dicom_series_with_all_headers"))
    assert kept["volumes"] and kept["outcomes"]
    assert lean == kept
