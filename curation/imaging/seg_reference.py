"""Which DICOM series a DICOM SEG labels: the rule shared by ingest (cohort plan) and ``ctcurate convert``.

A SEG is placed by world coordinates, so it only ever goes with a series of its own frame of reference.
The SeriesInstanceUID it references (ReferencedSeriesSequence) wins; without that series present, a
series of the same FrameOfReferenceUID. Among several candidates (geometry splits of one series, or
series sharing a frame of reference) the one holding most of the referenced SOP instances wins, then
the first in order. A SEG that matches nothing gets the quarantine reason code:

- ``seg_frame_of_reference_mismatch``: its referenced series is present, in another frame of reference;
- ``seg_reference_missing``: neither its series nor its frame of reference is present.

    >>> match = match_seg_to_series(read_dicom_header(Path("liver.dcm")), grouping.series)
    >>> match.series_index, match.outcome                                   # the 3-slice GE CT it references
    (0, 'referenced_series')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydicom.dataset import Dataset

from curation.imaging.series_grouping import DicomSeriesFiles

MATCHED_BY = ("referenced_series", "frame_of_reference")
UNMATCHED_REASONS = ("seg_frame_of_reference_mismatch", "seg_reference_missing")


@dataclass(frozen=True)
class SegSeriesMatch:
    """The index of the series a SEG labels (None when none), and how it matched or why not."""

    series_index: int | None
    outcome: str  # one of MATCHED_BY when series_index is set, else one of UNMATCHED_REASONS


def referenced_series_uids(ds: Dataset) -> list[str]:
    """SeriesInstanceUIDs the SEG says it was derived from (ReferencedSeriesSequence)."""
    return [str(item.get("SeriesInstanceUID", "") or "") for item in ds.get("ReferencedSeriesSequence") or []]


def referenced_instance_uids(ds: Dataset) -> set[str]:
    """SOPInstanceUIDs of the source images, from the ReferencedSeriesSequence (header-only read)."""
    return {
        str(instance.get("ReferencedSOPInstanceUID", "") or "")
        for series in ds.get("ReferencedSeriesSequence") or []
        for instance in series.get("ReferencedInstanceSequence") or []
    } - {""}


def frame_of_reference_uid(series: DicomSeriesFiles) -> str | None:
    """The series' FrameOfReferenceUID, as in its (original) first header."""
    if not series.headers:
        return None
    return str(series.headers[0].get("FrameOfReferenceUID", "") or "") or None


def match_seg_to_series(header: Dataset, candidates: Sequence[DicomSeriesFiles]) -> SegSeriesMatch:
    """Where the SEG whose (original, header-only) dataset is ``header`` belongs among ``candidates``."""
    frame = str(header.get("FrameOfReferenceUID", "") or "")
    referenced = set(referenced_series_uids(header)) - {""}
    by_series = [n for n, s in enumerate(candidates) if s.series_uid in referenced]
    same_frame = [n for n in by_series if frame and frame_of_reference_uid(candidates[n]) == frame]
    if by_series and not same_frame:
        return SegSeriesMatch(None, "seg_frame_of_reference_mismatch")
    matched_by = "referenced_series"
    if not same_frame and frame:
        same_frame = [n for n, s in enumerate(candidates) if frame_of_reference_uid(s) == frame]
        matched_by = "frame_of_reference"
    if not same_frame:
        return SegSeriesMatch(None, "seg_reference_missing")
    instances = referenced_instance_uids(header)

    def shared_instances(index: int) -> int:
        candidate = candidates[index]
        uids = candidate.sop_instance_uids or [str(h.get("SOPInstanceUID", "")) for h in candidate.headers]
        return sum(uid in instances for uid in uids)

    return SegSeriesMatch(max(same_frame, key=shared_instances), matched_by)
