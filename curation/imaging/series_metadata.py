"""PHI-free facts about a series from its DICOM header, and a coarse body-region estimate.

`series_metadata` copies a fixed allow-list of acquisition fields; nothing else from the header
leaves this module. One field is the exception the caller must handle: ``series_description_raw``
is the scanner's free-text SeriesDescription, which technologists sometimes fill with names or
dates; de-identify it before storing it anywhere. ``contrast_phase`` (with ``contrast_phase_source``:
description or header) is derived from the contrast fields and the description by `contrast_phase`.

    >>> facts = series_metadata(header)      # a chest CT, SeriesDescription "Thorax venös 1.0 Br40d"
    >>> facts["modality"], facts["kvp"], facts["convolution_kernel"], facts["contrast_phase"]
    ('CT', 120.0, 'Br40d\\\\3', 'portal_venous')
    >>> estimate_body_region(volume, facts["body_part"])   # 'CHEST', 320 mm of slices
    'chest'
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from curation.imaging.contrast_phase import contrast_phase_facts
from curation.imaging.volume import Volume

CHEST_TERMS = ("CHEST", "THORAX", "LUNG", "THX", "BREAST", "HEART", "CARDIAC", "CORONARY")
ABDOMEN_TERMS = ("ABDOMEN", "ABD", "PELVIS", "LIVER", "KIDNEY", "PANCREAS", "COLON", "BOWEL", "STOMACH")
COMBINED_TERMS = ("CHESTABDOMEN", "CHEST_ABDOMEN", "TORSO", "TRUNK", "THORAXABD", "CAP", "WHOLEBODY")
HEAD_TERMS = ("HEAD", "BRAIN", "SKULL", "CEREBR", "ORBIT", "SINUS", "IAC")
CHEST_ABDOMEN_MIN_EXTENT_MM = 500.0  # longer than a chest (~300-400 mm) or an abdomen-pelvis (~450 mm)
HEAD_MAX_EXTENT_MM = 300.0


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _float(value: Any) -> float | None:
    try:
        return None if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return None


def _joined(value: Any) -> str | None:
    """Multi-valued strings (e.g. ConvolutionKernel 'Br40d\\3') joined with a backslash, as in DICOM."""
    if value is None:
        return None
    if isinstance(value, str):
        return _text(value)
    parts = [str(v).strip() for v in value if str(v).strip()]
    return "\\".join(parts) or None


def _string_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    values = [value] if isinstance(value, str) else list(value)
    return [str(v).strip() for v in values]


def _orientation(ds: Dataset) -> list[float] | None:
    value = ds.get("ImageOrientationPatient")
    if value is None:
        shared = ds.get("SharedFunctionalGroupsSequence")
        plane = shared[0].get("PlaneOrientationSequence") if shared else None
        value = plane[0].get("ImageOrientationPatient") if plane else None
    try:
        values = [float(v) for v in value] if value is not None else None
    except (TypeError, ValueError):
        return None
    return values if values is not None and len(values) == 6 else None


def series_metadata(ds: Dataset) -> dict[str, Any]:
    """The allow-listed header fields (None where absent). ``series_description_raw`` may hold PHI."""
    image_type = ds.get("ImageType")
    return {
        "modality": _text(ds.get("Modality")),
        "manufacturer": _text(ds.get("Manufacturer")),
        "manufacturer_model": _text(ds.get("ManufacturerModelName")),
        "convolution_kernel": _joined(ds.get("ConvolutionKernel")),
        "kvp": _float(ds.get("KVP")),
        "slice_thickness_mm": _float(ds.get("SliceThickness")),
        "image_orientation": _orientation(ds),
        "image_type": _string_list(image_type),
        "contrast_agent": _text(ds.get("ContrastBolusAgent")),
        **contrast_phase_facts(ds),
        "body_part": _text(ds.get("BodyPartExamined")),
        "series_description_raw": _text(ds.get("SeriesDescription")),
    }


def superior_extent_mm(volume: Volume) -> float:
    """Head-foot (LPS z) extent of the volume's voxel centres, whatever the slice orientation."""
    nk, nj, ni = volume.shape
    corners = np.array([[i, j, k, 1.0] for i in (0, ni - 1) for j in (0, nj - 1) for k in (0, nk - 1)])
    z = (volume.affine_lps @ corners.T)[2]
    return float(z.max() - z.min())


def _has_any(text: str, terms: tuple[str, ...]) -> bool:
    return any(term in text for term in terms)


def estimate_body_region(volume: Volume, body_part: str | None) -> str:
    """'chest', 'abdomen', 'chest-abdomen', 'head' or 'other', by these rules in order:

    1. BodyPartExamined naming both chest and abdomen (or CAP/TORSO/TRUNK/WHOLEBODY) -> chest-abdomen.
    2. A chest or abdomen term: chest-abdomen when the head-foot extent is >= 500 mm, else that region.
    3. A head term: head when the extent is <= 300 mm, else other (a head tag on a long scan).
    4. No usable text: chest-abdomen when the extent is >= 500 mm, else other (extent alone cannot
       tell a chest from an abdomen).
    """
    text = "".join((body_part or "").upper().split())
    extent = superior_extent_mm(volume)
    long_scan = extent >= CHEST_ABDOMEN_MIN_EXTENT_MM
    chest, abdomen = _has_any(text, CHEST_TERMS), _has_any(text, ABDOMEN_TERMS)
    if (chest and abdomen) or text in COMBINED_TERMS or _has_any(text, ("TORSO", "TRUNK", "WHOLEBODY")):
        return "chest-abdomen"
    if chest or abdomen:
        return "chest-abdomen" if long_scan else ("chest" if chest else "abdomen")
    if _has_any(text, HEAD_TERMS):
        return "head" if extent <= HEAD_MAX_EXTENT_MM else "other"
    return "chest-abdomen" if long_scan else "other"
