"""The ``ctcurate`` command line. Command names are a public interface: keep them stable.

    ctcurate demo
    ctcurate ingest COHORT_DIR --cohort NAME
    ctcurate sql "SELECT label, count(*) FROM findings GROUP BY 1" [--format table|csv|json|parquet]
    ctcurate catalog rebuild
    ctcurate labels REPORTS.csv --id-column C --text-column C --out OUT.csv [--format ct-rate|full]
    ctcurate deid IN_DIR OUT_DIR --secret-file F
    ctcurate convert DICOM_DIR OUT_DIR
    ctcurate release create|list|show|diff|verify

Heavy imports (Prefect, spaCy) happen inside the commands that need them, so ``--help`` is instant.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Curate CT cohorts and reports into versioned, queryable, training-ready datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="The DuckDB catalog over the warehouse.", no_args_is_help=True)
release_app = typer.Typer(help="Immutable dataset releases with patient-level splits.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(release_app, name="release")

# Piped output (csv to a file, CI logs) gets wide tables instead of rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True)

WarehouseOption = Annotated[
    str | None,
    typer.Option("--warehouse", "-w", help="Warehouse root: a path or fsspec URL.", envvar="CTCURATE_WAREHOUSE"),
]


def main() -> None:
    app()


@contextmanager
def expected_errors() -> Iterator[None]:
    """Expected failures print one clear line (no traceback) and exit with status 2."""
    from curation.cohort.manifest import ManifestError
    from curation.pseudonyms import SecretError
    from curation.storage.catalog import CatalogError
    from curation.storage.warehouse_layout import WarehouseError

    handled: tuple[type[BaseException], ...] = (
        ManifestError, CatalogError, WarehouseError, SecretError, FileNotFoundError, ValueError, KeyError,
    )  # fmt: skip
    try:
        yield
    except handled as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        errors.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
        raise typer.Exit(2) from None


def _open_warehouse(location: str | None) -> Any:
    from curation.storage.warehouse_layout import Warehouse

    return Warehouse.open(location)


def _arrow_to_rich(table: Any, title: str | None = None, max_rows: int = 50) -> Table:
    view = Table(title=title, show_lines=False)
    for name in table.column_names:
        view.add_column(name, overflow="fold")
    for row in table.slice(0, max_rows).to_pylist():
        view.add_row(*("" if v is None else str(v) for v in row.values()))
    if table.num_rows > max_rows:
        view.caption = f"{table.num_rows - max_rows} more rows (use --format csv)"
    return view


# -- ingest and demo --------------------------------------------------------------------------------
@app.command()
def ingest(
    cohort_dir: Annotated[Path, typer.Argument(help="Cohort folder with a cohort.yaml.")],
    cohort: Annotated[str, typer.Option("--cohort", "-c", help="Cohort name (letters, digits, _ - .).")],
    warehouse: WarehouseOption = None,
    batch_size: Annotated[int, typer.Option(help="Series per parallel task.")] = 4,
    dask_address: Annotated[
        str | None,
        typer.Option(help="Run tasks on this Dask scheduler (tcp://host:8786) instead of threads."),
    ] = None,
) -> None:
    """Ingest a cohort folder: de-identify, convert, label, and register a new snapshot of the cohort."""
    with expected_errors():
        summary = _run_ingest(cohort_dir, cohort, warehouse, batch_size, dask_address)
    _print_ingest_summary(summary)


def _run_ingest(
    cohort_dir: Path, cohort: str, warehouse: str | None, batch_size: int, dask_address: str | None = None
) -> Any:
    from curation.cohort.manifest import load_manifest

    load_manifest(cohort_dir)  # fail fast with a clear message before Prefect starts
    from flows.prefect_runtime import start_embedded_server_early

    wait_for_server = start_embedded_server_early()  # comes up while the flow's modules are imported
    from flows.ingest_flow import ingest_cohort_flow

    flow = ingest_cohort_flow
    if dask_address:
        from prefect_dask import DaskTaskRunner

        flow = flow.with_options(task_runner=DaskTaskRunner(address=dask_address))
    console.print(f"Ingesting cohort {cohort} ...")
    wait_for_server()
    return flow(str(cohort_dir.resolve()), cohort, warehouse, batch_size)


def _print_ingest_summary(summary: Any) -> None:
    console.print(
        f"[bold]{summary.cohort}[/]: {summary.n_discovered} files discovered = {summary.n_ingested} ingested"
        f" + {summary.n_quarantined} quarantined + {summary.n_skipped} skipped; {summary.n_studies} studies,"
        f" {summary.n_series_ingested} series ingested, {summary.n_series_quarantined} quarantined;"
        f" {summary.n_reports} reports ({summary.n_reports_unmatched} unmatched). Run {summary.run_id}."
    )


@app.command()
def demo(
    warehouse: WarehouseOption = None,
    cohorts_dir: Annotated[
        Path | None, typer.Option(help="Keep the generated sample cohorts here (default: a temp folder).")
    ] = None,
) -> None:
    """Generate the sample cohorts, ingest them, cut a release, load a batch and answer SQL."""
    from flows.demo import run_demo

    with expected_errors():
        run_demo(warehouse, cohorts_dir, console, _run_ingest, _print_ingest_summary, _arrow_to_rich)


@app.command()
def harmonize(
    cohort: Annotated[str, typer.Option("--cohort", "-c", help="Cohort whose current reports to rewrite.")],
    style: Annotated[
        str, typer.Option(help="house, or institution:<cohort> to write in that cohort's style.")
    ] = "house",
    llm_base_url: Annotated[
        str | None,
        typer.Option(help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.", envvar="CTCURATE_LLM_BASE_URL"),
    ] = None,
    llm_model: Annotated[
        str | None, typer.Option(help="Model name on that server.", envvar="CTCURATE_LLM_MODEL")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N reports.")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Harmonize reports (deterministic, or LLM rewrites verified against the rule extractor)."""
    with expected_errors():
        from flows.prefect_runtime import start_embedded_server_early

        wait_for_server = start_embedded_server_early()  # comes up while the flow's modules are imported
        from flows.harmonize_flow import harmonize_flow

        wait_for_server()
        summary = harmonize_flow(cohort, warehouse, style, llm_base_url, llm_model, limit)
    console.print(
        f"{summary.cohort} ({summary.style}): {summary.n_reports} reports; {summary.n_llm_accepted} LLM rewrites "
        f"accepted, {summary.n_llm_rejected} rejected, {summary.n_template} deterministic; "
        f"{summary.llm_calls} LLM calls, {summary.cache_hits} cache hits; "
        f"{summary.seconds_per_report:.2f} s per report."
    )
    if summary.llm_unavailable:
        errors.print("[yellow]The LLM server was unavailable: deterministic renderings were used.[/]")


