"""The whole path on the generated sample cohorts: ingest both sites through the Prefect flow, then check
the catalog against the generator's truth, the accounting of every file, labels, splits, the training
batch, idempotent reruns, and that no planted PHI reaches any output file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

import flows  # noqa: F401  (configures Prefect's embedded default before it is imported)
from curation.releases.release_builder import ReleaseError, create_release, diff_releases, verify_release
from curation.reports.lexicon import load_lexicon
from curation.sample_cohort import SampleTruth
from curation.storage.catalog import Catalog
from curation.storage.warehouse_layout import Warehouse
from curation.training.batch_loader import load_training_batch
from tests.conftest import SAMPLE_SITES

pytestmark = pytest.mark.flows


def _query(warehouse: Warehouse, sql: str) -> list[dict]:
    return Catalog(warehouse).query(sql).to_pylist()


def test_counts_match_the_truth(ingested):
    truth, warehouse, summaries, _ = ingested
    for site in SAMPLE_SITES:
        expected, summary = truth.sites[site], summaries[site]
        assert summary.n_discovered == expected.n_files
        assert summary.n_discovered == summary.n_ingested + summary.n_quarantined + summary.n_skipped
        assert summary.n_studies == expected.n_studies
        assert summary.n_series_ingested == expected.n_series_volumes
        assert summary.n_series_quarantined == expected.n_gap_series
        assert summary.n_skipped == expected.n_localizers + expected.n_non_image_files
        (row,) = _query(warehouse, f"SELECT * FROM cohort_summary WHERE cohort = '{site}'")
        assert row["n_studies"] == expected.n_studies
        assert row["n_patients"] == expected.n_patients
        assert row["n_series_ingested"] == expected.n_series_volumes
        assert row["n_reports"] == expected.n_reports
        assert row["n_reports_unmatched"] == expected.n_reports_unmatched
        assert row["n_files_discovered"] == expected.n_files
        no_report = _query(
            warehouse, f"SELECT count(*) AS n FROM studies WHERE cohort='{site}' AND report_status='no_report'"
        )
        assert no_report[0]["n"] == expected.n_studies_without_report


def test_held_back_files_have_reasons(ingested):
    _truth, warehouse, _, _ = ingested
    reasons = {(r["disposition"], r["reason_code"]) for r in _query(warehouse, "SELECT * FROM qc_summary")}
    assert ("skipped", "localizer") in reasons
    assert ("skipped", "not_an_image") in reasons
    assert ("quarantined", "unreadable_dicom") in reasons
    assert any(d == "quarantined" and r in {"missing_slices", "uneven_spacing"} for d, r in reasons)
    quarantine = _query(warehouse, "SELECT * FROM quarantine")
    assert quarantine and all(q["reason_code"] and q["file_hashes"] for q in quarantine)


def test_volumes_are_stored_with_geometry_and_masks(ingested):
    _truth, warehouse, _, _ = ingested
    volumes = _query(warehouse, "SELECT * FROM volumes")
    images = [v for v in volumes if v["kind"] == "image"]
    masks = [v for v in volumes if v["kind"] == "label_mask"]
    assert images and all(v["intensity_unit"] == "HU" and v["rescale_applied"] for v in images)
    assert all(len(v["affine_lps"]) == 16 and v["content_hash"] for v in volumes)
    assert all(Path(warehouse.path(v["uri"]), "zarr.json").is_file() for v in volumes)
    assert len(masks) == 1 and json.loads(masks[0]["label_names"])
    assert all(v["value_min"] >= -1100 and v["value_max"] <= 3100 for v in images)


def test_planted_findings_become_labels_and_negated_ones_do_not(ingested):
    truth, warehouse, _, _ = ingested
    to_label = {d.ct_rate_label: d.name for d in load_lexicon().labels if d.ct_rate_label}
    rows = _query(
        warehouse,
        "SELECT s.study_uid, l.label, l.status FROM study_labels l JOIN studies s USING (study_id)",
    )
    from curation.pseudonyms import Pseudonymizer

    pseudonymizer = Pseudonymizer.from_secret_file(warehouse.secrets_dir / "pseudonym.key")
    status = {(r["study_uid"], r["label"]): r["status"] for r in rows}
    checked = 0
    for report in truth.reports:
        if not report.matched:
            continue
        uid = pseudonymizer.uid(report.study_uid)
        for label in report.positive_labels:
            assert status.get((uid, to_label[label])) == "positive", (report.key, label)
            checked += 1
        for label in report.negated_labels:
            if label not in report.positive_labels:
                assert status.get((uid, to_label[label])) in {"negative", None}, (report.key, label)
                checked += 1
    assert checked > 10


def test_release_splits_are_patient_level_and_stable(ingested):
    _truth, warehouse, _, _ = ingested
    first = create_release(warehouse, "e2e-v1", splits="60/20/20", folds=3)
    members = pq.read_table(warehouse.path("releases/e2e-v1/manifest.parquet")).to_pylist()
    splits_of_patient: dict[str, set[str]] = {}
    for m in members:
        splits_of_patient.setdefault(m["patient_id"], set()).add(m["split"])
    assert all(len(s) == 1 for s in splits_of_patient.values())
    assert first.n_studies == len({m["study_id"] for m in members})
    second = create_release(warehouse, "e2e-v2", where="cohort = 'site_a' OR n_series > 0", parent="e2e-v1")
    assert diff_releases(warehouse, "e2e-v1", second.name)["patients_changed_split"] == []
    with pytest.raises(ReleaseError, match="already exists"):
        create_release(warehouse, "e2e-v1")
    assert verify_release(warehouse, "e2e-v1") == []


def test_a_training_batch_loads(ingested):
    _truth, warehouse, _, _ = ingested
    if not warehouse.exists("releases/e2e-batch"):
        create_release(warehouse, "e2e-batch", splits="100/0/0")
    batch = load_training_batch(warehouse, "e2e-batch", batch_size=2, shape=(16, 32, 32))
    assert batch.images.shape == (2, 1, 16, 32, 32)
    assert batch.images.min() >= 0.0 and batch.images.max() <= 1.0
    assert batch.labels.shape == (2, len(batch.label_names))


def test_crosswalk_only_in_secrets_owner_only(ingested):
    truth, warehouse, _, _ = ingested
    crosswalk = warehouse.secrets_dir / "crosswalk-site_a.csv"
    assert crosswalk.is_file() and (crosswalk.stat().st_mode & 0o077) == 0
    mrns = {s.patient_key for s in truth.studies_of("site_a")}
    assert all(mrn in crosswalk.read_text() for mrn in mrns)


def test_no_planted_phi_in_any_output(ingested):
    truth, warehouse, _, _ = ingested
    leaks = _phi_leaks(truth, Path(warehouse.root))
    assert not leaks, f"planted PHI found in outputs: {sorted(leaks)[:10]}"


def test_rerun_is_a_new_snapshot_not_a_duplicate(ingested):
    _truth, warehouse, _, root = ingested
    from flows.ingest_flow import ingest_cohort_flow

    before = _query(warehouse, "SELECT count(*) AS n FROM findings")[0]["n"]
    studies_before = _query(warehouse, "SELECT study_id, study_uid FROM studies ORDER BY ALL")
    ingest_cohort_flow(str(root / "cohorts" / "site_a"), "site_a", str(warehouse.root))
    assert _query(warehouse, "SELECT count(*) AS n FROM findings")[0]["n"] == before
    assert _query(warehouse, "SELECT study_id, study_uid FROM studies ORDER BY ALL") == studies_before
    assert _query(warehouse, "SELECT count(*) AS n FROM runs WHERE cohort = 'site_a'")[0]["n"] == 2
    catalog = Catalog(warehouse)
    catalog.path.unlink()
    catalog.rebuild()
    assert _query(warehouse, "SELECT count(*) AS n FROM findings")[0]["n"] == before


# -- PHI scan -------------------------------------------------------------------------------------
def _phi_leaks(truth: SampleTruth, root: Path) -> set[tuple[str, str]]:
    """Every planted value, searched in raw bytes, decoded Parquet, DuckDB tables and paths.

    Dates are left out here: shifted dates may coincide with another planted date by chance.
    """
    needles = {v.lower() for v in truth.planted_phi if len(v) >= 5}
    leaks: set[tuple[str, str]] = set()
    for folder, _dirs, files in os.walk(root):
        if Path(folder).relative_to(root).parts[:1] == ("secrets",):
            continue
        for name in files:
            path = Path(folder, name)
            relative = str(path.relative_to(root))
            texts = [relative.lower(), path.read_bytes().decode("latin-1").lower()]
            if name.endswith(".parquet"):
                texts.append(json.dumps(pq.read_table(path).to_pylist(), default=str).lower())
            if name.endswith(".duckdb"):
                texts.append(_duckdb_text(path))
            leaks |= {(needle, relative) for needle in needles for text in texts if needle in text}
    return leaks


def _duckdb_text(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        ).fetchall()
        chunks = [json.dumps(con.sql(f'SELECT * FROM "{s}"."{t}"').fetchall(), default=str) for s, t in tables]
    finally:
        con.close()
    return "\n".join(chunks).lower()
