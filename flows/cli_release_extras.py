"""Release and export commands to register on the ``ctcurate`` CLI (kept apart from ``flows/cli.py``).

ctcurate release create NAME ... --stratify            (the lead adds the flag, see register())
ctcurate release export NAME OUT_DIR --layout ct-rate|hf-parquet [--nifti] [--uncertain-as 1]
ctcurate catalog export-label-matrix OUT.parquet [--where "cohort = 'site_a'"]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli import WarehouseOption, _open_warehouse, catalog_app, console, release_app, release_errors


def release_export(
    name: Annotated[str, typer.Argument(help="Release to export.")],
    out_dir: Annotated[Path, typer.Argument(help="Folder to write (created).")],
    layout: Annotated[str, typer.Option(help="ct-rate or hf-parquet.")] = "hf-parquet",
    nifti: Annotated[bool, typer.Option("--nifti", help="ct-rate: also write NIfTI + JSON per volume.")] = False,
    uncertain_as: Annotated[int, typer.Option(help="Value for uncertain labels (1 or 0).")] = 1,
    warehouse: WarehouseOption = None,
) -> None:
    """Export a release as CT-RATE CSVs (+ NIfTI) or a Hugging Face Parquet layout with its card."""
    from curation.releases.release_builder import ReleaseError

    with release_errors():
        wh = _open_warehouse(warehouse)
        try:
            if layout == "ct-rate":
                from curation.exports.ct_rate_layout import export_ct_rate

                result = export_ct_rate(wh, name, out_dir, include_nifti=nifti, uncertain_as=uncertain_as)
                console.print(f"CT-RATE layout: {result.n_volumes} volumes, {len(result.files)} files -> {out_dir}")
            elif layout == "hf-parquet":
                from curation.exports.hf_parquet_layout import export_hf_parquet, read_hf_layout

                export_hf_parquet(wh, name, out_dir, uncertain_as=uncertain_as)
                console.print(f"Hugging Face Parquet layout {read_hf_layout(out_dir)} rows per split -> {out_dir}")
            else:
                raise ReleaseError(f"--layout must be ct-rate or hf-parquet, got {layout!r}")
        except FileNotFoundError as error:
            raise ReleaseError(str(error)) from None


def catalog_export_label_matrix(
    out: Annotated[Path, typer.Argument(help="Parquet file to write.")],
    where: Annotated[str | None, typer.Option(help="SQL predicate over label_matrix columns.")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Write the label_matrix mart (one row per study, one column per label) to Parquet."""
    from curation.exports.label_matrix_export import export_label_matrix

    with release_errors():
        n = export_label_matrix(_open_warehouse(warehouse), out, where)
    console.print(f"label_matrix: {n} studies -> {out}")


_registered: list[bool] = []


def register() -> None:
    """Add the commands to ``flows.cli``'s apps (idempotent)."""
    if _registered:
        return
    release_app.command("export")(release_export)
    catalog_app.command("export-label-matrix")(catalog_export_label_matrix)
    _registered.append(True)
