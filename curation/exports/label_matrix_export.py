"""Export the ``label_matrix`` mart (one row per study, one column per label) to a Parquet file.

DuckDB writes the file itself (``COPY ... TO``) from a read-only connection, so nothing passes
through Python rows.

    >>> export_label_matrix(wh, Path("label_matrix.parquet"))  # doctest: +SKIP
    100000
"""

from __future__ import annotations

from pathlib import Path

from curation.storage.catalog import Catalog
from curation.storage.warehouse_layout import Warehouse


def export_label_matrix(warehouse: Warehouse, out_path: Path, where: str | None = None) -> int:
    """Write the label matrix (optionally filtered by a predicate over its columns); returns rows written."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    predicate = f"WHERE {where}" if where and where.strip() else ""
    target = str(out_path).replace("'", "''")
    with Catalog(warehouse).connect_read_only() as con:
        con.execute(f"COPY (SELECT * FROM label_matrix {predicate}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        return int(con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchall()[0][0])
