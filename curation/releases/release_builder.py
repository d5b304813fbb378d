"""Create, list, show, diff and verify dataset releases.

A release is an immutable folder ``releases/<name>/`` with ``manifest.parquet`` (one row per image
volume: study, series, volume URI, content hash, split, fold), frozen copies of the reports,
sentences, findings and study labels as of the release, ``release.json``, a dataset card
(``README.md``, ``card.html``, ``card/*.png``) and ``CHANGELOG.md`` against the parent. Content
hashes come from the ``volumes`` table (no array is read); ``verify_release`` re-hashes the arrays.
Creating a release whose name exists is refused.

    >>> create_release(wh, "chest-v1", where="body_region = 'chest'", splits="70/15/15")  # doctest: +SKIP
    ReleaseSummary(name='chest-v1', n_studies=12, n_patients=8, ...)
    >>> create_release(wh, "chest-v2", parent="chest-v1", stratify=True)  # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from curation.content_hashing import sha256_array, sha256_bytes
from curation.imaging.zarr_store import read_array_region
from curation.ingest.run_record import finish_run
from curation.provenance import RunContext, utc_now
from curation.releases.dataset_card import CardHeader, build_dataset_card
from curation.releases.patient_splits import SPLIT_NAMES, assign_fold, assign_split, parse_split_fractions
from curation.releases.release_diff import (
    ReleaseContents,
    changelog_markdown,
    diff_release_contents,
    read_release_contents,
)
from curation.releases.stratified_splits import stratified_assign
from curation.storage.catalog import Catalog, CatalogError
from curation.storage.table_parts import write_table_part
from curation.storage.warehouse_layout import Warehouse, check_name

FROZEN_TABLES = ("reports", "sentences", "findings", "study_labels")
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
    stratify: bool = False,
) -> ReleaseSummary:
    """Select studies, assign patient-level splits and write the release folder and tables.

    With a parent, every patient already in the parent keeps its split and fold; new patients are
    assigned by hash with ``splits`` (default: the parent's fractions, else 70/15/15). With
    ``stratify``, new patients are assigned by iterative multi-label stratification over their
    positive labels instead, so split sizes and label prevalence stay balanced (folds too).
    """
    check_name("release", name)
    if folds is not None and folds < 2:
        raise ReleaseError(f"--folds must be at least 2, got {folds}")
    catalog = Catalog(warehouse)
    release_dir = warehouse.release_dir(name)
    if warehouse.exists(release_dir) or _release_row(catalog, name) is not None:
        raise ReleaseError(f"release {name!r} already exists; releases are immutable, choose a new name")
    family, inherited, fractions = name, {}, parse_split_fractions(splits or "70/15/15")
    parent_contents: ReleaseContents | None = None
    if parent is not None:
        parent_row = _release_row(catalog, parent)
        if parent_row is None:
            raise ReleaseError(f"parent release {parent!r} does not exist")
        family = parent_row["family"]
        if splits is None:
            fractions = tuple(parent_row["split_fractions"])  # type: ignore[assignment]
        parent_contents = read_release_contents(warehouse, parent)
        inherited = {m["patient_id"]: (m["split"], m["fold"]) for m in parent_contents.manifest.to_pylist()}

    members = _select_members(catalog, where)
    if not members:
        raise ReleaseError("the predicate selects no ingested image volumes; nothing to release")
    study_ids = sorted({m["study_id"] for m in members})
    frozen = {table: _frozen_table(catalog, table, study_ids) for table in FROZEN_TABLES}
    patient_labels = _positive_labels_by_patient(members, frozen["study_labels"]) if stratify else {}
    split_of, fold_of = _assign(members, inherited, family, fractions, folds, patient_labels if stratify else None)
    for member in members:
        member["split"], member["fold"] = split_of[member["patient_id"]], fold_of.get(member["patient_id"])
        member["release_name"] = name

    run = RunContext(kind="release", cohort=None)
    manifest = pa.Table.from_pylist(members)
    manifest_bytes = _parquet_bytes(manifest)
    files = {"manifest.parquet": manifest_bytes}
    for table, rows in frozen.items():
        files[f"{table}.parquet"] = _parquet_bytes(rows)
    manifest_hash = sha256_bytes(manifest_bytes)
    summary = ReleaseSummary(
        name=name,
        family=family,
        parent=parent,
        n_studies=len(study_ids),
        n_patients=len({m["patient_id"] for m in members}),
        n_volumes=len(members),
        split_counts={s: sum(1 for m in members if m["split"] == s) for s in SPLIT_NAMES},
        path=release_dir,
    )
    header = CardHeader(
        name=name,
        family=family,
        parent=parent,
        predicate=where,
        fractions=tuple(fractions),
        folds=folds,
        stratified=stratify,
        n_studies=summary.n_studies,
        n_patients=summary.n_patients,
        n_volumes=summary.n_volumes,
    )
    files.update(build_dataset_card(warehouse, header, manifest, frozen["study_labels"]))
    changes = None
    if parent_contents is not None:
        changes = diff_release_contents(parent_contents, ReleaseContents(name, manifest, frozen["study_labels"]))
    files["CHANGELOG.md"] = changelog_markdown(name, parent, changes, summary.n_studies).encode()
    files["release.json"] = json.dumps(
        {
            **asdict(summary),
            "predicate": where,
            "split_fractions": fractions,
            "folds": folds,
            "stratified": stratify,
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
        parameters={
            "name": name,
            "where": where,
            "parent": parent,
            "splits": list(fractions),
            "folds": folds,
            "stratify": stratify,
        },
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
    """Studies added and removed, patients whose split changed (which must never happen within a family),
    label status changes per study and positive prevalence changes per label, from the frozen files."""
    try:
        return diff_release_contents(read_release_contents(warehouse, old), read_release_contents(warehouse, new))
    except FileNotFoundError as error:
        raise ReleaseError(str(error)) from None


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
    selected = pa.table({"study_id": pa.array(study_ids, pa.string())})
    return catalog.query(
        f"SELECT t.* FROM {table} AS t SEMI JOIN selected USING (study_id) ORDER BY ALL", tables={"selected": selected}
    )


def _positive_labels_by_patient(members: list[dict[str, Any]], study_labels: pa.Table) -> dict[str, frozenset[str]]:
    """Each member patient's labels that are positive in any of its released studies."""
    studies = pa.table({"study_id": [m["study_id"] for m in members], "patient_id": [m["patient_id"] for m in members]})
    con = duckdb.connect()
    try:
        con.register("members", studies)
        con.register("labels", study_labels.select(["study_id", "label", "status"]))
        rows = con.execute(
            "SELECT s.patient_id, list(DISTINCT l.label) FILTER (WHERE l.status = 'positive') "
            "FROM (SELECT DISTINCT * FROM members) AS s LEFT JOIN labels AS l USING (study_id) GROUP BY s.patient_id"
        ).fetchall()
    finally:
        con.close()
    return {patient: frozenset(found or ()) for patient, found in rows}


def _assign(
    members: list[dict[str, Any]],
    inherited: Mapping[str, tuple[str, int | None]],
    family: str,
    fractions: tuple[float, ...],
    folds: int | None,
    patient_labels: Mapping[str, frozenset[str]] | None,
) -> tuple[dict[str, str], dict[str, int]]:
    """Split and fold per member patient. Inherited patients keep their split, and their fold when the
    parent had one; the rest are assigned by hash, or by multi-label stratification when labels are given."""
    patients = sorted({m["patient_id"] for m in members})
    split_of = {p: inherited[p][0] for p in patients if p in inherited}
    fold_of = {p: f for p in patients if p in inherited and (f := inherited[p][1]) is not None and folds}
    new = [p for p in patients if p not in split_of]
    if patient_labels is None:
        split_of.update({p: assign_split(p, family, fractions) for p in new})  # type: ignore[arg-type]
        if folds:
            fold_of.update(
                {p: assign_fold(p, family, folds) for p in patients if split_of[p] == "train" and p not in fold_of}
            )
        return split_of, fold_of
    labels = {p: patient_labels.get(p, frozenset()) for p in patients}
    already = {p: (SPLIT_NAMES.index(split_of[p]), labels[p]) for p in split_of}
    chosen = stratified_assign({p: labels[p] for p in new}, family, fractions, already)
    split_of.update({p: SPLIT_NAMES[b] for p, b in chosen.items()})
    if folds:
        train = [p for p in patients if split_of[p] == "train"]
        fold_inherited = {p: (fold_of[p], labels[p]) for p in train if p in fold_of}
        unfolded = {p: labels[p] for p in train if p not in fold_of}
        fold_of.update(stratified_assign(unfolded, f"{family}/folds", [1 / folds] * folds, fold_inherited))
    return split_of, fold_of


def _parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def _write_release_folder(warehouse: Warehouse, release_dir: str, files: dict[str, bytes]) -> None:
    staging = f"{release_dir}.tmp-{utc_now():%Y%m%dT%H%M%S%f}"
    warehouse.fs.makedirs(warehouse.path(staging), exist_ok=True)
    for filename, data in files.items():
        if "/" in filename:
            warehouse.fs.makedirs(warehouse.path(f"{staging}/{filename.rsplit('/', 1)[0]}"), exist_ok=True)
        with warehouse.fs.open(warehouse.path(f"{staging}/{filename}"), "wb") as handle:
            handle.write(data)
    if warehouse.exists(release_dir):
        warehouse.fs.rm(warehouse.path(staging), recursive=True)
        raise ReleaseError(f"release {release_dir} appeared while writing; refusing to overwrite it")
    warehouse.fs.mv(warehouse.path(staging), warehouse.path(release_dir), recursive=True)
