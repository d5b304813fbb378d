"""Write rows of a table as one immutable Parquet part file, stamped with provenance.

Parallel tasks each write their own parts; only the catalog step registers them.

    >>> ctx = RunContext(kind="ingest", cohort="site_a")
    >>> write_table_part(wh, "quarantine", rows, ctx, part="series-0003")  # doctest: +SKIP
    'parquet/quarantine/cohort=site_a/run=.../part-series-0003.parquet'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from curation.provenance import RunContext
from curation.storage.warehouse_layout import Warehouse
from curation.table_schemas import table_schema


def write_table_part(
    warehouse: Warehouse,
    table: str,
    rows: Iterable[Mapping[str, Any]] | pa.Table,
    run: RunContext,
    part: str,
) -> str | None:
    """Write ``rows`` (dicts or an Arrow table) as a part of ``table``; None when there are no rows."""
    schema = table_schema(table)
    if isinstance(rows, pa.Table):
        arrow = rows
    else:
        stamped = [{"input_hash": None, **row, **_provenance(run)} for row in rows]
        arrow = schema.table_from_rows(stamped)
    if arrow.num_rows == 0:
        return None
    if "run_id" not in arrow.column_names:
        arrow = arrow.append_column("run_id", pa.array([run.run_id] * arrow.num_rows))
        arrow = arrow.append_column("pipeline_version", pa.array([run.pipeline_version] * arrow.num_rows))
    arrow = schema.conform(arrow)
    relative = warehouse.part_path(table, run.cohort, run.run_id, part)
    return warehouse.write_parquet_atomic(relative, arrow)


def _provenance(run: RunContext) -> dict[str, str]:
    return {"run_id": run.run_id, "pipeline_version": run.pipeline_version}
