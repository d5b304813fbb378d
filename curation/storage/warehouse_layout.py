"""Where everything lives in a warehouse, on local disk or any fsspec URL.

Layout under the root (default ``./warehouse/local``; ``--warehouse`` or ``$CTCURATE_WAREHOUSE``)::

    parquet/<table>/cohort=<cohort>/run=<run_id>/part-<name>.parquet   # source of truth (rows)
    volumes/<cohort>/<study_id>/<series_id>.zarr                       # source of truth (arrays)
    releases/<name>/                                                   # immutable releases
    catalog.duckdb                                                     # rebuilt from the above
    secrets/                                                           # keys and crosswalks; never released

    >>> wh = Warehouse.open("/tmp/wh")
    >>> wh.part_path("findings", "site_a", "20261122T061500Z-ingest-3fa9c1", "reports")
    'parquet/findings/cohort=site_a/run=20261122T061500Z-ingest-3fa9c1/part-reports.parquet'
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

WAREHOUSE_ENV_VAR = "CTCURATE_WAREHOUSE"
DEFAULT_WAREHOUSE = "warehouse/local"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class WarehouseError(ValueError):
    """A warehouse path or name is unusable."""


def check_name(kind: str, name: str) -> str:
    """Cohort and release names become folder names: letters, digits, '_', '-', '.'."""
    if not _SAFE_NAME.match(name or ""):
        raise WarehouseError(f"{kind} name {name!r} must start with a letter or digit and use A-Z a-z 0-9 _ - .")
    return name


@dataclass(frozen=True)
class Warehouse:
    location: str  # as given: a local path or an fsspec URL
    fs: fsspec.AbstractFileSystem
    root: str  # the root inside ``fs``

    @classmethod
    def open(cls, location: str | os.PathLike[str] | None = None) -> Warehouse:
        location = str(location or os.environ.get(WAREHOUSE_ENV_VAR) or DEFAULT_WAREHOUSE)
        fs, root = fsspec.core.url_to_fs(location)
        if _is_local(fs):
            root = str(Path(root).resolve())
        fs.makedirs(root, exist_ok=True)
        return cls(location=location, fs=fs, root=root.rstrip("/"))

    @property
    def is_local(self) -> bool:
        return _is_local(self.fs)

    def path(self, relative: str) -> str:
        """Full path inside the filesystem of a warehouse-relative path."""
        return f"{self.root}/{relative}" if relative else self.root

    def url(self, relative: str) -> str:
        """A path DuckDB and zarr can open: a local path, or protocol://path for remote storage."""
        full = self.path(relative)
        if self.is_local:
            return full
        protocol = self.fs.protocol if isinstance(self.fs.protocol, str) else self.fs.protocol[0]
        return f"{protocol}://{full}"

    # -- layout -------------------------------------------------------------------------------
    def part_path(self, table: str, cohort: str | None, run_id: str, part: str) -> str:
        partition = f"cohort={cohort}" if cohort else "cohort=_all"
        return f"parquet/{table}/{partition}/run={run_id}/part-{part}.parquet"

    @staticmethod
    def volume_uri(cohort: str, study_id: str, series_id: str) -> str:
        return f"volumes/{cohort}/{study_id}/{series_id}.zarr"

    @staticmethod
    def release_dir(name: str) -> str:
        return f"releases/{check_name('release', name)}"

    @property
    def secrets_dir(self) -> Path:
        """Local folder for secrets (owner-only). Remote warehouses keep secrets on this machine."""
        base = Path(self.root) if self.is_local else _local_cache_dir(self.location)
        path = base / "secrets"
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
        return path

    def local_cache_dir(self, name: str) -> Path:
        """A local folder for caches (e.g. LLM responses): in the warehouse when local, else a local cache."""
        base = Path(self.root) if self.is_local else _local_cache_dir(self.location)
        path = base / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def catalog_path(self) -> Path:
        """The DuckDB catalog file: in the warehouse when local, else in a local cache."""
        base = Path(self.root) if self.is_local else _local_cache_dir(self.location)
        base.mkdir(parents=True, exist_ok=True)
        return base / "catalog.duckdb"

    # -- atomic writes ------------------------------------------------------------------------
    def write_bytes_atomic(self, relative: str, data: bytes) -> str:
        target = self.path(relative)
        self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        temporary = f"{target}.tmp-{uuid.uuid4().hex}"
        with self.fs.open(temporary, "wb") as handle:
            handle.write(data)
        self.fs.mv(temporary, target)
        return relative

    def write_parquet_atomic(self, relative: str, table: pa.Table) -> str:
        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="zstd")
        return self.write_bytes_atomic(relative, buffer.getvalue())

    def exists(self, relative: str) -> bool:
        return bool(self.fs.exists(self.path(relative)))

    def glob(self, pattern: str) -> list[str]:
        """Warehouse-relative paths matching ``pattern`` (temporary files excluded)."""
        prefix = self.root + "/"
        found = sorted(self.fs.glob(self.path(pattern)))
        return [p[len(prefix) :] if p.startswith(prefix) else p for p in found if ".tmp-" not in p]


def _is_local(fs: fsspec.AbstractFileSystem) -> bool:
    protocol = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    return "file" in protocol or "local" in protocol


def _local_cache_dir(location: str) -> Path:
    digest = hashlib.sha256(location.encode()).hexdigest()[:16]
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ctcurate" / digest
