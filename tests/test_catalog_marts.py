"""Marts over the sample cohorts: label_matrix, label_prevalence by split, qc_summary with quarantine stages."""

import pytest

from curation.releases.release_builder import create_release
from curation.storage.catalog import Catalog
from curation.storage.view_templates import render_view_sql, taxonomy_labels

pytestmark = pytest.mark.flows


def test_placeholders_render_from_the_label_list():
    sql = render_view_sql("PIVOT x ON label IN ({{ label_names }}) USING any_value(code)", labels=("a", "b'c"))
    assert sql == "PIVOT x ON label IN ('a', 'b''c') USING any_value(code)"
    assert render_view_sql("SELECT 1") == "SELECT 1"


def test_label_matrix_has_one_row_per_study_and_a_column_per_label(ingested):
    _truth, warehouse, _, _ = ingested
    catalog = Catalog(warehouse)
    matrix = catalog.query("SELECT * FROM label_matrix")
    assert matrix.num_rows == catalog.query("SELECT count(*) AS n FROM studies").to_pylist()[0]["n"]
    assert set(taxonomy_labels()) <= set(matrix.column_names)
    labels = catalog.query("SELECT study_id, label, status FROM study_labels WHERE study_id IS NOT NULL").to_pylist()
    code = {"positive": 1, "negative": 0, "uncertain": -1}
    rows = {r["study_id"]: r for r in matrix.to_pylist()}
    assert labels and all(rows[x["study_id"]][x["label"]] == code[x["status"]] for x in labels)


def test_label_prevalence_by_split_and_qc_stages(ingested):
    _truth, warehouse, _, _ = ingested
    if not warehouse.exists("releases/marts-v1"):
        create_release(warehouse, "marts-v1")
    catalog = Catalog(warehouse)
    splits = {r["split"] for r in catalog.query("SELECT DISTINCT split FROM label_prevalence").to_pylist()}
    assert splits & {"train", "validation", "test"}
    by_release = catalog.query("SELECT * FROM label_prevalence_in_release('marts-v1')").to_pylist()
    assert by_release and all(0 <= r["prevalence"] <= 1 for r in by_release)
    qc = catalog.query("SELECT * FROM qc_summary").to_pylist()
    assert any(r["stage"] == "geometry" and r["n_items"] >= 1 for r in qc)
    assert all(r["stage"] == "discover" for r in qc if r["disposition"] == "skipped")
