"""Write synthetic CT series as one DICOM file per slice, with realistic headers and planted PHI.

Every identifying attribute a real export carries is filled with a distinctive made-up value
(names, MRN, birth date, address, phone, accession, institution, physicians, station, serial
number, a name in StudyDescription, other patient IDs, request IDs and a private block), so that a
byte scan of the pipeline's outputs can prove none of them survived de-identification.

    >>> paths = write_ct_series(folder, patient, site, study, series, phantom.hu, phantom.affine_lps,
    ...                         sop_uid=lambda k: f"2.25.{1000 + k}")  # doctest: +SKIP
    >>> pydicom.dcmread(paths[0]).Modality  # doctest: +SKIP
    'CT'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
# A fixed implementation UID keeps the bytes independent of the pydicom version.
IMPLEMENTATION_CLASS_UID = "2.25.301155372838440291613372512736582447118"
IMPLEMENTATION_VERSION = "CTCURATE_SAMPLE"
AXIAL_IMAGE_TYPE = ("ORIGINAL", "PRIMARY", "AXIAL")
LOCALIZER_IMAGE_TYPE = ("ORIGINAL", "PRIMARY", "LOCALIZER")
RESCALE_INTERCEPT = -1024


@dataclass(frozen=True)
class PatientIdentity:
    family: str
    given: str
    patient_id: str  # the MRN
    birth_date: dt.date
    sex: str
    address: str
    phone: str
    other_id: str

    @property
    def dicom_name(self) -> str:
        return f"{self.family}^{self.given}"

    def age_at(self, when: dt.date) -> int:
        before_birthday = (when.month, when.day) < (self.birth_date.month, self.birth_date.day)
        return when.year - self.birth_date.year - int(before_birthday)


@dataclass(frozen=True)
class SiteProfile:
    """What a hospital's scanners and PACS stamp on every file."""

    institution_name: str
    institution_address: str
    institution_phone: str
    station_name: str
    device_serial: str
    manufacturer: str
    model: str
    referring: tuple[str, str]  # (family, given)
    performing: tuple[str, str]
    operator: tuple[str, str]
    private_creator: str
    private_reviewer: str
    pixel_representation: int  # 1: signed int16, 0: unsigned 12-bit


@dataclass(frozen=True)
class StudyIdentity:
    study_uid: str
    accession: str
    date: dt.date
    time: str  # HHMMSS
    description: str
    requested_procedure_id: str
    scheduled_step_id: str


@dataclass(frozen=True)
class SeriesSpec:
    series_uid: str
    frame_uid: str
    number: int
    description: str
    kernel: str
    kvp: float
    slice_thickness_mm: float
    body_part: str
    contrast_agent: str | None = None
    z_descending: bool = False  # instance 1 is the most superior slice
    file_name: str = "IM{:05d}.dcm"  # formatted with the instance number; "{sop}" gives the SOP UID


def write_ct_series(
    folder: Path,
    patient: PatientIdentity,
    site: SiteProfile,
    study: StudyIdentity,
    series: SeriesSpec,
    hu: np.ndarray,
    affine_lps: np.ndarray,
    *,
    sop_uid: Callable[[int], str],
    skip_slices: Collection[int] = (),
) -> list[Path]:
    """One file per axial slice of ``hu`` (``[k, j, i]``); slices in ``skip_slices`` (by k) are left out."""
    folder.mkdir(parents=True, exist_ok=True)
    ds = base_dataset(patient, site, study, series, AXIAL_IMAGE_TYPE)
    set_axial_geometry(ds, hu.shape, affine_lps, series.slice_thickness_mm)
    order = range(hu.shape[0] - 1, -1, -1) if series.z_descending else range(hu.shape[0])
    paths = []
    for instance, k in enumerate(order, start=1):
        if k in skip_slices:
            continue
        position = affine_lps @ np.array([0.0, 0.0, float(k), 1.0])
        ds.ImagePositionPatient = [_ds(v) for v in position[:3]]
        ds.SliceLocation = _ds(position[2])
        set_pixels(ds, hu[k], site.pixel_representation)
        paths.append(save_instance(ds, folder, series.file_name, instance, sop_uid(instance)))
    return paths


def write_localizer(
    folder: Path,
    patient: PatientIdentity,
    site: SiteProfile,
    study: StudyIdentity,
    series: SeriesSpec,
    hu: np.ndarray,
    affine_lps: np.ndarray,
    *,
    sop_uid: Callable[[int], str],
) -> list[Path]:
    """A one-image coronal scout: the volume averaged front to back, head at the top."""
    folder.mkdir(parents=True, exist_ok=True)
    ds = base_dataset(patient, site, study, series, LOCALIZER_IMAGE_TYPE)
    projection = np.clip(hu.astype(np.float32).mean(axis=1), -1024, 3071)[::-1]  # rows run head to feet
    spacing = np.linalg.norm(affine_lps[:3, :3], axis=0)
    top = affine_lps @ np.array([0.0, (hu.shape[1] - 1) / 2, float(hu.shape[0] - 1), 1.0])
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "0", "-1"]
    ds.ImagePositionPatient = [_ds(v) for v in top[:3]]
    ds.PixelSpacing = [_ds(spacing[2]), _ds(spacing[0])]
    ds.SliceThickness = _ds(spacing[1] * hu.shape[1])
    ds.Rows, ds.Columns = projection.shape
    set_pixels(ds, np.rint(projection).astype(np.int16), site.pixel_representation)
    return [save_instance(ds, folder, series.file_name, 1, sop_uid(1))]


