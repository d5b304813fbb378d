"""One row per released volume with its report sections and labels, from a release's frozen files.

The exports share this view of a release: manifest rows joined with the frozen reports (findings
and impression text put together from the frozen sentences, in order) and the frozen study labels.
Label values follow CT-RATE: 1 positive, ``uncertain_as`` (default 1) uncertain, 0 negative or not
mentioned.

    >>> rows = release_volume_rows(wh, "chest-v1")  # doctest: +SKIP
    >>> rows.column_names[:6]  # doctest: +SKIP
    ['volume_id', 'study_id', 'series_id', 'patient_id', 'cohort', 'split']
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from curation.storage.warehouse_layout import Warehouse

SPLIT_ORDER = {"train": 0, "validation": 1, "test": 2}


def read_release_table(warehouse: Warehouse, release: str, table: str) -> pa.Table:
    path = f"{warehouse.release_dir(release)}/{table}.parquet"
    if not warehouse.exists(path):
        raise FileNotFoundError(f"release {release!r} has no {table}.parquet (not found, or made before it was frozen)")
    with warehouse.fs.open(warehouse.path(path), "rb") as handle:
        return pq.read_table(handle)


def release_volume_rows(warehouse: Warehouse, release: str, labels: list[str], uncertain_as: int = 1) -> pa.Table:
    """Volume, study, patient, cohort, split, fold, report text, findings, impression, one int8 column per label."""
    con = duckdb.connect()
    try:
        for table in ("manifest", "reports", "sentences", "study_labels"):
            con.register(table, read_release_table(warehouse, release, table))
        label_columns = ",\n".join(
            f"coalesce(any_value(CASE l.status WHEN 'positive' THEN 1 WHEN 'uncertain' THEN {int(uncertain_as)} "
            f"ELSE 0 END) FILTER (WHERE l.label = '{name}'), 0)::TINYINT AS \"{name}\""
            for name in labels
        )
        sql = f"""
            WITH sections AS (
                SELECT report_id,
                       string_agg(text, ' ' ORDER BY sentence_index) FILTER (WHERE section = 'findings') AS findings,
                       string_agg(text, ' ' ORDER BY sentence_index)
                           FILTER (WHERE section = 'impression') AS impression,
                       string_agg(text, ' ' ORDER BY sentence_index)
                           FILTER (WHERE section = 'clinical_information') AS clinical_information,
                       string_agg(text, ' ' ORDER BY sentence_index) FILTER (WHERE section = 'technique') AS technique
                FROM sentences GROUP BY report_id
            ),
            study_reports AS (
                SELECT r.study_id, arg_min(r.report_id, r.report_id) AS report_id
                FROM reports AS r WHERE r.match_status = 'matched' AND r.study_id IS NOT NULL GROUP BY r.study_id
            ),
            study_label_values AS (
                SELECT l.study_id{"," if labels else ""} {label_columns}
                FROM study_labels AS l WHERE l.study_id IS NOT NULL GROUP BY l.study_id
            )
            SELECT m.volume_id, m.study_id, m.series_id, m.patient_id, m.cohort, m.split, m.fold, m.uri,
                   m.content_hash, r.text AS report_text, sec.clinical_information, sec.technique,
                   sec.findings, sec.impression, lv.* EXCLUDE (study_id)
            FROM manifest AS m
            LEFT JOIN study_reports AS sr ON sr.study_id = m.study_id
            LEFT JOIN reports AS r ON r.report_id = sr.report_id
            LEFT JOIN sections AS sec ON sec.report_id = sr.report_id
            LEFT JOIN study_label_values AS lv ON lv.study_id = m.study_id
            ORDER BY CASE m.split WHEN 'train' THEN 0 WHEN 'validation' THEN 1 ELSE 2 END,
                     m.patient_id, m.study_id, m.series_id
        """
        table = con.sql(sql).to_arrow_table()
    finally:
        con.close()
    for name in labels:  # volumes whose study has no labels at all: 0, not null
        index = table.column_names.index(name)
        table = table.set_column(index, name, table.column(name).fill_null(0))
    return table
