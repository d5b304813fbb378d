import pyarrow as pa
import pytest

from curation.table_schemas import arrow_type, table_names, table_schema

ISSUE_TABLES = {
    "cohorts", "patients", "studies", "series", "volumes", "reports", "sentences", "findings", "study_labels",
    "measurements", "synthetic_reports", "quarantine", "runs", "releases", "release_members",
}  # fmt: skip


def test_every_table_of_the_contract_exists():
    assert set(table_names()) >= ISSUE_TABLES


@pytest.mark.parametrize("name", sorted(ISSUE_TABLES | {"files"}))
def test_every_table_carries_provenance_and_documents_each_column(name):
    schema = table_schema(name)
    for column in ("run_id", "pipeline_version", "input_hash"):
        assert column in schema.column_names
    assert all(schema.column_descriptions[c] for c in schema.column_names)
    assert set(schema.primary_key) <= set(schema.column_names)
    assert len(set(schema.column_names)) == len(schema.column_names)


def test_types_parse():
    assert arrow_type("list<float64>") == pa.list_(pa.float64())
    with pytest.raises(ValueError, match="unknown column type"):
        arrow_type("decimal")


def test_rows_are_checked_against_the_contract():
    schema = table_schema("patients")
    table = schema.table_from_rows(
        [{"patient_id": "pat_1", "cohort": "a", "n_studies": 2, "run_id": "r", "pipeline_version": "v"}]
    )
    assert table.schema == schema.arrow
    with pytest.raises(KeyError, match="unknown columns"):
        schema.table_from_rows([{"patient_id": "p", "surname": "x"}])
