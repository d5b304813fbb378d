"""The cohort-level tables, written once every series batch and the reports are done:
``studies``, ``patients``, ``cohorts`` and ``files`` (the accounting of every discovered file).

    >>> counts = write_cohort_tables(manifest, plan, batches, reports, warehouse, run)  # doctest: +SKIP
    >>> counts.n_discovered == counts.n_ingested + counts.n_quarantined + counts.n_skipped  # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from curation.cohort.manifest import CohortManifest
from curation.content_hashing import sha256_text
from curation.ingest.cohort_inventory import FileDisposition
from curation.ingest.cohort_plan import CohortPlan
from curation.ingest.report_ingest import ReportsResult
from curation.ingest.series_batch import SeriesBatchResult, SeriesOutcome
from curation.provenance import RunContext
from curation.storage.table_parts import write_table_part
from curation.storage.warehouse_layout import Warehouse


class AccountingError(RuntimeError):
    """Some discovered file has no disposition: a bug, never silent data loss."""


@dataclass
class FileCounts:
    n_discovered: int = 0
    n_ingested: int = 0
    n_quarantined: int = 0
    n_skipped: int = 0
    parts: list[str] = field(default_factory=list)


def write_cohort_tables(
    manifest: CohortManifest,
    plan: CohortPlan,
    batches: list[SeriesBatchResult],
    reports: ReportsResult,
    warehouse: Warehouse,
    run: RunContext,
) -> FileCounts:
    outcomes = [o for batch in batches for o in batch.outcomes]
    dispositions = plan.early_dispositions + [d for batch in batches for d in batch.dispositions]
    counts = _account_for_files(plan, dispositions)
    tables = {
        "files": [d.as_row(plan.cohort) for d in _one_per_file(dispositions)],
        "studies": _study_rows(plan, outcomes, reports),
        "patients": _patient_rows(plan),
        "cohorts": [_cohort_row(manifest, plan)],
    }
    for table, rows in tables.items():
        written = write_table_part(warehouse, table, rows, run, "cohort")
        if written:
            counts.parts.append(written)
    return counts


def _one_per_file(dispositions: list[FileDisposition]) -> list[FileDisposition]:
    """Identical files (same content hash) collapse to one row; the first disposition wins."""
    seen: dict[str, FileDisposition] = {}
    for disposition in dispositions:
        seen.setdefault(disposition.file_hash, disposition)
    return list(seen.values())


def _account_for_files(plan: CohortPlan, dispositions: list[FileDisposition]) -> FileCounts:
    discovered = {f.file_hash for f in plan.inventory.files}
    accounted = {d.file_hash for d in dispositions}
    if discovered - accounted:
        raise AccountingError(f"{len(discovered - accounted)} discovered file(s) have no disposition")
    by_state = Counter(d.disposition for d in _one_per_file(dispositions))
    return FileCounts(
        n_discovered=len(discovered),
        n_ingested=by_state["ingested"],
        n_quarantined=by_state["quarantined"],
        n_skipped=by_state["skipped"],
    )


def _study_rows(plan: CohortPlan, outcomes: list[SeriesOutcome], reports: ReportsResult) -> list[dict[str, Any]]:
    by_study: dict[str, list[SeriesOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_study[outcome.study_uid].append(outcome)
    rows = []
    for study_uid, keys in plan.studies.items():
        ingested = [o for o in by_study[study_uid] if o.status == "ingested"]
        report_id = reports.report_by_study_uid.get(study_uid)
        rows.append(
            {
                "study_id": keys.study_id,
                "cohort": plan.cohort,
                "institution": plan.institution,
                "patient_id": keys.patient_id,
                "study_uid": keys.study_uid_pseudonym,
                "accession_pseudonym": keys.accession_pseudonym,
                "study_date": keys.study_date_shifted,
                "date_shift_applied": keys.study_date is not None,
                "patient_age_years": keys.patient_age_years,
                "patient_sex": keys.patient_sex,
                "modalities": sorted({o.modality for o in ingested if o.modality}),
                "body_region": _study_region([o.body_region for o in ingested]),
                "n_series": len(ingested),
                "report_id": report_id,
                "report_status": "matched" if report_id else "no_report",
                "input_hash": sha256_text(keys.study_id),
            }
        )
    return rows


def _study_region(regions: list[str | None]) -> str | None:
    found = {r for r in regions if r}
    if {"chest", "abdomen"} <= found or "chest-abdomen" in found:
        return "chest-abdomen"
    for region in ("chest", "abdomen", "head"):
        if region in found:
            return region
    return next(iter(sorted(found)), None)


def _patient_rows(plan: CohortPlan) -> list[dict[str, Any]]:
    studies_by_patient: dict[str, list[Any]] = defaultdict(list)
    for keys in plan.studies.values():
        studies_by_patient[keys.patient_id].append(keys)
    return [
        {
            "patient_id": patient_id,
            "cohort": plan.cohort,
            "sex": next((k.patient_sex for k in studies if k.patient_sex), None),
            "n_studies": len(studies),
            "input_hash": sha256_text(patient_id),
        }
        for patient_id, studies in sorted(studies_by_patient.items())
    ]


def _cohort_row(manifest: CohortManifest, plan: CohortPlan) -> dict[str, Any]:
    manifest_json = manifest.to_json()
    return {
        "cohort": plan.cohort,
        "institution": manifest.institution,
        "description": manifest.description,
        "report_language": manifest.reports.language if manifest.reports else None,
        "report_key_type": manifest.reports.key_type if manifest.reports else "none",
        "resample_profile": plan.resample_label,
        "manifest_json": manifest_json,
        "input_hash": sha256_text(manifest_json),
    }
