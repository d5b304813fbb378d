"""The ingest flow: one cohort folder in, its snapshot in the warehouse and the catalog out.

    ctcurate ingest cohorts/site_a --cohort site_a

Series are ingested in parallel batches (each writes its own Parquet parts); reports alongside;
the cohort tables, the run record and catalog registration come last, in one place.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from curation.cohort.manifest import load_manifest
from curation.deid.crosswalk import write_crosswalk
from curation.ingest.cohort_inventory import write_file_index
from curation.ingest.cohort_plan import CohortPlan, crosswalk_rows, plan_cohort
from curation.ingest.cohort_tables import write_cohort_tables
from curation.ingest.pet_channels import store_pet_channels
from curation.ingest.report_ingest import ReportsResult, ingest_reports
from curation.ingest.run_record import INGEST_TABLES, finish_run
from curation.ingest.series_batch import SeriesBatchResult, SeriesContext, ingest_series_batch
from curation.provenance import RunContext
from curation.pseudonyms import Pseudonymizer
from curation.storage.warehouse_layout import Warehouse, check_name

SECRET_FILE_NAME = "pseudonym.key"


@dataclass(frozen=True)
class IngestSummary:
    cohort: str
    run_id: str
    n_discovered: int
    n_ingested: int
    n_quarantined: int
    n_skipped: int
    n_studies: int
    n_series_ingested: int
    n_series_quarantined: int
    n_reports: int
    n_reports_unmatched: int


def _progress_bar() -> Progress:
    """A progress bar on the terminal (none when output is piped, as in CI logs)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        disable=not sys.stderr.isatty(),
    )


@task(cache_policy=NO_CACHE)
def plan_task(cohort_dir: str, cohort: str, warehouse: Warehouse, run: RunContext) -> CohortPlan:
    pseudonymizer = Pseudonymizer.load_or_create(warehouse.secrets_dir / SECRET_FILE_NAME)
    manifest = load_manifest(cohort_dir)
    plan = plan_cohort(manifest, cohort, pseudonymizer)
    write_file_index(plan.inventory, warehouse.secrets_dir, cohort, run.run_id)
    if manifest.options.write_crosswalk:
        write_crosswalk(crosswalk_rows(plan, pseudonymizer), warehouse.secrets_dir, f"crosswalk-{cohort}.csv")
    return plan


@task(cache_policy=NO_CACHE)
def series_batch_task(items: list, context: SeriesContext, part: str) -> SeriesBatchResult:
    return ingest_series_batch(items, context, part)


@task(cache_policy=NO_CACHE)
def reports_task(cohort_dir: str, plan: CohortPlan, warehouse: Warehouse, run: RunContext) -> ReportsResult:
    manifest = load_manifest(cohort_dir)
    if manifest.reports is None:
        return ReportsResult()
    pseudonymizer = Pseudonymizer.load_or_create(warehouse.secrets_dir / SECRET_FILE_NAME)
    return ingest_reports(manifest.reports, plan, pseudonymizer, warehouse, run)


@flow(name="ingest-cohort", task_runner=ThreadPoolTaskRunner(max_workers=2), log_prints=False)
def ingest_cohort_flow(
    cohort_dir: str, cohort: str, warehouse_location: str | None = None, batch_size: int = 4
) -> IngestSummary:
    check_name("cohort", cohort)
    load_manifest(cohort_dir)  # a bad manifest fails before any run starts
    warehouse = Warehouse.open(warehouse_location)
    run = RunContext(kind="ingest", cohort=cohort)
    try:
        return _ingest(cohort_dir, cohort, warehouse, run, batch_size)
    except Exception as error:
        # the run is recorded as failed (its parts stay invisible); the message names no PHI
        finish_run(
            warehouse,
            run,
            [],
            tables_written=(),
            parameters={"cohort": cohort, "batch_size": batch_size},
            status="failed",
            error=type(error).__name__,
        )
        raise


def _ingest(cohort_dir: str, cohort: str, warehouse: Warehouse, run: RunContext, batch_size: int) -> IngestSummary:
    plan = plan_task(cohort_dir, cohort, warehouse, run)
    context = SeriesContext(
        warehouse=warehouse,
        run=run,
        cohort=cohort,
        resample_label=plan.resample_label,
        target_spacing_mm=plan.target_spacing_mm,
        studies=plan.studies,
    )
    batches = [plan.series[i : i + batch_size] for i in range(0, len(plan.series), batch_size)]
    batch_futures = [
        series_batch_task.submit(items, context, f"series-{index:05d}") for index, items in enumerate(batches)
    ]
    reports_future = reports_task.submit(cohort_dir, plan, warehouse, run)
    batch_sizes = {future.task_run_id: len(items) for future, items in zip(batch_futures, batches, strict=True)}
    with _progress_bar() as progress:
        bar = progress.add_task(f"{cohort}: series", total=len(plan.series))
        for future in as_completed(batch_futures):
            progress.advance(bar, batch_sizes[future.task_run_id])
    batch_results = [future.result() for future in batch_futures]
    pet_parts = store_pet_channels(plan, batch_results, context)
    reports = reports_future.result()

    manifest = load_manifest(cohort_dir)
    counts = write_cohort_tables(manifest, plan, batch_results, reports, warehouse, run)
    parts = [p for b in batch_results for p in b.parts] + pet_parts + reports.parts + counts.parts
    finish_run(
        warehouse,
        run,
        parts,
        tables_written=INGEST_TABLES,
        parameters={"cohort": cohort, "resample": plan.resample_label, "batch_size": batch_size},
        counts={
            "n_discovered": counts.n_discovered,
            "n_ingested": counts.n_ingested,
            "n_quarantined": counts.n_quarantined,
            "n_skipped": counts.n_skipped,
        },
    )
    outcomes = [o for b in batch_results for o in b.outcomes]
    return IngestSummary(
        cohort=cohort,
        run_id=run.run_id,
        n_discovered=counts.n_discovered,
        n_ingested=counts.n_ingested,
        n_quarantined=counts.n_quarantined,
        n_skipped=counts.n_skipped,
        n_studies=len(plan.studies),
        n_series_ingested=sum(o.status == "ingested" for o in outcomes),
        n_series_quarantined=sum(o.status == "quarantined" for o in outcomes),
        n_reports=reports.n_reports,
        n_reports_unmatched=reports.n_unmatched + reports.n_duplicate_keys,
    )
