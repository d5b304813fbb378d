"""``ctcurate demo``: the whole path on generated sample cohorts, with the embedded defaults.

Two institutions (one sectioned report style, one free prose), DICOM with planted PHI, one NIfTI
study with an organ mask: ingest both, cut a release (each rerun cuts the next version with the
previous as parent, so splits stay put), load one training batch, and answer SQL.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

DEMO_SQL = "SELECT label, count(*) AS n FROM findings WHERE assertion = 'POSITIVE' GROUP BY 1 ORDER BY 2 DESC"


def run_demo(
    warehouse_location: str | None,
    cohorts_dir: Path | None,
    console: Console,
    run_ingest: Callable[..., Any],
    print_ingest_summary: Callable[[Any], None],
    arrow_to_rich: Callable[..., Any],
) -> None:
    from curation.releases.release_builder import create_release, list_releases
    from curation.sample_cohort import generate_sample_cohorts
    from curation.storage.catalog import Catalog
    from curation.storage.warehouse_layout import Warehouse
    from curation.training.batch_loader import load_training_batch

    warehouse = Warehouse.open(warehouse_location)
    keep = cohorts_dir is not None
    root = Path(cohorts_dir) if keep else Path(tempfile.mkdtemp(prefix="ctcurate-demo-"))
    try:
        console.rule("1. Sample cohorts")
        truth = generate_sample_cohorts(root)
        console.print(f"Generated two institutional cohorts under {root if keep else 'a temporary folder'}.")
        _ = truth
        console.rule("2. Ingest")
        for site in ("site_a", "site_b"):
            print_ingest_summary(run_ingest(root / site, site, warehouse_location, 4))
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)

    catalog = Catalog(warehouse)
    console.rule("3. Catalog")
    console.print(arrow_to_rich(catalog.query("SELECT * FROM cohort_summary"), title="cohort_summary"))
    console.print(arrow_to_rich(catalog.query("SELECT * FROM qc_summary"), title="Held back (qc_summary)"))
    prevalence = catalog.query(
        "SELECT organ_system, label, sum(n_positive) AS positive, sum(n_uncertain) AS uncertain, "
        "sum(n_negative) AS negative FROM label_prevalence GROUP BY ALL ORDER BY positive DESC, label"
    )
    n_reports = catalog.query("SELECT count(*) AS n FROM reports").to_pylist()[0]["n"]
    console.print(arrow_to_rich(prevalence, title=f"Label prevalence over {n_reports} reports"))

    console.rule("4. Release")
    existing = {row["release_name"] for row in list_releases(warehouse).to_pylist()}
    version = 1
    while f"demo-v{version}" in existing:
        version += 1
    parent = f"demo-v{version - 1}" if version > 1 else None
    release = create_release(
        warehouse, f"demo-v{version}", where="n_series > 0", parent=parent, splits="60/20/20", stratify=True
    )
    console.print(
        f"Release [bold]{release.name}[/] (parent {parent or 'none'}): {release.n_studies} studies, "
        f"{release.n_patients} patients, splits {release.split_counts}, at {release.path}"
    )

    console.rule("5. Training batch")
    split = next(s for s, n in release.split_counts.items() if n)
    batch = load_training_batch(warehouse, release.name, split=split, batch_size=2, shape=(32, 64, 64))
    console.print(
        f"Batch from split {split}: images {batch.images.shape} {batch.images.dtype}, "
        f"labels {batch.labels.shape} over {len(batch.label_names)} labels"
    )

    console.rule("6. SQL")
    console.print(f'$ ctcurate sql "{DEMO_SQL}"')
    console.print(arrow_to_rich(catalog.query(DEMO_SQL)))
    console.print(f'Warehouse: {warehouse.location}  (try: .venv/bin/ctcurate sql "SELECT * FROM studies")')
