"""PET/CT through the ingest stages: SUV factor before de-identification, pairing, SUV channel on the CT grid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pydicom
import pytest
import zarr
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

from curation.cohort.manifest import load_manifest
from curation.ingest.cohort_plan import plan_cohort
from curation.ingest.pet_channels import store_pet_channels
from curation.ingest.series_batch import SeriesContext, ingest_series_batch
from curation.provenance import RunContext
from curation.pseudonyms import Pseudonymizer
from curation.storage.warehouse_layout import Warehouse

CT_IMAGE, PET_IMAGE = "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.128"
STUDY, FRAME = "1.2.826.0.1.3680043.10.1.1", "1.2.826.0.1.3680043.10.1.2"
HOT_BQML, BACKGROUND_BQML = 20_000.0, 2_000.0
CENTRE_MM = np.array([0.0, 0.0, 40.0])


def _slice(
    modality: str, series_uid: str, index: int, size: int, spacing: float, z: float, pixels: np.ndarray
) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = CT_IMAGE if modality == "CT" else PET_IMAGE
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = f"{series_uid}.{index + 1}"
    ds.PatientName, ds.PatientID, ds.PatientSex, ds.PatientWeight = "HOTSPHERE^OLWEN", "MRN-PET-77", "F", 70
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = STUDY, series_uid, FRAME
    ds.Modality, ds.InstanceNumber = modality, index + 1
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = "20210305"
    ds.SeriesTime = ds.AcquisitionTime = "100000"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    half = (size - 1) * spacing / 2
    ds.ImagePositionPatient = [-half, -half, z]
    ds.PixelSpacing, ds.SliceThickness = [spacing, spacing], spacing
    ds.Rows = ds.Columns = size
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    if modality == "CT":
        ds.PixelRepresentation, ds.RescaleIntercept, ds.RescaleSlope = 1, -1024, 1
        ds.PixelData = (pixels + 1024).astype(np.int16).tobytes()
    else:
        slope = float(pixels.max()) / 30_000 or 1.0  # per-slice slopes, as PET scanners write them
        ds.PixelRepresentation, ds.RescaleIntercept, ds.RescaleSlope = 0, 0, slope
        ds.PixelData = np.round(pixels / slope).astype(np.uint16).tobytes()
        ds.Units, ds.DecayCorrection, ds.CorrectedImage = "BQML", "START", ["ATTN", "DECY"]
        item = Dataset()
        item.RadionuclideTotalDose, item.RadionuclideHalfLife = 370e6, 6586.2
        item.RadiopharmaceuticalStartDateTime = "20210305090000"
        ds.RadiopharmaceuticalInformationSequence = Sequence([item])
    return ds


def _phantom(size: int, spacing: float, z: float, inside: float, outside: float) -> np.ndarray:
    half = (size - 1) * spacing / 2
    y, x = np.mgrid[0:size, 0:size] * spacing - half
    distance = np.sqrt(x**2 + y**2 + (z - CENTRE_MM[2]) ** 2)
    return np.where(distance <= 15.0, inside, outside)


@pytest.fixture
def pet_ct_cohort(tmp_path: Path) -> Path:
    images = tmp_path / "cohort" / "images"
    for modality, uid, size, spacing, n in (("CT", "1.2.3.10", 48, 4.0, 24), ("PT", "1.2.3.20", 24, 8.0, 12)):
        folder = images / modality
        folder.mkdir(parents=True)
        for index in range(n):
            z = index * spacing
            if modality == "CT":
                pixels = _phantom(size, spacing, z, 40.0, -1000.0)
            else:
                pixels = _phantom(size, spacing, z, HOT_BQML, BACKGROUND_BQML)
            _slice(modality, uid, index, size, spacing, z, pixels).save_as(
                folder / f"{index:03d}.dcm", enforce_file_format=True
            )
    (tmp_path / "cohort" / "cohort.yaml").write_text(
        "institution: site_pet\nimages: images\noptions:\n  resample_profile: native\n"
    )
    return tmp_path / "cohort"


@pytest.mark.parametrize("headers_kept", ["all", "first only"])
def test_pet_gets_suv_pairing_and_a_channel_on_the_ct_grid(pet_ct_cohort, tmp_path, monkeypatch, headers_kept):
    # the SUV factor needs every PET header: a plan that keeps only the first reads the rest again
    monkeypatch.setenv("CTCURATE_PLAN_HEADER_FILES", "0" if headers_kept == "first only" else "100000")
    warehouse = Warehouse.open(tmp_path / "warehouse")
    pseudonymizer = Pseudonymizer(b"k" * 32)
    plan = plan_cohort(load_manifest(pet_ct_cohort), "site_pet", pseudonymizer)
    pet = next(i for i in plan.series if i.suv is not None)
    ct = next(i for i in plan.series if i is not pet)
    assert pet.suv.factor is not None and pet.paired_ct_series_id == ct.series_id
    assert pet.pairing_reason == "same_study_and_frame_of_reference"

    run = RunContext(kind="ingest", cohort="site_pet")
    context = SeriesContext(warehouse, run, "site_pet", "native", None, plan.studies)
    batch = ingest_series_batch(plan.series, context, "series-00000")
    assert {o.status for o in batch.outcomes} == {"ingested"}
    parts = store_pet_channels(plan, [batch], context)
    assert parts

    study = plan.studies[ct.study_uid]
    group = zarr.open_group(warehouse.path(warehouse.volume_uri("site_pet", study.study_id, ct.series_id)), mode="r")
    suv = np.asarray(group["suv/0"][...])
    ct_image = np.asarray(group["0"][...])
    assert suv.shape == ct_image.shape and suv.dtype == np.float32
    expected_hot = HOT_BQML * pet.suv.factor
    _k, j, i = (s // 2 for s in suv.shape)
    assert suv[10, j, i] == pytest.approx(expected_hot, rel=0.02)  # z = 40 mm: the sphere's centre slice
    assert suv[0, 0, 0] == pytest.approx(BACKGROUND_BQML * pet.suv.factor, rel=0.05)
    assert expected_hot == pytest.approx(HOT_BQML * 70_000 / (370e6 * 2 ** (-3600 / 6586.2)), rel=1e-6)

    import pyarrow.parquet as pq

    rows = pq.read_table(warehouse.path(parts[0])).to_pylist()
    assert rows[0]["kind"] == "pet_suv_on_ct" and rows[0]["array_path"] == "suv/0"
    series_rows = pq.read_table(warehouse.path(next(p for p in batch.parts if "/series/" in p))).to_pylist()
    pet_row = next(r for r in series_rows if r["series_id"] == pet.series_id)
    assert pet_row["suv_factor"] == pytest.approx(pet.suv.factor) and pet_row["paired_ct_series_id"] == ct.series_id
    assert "HOTSPHERE" not in str(series_rows) and dt.date(2021, 3, 5).isoformat() not in str(series_rows)


def test_burned_in_annotation_is_quarantined_not_ingested(pet_ct_cohort, tmp_path):
    for path in (pet_ct_cohort / "images" / "CT").glob("*.dcm"):
        ds = pydicom.dcmread(path)
        ds.BurnedInAnnotation = "YES"
        ds.save_as(path, enforce_file_format=True)
    warehouse = Warehouse.open(tmp_path / "warehouse")
    plan = plan_cohort(load_manifest(pet_ct_cohort), "site_pet", Pseudonymizer(b"k" * 32))
    run = RunContext(kind="ingest", cohort="site_pet")
    batch = ingest_series_batch(
        plan.series, SeriesContext(warehouse, run, "site_pet", "native", None, plan.studies), "s"
    )
    reasons = {o.series_id: (o.status, o.reason_code) for o in batch.outcomes}
    ct = next(i for i in plan.series if i.suv is None)
    assert reasons[ct.series_id] == ("quarantined", "burned_in_annotation")