# -- catalog and SQL --------------------------------------------------------------------------------
@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run read-only against the catalog.")],
    warehouse: WarehouseOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet.")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Query the catalog (read-only). Tables: findings, study_labels, studies, series, volumes, ..."""
    from curation.storage.catalog import Catalog

    if format not in {"table", "csv", "json", "parquet"}:
        errors.print("[bold red]error:[/] --format must be table, csv, json or parquet")
        raise typer.Exit(2)
    with expected_errors():
        result = Catalog(_open_warehouse(warehouse)).query(query)
        _write_result(result, format, output)


def _write_result(result: Any, format: str, output: Path | None) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if format == "table":
        console.print(_arrow_to_rich(result, max_rows=10_000 if output else 50))
        return
    if format == "parquet":
        if output is None:
            raise ValueError("--format parquet needs --output FILE")
        pq.write_table(result, output)
        return
    if format == "csv":
        result = _nested_columns_as_json(result)
        if output:
            pacsv.write_csv(result, output)
        else:
            import io

            buffer = io.BytesIO()
            pacsv.write_csv(result, buffer)
            sys.stdout.write(buffer.getvalue().decode())
        return
    text = json.dumps(result.to_pylist(), default=str, indent=1)
    if output:
        output.write_text(text)
    else:
        sys.stdout.write(text + "\n")


def _nested_columns_as_json(table: Any) -> Any:
    """CSV has no lists or structs: write them as JSON text."""
    import pyarrow as pa

    for index, field in enumerate(table.schema):
        if pa.types.is_nested(field.type):
            values = [None if v is None else json.dumps(v, default=str) for v in table.column(index).to_pylist()]
            table = table.set_column(index, field.name, pa.array(values, pa.string()))
    return table


@catalog_app.command("rebuild")
def catalog_rebuild(warehouse: WarehouseOption = None) -> None:
    """Rebuild catalog.duckdb from the Parquet part files (the source of truth)."""
    from curation.storage.catalog import Catalog

    with expected_errors(), console.status("Rebuilding the catalog ..."):
        loaded = Catalog(_open_warehouse(warehouse)).rebuild()
    console.print(f"Catalog rebuilt: {loaded} rows loaded.")


