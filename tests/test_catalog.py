"""The catalog: parts are visible only once their run completes; a later snapshot replaces an earlier one;
rebuild gives the same answers as incremental registration; SQL errors are explained."""

import pytest

from curation.ingest.run_record import finish_run
from curation.provenance import RunContext
from curation.storage.catalog import Catalog, CatalogError
from curation.storage.table_parts import write_table_part
from curation.storage.warehouse_layout import Warehouse


def _finding(label: str, cohort: str = "site_a") -> dict:
    return {
        "finding_id": f"r1:0:0:{label}", "report_id": "r1", "cohort": cohort, "sentence_id": "r1:0",
        "section": "findings", "label": label, "organ_system": "pleura", "assertion": "POSITIVE",
        "mention_text": label, "char_start": 0, "char_end": 3, "extractor": "rules",
    }  # fmt: skip


def _ingest_run(wh: Warehouse, labels: list[str], status: str = "completed", cohort: str = "site_a") -> RunContext:
    run = RunContext(kind="ingest", cohort=cohort)
    part = write_table_part(wh, "findings", [_finding(label, cohort) for label in labels], run, "reports")
    finish_run(wh, run, [part], tables_written=("findings",), parameters={}, status=status)
    return run


def test_latest_completed_snapshot_per_cohort_is_current(tmp_path):
    wh = Warehouse.open(tmp_path / "wh")
    _ingest_run(wh, ["pleural_effusion", "emphysema"])
    _ingest_run(wh, ["emphysema"])  # a later snapshot drops a finding
    _ingest_run(wh, ["atelectasis"], status="failed")  # never visible
    _ingest_run(wh, ["cardiomegaly"], cohort="site_b")
    catalog = Catalog(wh)
    rows = catalog.query("SELECT cohort, label FROM findings ORDER BY ALL").to_pylist()
    assert rows == [{"cohort": "site_a", "label": "emphysema"}, {"cohort": "site_b", "label": "cardiomegaly"}]
    assert catalog.query("SELECT count(*) AS n FROM raw.findings").to_pylist() == [{"n": 5}]
    assert catalog.query("SELECT count(*) AS n FROM runs").to_pylist() == [{"n": 4}]

    catalog.path.unlink()
    catalog.rebuild()
    assert catalog.query("SELECT cohort, label FROM findings ORDER BY ALL").to_pylist() == rows


def test_registering_twice_adds_nothing(tmp_path):
    wh = Warehouse.open(tmp_path / "wh")
    run = _ingest_run(wh, ["emphysema"])
    parts = wh.glob(f"parquet/*/*/run={run.run_id}/*.parquet")
    assert Catalog(wh).register_parts(parts) == 0


def test_catalog_is_read_only_for_queries(tmp_path):
    wh = Warehouse.open(tmp_path / "wh")
    _ingest_run(wh, ["emphysema"])
    with pytest.raises(CatalogError):
        Catalog(wh).query("DELETE FROM raw.findings")


def test_sql_errors_are_explained(tmp_path):
    wh = Warehouse.open(tmp_path / "wh")
    _ingest_run(wh, ["emphysema"])
    with pytest.raises(CatalogError, match="information_schema"):
        Catalog(wh).query("SELECT * FROM no_such_table")
    with pytest.raises(CatalogError, match="syntax"):
        Catalog(wh).query("SELEC 1")


def test_missing_catalog_says_what_to_do(tmp_path):
    with pytest.raises(CatalogError, match="catalog rebuild"):
        Catalog(Warehouse.open(tmp_path / "empty")).query("SELECT 1")


def test_fsspec_url_warehouse(tmp_path):
    wh = Warehouse.open(f"file://{tmp_path}/wh")
    _ingest_run(wh, ["emphysema"])
    assert Catalog(wh).query("SELECT label FROM findings").to_pylist() == [{"label": "emphysema"}]


def test_parts_written_before_a_column_existed_still_load(tmp_path):
    wh = Warehouse.open(tmp_path / "wh")
    run = _ingest_run(wh, ["emphysema"])
    (part,) = wh.glob(f"parquet/findings/*/run={run.run_id}/*.parquet")
    import pyarrow.parquet as pq

    old = pq.read_table(wh.path(part)).drop_columns(["severity", "change"])  # as an older version wrote it
    pq.write_table(old, wh.path(part))
    catalog = Catalog(wh)
    catalog.rebuild()
    assert catalog.query("SELECT label, severity FROM findings").to_pylist() == [
        {"label": "emphysema", "severity": None}
    ]


def test_a_catalog_made_before_a_column_existed_is_made_again(tmp_path):
    import duckdb

    wh = Warehouse.open(tmp_path / "wh")
    _ingest_run(wh, ["emphysema"])
    with duckdb.connect(str(wh.catalog_path)) as con:  # as an older version left it
        con.execute("DROP VIEW IF EXISTS findings CASCADE")
        con.execute("ALTER TABLE raw.findings DROP COLUMN severity")
    _ingest_run(wh, ["emphysema", "atelectasis"])  # registering new parts finds the table outdated
    assert Catalog(wh).query("SELECT label, severity FROM findings ORDER BY label").to_pylist() == [
        {"label": "atelectasis", "severity": None},
        {"label": "emphysema", "severity": None},
    ]
