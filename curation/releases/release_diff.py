"""Compare two releases from their frozen files: studies, splits, per-study labels, label prevalence.

The comparison reads only what each release froze (``manifest.parquet`` and ``study_labels.parquet``),
so it answers "what changed between the datasets people trained on", whatever the catalog says now.
``changelog_markdown`` renders the same comparison as the ``CHANGELOG.md`` of a child release.

    >>> changes = diff_release_contents(read_release_contents(wh, "chest-v1"), read_release_contents(wh, "chest-v2"))
    ... # doctest: +SKIP
    >>> sorted(changes)  # doctest: +SKIP
    ['label_changes', 'patients_changed_split', 'prevalence_changes', 'studies_added', 'studies_removed']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from curation.storage.warehouse_layout import Warehouse

LISTED_IN_CHANGELOG = 50


@dataclass(frozen=True)
class ReleaseContents:
    name: str
    manifest: pa.Table  # one row per volume: study_id, patient_id, split, ...
    study_labels: pa.Table  # frozen (report, label) rows of the member studies


def read_release_contents(warehouse: Warehouse, name: str) -> ReleaseContents:
    folder = warehouse.release_dir(name)
    tables = {}
    for table in ("manifest", "study_labels"):
        path = f"{folder}/{table}.parquet"
        if not warehouse.exists(path):
            raise FileNotFoundError(f"release {name!r} not found (no {path})")
        with warehouse.fs.open(warehouse.path(path), "rb") as handle:
            tables[table] = pq.read_table(handle)
    return ReleaseContents(name, tables["manifest"], tables["study_labels"])


_STUDIES = "(SELECT DISTINCT study_id, patient_id, split FROM {m})"
_STATUS = "(SELECT study_id, label, arg_min(status, CASE status WHEN 'positive' THEN 0 WHEN 'uncertain' THEN 1 ELSE 2 END) AS status FROM {l} WHERE study_id IS NOT NULL GROUP BY ALL)"  # noqa: E501
_PREVALENCE = """(SELECT l.label, count(DISTINCT l.study_id) FILTER (WHERE l.status = 'positive') AS n_positive
    FROM {l} AS l SEMI JOIN {m} AS m ON m.study_id = l.study_id GROUP BY l.label)"""


def diff_release_contents(old: ReleaseContents, new: ReleaseContents) -> dict[str, list[Any]]:
    """Studies added and removed, patients whose split changed (must stay empty within a family),
    label status changes of studies in both, and positive prevalence per label before and after."""
    con = duckdb.connect()
    try:
        for prefix, contents in (("old", old), ("new", new)):
            con.register(f"{prefix}_m", contents.manifest.select(["study_id", "patient_id", "split"]))
            con.register(f"{prefix}_l", contents.study_labels.select(["study_id", "label", "status"]))
            con.execute(f"CREATE TEMP TABLE {prefix}_s AS SELECT * FROM {_STUDIES.format(m=f'{prefix}_m')}")
            con.execute(f"CREATE TEMP TABLE {prefix}_st AS SELECT * FROM {_STATUS.format(l=f'{prefix}_l')}")

        def rows(sql: str) -> list[dict[str, Any]]:
            return con.sql(sql).to_arrow_table().to_pylist()

        only_in = "SELECT study_id FROM {}_s ANTI JOIN {}_s USING (study_id) ORDER BY 1"
        added = [r["study_id"] for r in rows(only_in.format("new", "old"))]
        removed = [r["study_id"] for r in rows(only_in.format("old", "new"))]
        moved = [
            r["patient_id"]
            for r in rows(
                "SELECT DISTINCT n.patient_id FROM new_s AS n JOIN old_s AS o USING (patient_id) "
                "WHERE n.split <> o.split ORDER BY 1"
            )
        ]
        label_changes = rows(
            """
            WITH both_studies AS (SELECT study_id FROM old_s INTERSECT SELECT study_id FROM new_s)
            SELECT coalesce(o.study_id, n.study_id) AS study_id, coalesce(o.label, n.label) AS label,
                   o.status AS before, n.status AS after
            FROM (SELECT * FROM old_st SEMI JOIN both_studies USING (study_id)) AS o
            FULL JOIN (SELECT * FROM new_st SEMI JOIN both_studies USING (study_id)) AS n
                ON o.study_id = n.study_id AND o.label = n.label
            WHERE o.status IS DISTINCT FROM n.status
            ORDER BY 1, 2
            """
        )
        n_old, n_new = (con.execute(f"SELECT count(*) FROM {p}_s").fetchall()[0][0] for p in ("old", "new"))  # type: ignore[index]
        prevalence = rows(
            f"""
            SELECT coalesce(o.label, n.label) AS label,
                   coalesce(o.n_positive, 0) AS n_positive_before, coalesce(n.n_positive, 0) AS n_positive_after,
                   round(coalesce(o.n_positive, 0) / greatest({n_old}, 1), 4) AS prevalence_before,
                   round(coalesce(n.n_positive, 0) / greatest({n_new}, 1), 4) AS prevalence_after
            FROM {_PREVALENCE.format(l="old_st", m="old_s")} AS o
            FULL JOIN {_PREVALENCE.format(l="new_st", m="new_s")} AS n ON o.label = n.label
            WHERE prevalence_before IS DISTINCT FROM prevalence_after
            ORDER BY abs(prevalence_after - prevalence_before) DESC, label
            """
        )
    finally:
        con.close()
    for change in prevalence:
        change["delta"] = round(change["prevalence_after"] - change["prevalence_before"], 4)
    return {
        "studies_added": added,
        "studies_removed": removed,
        "patients_changed_split": moved,
        "label_changes": label_changes,
        "prevalence_changes": prevalence,
    }


def changelog_markdown(new_name: str, parent: str | None, changes: dict[str, list[Any]] | None, n_studies: int) -> str:
    """``CHANGELOG.md`` of a release: what changed against its parent (or that it starts a family)."""
    if parent is None or changes is None:
        return f"# Changelog of `{new_name}`\n\nFirst release of its family: {n_studies} studies, no parent.\n"
    lines = [
        f"# Changelog of `{new_name}` against its parent `{parent}`",
        "",
        f"- Studies added: {len(changes['studies_added'])}",
        f"- Studies removed: {len(changes['studies_removed'])}",
        f"- Label changes in studies of both releases: {len(changes['label_changes'])}",
        f"- Labels whose positive prevalence changed: {len(changes['prevalence_changes'])}",
        f"- Patients whose split changed: {len(changes['patients_changed_split'])} (must be 0)",
        "",
    ]
    for title, key in (("Studies added", "studies_added"), ("Studies removed", "studies_removed")):
        if changes[key]:
            lines += [f"## {title}", "", *_listed([f"- `{s}`" for s in changes[key]]), ""]
    if changes["label_changes"]:
        lines += ["## Label changes", "", "| study | label | before | after |", "|---|---|---|---|"]
        lines += _listed(
            [
                f"| `{c['study_id']}` | {c['label']} | {c['before'] or 'not mentioned'} | "
                f"{c['after'] or 'not mentioned'} |"
                for c in changes["label_changes"]
            ]
        )
        lines.append("")
    if changes["prevalence_changes"]:
        lines += [
            "## Prevalence changes (positive studies / studies)",
            "",
            "| label | before | after | change |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {c['label']} | {c['prevalence_before']:.4f} ({c['n_positive_before']}) | "
            f"{c['prevalence_after']:.4f} ({c['n_positive_after']}) | {c['delta']:+.4f} |"
            for c in changes["prevalence_changes"]
        ]
        lines.append("")
    return "\n".join(lines)


def _listed(lines: list[str]) -> list[str]:
    if len(lines) <= LISTED_IN_CHANGELOG:
        return lines
    more = len(lines) - LISTED_IN_CHANGELOG
    return [*lines[:LISTED_IN_CHANGELOG], f"- ... and {more} more (`ctcurate release diff`)"]
