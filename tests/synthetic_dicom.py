"""Synthetic DICOM for tests: CT slices written with pydicom, and SEGs made with highdicom over them.

>>> paths = write_ct_series(tmp_path / "ct", np.full((3, 6, 5), 40), spacing=(0.5, 0.8), step=2.5)
>>> seg = highdicom_seg([pydicom.dcmread(p) for p in paths], labels_kji, ["liver", "spleen"], "LABELMAP")
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
# attributes highdicom copies from the source images into a SEG; a bare synthetic slice lacks them
_PATIENT_STUDY_KEYWORDS = (
    "PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime",
    "ReferringPhysicianName", "AccessionNumber", "StudyID",
)  # fmt: skip


def write_ct_slice(
    path: Path,
    stored: np.ndarray,
    position: Sequence[float],
    *,
    series_uid: str = "1.2.3.4.5",
    study_uid: str = "1.2.3",
    instance: int = 1,
    syntax: str = ExplicitVRLittleEndian,
    sop_class: str = CTImageStorage,
    modality: str = "CT",
    image_type: Sequence[str] = ("ORIGINAL", "PRIMARY", "AXIAL"),
    orientation: Sequence[float] = AXIAL,
    spacing: Sequence[float] = (0.7, 0.7),
    bits_stored: int = 16,
    signed: bool = True,
    slope: float = 1,
    intercept: float = -1024,
    padding_value: int | None = None,
    trailing_padding: bool = False,
    **attributes: Any,
) -> Path:
    """One uncompressed 16-bit slice of ``stored`` [row, column] values; ``attributes`` are set as given
    (e.g. ``FrameOfReferenceUID=...``, ``SliceThickness=9.9``)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.SeriesInstanceUID, ds.StudyInstanceUID = modality, series_uid, study_uid
    ds.InstanceNumber = instance
    ds.ImageType = list(image_type)
    ds.ImagePositionPatient = [float(v) for v in position]
    ds.ImageOrientationPatient = list(orientation)
    ds.PixelSpacing = list(spacing)
    ds.Rows, ds.Columns = stored.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    if padding_value is not None:
        ds.PixelPaddingValue = padding_value
    ds.PixelData = stored.astype("<i2" if signed else "<u2").tobytes()
    if trailing_padding:
        ds.add_new(0xFFFCFFFC, "OB", b"\x00" * 8)  # Data Set Trailing Padding after the pixels
    ds.save_as(path, enforce_file_format=True, implicit_vr=syntax == ImplicitVRLittleEndian)
    return path


def write_ct_series(
    folder: Path,
    hu: np.ndarray,
    *,
    origin: Sequence[float] = (-120.0, -80.0, -100.0),
    spacing: Sequence[float] = (0.7, 0.7),
    step: float = 2.5,
    orientation: Sequence[float] = AXIAL,
    positions: Sequence[Sequence[float]] | None = None,
    **slice_options: Any,
) -> list[Path]:
    """A CT series of ``hu`` [k, row, column], slice k at ``positions[k]`` (default: regular, at
    ``origin + k * step * normal``), with the patient, study and frame-of-reference attributes a SEG
    needs from its source images."""
    folder.mkdir(parents=True, exist_ok=True)
    normal = np.cross(np.asarray(orientation[:3], float), np.asarray(orientation[3:], float))
    if positions is None:
        positions = [np.asarray(origin, float) + k * step * normal for k in range(len(hu))]
    options = {
        "series_uid": generate_uid(),
        "study_uid": generate_uid(),
        "FrameOfReferenceUID": generate_uid(),
        "SliceThickness": abs(step),
        **{keyword: "" for keyword in _PATIENT_STUDY_KEYWORDS},
        **slice_options,
    }
    return [
        write_ct_slice(
            folder / f"{k:03d}.dcm",
            np.asarray(hu[k]) + 1024,
            positions[k],
            instance=k + 1,
            orientation=orientation,
            spacing=spacing,
            **options,
        )
        for k in range(len(hu))
    ]


def highdicom_seg(
    sources: Sequence[Dataset],
    pixel_array: np.ndarray,
    labels: Sequence[str],
    segmentation_type: str = "BINARY",
    *,
    property_types: Sequence[Any] | None = None,
    max_fractional_value: int | None = None,
) -> Dataset:
    """A SEG over ``sources`` made by highdicom's own encoder, read back as a plain pydicom dataset.

    ``pixel_array`` is [frame, row, column, segment] (stacked, BINARY/FRACTIONAL/LABELMAP) or
    [frame, row, column] of segment numbers (label-map style); segment n is named ``labels[n - 1]``
    (an empty label is stored empty: the name then comes from the property type, Liver, Spleen, Kidney
    by default).
    """
    import highdicom as hd
    from pydicom.sr.codedict import codes

    sources = [_with_patient_and_study(source) for source in sources]
    types = list(property_types or [codes.SCT.Liver, codes.SCT.Spleen, codes.SCT.Kidney])
    algorithm = hd.AlgorithmIdentificationSequence(
        name="test", family=codes.cid7162.ArtificialIntelligence, version="1"
    )
    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=n,
            segment_label=label or "placeholder",
            segmented_property_category=codes.SCT.Organ,
            segmented_property_type=types[(n - 1) % len(types)],
            algorithm_type=hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC,
            algorithm_identification=algorithm,
        )
        for n, label in enumerate(labels, start=1)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. a fixture's single-component PatientName
        seg = hd.seg.Segmentation(
            source_images=sources,
            pixel_array=pixel_array,
            segmentation_type=segmentation_type,
            segment_descriptions=descriptions,
            series_instance_uid=hd.UID(),
            series_number=900,
            sop_instance_uid=hd.UID(),
            instance_number=1,
            manufacturer="test",
            manufacturer_model_name="test",
            software_versions="1",
            device_serial_number="1",
            max_fractional_value=max_fractional_value,
        )
    for item in seg.SegmentSequence:  # a LABELMAP SEG also describes its background, segment 0
        if item.SegmentNumber > 0 and not labels[item.SegmentNumber - 1]:
            item.SegmentLabel = ""  # an empty SegmentLabel: the name falls back to the property type's meaning
    buffer = io.BytesIO()
    seg.save_as(buffer)
    buffer.seek(0)
    return pydicom.dcmread(buffer)


def _with_patient_and_study(source: Dataset) -> Dataset:
    """The source with every patient/study attribute highdicom copies present (empty where absent)."""
    for keyword in _PATIENT_STUDY_KEYWORDS:
        if keyword not in source:
            setattr(source, keyword, "")
    return source


def write_dataset(ds: Dataset, path: Path) -> Path:
    """``ds`` saved at ``path`` (parent folders made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path