# -- standalone tools -------------------------------------------------------------------------------
@app.command()
def labels(
    reports_csv: Annotated[Path, typer.Argument(help="CSV with one report per row.")],
    id_column: Annotated[str, typer.Option(help="Column with the report id.")],
    text_column: Annotated[str, typer.Option(help="Column with the report text.")],
    out: Annotated[Path, typer.Option(help="Output CSV.")],
    format: Annotated[str, typer.Option("--format", help="ct-rate (18 CT-RATE columns, 0/1) or full.")] = "ct-rate",
    uncertain_as: Annotated[int, typer.Option(help="0/1 value for uncertain mentions in ct-rate output.")] = 1,
) -> None:
    """Extract abnormality labels from a CSV of reports."""
    from curation.reports.ct_rate import label_reports_csv

    if format not in {"ct-rate", "full"}:
        errors.print("[bold red]error:[/] --format must be ct-rate or full")
        raise typer.Exit(2)
    with expected_errors(), console.status("Labelling reports ..."):
        n = label_reports_csv(reports_csv, id_column, text_column, out, format=format, uncertain_as=uncertain_as)
    console.print(f"{n} reports labelled -> {out}")


@app.command("evaluate-labels")
def evaluate_labels(
    gold: Annotated[Path, typer.Option(help="CSV with report ids, texts and 0/1 CT-RATE label columns.")],
    id_column: Annotated[str, typer.Option(help="Column with the report id.")],
    text_column: Annotated[str, typer.Option(help="Column with the report text.")],
    pred: Annotated[Path | None, typer.Option(help="Predictions CSV (default: extract from the texts).")] = None,
    label: Annotated[str | None, typer.Option(help="List the disagreeing sentences for this label.")] = None,
    uncertain_as: Annotated[int, typer.Option(help="0/1 value for uncertain mentions.")] = 1,
) -> None:
    """Per-label precision, recall, F1 and support, macro/micro averages; disagreements for one label."""
    from curation.reports.evaluation import disagreements, evaluate_report_csv

    with expected_errors(), console.status("Evaluating ..."):
        result = evaluate_report_csv(gold, id_column, text_column, uncertain_as=uncertain_as, pred_csv=pred)
    console.print(result.scores.table(), highlight=False, markup=False)
    if label:
        rows = disagreements(result, label)
        console.print(f"\n{len(rows)} reports disagree on {label}:", highlight=False)
        for report_id, expected, predicted, sentences in rows:
            console.print(f"- {report_id}: gold {expected}, predicted {predicted}", highlight=False, markup=False)
            for sentence in sentences or ["(no mention found: read the report)"]:
                console.print(f"    {sentence}", highlight=False, markup=False)


@app.command()
def deid(
    in_dir: Annotated[Path, typer.Argument(help="Folder of DICOM files (any layout).")],
    out_dir: Annotated[Path, typer.Argument(help="Output folder; paths are built from pseudonymised UIDs.")],
    secret_file: Annotated[Path, typer.Option(help="File holding the pseudonymisation secret.")],
    institution: Annotated[str, typer.Option(help="Site code used in patient pseudonyms.")] = "default",
) -> None:
    """Write de-identified DICOM (PS3.15 Basic profile with retained longitudinal dates)."""
    from curation.deid.dicom_folder import deidentify_folder
    from curation.pseudonyms import Pseudonymizer

    with expected_errors(), console.status("De-identifying ..."):
        summary = deidentify_folder(in_dir, out_dir, Pseudonymizer.from_secret_file(secret_file), institution)
    console.print(_summary_line(summary))


@app.command()
def convert(
    dicom_dir: Annotated[Path, typer.Argument(help="Folder of DICOM files (any layout).")],
    out_dir: Annotated[Path, typer.Argument(help="Output folder for NIfTI + JSON sidecars.")],
    profile: Annotated[str | None, typer.Option(help="Resample to a named profile (ct-rate, merlin, ...).")] = None,
    spacing: Annotated[str | None, typer.Option(help="Resample to explicit spacing, e.g. 1x1x2 (mm).")] = None,
    geometry_policy: Annotated[
        str, typer.Option(help="default (correct tilt, equalise uneven spacing), strict (quarantine them) or dcm2niix.")
    ] = "default",
) -> None:
    """Convert DICOM series to NIfTI + JSON sidecars at their native grid (same reader as ingest); a DICOM SEG
    becomes a label map NIfTI on the grid of the series it references (<name>_seg-<n>.nii.gz + .json)."""
    from curation.imaging.geometry_policy import DCM2NIIX_POLICY, STRICT_POLICY, GeometryPolicy
    from curation.imaging.nifti_export import convert_dicom_folder
    from curation.imaging.resample import target_spacing

    policies = {"default": GeometryPolicy(), "strict": STRICT_POLICY, "dcm2niix": DCM2NIIX_POLICY}
    if geometry_policy not in policies:
        errors.print("[bold red]error:[/] --geometry-policy must be default, strict or dcm2niix")
        raise typer.Exit(2)
    with expected_errors(), console.status("Converting ..."):
        explicit = tuple(float(s) for s in spacing.lower().split("x")) if spacing else None
        resample = target_spacing(profile or "native", explicit)  # type: ignore[arg-type]
        summary = convert_dicom_folder(dicom_dir, out_dir, resample_spacing=resample, policy=policies[geometry_policy])
    console.print(_summary_line(summary))


