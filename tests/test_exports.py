"""Exports of a release: CT-RATE CSVs (+ NIfTI), Hugging Face Parquet layout, label matrix."""

import csv

import nibabel as nib
import pyarrow.parquet as pq
import pytest

from curation.exports.ct_rate_layout import export_ct_rate
from curation.exports.hf_parquet_layout import export_hf_parquet, read_hf_layout
from curation.exports.label_matrix_export import export_label_matrix
from curation.releases.release_builder import create_release
from curation.reports.ct_rate import CT_RATE_LABELS
from curation.storage.view_templates import taxonomy_labels

pytestmark = pytest.mark.flows


@pytest.fixture(scope="module")
def export_release(ingested):
    _truth, warehouse, _, _ = ingested
    if not warehouse.exists("releases/export-v1"):
        create_release(warehouse, "export-v1", splits="60/20/20")
    return warehouse, "export-v1"


def _csv(path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_ct_rate_layout(export_release, tmp_path):
    warehouse, name = export_release
    result = export_ct_rate(warehouse, name, tmp_path, include_nifti=True)
    dataset = tmp_path / "dataset"
    names = _csv(dataset / "volume_names.csv")
    assert len(names) == result.n_volumes and len({n["VolumeName"] for n in names}) == len(names)
    reports = _csv(dataset / "radiology_text_reports" / "train_reports.csv")
    assert list(reports[0]) == ["VolumeName", "ClinicalInformation_EN", "Technique_EN", "Findings_EN", "Impressions_EN"]
    assert any(r["Findings_EN"] for r in reports) and any(r["Impressions_EN"] for r in reports)
    labels = _csv(dataset / "multi_abnormality_labels" / "train_predicted_labels.csv")
    assert list(labels[0]) == ["VolumeName", *CT_RATE_LABELS]
    assert {v for row in labels for k, v in row.items() if k != "VolumeName"} <= {"0", "1"}
    metadata = _csv(dataset / "metadata" / "train_metadata.csv")
    assert {"Manufacturer", "XYSpacing", "ZSpacing", "Rows", "Columns", "NumberofSlices"} <= set(metadata[0])
    first = names[0]["VolumeName"]
    split, patient, study, _ = first.removesuffix(".nii.gz").split("_")
    nifti = dataset / split / f"{split}_{patient}" / f"{split}_{patient}_{study}" / first
    image = nib.load(nifti)
    assert image.ndim == 3 and nifti.with_name(first.replace(".nii.gz", ".json")).is_file()


def test_hugging_face_parquet_layout(export_release, tmp_path):
    warehouse, name = export_release
    data_files = export_hf_parquet(warehouse, name, tmp_path)
    rows = read_hf_layout(tmp_path)
    manifest = pq.read_table(warehouse.path(f"releases/{name}/manifest.parquet"))
    assert sum(rows.values()) == manifest.num_rows and set(rows) == set(data_files)
    train = pq.read_table(tmp_path / data_files["train"])
    assert {"findings", "impression", "report_text", "volume_id", *taxonomy_labels()} <= set(train.column_names)
    assert (tmp_path / "README.md").read_text().startswith("---\npretty_name")
    assert (tmp_path / "card" / "prevalence.png").is_file()


def test_label_matrix_export(ingested, tmp_path):
    _truth, warehouse, _, _ = ingested
    n = export_label_matrix(warehouse, tmp_path / "m.parquet")
    table = pq.read_table(tmp_path / "m.parquet")
    assert table.num_rows == n > 0
    assert set(taxonomy_labels()) <= set(table.column_names)
