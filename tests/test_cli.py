"""The ``ctcurate`` command line as users call it: outputs, formats, and one-line errors for expected failures."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest
import zarr
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import shared_fixture

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_the_public_commands():
    code, out, _ = invoke("--help")
    assert code == 0
    for command in ("demo", "ingest", "sql", "catalog", "labels", "deid", "convert", "release"):
        assert command in out


def test_ingest_without_manifest_is_a_one_line_error(tmp_path):
    code, _out, err = invoke("ingest", str(tmp_path), "--cohort", "x", "--warehouse", str(tmp_path / "wh"))
    assert code == 2
    assert "cohort.yaml" in err and "Traceback" not in err


def test_bad_cohort_name_is_refused(tmp_path):
    code, _out, _err = invoke("ingest", str(tmp_path), "--cohort", "../etc", "--warehouse", str(tmp_path / "wh"))
    assert code == 2


@pytest.mark.flows
def test_sql_formats_and_errors(ingested):
    _truth, warehouse, _, _ = ingested
    wh = str(warehouse.root)
    code, out, _ = invoke("sql", "select label, count(*) AS n from findings group by 1", "-w", wh, "--format", "json")
    assert code == 0 and {"label", "n"} <= set(json.loads(out)[0])
    code, out, _ = invoke("sql", "select study_id, modalities from studies", "-w", wh, "--format", "csv")
    assert code == 0 and out.splitlines()[0] == '"study_id","modalities"'
    code, _out, err = invoke("sql", "select * from nope", "-w", wh)
    assert code == 2 and "information_schema" in err
    code, _out, err = invoke("sql", "drop view findings", "-w", wh)
    assert code == 2 and "read-only" in err.lower()


@pytest.mark.flows
def test_release_commands(ingested, tmp_path):
    _truth, warehouse, _, _ = ingested
    copy = tmp_path / "warehouse"
    shutil.copytree(warehouse.root, copy)
    wh = str(copy)
    code, out, _ = invoke("release", "create", "cli-v1", "--where", "cohort = 'site_a'", "--folds", "3", "-w", wh)
    assert code == 0, out
    code, _out, err = invoke("release", "create", "cli-v1", "-w", wh)
    assert code == 2 and "already exists" in err
    assert invoke("release", "create", "cli-v2", "--parent", "cli-v1", "-w", wh)[0] == 0
    code, out, _ = invoke("release", "list", "-w", wh)
    assert code == 0 and "cli-v1" in out and "cli-v2" in out
    code, out, _ = invoke("release", "show", "cli-v1", "-w", wh)
    assert code == 0 and "Dataset release" in out
    code, out, _ = invoke("release", "diff", "cli-v1", "cli-v2", "-w", wh)
    assert code == 0 and "patients_changed_split: 0" in out
    assert invoke("release", "verify", "cli-v1", "-w", wh)[0] == 0

    member_sql = "select uri from release_members where release_name = 'cli-v1' limit 1"
    uri = json.loads(invoke("sql", member_sql, "-w", wh, "--format", "json")[1])[0]["uri"]
    array = zarr.open_array(str(copy / uri), path="0", mode="r+")
    array[0, 0, 0] = np.int16(array[0, 0, 0]) + 7
    code, _out, err = invoke("release", "verify", "cli-v1", "-w", wh)
    assert code == 1 and "content changed" in err


@pytest.mark.flows
def test_catalog_rebuild_gives_the_same_answers(ingested, tmp_path):
    _truth, warehouse, _, _ = ingested
    copy = tmp_path / "warehouse"
    shutil.copytree(warehouse.root, copy)
    query = "select cohort, count(*) AS n from findings group by 1 order by 1"
    before = invoke("sql", query, "-w", str(copy), "--format", "json")[1]
    (copy / "catalog.duckdb").unlink()
    assert invoke("catalog", "rebuild", "-w", str(copy))[0] == 0
    assert invoke("sql", query, "-w", str(copy), "--format", "json")[1] == before


def test_labels_command_writes_ct_rate_columns(tmp_path):
    reports = tmp_path / "reports.csv"
    reports.write_text(
        "id,text\n"
        'r1,"FINDINGS: Small right pleural effusion. No pneumothorax. IMPRESSION: Right pleural effusion."\n'
        'r2,"No pleural effusion, consolidation or lymphadenopathy."\n'
    )
    out = tmp_path / "labels.csv"
    code, _o, err = invoke("labels", str(reports), "--id-column", "id", "--text-column", "text", "--out", str(out))
    assert code == 0, err
    header, first, second = out.read_text().splitlines()
    assert "Pleural effusion" in header and len(header.split(",")) == 19
    columns = header.split(",")
    assert first.split(",")[columns.index("Pleural effusion")] == "1"
    assert second.split(",")[columns.index("Pleural effusion")] == "0"
    code, _o, err = invoke("labels", str(reports), "--id-column", "nope", "--text-column", "text", "--out", str(out))
    assert code == 2 and "nope" in err


@pytest.mark.fixtures
def test_convert_writes_nifti_and_sidecars(tmp_path):
    source = shared_fixture("dicom/ct_chest_j2k")
    code, _out, err = invoke("convert", str(source), str(tmp_path / "out"))
    assert code == 0, err
    produced = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert any(n.endswith(".nii.gz") for n in produced) and any(n.endswith(".json") for n in produced)


@pytest.mark.fixtures
def test_convert_writes_dicom_seg_label_maps_on_the_resampled_image_grid(tmp_path):
    import nibabel as nib

    source = shared_fixture("dicom/ct_with_dicom_seg")
    code, out, err = invoke("convert", str(source), str(tmp_path / "out"), "--spacing", "1.4x1.4x2.5")
    assert code == 0, err
    counts = dict(re.findall(r"(\w+): (\d+)", out))
    assert (
        counts["discovered_files"] == "12" and counts["converted_files"] == "9" and counts["quarantined_files"] == "0"
    )
    assert counts["label_maps_written"] == "2"
    for seg_name, image_name in [("series-001_ct_seg-1", "series-001_ct"), ("series-002_ct_seg-1", "series-002_ct")]:
        label_map, image = (
            nib.load(tmp_path / "out" / f"{seg_name}.nii.gz"),
            nib.load(tmp_path / "out" / f"{image_name}.nii.gz"),
        )
        assert label_map.shape == image.shape and np.array_equal(label_map.affine, image.affine)
        assert np.allclose(label_map.header.get_zooms(), (1.4, 1.4, 2.5))
        assert int(np.asarray(label_map.dataobj).max()) == 1
        sidecar = json.loads((tmp_path / "out" / f"{seg_name}.json").read_text())
        assert sidecar["LabelMapOf"] == f"{image_name}.nii.gz" and sidecar["Labels"] == {"1": "Liver"}


def test_deid_writes_files_from_pseudonymised_uids(tmp_path):
    from curation.sample_cohort import generate_sample_cohorts

    truth = generate_sample_cohorts(tmp_path / "cohorts", n_patients_per_site=2, image_size=16, n_slices=8)
    secret = tmp_path / "secret.key"
    secret.write_text("x" * 40)
    source, out = tmp_path / "cohorts" / "site_a" / "images", tmp_path / "out"
    code, _out, err = invoke("deid", str(source), str(out), "--secret-file", str(secret))
    assert code == 0, err
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written and all(part.startswith("2.25.") for p in written for part in p.relative_to(out).parts)
    names = [v for v in truth.planted_phi_by_kind["name"] if len(v) >= 5]
    assert not [n for n in names for p in written if n.upper().encode() in p.read_bytes().upper()]
