"""The DuckDB catalog: raw tables loaded from Parquet parts, layered views from ``warehouse/*.sql``.

Parquet and Zarr are the source of truth. One writer registers new part files; ``rebuild`` makes
the whole catalog again from every part under ``parquet/`` (into a temporary file, then renamed).
Views in ``warehouse/staging`` show each cohort's current snapshot (the latest completed run that
wrote the table); ``warehouse/marts`` build on them. View SQL may hold placeholders filled at
creation time (``curation.storage.view_templates``: the label columns of ``label_matrix``).

    >>> catalog = Catalog(Warehouse.open("warehouse/local"))
    >>> catalog.register_parts(["parquet/findings/cohort=site_a/run=.../part-reports.parquet"])  # doctest: +SKIP
    >>> catalog.query("select label, count(*) from findings group by 1")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from curation.resources import warehouse_sql_dir
from curation.storage.view_templates import render_view_sql
from curation.storage.warehouse_layout import Warehouse
from curation.table_schemas import table_names, table_schema

_PART_TABLE = re.compile(r"^parquet/([a-z_]+)/")
_REGISTRY_DDL = """
CREATE TABLE IF NOT EXISTS raw._registered_parts (
    path VARCHAR PRIMARY KEY, table_name VARCHAR NOT NULL, n_rows BIGINT NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
)"""
SQL_LAYERS = ("raw", "staging", "marts")


class CatalogError(RuntimeError):
    """The catalog cannot be opened or a query failed; the message says why in a user's terms."""


class Catalog:
    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self.path = warehouse.catalog_path

    # -- writing (one writer) -----------------------------------------------------------------
    def register_parts(self, parts: Iterable[str]) -> int:
        """Load part files not yet registered into the raw tables; returns rows added."""
        parts = sorted(set(parts))
        if not self.path.exists():
            self.rebuild()
            return 0
        with self._connect_writer(self.path) as con:
            outdated = not self._raw_tables_match_contracts(con)
        if outdated:
            # made by an older version (a table without a column added since): make it again from the parts
            return self.rebuild()
        with self._connect_writer(self.path) as con:
            registered = {row[0] for row in con.execute("SELECT path FROM raw._registered_parts").fetchall()}
            added = self._load_parts(con, [p for p in parts if p not in registered])
            try:
                self._create_views(con)
                views_built = True
            except CatalogError:
                views_built = False
        if not views_built:
            # a catalog made by an older version (a view that is now a table, say): make it again
            return self.rebuild()
        return added

    def rebuild(self) -> int:
        """Make the catalog again from every Parquet part in the warehouse; returns rows loaded."""
        temporary = self.path.with_name(f"{self.path.name}.tmp-{uuid.uuid4().hex}")
        try:
            with self._connect_writer(temporary) as con:
                self._create_raw_tables(con)
                loaded = self._load_parts(con, self.warehouse.glob("parquet/*/*/*/*.parquet"))
                self._create_views(con)
            os.replace(temporary, self.path)
        finally:
            for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
                leftover.unlink(missing_ok=True)
        return loaded

    # -- reading ------------------------------------------------------------------------------
    def connect_read_only(self) -> duckdb.DuckDBPyConnection:
        if not self.path.exists():
            raise CatalogError(f"no catalog at {self.path}: ingest a cohort first, or run `ctcurate catalog rebuild`")
        try:
            return duckdb.connect(str(self.path), read_only=True)
        except duckdb.IOException as error:
            raise CatalogError(f"cannot open the catalog {self.path} read-only: {error}") from None

    def query(self, sql: str, tables: Mapping[str, pa.Table] | None = None) -> pa.Table:
        """Run read-only SQL and return an Arrow table; SQL errors become a CatalogError.

        ``tables`` are Arrow tables the SQL may name (registered as temporary views), e.g. a list of
        study ids to join instead of a long ``IN (...)`` literal.
        """
        with self.connect_read_only() as con:
            for name, table in (tables or {}).items():
                con.register(name, table)
            try:
                relation = con.sql(sql)
                return relation.to_arrow_table() if relation is not None else pa.table({})
            except duckdb.Error as error:
                raise CatalogError(_explain_sql_error(error)) from None

    # -- internals ----------------------------------------------------------------------------
    def _connect_writer(self, path: Path) -> duckdb.DuckDBPyConnection:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(path))
        except duckdb.IOException as error:
            raise CatalogError(f"cannot open the catalog {path} for writing: {error}") from None
        if not self.warehouse.is_local:
            con.register_filesystem(self.warehouse.fs)
        return con

    def _create_raw_tables(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute((warehouse_sql_dir() / "raw" / "schema.sql").read_text())
        con.execute(_REGISTRY_DDL)
        for name in table_names():
            empty = table_schema(name).empty_table()  # noqa: F841 (read by DuckDB's replacement scan)
            con.execute(f"CREATE TABLE IF NOT EXISTS raw.{name} AS SELECT * FROM empty")

    def _raw_tables_match_contracts(self, con: duckdb.DuckDBPyConnection) -> bool:
        """Whether every raw table exists with exactly its contract's columns."""
        rows = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'raw'"
        ).fetchall()
        columns: dict[str, set[str]] = {}
        for table, column in rows:
            columns.setdefault(table, set()).add(column)
        return all(columns.get(name) == set(table_schema(name).column_names) for name in table_names())

    def _load_parts(self, con: duckdb.DuckDBPyConnection, parts: list[str]) -> int:
        by_table: dict[str, list[str]] = {}
        for part in parts:
            match = _PART_TABLE.match(part)
            if match and match.group(1) in table_names():
                by_table.setdefault(match.group(1), []).append(part)
        added = 0
        for table, table_parts in sorted(by_table.items()):
            contract = table_schema(table).column_names
            for part in table_parts:
                url = self.warehouse.url(part)
                # parts written before a column was added to the contract load with that column NULL
                present = {row[0] for row in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [url]).fetchall()}
                columns = ", ".join(f'"{c}"' for c in contract if c in present)
                n_rows = con.execute(
                    f"INSERT INTO raw.{table} BY NAME SELECT {columns} FROM read_parquet(?)", [url]
                ).fetchone()[0]
                con.execute(
                    "INSERT INTO raw._registered_parts (path, table_name, n_rows) VALUES (?, ?, ?)",
                    [part, table, n_rows],
                )
                added += n_rows
        return added

    def _create_views(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create the staging then mart views; a view whose inputs come later is retried."""
        for layer in SQL_LAYERS[1:]:
            pending = sorted((warehouse_sql_dir() / layer).glob("*.sql"))
            while pending:
                failed: list[tuple[Path, duckdb.Error]] = []
                for sql_file in pending:
                    try:
                        con.execute(render_view_sql(sql_file.read_text()))
                    except duckdb.CatalogException as error:
                        failed.append((sql_file, error))
                if len(failed) == len(pending):
                    sql_file, error = failed[0]
                    raise CatalogError(f"view {layer}/{sql_file.name} does not build: {error}")
                pending = [sql_file for sql_file, _ in failed]


def _explain_sql_error(error: duckdb.Error) -> str:
    message = str(error).strip()
    if isinstance(error, duckdb.CatalogException):
        return f"{message}\nHint: list tables and views with: SELECT table_name FROM information_schema.tables"
    if isinstance(error, duckdb.ParserException):
        return f"SQL syntax error: {message}"
    if isinstance(error, duckdb.BinderException):
        return f"{message}\nHint: show a table's columns with: DESCRIBE <table>"
    return message
