"""Table contracts: ``schemas/tables/<table>.yaml`` read into Arrow schemas.

Each file names the table's columns, Arrow types and a one-line meaning each. Every table also
carries the provenance columns of ``schemas/tables/_provenance.yaml`` (run id, pipeline version,
input hash). Example::

    >>> findings = table_schema("findings")
    >>> findings.arrow.field("size_mm").type
    DataType(float)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyarrow as pa
import yaml

from curation.resources import schemas_dir

_SIMPLE_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "bool": pa.bool_(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float32": pa.float32(),
    "float64": pa.float64(),
    "date32": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def arrow_type(spelling: str) -> pa.DataType:
    """Parse a contract type such as ``float32`` or ``list<string>`` into an Arrow type."""
    spelling = spelling.strip()
    if spelling.startswith("list<") and spelling.endswith(">"):
        return pa.list_(arrow_type(spelling[5:-1]))
    try:
        return _SIMPLE_TYPES[spelling]
    except KeyError:
        raise ValueError(f"unknown column type {spelling!r} in a table contract") from None


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    primary_key: tuple[str, ...]
    scope: str  # "cohort": a run replaces its cohort's rows; "append": rows accumulate
    arrow: pa.Schema
    column_descriptions: Mapping[str, str]

    @property
    def column_names(self) -> list[str]:
        return self.arrow.names

    def empty_table(self) -> pa.Table:
        return self.arrow.empty_table()

    def table_from_rows(self, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
        """Build an Arrow table from row dicts; unknown keys are an error, missing keys are null."""
        rows = list(rows)
        known = set(self.arrow.names)
        for row in rows:
            unknown = set(row) - known
            if unknown:
                raise KeyError(f"{self.name}: unknown columns {sorted(unknown)}")
        columns = {name: [row.get(name) for row in rows] for name in self.arrow.names}
        return pa.Table.from_pydict(columns, schema=self.arrow)

    def conform(self, table: pa.Table) -> pa.Table:
        """Cast and reorder ``table`` to this contract, adding missing nullable columns as nulls."""
        arrays = []
        for field in self.arrow:
            if field.name in table.column_names:
                arrays.append(table.column(field.name).cast(field.type))
            elif field.nullable:
                arrays.append(pa.nulls(table.num_rows, field.type))
            else:
                raise KeyError(f"{self.name}: required column {field.name!r} is missing")
        return pa.Table.from_arrays(arrays, schema=self.arrow)


def _fields(columns: list[dict[str, Any]]) -> list[pa.Field]:
    return [pa.field(c["name"], arrow_type(c["type"]), nullable=bool(c.get("nullable", True))) for c in columns]


@cache
def _provenance_columns() -> list[dict[str, Any]]:
    return yaml.safe_load((schemas_dir() / "tables" / "_provenance.yaml").read_text())["columns"]


@cache
def table_schema(name: str) -> TableSchema:
    path = schemas_dir() / "tables" / f"{name}.yaml"
    if not path.is_file():
        raise KeyError(f"no table contract named {name!r} (looked for {path.name})")
    spec = yaml.safe_load(path.read_text())
    own = {c["name"] for c in spec["columns"]}
    columns = spec["columns"] + [c for c in _provenance_columns() if c["name"] not in own]
    return TableSchema(
        name=spec["table"],
        description=spec["description"],
        primary_key=tuple(spec["primary_key"]),
        scope=spec.get("scope", "cohort"),
        arrow=pa.schema(_fields(columns)),
        column_descriptions={c["name"]: c["description"] for c in columns},
    )


def table_names() -> list[str]:
    return sorted(p.stem for p in (schemas_dir() / "tables").glob("*.yaml") if not p.stem.startswith("_"))
