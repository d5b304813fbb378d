"""Pair each PET series with the CT that gives it anatomy (and attenuation correction).

A PET/CT scanner writes the PET and its CT in the same study and the same FrameOfReferenceUID, so the
two share world coordinates. Rules, in order; the first that finds a CT wins and names the reason:

Only CTs of the same PatientID are considered.

1. ``same_study_and_frame_of_reference``: same StudyInstanceUID and FrameOfReferenceUID.
2. ``same_frame_of_reference``: same patient and FrameOfReferenceUID, another study.
3. ``same_study_nearest_in_time``: same study, another frame of reference (registration not guaranteed).
4. ``same_patient_nearest_in_time``: same patient, another study, at most ``max_gap`` apart.

Within a rule the CT nearest in time wins (ties: the thinner-sliced, then the lower series UID). A PET
with no CT gets ``ct_series_uid=None`` and reason ``no_ct``. Works on original or de-identified headers
alike (UIDs are remapped and dates shifted consistently per patient, so matches and gaps are the same).

    >>> pet = series_ref_from_header(pet_header)   # PT, FoR 1.2.3, 10:00
    >>> ct = series_ref_from_header(ct_header)     # CT, same study and FoR, 09:55, 2.5 mm slices
    >>> pair_pet_with_ct([pet, ct])[0].reason, pair_pet_with_ct([pet, ct])[0].time_gap_s
    ('same_study_and_frame_of_reference', 300.0)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pydicom.dataset import Dataset

from curation.pet.header_values import combine, parse_dt, text, to_float

PET_MODALITIES = frozenset({"PT"})
CT_MODALITIES = frozenset({"CT"})
DEFAULT_MAX_GAP = dt.timedelta(days=30)
NO_CT = "no_ct"


@dataclass(frozen=True)
class SeriesRef:
    series_uid: str
    study_uid: str
    patient_id: str
    modality: str
    frame_of_reference_uid: str | None
    acquired_at: dt.datetime | None  # series (else acquisition, else study) date and time
    slice_thickness_mm: float | None = None


@dataclass(frozen=True)
class PetCtPair:
    pet_series_uid: str
    ct_series_uid: str | None
    reason: str
    time_gap_s: float | None  # |PET time - CT time|; None when a time is unknown or there is no CT


Rule = tuple[str, Callable[[SeriesRef, SeriesRef], bool]]
# Every rule also requires the same PatientID (see pair_one): a shared UID never joins two patients.
RULES: tuple[Rule, ...] = (
    ("same_study_and_frame_of_reference", lambda p, c: p.study_uid == c.study_uid and same_frame(p, c)),
    ("same_frame_of_reference", lambda p, c: same_frame(p, c)),
    ("same_study_nearest_in_time", lambda p, c: p.study_uid == c.study_uid),
    ("same_patient_nearest_in_time", lambda p, c: True),
)


def series_ref_from_header(ds: Dataset) -> SeriesRef:
    """The pairing facts of one series from any of its headers."""
    return SeriesRef(
        series_uid=text(ds, "SeriesInstanceUID"),
        study_uid=text(ds, "StudyInstanceUID"),
        patient_id=text(ds, "PatientID"),
        modality=text(ds, "Modality").upper(),
        frame_of_reference_uid=text(ds, "FrameOfReferenceUID") or None,
        acquired_at=series_datetime(ds),
        slice_thickness_mm=to_float(ds.get("SliceThickness")),
    )


def series_datetime(ds: Dataset) -> dt.datetime | None:
    for date_keyword, time_keyword in (
        ("SeriesDate", "SeriesTime"),
        ("AcquisitionDate", "AcquisitionTime"),
        ("StudyDate", "StudyTime"),
    ):
        found = combine(text(ds, date_keyword), text(ds, time_keyword) or "000000")
        if found is not None:
            return found
    return parse_dt(text(ds, "AcquisitionDateTime"))


def pair_pet_with_ct(series: Iterable[SeriesRef], max_gap: dt.timedelta = DEFAULT_MAX_GAP) -> list[PetCtPair]:
    """One pair per PET series (in input order); a CT may serve several PET series."""
    refs = list(series)
    cts = [s for s in refs if s.modality in CT_MODALITIES]
    return [pair_one(pet, cts, max_gap) for pet in refs if pet.modality in PET_MODALITIES]


def pair_one(pet: SeriesRef, cts: Sequence[SeriesRef], max_gap: dt.timedelta) -> PetCtPair:
    cts = [ct for ct in cts if ct.patient_id == pet.patient_id]
    for reason, matches in RULES:
        candidates = [ct for ct in cts if matches(pet, ct)]
        if reason == "same_patient_nearest_in_time":
            candidates = [ct for ct in candidates if within_gap(pet, ct, max_gap)]
        if candidates:
            best = min(candidates, key=lambda ct: rank(pet, ct))
            return PetCtPair(pet.series_uid, best.series_uid, reason, time_gap_s(pet, best))
    return PetCtPair(pet.series_uid, None, NO_CT, None)


def same_frame(pet: SeriesRef, ct: SeriesRef) -> bool:
    return pet.frame_of_reference_uid is not None and pet.frame_of_reference_uid == ct.frame_of_reference_uid


def time_gap_s(pet: SeriesRef, ct: SeriesRef) -> float | None:
    if pet.acquired_at is None or ct.acquired_at is None:
        return None
    return abs((pet.acquired_at - ct.acquired_at).total_seconds())


def within_gap(pet: SeriesRef, ct: SeriesRef, max_gap: dt.timedelta) -> bool:
    gap = time_gap_s(pet, ct)
    return gap is not None and gap <= max_gap.total_seconds()


def rank(pet: SeriesRef, ct: SeriesRef) -> tuple[float, float, str]:
    gap = time_gap_s(pet, ct)
    thickness = ct.slice_thickness_mm if ct.slice_thickness_mm is not None else float("inf")
    return (gap if gap is not None else float("inf"), thickness, ct.series_uid)
