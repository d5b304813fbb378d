"""Catalog and release at scale: 100,000 studies and 2,000,000 findings of synthetic rows.

Rows are written through ``write_table_part`` (Arrow tables, one part per table) with a completed
``runs`` row (``finish_run``), then ``Catalog.rebuild()``. Timed (best of ``--repeat``; the machine is
shared, so take the best): label prevalence by organ system, full label-matrix export to Parquet,
release create (content hashes come from the volumes table; no array is read; the card's slice
montage finds no arrays and says so), the same with ``--stratify``. Peak memory is ru_maxrss.

    .venv/bin/python benchmarks/catalog.py                       # 100k studies, 2M findings, 3 repeats
    .venv/bin/python benchmarks/catalog.py --studies 10000 --findings 200000 --repeat 1
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from curation.exports.label_matrix_export import export_label_matrix  # noqa: E402
from curation.ingest.run_record import finish_run  # noqa: E402
from curation.provenance import RunContext  # noqa: E402
from curation.releases.release_builder import create_release  # noqa: E402
from curation.reports.lexicon import load_lexicon  # noqa: E402
from curation.storage.catalog import Catalog  # noqa: E402
from curation.storage.table_parts import write_table_part  # noqa: E402
from curation.storage.warehouse_layout import Warehouse  # noqa: E402

GOALS = {"label prevalence by organ system": 0.2, "label matrix -> Parquet": 2.0, "release create": 30.0}


def _ids(prefix: str, n: int) -> pa.Array:
    return pa.array([f"{prefix}_{i:08d}" for i in range(n)])


def generate(warehouse: Warehouse, n_studies: int, n_findings: int, seed: int = 0) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    lexicon = load_lexicon()
    label_names = np.array([label.name for label in lexicon.labels])
    label_systems = np.array([label.organ_system for label in lexicon.labels])
    cohorts = np.array(["site_a", "site_b", "site_c", "site_d"])
    n_patients = int(n_studies * 0.6)
    study_patient = rng.integers(0, n_patients, n_studies)
    study_cohort = cohorts[study_patient % len(cohorts)]
    studies, patients, reports = _ids("stu", n_studies), _ids("pat", n_patients), _ids("rep", n_studies)
    series, volumes = _ids("ser", n_studies), _ids("vol", n_studies)
    patient_of_study = pa.array(np.asarray(patients)[study_patient])
    cohort = pa.array(study_cohort)
    counts: dict[str, int] = {}
    by_cohort_tables: dict[str, pa.Table] = {}

    # findings: mentions spread over reports, label frequency skewed (a few common, many rare)
    weights = 1.0 / np.arange(1, len(label_names) + 1) ** 0.8
    finding_label = rng.choice(len(label_names), n_findings, p=weights / weights.sum())
    finding_report = rng.integers(0, n_studies, n_findings)
    assertion = rng.choice(np.array(["POSITIVE", "NEGATIVE", "UNCERTAIN"]), n_findings, p=[0.45, 0.45, 0.10])
    sentence_of = rng.integers(0, 4, n_findings)
    report_ids = np.asarray(reports)
    study_ids = np.asarray(studies)
    by_cohort_tables["findings"] = pa.table(
        {
            "finding_id": pa.array([f"f{i}" for i in range(n_findings)]),
            "report_id": report_ids[finding_report],
            "study_id": study_ids[finding_report],
            "cohort": study_cohort[finding_report],
            "sentence_id": pa.array([f"{report_ids[r]}:{s}" for r, s in zip(finding_report, sentence_of, strict=True)]),
            "section": np.where(sentence_of < 3, "findings", "impression"),
            "label": label_names[finding_label],
            "organ_system": label_systems[finding_label],
            "assertion": assertion,
            "mention_text": label_names[finding_label],
            "char_start": np.zeros(n_findings, np.int32),
            "char_end": np.full(n_findings, 5, np.int32),
            "extractor": np.full(n_findings, "bench"),
        }
    )
    rank = {"POSITIVE": 0, "UNCERTAIN": 1, "NEGATIVE": 2}
    status_name = np.array(["positive", "uncertain", "negative"])
    findings = by_cohort_tables["findings"]
    import duckdb

    con = duckdb.connect()
    con.register("f", findings.select(["report_id", "study_id", "cohort", "label", "organ_system", "assertion"]))
    study_labels = con.sql(
        "SELECT report_id, any_value(study_id) AS study_id, any_value(cohort) AS cohort, label, "
        "any_value(organ_system) AS organ_system, "
        f"min(CASE assertion {' '.join(f'WHEN {k!r} THEN {v}' for k, v in rank.items())} END) AS r, "
        "count(*)::INT AS n_mentions FROM f GROUP BY report_id, label"
    ).to_arrow_table()
    con.close()
    status = status_name[study_labels.column("r").to_numpy()]
    by_cohort_tables["study_labels"] = study_labels.drop_columns(["r"]).append_column("status", pa.array(status))
    n_sentences = n_studies * 4
    sentence_report = np.repeat(np.arange(n_studies), 4)
    sentence_index = np.tile(np.arange(4), n_studies)
    by_cohort_tables["sentences"] = pa.table(
        {
            "sentence_id": pa.array(
                [f"{report_ids[r]}:{s}" for r, s in zip(sentence_report, sentence_index, strict=True)]
            ),
            "report_id": report_ids[sentence_report],
            "study_id": study_ids[sentence_report],
            "cohort": study_cohort[sentence_report],
            "sentence_index": sentence_index.astype(np.int32),
            "section": np.where(sentence_index < 3, "findings", "impression"),
            "char_start": (sentence_index * 40).astype(np.int32),
            "char_end": (sentence_index * 40 + 39).astype(np.int32),
            "text": np.full(n_sentences, "The lungs are clear without focal consolidation."),
            "organ_systems": pa.array([["lung_airways"]] * n_sentences),
        }
    )
    by_cohort_tables["reports"] = pa.table(
        {
            "report_id": reports,
            "cohort": cohort,
            "study_id": studies,
            "patient_id": patient_of_study,
            "match_status": np.full(n_studies, "matched"),
            "key_pseudonym": _ids("acc", n_studies),
            "text": np.full(n_studies, "FINDINGS: The lungs are clear. IMPRESSION: Normal."),
            "text_hash": np.full(n_studies, "0" * 64),
        }
    )
    ages = rng.integers(18, 91, n_studies).astype(np.int16)
    by_cohort_tables["studies"] = pa.table(
        {
            "study_id": studies,
            "cohort": cohort,
            "institution": cohort,
            "patient_id": patient_of_study,
            "study_uid": pa.array([f"2.25.{i}" for i in range(n_studies)]),
            "date_shift_applied": np.ones(n_studies, bool),
            "patient_age_years": ages,
            "patient_sex": rng.choice(np.array(["F", "M"]), n_studies),
            "modalities": pa.array([["CT"]] * n_studies),
            "body_region": rng.choice(np.array(["chest", "abdomen", "chest-abdomen"]), n_studies, p=[0.6, 0.25, 0.15]),
            "n_series": np.ones(n_studies, np.int32),
            "report_id": reports,
            "report_status": np.full(n_studies, "matched"),
        }
    )
    first_study = {}
    for index, patient in enumerate(study_patient):
        first_study.setdefault(int(patient), index)
    seen = np.array(sorted(first_study))
    by_cohort_tables["patients"] = pa.table(
        {
            "patient_id": np.asarray(patients)[seen],
            "cohort": cohorts[seen % len(cohorts)],
            "n_studies": np.bincount(study_patient, minlength=n_patients)[seen].astype(np.int32),
        }
    )
    makers = np.array(["SIEMENS", "GE MEDICAL SYSTEMS", "PHILIPS", "TOSHIBA"])
    thickness = rng.choice(np.array([0.625, 1.0, 1.25, 2.0, 3.0, 5.0], np.float32), n_studies)
    by_cohort_tables["series"] = pa.table(
        {
            "series_id": series,
            "study_id": studies,
            "patient_id": patient_of_study,
            "cohort": cohort,
            "source_format": np.full(n_studies, "dicom"),
            "status": np.full(n_studies, "ingested"),
            "modality": np.full(n_studies, "CT"),
            "manufacturer": rng.choice(makers, n_studies),
            "slice_thickness_mm": thickness,
            "n_files": np.full(n_studies, 300, np.int32),
            "volume_id": volumes,
        }
    )
    affine = [1.5, 0, 0, -190, 0, 1.5, 0, -190, 0, 0, 1.5, -300, 0, 0, 0, 1]
    by_cohort_tables["volumes"] = pa.table(
        {
            "volume_id": volumes,
            "series_id": series,
            "study_id": studies,
            "patient_id": patient_of_study,
            "cohort": cohort,
            "kind": np.full(n_studies, "image"),
            "uri": pa.array([f"volumes/bench/{s}.zarr" for s in np.asarray(studies)]),
            "array_path": np.full(n_studies, "0"),
            "shape": pa.array([[240, 256, 256]] * n_studies, pa.list_(pa.int32())),
            "dtype": np.full(n_studies, "int16"),
            "spacing_mm": pa.array([[1.5, 1.5, float(t)] for t in thickness]),
            "affine_lps": pa.array([affine] * n_studies, pa.list_(pa.float64())),
            "affine_ras": pa.array([affine] * n_studies, pa.list_(pa.float64())),
            "intensity_unit": np.full(n_studies, "HU"),
            "rescale_applied": np.ones(n_studies, bool),
            "resample_profile": np.full(n_studies, "isotropic-1.5"),
            "content_hash": pa.array([f"{i:064x}" for i in range(n_studies)]),
        }
    )
    for name in cohorts:  # one completed ingest run per cohort, each writing its slice of every table
        run = RunContext(kind="ingest", cohort=str(name))
        parts = []
        cohort_row = [{"cohort": name, "institution": name, "report_key_type": "accession_number",
                       "resample_profile": "isotropic-1.5", "manifest_json": "{}"}]  # fmt: skip
        parts.append(write_table_part(warehouse, "cohorts", cohort_row, run, "cohort"))
        for table, rows in by_cohort_tables.items():
            selected = rows.filter(pa.compute.equal(rows.column("cohort"), str(name)))
            parts.append(write_table_part(warehouse, table, selected, run, table))
            counts[table] = counts.get(table, 0) + selected.num_rows
        finish_run(
            warehouse, run, [p for p in parts if p], tables_written=("cohorts", *by_cohort_tables), parameters={}
        )
    return counts


def best_of(repeat: int, action: Callable[[int], object]) -> float:
    times = []
    for attempt in range(repeat):
        start = time.perf_counter()
        action(attempt)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--findings", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    root = args.workdir or Path(tempfile.mkdtemp(prefix="ctcurate-bench-catalog-"))
    warehouse = Warehouse.open(root / "warehouse")
    start = time.perf_counter()
    counts = generate(warehouse, args.studies, args.findings)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    Catalog(warehouse).rebuild()
    rebuilt = time.perf_counter() - start
    catalog = Catalog(warehouse)
    prevalence_sql = (
        "SELECT organ_system, sum(n_positive) AS n_positive, sum(n_uncertain) AS n_uncertain "
        "FROM label_prevalence GROUP BY organ_system ORDER BY organ_system"
    )
    results = {
        "label prevalence by organ system": best_of(args.repeat, lambda _: catalog.query(prevalence_sql)),
        "label matrix -> Parquet": best_of(
            args.repeat, lambda i: export_label_matrix(warehouse, root / f"label_matrix-{i}.parquet")
        ),
        "release create": best_of(args.repeat, lambda i: create_release(warehouse, f"bench-v{i}", folds=5)),
        "release create --stratify": best_of(
            args.repeat, lambda i: create_release(warehouse, f"bench-strat-v{i}", folds=5, stratify=True)
        ),
    }
    after_release = best_of(args.repeat, lambda _: catalog.query(prevalence_sql))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows: {counts}")
    print(f"generate {generated:.1f} s, catalog rebuild {rebuilt:.1f} s; best of {args.repeat}; warehouse {root}")
    print(f"{'measure':36s} {'seconds':>9s} {'goal':>7s}")
    for name, seconds in results.items():
        goal = GOALS.get(name.replace(" --stratify", ""))
        print(f"{name:36s} {seconds:9.3f} {('<= ' + str(goal)) if goal else '':>7s}")
    print(f"{'label prevalence (8 releases present)':36s} {after_release:9.3f} {'<= 0.2':>7s}")
    print(f"peak memory (ru_maxrss): {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
