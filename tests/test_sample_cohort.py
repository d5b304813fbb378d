"""The sample-cohort generator: deterministic, readable, counted right, PHI and findings really planted."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest
from pydicom.errors import InvalidDicomError

from curation.cohort.manifest import load_manifest
from curation.sample_cohort import (
    SAMPLE_LABELS,
    SITE_CODES,
    LungNodule,
    PhantomGrid,
    PleuralEffusion,
    SampleTruth,
    generate_sample_cohorts,
    make_phantom,
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleTruth]:
    root = tmp_path_factory.mktemp("sample") / "cohorts"
    return root, generate_sample_cohorts(root)


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _image_files(root: Path, site: str) -> list[Path]:
    return sorted(p for p in (root / site / "images").rglob("*") if p.is_file())


def _reports_by_key(root: Path, site: str) -> dict[str, str]:
    if site == "site_a":
        with (root / site / "reports.csv").open(newline="", encoding="utf-8") as handle:
            return {row["AccessionNumber"]: row["ReportText"] for row in csv.DictReader(handle)}
    lines = (root / site / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["study_uid"]: row["text"] for row in map(json.loads, lines)}


def _is_nifti_or_sidecar(path: Path) -> bool:
    return path.name.endswith((".nii.gz", ".json"))


def test_same_seed_gives_byte_identical_cohorts(tmp_path: Path) -> None:
    # smaller images than the defaults, for speed: the code path is the same
    options = {"n_patients_per_site": 2, "image_size": 16, "n_slices": 8, "seed": 5}
    first = generate_sample_cohorts(tmp_path / "first", **options)
    again = generate_sample_cohorts(tmp_path / "again", **options)
    assert _file_hashes(tmp_path / "first") == _file_hashes(tmp_path / "again")
    assert again.to_dict() == first.to_dict()
    assert json.loads(first.to_json())["seed"] == 5


def test_other_seed_gives_other_uids(tmp_path: Path) -> None:
    one = generate_sample_cohorts(tmp_path / "one", n_patients_per_site=1, image_size=16, n_slices=8, seed=1)
    two = generate_sample_cohorts(tmp_path / "two", n_patients_per_site=1, image_size=16, n_slices=8, seed=2)
    assert not set(one.original_uids) & set(two.original_uids)
    assert all(uid.startswith("2.25.") and len(uid) <= 64 for uid in one.original_uids)


def test_manifests_load_with_site_codes(generated: tuple[Path, SampleTruth]) -> None:
    root, _ = generated
    for site in SITE_CODES:
        manifest = load_manifest(root / site)
        assert manifest.institution == site
        assert manifest.reports is not None
    assert load_manifest(root / "site_a").reports.key_type == "accession_number"  # type: ignore[union-attr]
    assert load_manifest(root / "site_b").reports.key_type == "study_instance_uid"  # type: ignore[union-attr]


def test_every_dicom_is_readable_except_the_planted_corrupt_one(generated: tuple[Path, SampleTruth]) -> None:
    root, truth = generated
    for site in SITE_CODES:
        site_truth = truth.sites[site]
        corrupt = {root / site / p for p in site_truth.corrupt_paths}
        non_image = {root / site / p for p in site_truth.non_image_paths}
        for path in _image_files(root, site):
            if _is_nifti_or_sidecar(path):
                continue
            if path in non_image:
                with pytest.raises(InvalidDicomError):
                    pydicom.dcmread(path)
                continue
            ds = pydicom.dcmread(path)
            assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
            assert ds.Modality == "CT" and ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
            if path in corrupt:  # pydicom reads a cut-off header leniently: what is left has no image
                assert "Rows" not in ds and "PixelData" not in ds
            else:
                assert ds.pixel_array.shape == (ds.Rows, ds.Columns)


def _series_of(root: Path, site: str) -> dict[str, list[pydicom.Dataset]]:
    series: dict[str, list[pydicom.Dataset]] = defaultdict(list)
    for path in _image_files(root, site):
        if _is_nifti_or_sidecar(path):
            continue
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
        except InvalidDicomError:
            continue
        series[ds.SeriesInstanceUID].append(ds)
    return series


def test_counts_match_the_truth(generated: tuple[Path, SampleTruth]) -> None:
    root, truth = generated
    for site in SITE_CODES:
        site_truth = truth.sites[site]
        files = _image_files(root, site)
        series = _series_of(root, site)
        localizers = [s for s in series.values() if "LOCALIZER" in s[0].ImageType]
        gaps = [
            uid
            for uid, s in series.items()
            if len(s) > 1 and sorted(int(d.InstanceNumber) for d in s) != list(range(1, len(s) + 1))
        ]
        complete = [s for uid, s in series.items() if len(s) > 1 and "AXIAL" in s[0].ImageType and uid not in gaps]
        niftis = [p for p in files if p.name == "ct.nii.gz"]
        sidecars = [json.loads(p.read_text()) for p in files if p.name == "ct.json"]
        study_uids = {s[0].StudyInstanceUID for s in complete} | {c["StudyInstanceUID"] for c in sidecars}

        assert site_truth.n_files == len(files)
        assert site_truth.n_localizers == len(localizers) == 1
        assert site_truth.n_gap_series == len(gaps) == 1 and gaps == site_truth.gap_series_uids
        assert site_truth.n_corrupt == len(site_truth.corrupt_paths) == 1
        assert site_truth.n_non_image_files == len(site_truth.non_image_paths) == 1
        assert site_truth.n_series_volumes == len(complete) + len(niftis)
        assert site_truth.n_nifti_volumes == len(niftis) == (1 if site == "site_b" else 0)
        assert site_truth.n_studies == len(study_uids) == len(truth.studies_of(site))
        assert {s.study_uid for s in truth.studies_of(site)} == study_uids
        assert sum(s.n_series_expected for s in truth.studies_of(site)) == site_truth.n_series_volumes
        dicom_files = sum(len(s) for s in series.values()) - site_truth.n_corrupt
        assert site_truth.n_dicom_files == dicom_files
        # some patients come back: longitudinal studies
        per_patient = defaultdict(set)
        for study in truth.studies_of(site):
            per_patient[study.patient_key].add(study.study_date)
        assert any(len(dates) > 1 for dates in per_patient.values())


def test_series_geometry_is_regular(generated: tuple[Path, SampleTruth]) -> None:
    root, _ = generated
    for site in SITE_CODES:
        for datasets in _series_of(root, site).values():
            if len(datasets) < 3:
                continue
            ordered = sorted(datasets, key=lambda d: int(d.InstanceNumber))
            z = np.array([float(d.ImagePositionPatient[2]) for d in ordered])
            steps = np.diff(z)
            assert np.all(steps != 0) and (np.all(steps > 0) or np.all(steps < 0))
            assert np.isclose(np.abs(steps).min(), float(ordered[0].SliceThickness))
            assert float(ordered[0].PixelSpacing[0]) * int(ordered[0].Columns) > 300  # a realistic field of view


def test_reports_match_and_hold_the_planted_findings(generated: tuple[Path, SampleTruth]) -> None:
    root, truth = generated
    positives: set[str] = set()
    for site in SITE_CODES:
        texts = _reports_by_key(root, site)
        reports = truth.reports_of(site)
        site_truth = truth.sites[site]
        assert len(texts) == len(reports) == site_truth.n_reports
        assert site_truth.n_reports_unmatched == 1 and site_truth.n_studies_without_report == 1
        study_keys = {
            (s.accession if site == "site_a" else s.study_uid): s for s in truth.studies_of(site) if s.has_report
        }
        for report in reports:
            text = texts[report.key]
            assert report.matched == (report.key in study_keys)
            assert set(report.positive_labels) <= set(SAMPLE_LABELS)
            assert set(report.negated_labels) <= set(SAMPLE_LABELS)
            assert not set(report.positive_labels) & set(report.negated_labels)
            for sentence in report.finding_sentences + report.normal_sentences:
                assert sentence in text
            for size in report.sizes_mm.values():
                assert f"{size:g} mm" in text
            for side in report.sides.values():
                assert side in text
            if report.matched:
                positives.update(report.positive_labels)
        if site == "site_a":
            assert all(heading in next(iter(texts.values())) for heading in ("FINDINGS:", "IMPRESSION:", "LUNGS:"))
        else:
            assert all("Conclusion:" in text for text in texts.values())
    assert positives == set(SAMPLE_LABELS)


def test_every_planted_phi_value_occurs_in_the_input(generated: tuple[Path, SampleTruth]) -> None:
    root, truth = generated
    corpus = bytearray()
    for path in sorted(root.rglob("*")):
        corpus += str(path.relative_to(root)).encode() + b"\n"
        if path.is_file():
            data = path.read_bytes()
            corpus += gzip.decompress(data) if path.name.endswith(".gz") else data
    by_kind = [value for values in truth.planted_phi_by_kind.values() for value in values]
    assert len(truth.planted_phi) > 100
    for value in [*truth.planted_phi, *truth.planted_dates, *by_kind]:
        assert value.encode() in corpus, value
    for value in truth.planted_phi:
        assert len(value) >= 5 and value not in SITE_CODES and not value.isdigit()
    assert "Quillfeather" in truth.planted_phi and "MRN-40713" in truth.planted_phi


def test_nifti_study_has_a_mask_on_the_image_grid(generated: tuple[Path, SampleTruth]) -> None:
    root, truth = generated
    [image_path] = (root / "site_b" / "images" / "nifti").rglob("ct.nii.gz")
    sidecar = json.loads(image_path.with_name("ct.json").read_text())
    image, mask = nib.load(image_path), nib.load(image_path.with_name(sidecar["Masks"][0]["file"]))
    assert image.get_data_dtype() == np.int16
    assert image.shape == mask.shape
    assert np.allclose(image.affine, mask.affine)
    assert image.affine[0, 0] < 0 and image.affine[1, 1] < 0  # RAS from LPS voxels
    labels = np.asarray(mask.dataobj)
    assert set(np.unique(labels).tolist()) == {0, 1, 2, 3}
    assert sidecar["Masks"][0]["labels"] == {"1": "liver", "2": "spleen", "3": "lungs"}
    hu = np.asarray(image.dataobj)
    assert -900 < hu[labels == 3].mean() < -780 and 40 < hu[labels == 1].mean() < 80
    [study] = [s for s in truth.studies_of("site_b") if s.source_format == "nifti"]
    assert sidecar["StudyInstanceUID"] == study.study_uid and study.expected_body_region == "chest-abdomen"


def test_phantom_tissues_and_lesions() -> None:
    grid = PhantomGrid(size=64, n_slices=40, pixel_spacing_mm=5.5, slice_spacing_mm=5.0)
    plain = make_phantom(grid, seed=3)
    sick = make_phantom(grid, seed=3, nodule=LungNodule(8.0, "left", "upper"), effusion=PleuralEffusion("right"))
    assert plain.hu.dtype == np.int16 and plain.hu[0, 0, 0] == -1000
    lungs = plain.organs == 3
    assert -870 < plain.hu[lungs].mean() < -830
    assert (plain.hu > 600).sum() > 0  # spine and ribs
    assert 50 < plain.hu[plain.organs == 1].mean() < 70
    centre = np.linalg.solve(grid.affine_lps, np.array([*sick.nodule_centre_lps, 1.0]))  # type: ignore[misc]
    i, j, k = np.rint(centre[:3]).astype(int)
    assert sick.hu[k, j, i] > -100 and plain.hu[k, j, i] < -700
    assert ((sick.hu > -100) & lungs).sum() > ((plain.hu > -100) & lungs).sum()  # the effusion
    assert np.array_equal(make_phantom(grid, seed=3).hu, plain.hu)


def test_refuses_to_overwrite_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "site_a").mkdir()
    (tmp_path / "site_a" / "precious.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        generate_sample_cohorts(tmp_path, n_patients_per_site=1, image_size=16, n_slices=8)
    assert (tmp_path / "site_a" / "precious.txt").exists()


def test_regenerating_in_place_replaces_the_earlier_cohort(tmp_path: Path) -> None:
    generate_sample_cohorts(tmp_path, n_patients_per_site=2, image_size=16, n_slices=8)
    truth = generate_sample_cohorts(tmp_path, n_patients_per_site=1, image_size=16, n_slices=8)
    assert truth.sites["site_a"].n_files == len(_image_files(tmp_path, "site_a"))
