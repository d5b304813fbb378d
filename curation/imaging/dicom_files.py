"""One file at a time: is it DICOM, can it be read, and is it a slice of an image volume?

Only the header is read (``stop_before_pixels``), so classifying a 500-slice CT series costs a few
kB per file. Objects that are DICOM but not part of a CT/MR volume (scouts, screenshots, dose
reports, SR, presentation states, DICOMDIR, SEG) are skipped with a stable reason code. A SEG's
``dicom_seg`` is provisional in an ingest: the cohort plan attaches it to the series it labels.

    >>> result = classify_dicom_file(Path("study/S1000/I10"))   # a Philips scout
    >>> result.category, result.reason_code
    ('skip', 'localizer')
    >>> classify_dicom_file(Path("study/CT.0001")).category     # an axial CT slice, HU after rescale
    'image'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from curation.imaging.header_values import has_element, header_value

Category = Literal["image", "skip", "not_dicom", "unreadable_dicom"]

DICOMDIR_SOP_CLASS = "1.2.840.10008.1.3.10"
SECONDARY_CAPTURE_PREFIX = "1.2.840.10008.5.1.4.1.1.7"  # SC and the multi-frame SC family (.7.1-.7.4)
SR_PREFIX = "1.2.840.10008.5.1.4.1.1.88."
DOSE_SR_CLASSES = {
    "1.2.840.10008.5.1.4.1.1.88.67",  # X-Ray Radiation Dose SR (CT dose reports)
    "1.2.840.10008.5.1.4.1.1.88.68",  # Radiopharmaceutical Radiation Dose SR
    "1.2.840.10008.5.1.4.1.1.88.73",  # Patient Radiation Dose SR
    "1.2.840.10008.5.1.4.1.1.88.76",  # Enhanced X-Ray Radiation Dose SR
}
PRESENTATION_STATE_PREFIX = "1.2.840.10008.5.1.4.1.1.11."
SEGMENTATION_CLASSES = {"1.2.840.10008.5.1.4.1.1.66.4", "1.2.840.10008.5.1.4.1.1.66.7"}
RT_DOSE_CLASS = "1.2.840.10008.5.1.4.1.1.481.2"
IMAGE_STORAGE_PREFIX = "1.2.840.10008.5.1.4.1.1."
# Storage classes under the image-storage root that legitimately carry no Rows/Columns.
NON_IMAGE_STORAGE_PREFIXES = tuple(
    IMAGE_STORAGE_PREFIX + suffix for suffix in ("9.", "11.", "66", "88.", "104.", "481.3", "481.5", "481.4")
)
ENCAPSULATED_DOCUMENT_PREFIX = "1.2.840.10008.5.1.4.1.1.104."
LOCALIZER_IMAGE_TYPES = {"LOCALIZER", "SCOUT", "TOPOGRAM", "SURVIEW", "SCANOGRAM", "SCOUT_VIEW"}
SCREENSHOT_IMAGE_TYPES = {"SCREEN SAVE", "SCREENSHOT", "CAPTURE", "DOSE_INFO", "PATIENT_INFO", "RESULTS"}
NON_IMAGE_MODALITIES = {"SR": "structured_report", "PR": "presentation_state", "KO": "structured_report"}


@dataclass(frozen=True)
class FileClassification:
    """What one file is. ``header`` is the pixel-free dataset for images and skipped DICOM objects."""

    path: Path
    category: Category
    reason_code: str | None = None
    header: Dataset | None = None
    pixel_data_offset: int | None = None  # where the Pixel Data element starts in the file (see below)


def read_dicom_header(path: Path) -> Dataset:
    """Header only (no pixel data); raises InvalidDicomError for files without the DICM preamble."""
    return pydicom.dcmread(path, stop_before_pixels=True, force=False)


def read_dicom_header_and_pixel_offset(path: Path) -> tuple[Dataset, int]:
    """The header (as `read_dicom_header`) and the file offset of the element pydicom stopped at: its Pixel
    Data, whose value can then be read without parsing the header again (the file's size where it has none)."""
    with open(path, "rb") as handle:
        ds = pydicom.dcmread(handle, stop_before_pixels=True, force=False)
        return ds, handle.tell()


def sop_class_uid(ds: Dataset) -> str:
    """SOPClassUID, falling back to the file meta where the dataset's own value is empty."""
    value = str(header_value(ds, "SOPClassUID") or "").strip()
    if not value and getattr(ds, "file_meta", None) is not None:
        value = str(header_value(ds.file_meta, "MediaStorageSOPClassUID") or "").strip()
    return value


def image_type_values(ds: Dataset) -> list[str]:
    raw = header_value(ds, "ImageType")
    if raw is None:
        return []
    values = [raw] if isinstance(raw, str) else list(raw)
    return [str(v).strip().upper() for v in values]


def has_plane_geometry(ds: Dataset) -> bool:
    """Single-frame plane geometry, or per-frame functional groups for enhanced multi-frame objects."""
    single = all(header_value(ds, tag) is not None for tag in ("ImagePositionPatient", "ImageOrientationPatient"))
    return single or has_element(ds, "PerFrameFunctionalGroupsSequence")


def looks_like_dicom_without_preamble(path: Path) -> bool:
    """Raw DICOM (no 128-byte preamble) starts with a group 0x0002 or 0x0008 little-endian tag."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return False
    return len(head) == 4 and head[:2] in (b"\x02\x00", b"\x08\x00") and head[2:4] in (b"\x00\x00", b"\x01\x00")


def skip_reason(ds: Dataset) -> str | None:
    """The reason code for a DICOM object that is not a slice of an image volume, else None."""
    sop = sop_class_uid(ds)
    modality = str(header_value(ds, "Modality") or "").upper()
    image_type = set(image_type_values(ds))
    if sop == DICOMDIR_SOP_CLASS or has_element(ds, "DirectoryRecordSequence"):
        return "dicomdir"
    if sop in DOSE_SR_CLASSES:
        return "dose_report"
    if sop.startswith(SR_PREFIX):
        return "structured_report"
    if sop.startswith(PRESENTATION_STATE_PREFIX):
        return "presentation_state"
    if sop in SEGMENTATION_CLASSES or modality == "SEG":
        return "dicom_seg"
    if sop == RT_DOSE_CLASS or modality == "RTDOSE":
        return "dose_report"
    if sop.startswith(ENCAPSULATED_DOCUMENT_PREFIX):
        return "no_pixel_data"
    if modality in NON_IMAGE_MODALITIES:
        return NON_IMAGE_MODALITIES[modality]
    if image_type & LOCALIZER_IMAGE_TYPES:
        return "localizer"
    if is_secondary_capture(sop, image_type, ds):
        return "secondary_capture"
    if header_value(ds, "Rows") is None or header_value(ds, "Columns") is None:
        return "no_pixel_data"
    return None


def is_secondary_capture(sop: str, image_type: set[str], ds: Dataset) -> bool:
    """SC objects are screenshots unless they carry full plane geometry and claim ORIGINAL pixels.

    Some archives re-wrap real CT slices as SC (ORIGINAL/PRIMARY/AXIAL with position and
    orientation); those stay images. DERIVED/SECONDARY reformats under a CT/MR SOP class are real
    volumes too (MPRs), so only screenshot-like ImageType values skip them.
    """
    if sop.startswith(SECONDARY_CAPTURE_PREFIX):
        original = bool(image_type) and image_type_values(ds)[0] == "ORIGINAL"
        return not (original and has_plane_geometry(ds) and header_value(ds, "PixelSpacing") is not None)
    return "SECONDARY" in image_type and bool(image_type & SCREENSHOT_IMAGE_TYPES)


def is_truncated_header(ds: Dataset, reason: str | None) -> bool:
    """pydicom parses a cut-off file without complaint; spot the header that stops too early.

    No SOP class anywhere, or an image-storage object (CT, MR...) without Rows/Columns, means the
    file ended (or was overwritten) inside its header.
    """
    sop = sop_class_uid(ds)
    if not sop or len(ds) == 0:
        return True
    meta = getattr(ds, "file_meta", None)
    candidates = {
        sop,
        str(header_value(ds, "SOPClassUID") or ""),
        str(header_value(meta, "MediaStorageSOPClassUID") or "") if meta else "",
    }
    image_storage = any(
        uid.startswith(IMAGE_STORAGE_PREFIX) and not uid.startswith(NON_IMAGE_STORAGE_PREFIXES) for uid in candidates
    )
    return reason == "no_pixel_data" and image_storage


def classify_dicom_file(path: Path) -> FileClassification:
    """Read one header and say whether the file is an image slice, a skip, not DICOM, or unreadable."""
    try:
        ds, pixel_data_offset = read_dicom_header_and_pixel_offset(path)
    except InvalidDicomError:
        if looks_like_dicom_without_preamble(path):
            return FileClassification(path, "unreadable_dicom", "unreadable_dicom")
        return FileClassification(path, "not_dicom", "not_dicom")
    except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError, IndexError):
        return FileClassification(path, "unreadable_dicom", "unreadable_dicom")
    try:
        reason = skip_reason(ds)
        truncated = is_truncated_header(ds, reason)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        # A header that parses but whose values cannot be decoded (bad VR, broken character set).
        return FileClassification(path, "unreadable_dicom", "unreadable_dicom")
    if truncated:
        return FileClassification(path, "unreadable_dicom", "unreadable_dicom", ds)
    if reason is not None:
        return FileClassification(path, "skip", reason, ds)
    return FileClassification(path, "image", None, ds, pixel_data_offset)
