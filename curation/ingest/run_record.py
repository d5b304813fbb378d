"""Close a run: write its ``runs`` row (the commit marker) and register its parts in the catalog.

The runs row is written last: until it exists, the run's part files are invisible in the catalog,
so a crashed run leaves nothing half-visible. Registration is the only catalog writer.
"""

from __future__ import annotations

import json
from typing import Any

from curation.provenance import RunContext, utc_now
from curation.storage.catalog import Catalog
from curation.storage.table_parts import write_table_part
from curation.storage.warehouse_layout import Warehouse

INGEST_TABLES = (
    "cohorts", "patients", "studies", "series", "volumes", "reports", "sentences",
    "findings", "study_labels", "measurements", "quarantine", "files", "synthetic_reports",
)  # fmt: skip


def finish_run(
    warehouse: Warehouse,
    run: RunContext,
    parts: list[str],
    *,
    tables_written: tuple[str, ...],
    parameters: dict[str, Any],
    counts: dict[str, int | None] | None = None,
    status: str = "completed",
    error: str | None = None,
) -> str:
    """Write the run row and register ``parts`` (plus the run row) in the catalog."""
    counts = counts or {}
    row = {
        "run_id": run.run_id,
        "kind": run.kind,
        "cohort": run.cohort,
        "status": status,
        "started_at": run.started_at,
        "finished_at": utc_now(),
        "parameters_json": json.dumps(parameters, sort_keys=True, default=str),
        "tables_written": list(tables_written) if status == "completed" else [],
        "n_discovered": counts.get("n_discovered"),
        "n_ingested": counts.get("n_ingested"),
        "n_quarantined": counts.get("n_quarantined"),
        "n_skipped": counts.get("n_skipped"),
        "error": error,
    }
    run_part = write_table_part(warehouse, "runs", [row], run, "run")
    assert run_part is not None
    Catalog(warehouse).register_parts([*parts, run_part])
    return run_part