def _summary_line(summary: Any) -> str:
    data = summary.to_dict() if hasattr(summary, "to_dict") else getattr(summary, "__dict__", {})
    counts = {k: v for k, v in data.items() if isinstance(v, int)}
    return ", ".join(f"{k}: {v}" for k, v in counts.items()) or str(summary)


# -- releases ---------------------------------------------------------------------------------------
@contextmanager
def release_errors() -> Iterator[None]:
    from curation.releases.release_builder import ReleaseError

    with expected_errors():
        try:
            yield
        except ReleaseError as error:
            errors.print(f"[bold red]error:[/] {error}", highlight=False)
            raise typer.Exit(2) from None


@release_app.command("create")
def release_create(
    name: Annotated[str, typer.Argument(help="Release name, e.g. chest-v1.")],
    where: Annotated[str | None, typer.Option(help="SQL predicate over the studies view.")] = None,
    parent: Annotated[str | None, typer.Option(help="Parent release (keeps its patients' splits).")] = None,
    splits: Annotated[
        str | None, typer.Option(help="train/validation/test percentages (default 70/15/15, or the parent's).")
    ] = None,
    folds: Annotated[int | None, typer.Option(help="Cross-validation folds within train.")] = None,
    stratify: Annotated[
        bool, typer.Option("--stratify", help="Multi-label stratified assignment of new patients (splits and folds).")
    ] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Create an immutable release (refuses an existing name)."""
    from curation.releases.release_builder import create_release

    with release_errors():
        summary = create_release(
            _open_warehouse(warehouse), name, where=where, parent=parent, splits=splits, folds=folds, stratify=stratify
        )
    console.print(
        f"Release [bold]{summary.name}[/]: {summary.n_studies} studies, {summary.n_patients} patients, "
        f"splits {summary.split_counts} -> {summary.path}"
    )


@release_app.command("list")
def release_list(warehouse: WarehouseOption = None) -> None:
    """List releases."""
    from curation.releases.release_builder import list_releases

    with release_errors():
        console.print(_arrow_to_rich(list_releases(_open_warehouse(warehouse)), title="Releases"))


@release_app.command("show")
def release_show(name: str, warehouse: WarehouseOption = None) -> None:
    """Show a release's card and split counts."""
    wh = _open_warehouse(warehouse)
    with release_errors():
        path = f"{wh.release_dir(name)}/README.md"
        if not wh.exists(path):
            from curation.releases.release_builder import ReleaseError

            raise ReleaseError(f"release {name!r} not found")
        console.print(wh.fs.cat_file(wh.path(path)).decode())


@release_app.command("diff")
def release_diff(old: str, new: str, warehouse: WarehouseOption = None) -> None:
    """Studies added and removed between two releases, and any patient whose split changed."""
    from curation.releases.release_builder import diff_releases

    with release_errors():
        changes = diff_releases(_open_warehouse(warehouse), old, new)
    for key, values in changes.items():
        console.print(f"{key}: {len(values)}")
        for value in values[:20]:
            console.print(f"  {value}")


@release_app.command("verify")
def release_verify(name: str, warehouse: WarehouseOption = None) -> None:
    """Recompute every content hash of a release; exit 1 if anything changed."""
    from curation.releases.release_builder import verify_release

    with release_errors(), console.status("Verifying ..."):
        problems = verify_release(_open_warehouse(warehouse), name)
    if problems:
        for problem in problems:
            errors.print(problem)
        raise typer.Exit(1)
    console.print(f"Release {name}: every file and array matches its recorded hash.")


# release export and catalog export-label-matrix live beside the other release commands' helpers
from flows.cli_release_extras import register as _register_release_extras  # noqa: E402

_register_release_extras()
