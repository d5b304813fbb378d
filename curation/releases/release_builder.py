"""Create, list, show, diff and verify dataset releases.

A release is an immutable folder ``releases/<name>/`` with ``manifest.parquet`` (one row per image
volume: study, series, volume URI, content hash, split, fold), frozen copies of the reports,
findings and study labels as of the release, ``release.json`` and a dataset card ``README.md``.
Creating a release whose name exists is refused.

    >>> create_release(wh, "chest-v1", where="body_region = 'chest'", splits="70/15/15")  # doctest: +SKIP
    ReleaseSummary(name='chest-v1', n_studies=12, n_patients=8, ...)
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from curation.content_hashing import sha256_array, sha256_bytes
from curation.imaging.zarr_store import read_array_region
from curation.ingest.run_record import finish_run
from curation.provenance import RunContext, utc_now
from curation.releases.patient_splits import assign_fold, assign_split, parse_split_fractions
from curation.storage.catalog import Catalog, CatalogError
from curation.storage.table_parts import write_table_part
from curation.storage.warehouse_layout import Warehouse, check_name

FROZEN_TABLES = ("reports", "findings", "study_labels")
WHOLE_VOLUME = (slice(None), slice(None), slice(None))


class ReleaseError(ValueError):
    """A release cannot be created or read; the message says why."""


@dataclass(frozen=True)
class ReleaseSummary:
    name: str
    family: str
    parent: str | None
    n_studies: int
    n_patients: int
    n_volumes: int
    split_counts: dict[str, int]
    path: str


def create_release(
    warehouse: Warehouse,
    name: str,
    *,
    where: str | None = None,
    parent: str | None = None,
    splits: str | None = None,
    folds: int | None = None,
) -> ReleaseSummary:
    """Select studies, assign patient-level splits and write the release folder and tables.

    With a parent, every patient already in the parent keeps its split and fold; new patients are
    assigned by hash with ``splits`` (default: the parent's fractions, else 70/15/15).
    """
    check_name("release", name)
    catalog = Catalog(warehouse)
    release_dir = warehouse.release_dir(name)
    if warehouse.exists(release_dir) or _release_row(catalog, name) is not None:
        raise ReleaseError(f"release {name!r} already exists; releases are immutable, choose a new name")
    family, inherited, fractions = name, {}, parse_split_fractions(splits or "70/15/15")
    if parent is not None:
        parent_row = _release_row(catalog, parent)
        if parent_row is None:
            raise ReleaseError(f"parent release {parent!r} does not exist")
        family = parent_row["family"]
        if splits is None:
            fractions = tuple(parent_row["split_fractions"])  # type: ignore[assignment]
        inherited = {m["patient_id"]: (m["split"], m["fold"]) for m in read_manifest(warehouse, parent).to_pylist()}

    members = _select_members(catalog, where)
    if not members:
        raise ReleaseError("the predicate selects no ingested image volumes; nothing to release")
    for member in members:
        patient = member["patient_id"]
        if patient in inherited:
            member["split"], member["fold"] = inherited[patient]
        else:
            member["split"] = assign_split(patient, family, fractions)
            member["fold"] = assign_fold(patient, family, folds) if folds and member["split"] == "train" else None
        member["release_name"] = name

    run = RunContext(kind="release", cohort=None)
    manifest = pa.Table.from_pylist(members)
    manifest_bytes = _parquet_bytes(manifest)
    files = {"manifest.parquet": manifest_bytes}
    study_ids = sorted({m["study_id"] for m in members})
    for table in FROZEN_TABLES:
        files[f"{table}.parquet"] = _parquet_bytes(_frozen_table(catalog, table, study_ids))
    manifest_hash = sha256_bytes(manifest_bytes)
    summary = ReleaseSummary(
        name=name,
        family=family,
        parent=parent,
        n_studies=len(study_ids),
        n_patients=len({m["patient_id"] for m in members}),
        n_volumes=len(members),
        split_counts={s: sum(1 for m in members if m["split"] == s) for s in ("train", "validation", "test")},
        path=release_dir,
    )
    files["README.md"] = _dataset_card(summary, where, fractions, folds).encode()
    files["release.json"] = json.dumps(
        {
            **asdict(summary),
            "predicate": where,
            "split_fractions": fractions,
            "folds": folds,
            "created_at": run.started_at.isoformat(),
            "pipeline_version": run.pipeline_version,
            "run_id": run.run_id,
            "manifest_sha256": manifest_hash,
            "file_sha256": {filename: sha256_bytes(data) for filename, data in sorted(files.items())},
        },
        indent=2,
    ).encode()
    _write_release_folder(warehouse, release_dir, files)

    parts = [
        write_table_part(
            warehouse,
            "releases",
            [
                {
                    "release_name": name,
                    "family": family,
                    "parent": parent,
                    "created_at": run.started_at,
                    "predicate": where,
                    "split_fractions": list(fractions),
                    "n_folds": folds,
                    "n_studies": summary.n_studies,
                    "n_patients": summary.n_patients,
                    "manifest_hash": manifest_hash,
                    "input_hash": manifest_hash,
                }
            ],
            run,
            name,
        ),
        write_table_part(warehouse, "release_members", members, run, name),
    ]
    finish_run(
        warehouse,
        run,
        [p for p in parts if p],
        tables_written=("releases", "release_members"),
        parameters={"name": name, "where": where, "parent": parent, "splits": list(fractions), "folds": folds},
    )
    return summary


def list_releases(warehouse: Warehouse) -> pa.Table:
    return Catalog(warehouse).query(
        "SELECT release_name, family, parent, created_at, n_studies, n_patients, predicate "
        "FROM releases ORDER BY created_at"
    )


def read_manifest(warehouse: Warehouse, name: str) -> pa.Table:
    path = f"{warehouse.release_dir(name)}/manifest.parquet"
    if not warehouse.exists(path):
        raise ReleaseError(f"release {name!r} not found")
    with warehouse.fs.open(warehouse.path(path), "rb") as handle:
        return pq.read_table(handle)


def diff_releases(warehouse: Warehouse, old: str, new: str) -> dict[str, Any]:
    """Studies added and removed, and patients whose split changed (which must never happen)."""
    before, after = read_manifest(warehouse, old).to_pylist(), read_manifest(warehouse, new).to_pylist()
    old_studies, new_studies = {m["study_id"] for m in before}, {m["study_id"] for m in after}
    old_split = {m["patient_id"]: m["split"] for m in before}
    moved = sorted({m["patient_id"] for m in after if old_split.get(m["patient_id"], m["split"]) != m["split"]})
    return {
        "studies_added": sorted(new_studies - old_studies),
        "studies_removed": sorted(old_studies - new_studies),
        "patients_changed_split": moved,
    }


def verify_release(warehouse: Warehouse, name: str) -> list[dict[str, str]]:
    """Recompute the hash of every file and array of the release; return what changed or is missing."""
    problems = []
    release_dir = warehouse.release_dir(name)
    with warehouse.fs.open(warehouse.path(f"{release_dir}/release.json"), "rb") as handle:
        recorded = json.load(handle)["file_sha256"]
    for filename, expected in recorded.items():
        with warehouse.fs.open(warehouse.path(f"{release_dir}/{filename}"), "rb") as handle:
            if sha256_bytes(handle.read()) != expected:
                problems.append({"file": filename, "problem": "file changed since release"})
    for member in read_manifest(warehouse, name).to_pylist():
        try:
            array = read_array_region(warehouse.url(member["uri"]), "0", WHOLE_VOLUME)
        except (FileNotFoundError, KeyError, ValueError) as error:
            problems.append({"volume_id": member["volume_id"], "problem": f"unreadable ({type(error).__name__})"})
            continue
        if sha256_array(array) != member["content_hash"]:
            problems.append({"volume_id": member["volume_id"], "problem": "content changed since release"})
    return problems


# -- internals ----------------------------------------------------------------------------------
def _release_row(catalog: Catalog, name: str) -> dict[str, Any] | None:
    if not catalog.path.exists():
        return None
    rows = catalog.query(f"SELECT * FROM releases WHERE release_name = '{name}'").to_pylist()
    return rows[0] if rows else None


def _select_members(catalog: Catalog, where: str | None) -> list[dict[str, Any]]:
    predicate = where.strip() if where and where.strip() else "TRUE"
    sql = f"""
        WITH selected AS (SELECT * FROM studies WHERE {predicate})
        SELECT s.study_id, v.series_id, v.volume_id, s.patient_id, s.cohort, v.uri, v.content_hash
        FROM selected AS s
        JOIN volumes AS v ON v.study_id = s.study_id AND v.kind = 'image'
        ORDER BY s.study_id, v.series_id
    """
    try:
        return catalog.query(sql).to_pylist()
    except CatalogError as error:
        raise ReleaseError(f"the --where predicate does not apply to the studies view: {error}") from None


def _frozen_table(catalog: Catalog, table: str, study_ids: list[str]) -> pa.Table:
    ids = ", ".join(f"'{s}'" for s in study_ids)
    return catalog.query(f"SELECT * FROM {table} WHERE study_id IN ({ids}) ORDER BY ALL")


def _parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def _write_release_folder(warehouse: Warehouse, release_dir: str, files: dict[str, bytes]) -> None:
    staging = f"{release_dir}.tmp-{utc_now():%Y%m%dT%H%M%S%f}"
    warehouse.fs.makedirs(warehouse.path(staging), exist_ok=True)
    for filename, data in files.items():
        with warehouse.fs.open(warehouse.path(f"{staging}/{filename}"), "wb") as handle:
            handle.write(data)
    if warehouse.exists(release_dir):
        warehouse.fs.rm(warehouse.path(staging), recursive=True)
        raise ReleaseError(f"release {release_dir} appeared while writing; refusing to overwrite it")
    warehouse.fs.mv(warehouse.path(staging), warehouse.path(release_dir), recursive=True)


def _dataset_card(summary: ReleaseSummary, where: str | None, fractions: tuple[float, ...], folds: int | None) -> str:
    splits = ", ".join(f"{k}: {v}" for k, v in summary.split_counts.items())
    return "\n".join(
        [
            f"# Dataset release `{summary.name}`",
            "",
            f"- Family: `{summary.family}`" + (f" (parent `{summary.parent}`)" if summary.parent else ""),
            f"- Selection: `{where or 'all ingested studies'}`",
            f"- Studies: {summary.n_studies}; patients: {summary.n_patients}; image volumes: {summary.n_volumes}",
            f"- Splits (patient-level, fractions {'/'.join(f'{f:.2f}' for f in fractions)}): {splits}",
            f"- Cross-validation folds within train: {folds or 'none'}",
            "",
            "Files: `manifest.parquet` (volumes, content hashes, splits), `reports.parquet`,",
            "`findings.parquet`, `study_labels.parquet` (frozen as of the release), `release.json`.",
            "",
        ]
    )