def truncate_file(path: Path) -> Path:
    """Cut a file off inside its header, as an interrupted transfer leaves it.

    The cut falls a few bytes before Rows (0028,0010), in the middle of an element: pydicom still
    parses what is left without complaint, but the image attributes and pixels are gone.
    """
    data = path.read_bytes()
    rows_tag = data.find(b"\x28\x00\x10\x00US")
    path.write_bytes(data[: rows_tag - 3 if rows_tag > 0 else 180])
    return path


def base_dataset(
    patient: PatientIdentity, site: SiteProfile, study: StudyIdentity, series: SeriesSpec, image_type: tuple[str, ...]
) -> Dataset:
    """The header shared by every slice of a series, PHI included."""
    ds = Dataset()
    ds.file_meta = file_meta()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = list(image_type)
    ds.SOPClassUID = CT_IMAGE_STORAGE
    add_dates(ds, study)
    ds.AccessionNumber = study.accession
    ds.Modality = "CT"
    ds.Manufacturer = site.manufacturer
    ds.InstitutionName = site.institution_name
    ds.InstitutionAddress = site.institution_address
    ds.ReferringPhysicianName = "^".join(site.referring)
    ds.StationName = site.station_name
    ds.StudyDescription = study.description
    ds.SeriesDescription = series.description
    ds.PerformingPhysicianName = "^".join(site.performing)
    ds.OperatorsName = "^".join(site.operator)
    ds.ManufacturerModelName = site.model
    add_patient(ds, patient, study.date)
    ds.BodyPartExamined = series.body_part
    if series.contrast_agent:
        ds.ContrastBolusAgent = series.contrast_agent
    ds.SliceThickness = _ds(series.slice_thickness_mm)
    ds.KVP = _ds(series.kvp)
    ds.DeviceSerialNumber = site.device_serial
    ds.ConvolutionKernel = series.kernel
    ds.PatientPosition = "FFS"
    ds.StudyInstanceUID = study.study_uid
    ds.SeriesInstanceUID = series.series_uid
    ds.StudyID = study.requested_procedure_id[-4:]
    ds.SeriesNumber = series.number
    ds.FrameOfReferenceUID = series.frame_uid
    ds.PositionReferenceIndicator = ""
    ds.RequestAttributesSequence = [request_attributes(study)]
    add_private_block(ds, site)
    return ds


def file_meta() -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION
    return meta


def add_dates(ds: Dataset, study: StudyIdentity) -> None:
    date = study.date.strftime("%Y%m%d")
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = date
    ds.StudyTime = study.time
    ds.SeriesTime = ds.AcquisitionTime = ds.ContentTime = _later(study.time, 3)


def add_patient(ds: Dataset, patient: PatientIdentity, when: dt.date) -> None:
    ds.PatientName = patient.dicom_name
    ds.PatientID = patient.patient_id
    ds.PatientBirthDate = patient.birth_date.strftime("%Y%m%d")
    ds.PatientSex = patient.sex
    ds.OtherPatientIDs = patient.other_id
    ds.PatientAge = f"{patient.age_at(when):03d}Y"
    ds.PatientAddress = patient.address
    ds.PatientTelephoneNumbers = patient.phone


def request_attributes(study: StudyIdentity) -> Dataset:
    item = Dataset()
    item.RequestedProcedureID = study.requested_procedure_id
    item.ScheduledProcedureStepID = study.scheduled_step_id
    return item


def add_private_block(ds: Dataset, site: SiteProfile) -> None:
    block = ds.private_block(0x0019, site.private_creator, create=True)
    block.add_new(0x10, "LO", f"Reviewed by {site.private_reviewer}")
    block.add_new(0x11, "DS", "1.25")


def set_axial_geometry(ds: Dataset, shape: tuple[int, ...], affine_lps: np.ndarray, thickness_mm: float) -> None:
    spacing = np.linalg.norm(affine_lps[:3, :3], axis=0)
    row_dir = affine_lps[:3, 0] / spacing[0]
    col_dir = affine_lps[:3, 1] / spacing[1]
    ds.ImageOrientationPatient = [_ds(v) for v in (*row_dir, *col_dir)]
    # PixelSpacing is (between rows, between columns) = (y, x)
    ds.PixelSpacing = [_ds(spacing[1]), _ds(spacing[0])]
    ds.SliceThickness = _ds(thickness_mm)
    ds.Rows, ds.Columns = int(shape[1]), int(shape[2])
    ds.WindowCenter, ds.WindowWidth = "40", "400"


def set_pixels(ds: Dataset, hu_slice: np.ndarray, pixel_representation: int) -> None:
    """Store HU as raw values with RescaleIntercept -1024: signed int16, or unsigned 12 bits."""
    stored = hu_slice.astype(np.int32) - RESCALE_INTERCEPT
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    if pixel_representation == 1:
        ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 15, 1
        raw = stored.astype("<i2")
    else:
        ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 12, 11, 0
        raw = np.clip(stored, 0, 4095).astype("<u2")
    ds.RescaleIntercept = str(RESCALE_INTERCEPT)
    ds.RescaleSlope = "1"
    ds.RescaleType = "HU"
    # an explicit VR: the dictionary's "OB or OW" makes every save deep-copy the dataset
    ds.add_new(0x7FE00010, "OW", raw.tobytes())


def save_instance(ds: Dataset, folder: Path, file_name: str, instance: int, sop_uid: str) -> Path:
    ds.InstanceNumber = instance
    ds.SOPInstanceUID = sop_uid
    ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
    path = folder / file_name.format(instance, sop=sop_uid)
    ds.save_as(path, enforce_file_format=True)
    return path


def _ds(value: float) -> str:
    """A decimal string short enough for DS (16 characters)."""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _later(hhmmss: str, minutes: int) -> str:
    moment = dt.datetime.strptime(hhmmss, "%H%M%S") + dt.timedelta(minutes=minutes)
    return moment.strftime("%H%M%S")
