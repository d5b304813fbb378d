"""Group DICOM files into series that can each become one volume.

Files are grouped by SeriesInstanceUID, then (like dcm2niix) a group is split where the slice
orientation (tolerance 1e-4), the matrix (Rows x Columns), the pixel spacing or the ImageType (see
`image_type_key`) differ;
each enhanced multi-frame file is its own split. A DICOMDIR is optional: every file is found by
walking the folder, referenced or not, and the DICOMDIR itself is skipped as ``dicomdir``.
Everything else is listed in ``rejected`` with a reason.

    >>> grouping = group_dicom_series(sorted(Path("exam").rglob("*")))
    >>> [(s.split_index, len(s.files)) for s in grouping.series]          # a 0.7 mm CT, 412 slices
    [(0, 412)]
    >>> [(r.disposition, r.reason_code) for r in grouping.rejected]
    [('skipped', 'localizer'), ('skipped', 'not_an_image')]
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from pydicom.dataset import Dataset

from curation.imaging.dicom_files import FileClassification, classify_dicom_file, image_type_values
from curation.imaging.header_values import has_element, header_value

ORIENTATION_TOLERANCE = 1e-4
SPACING_TOLERANCE = 1e-4
COMPLEX_PARTS = {"M", "P", "R", "I", "MAGNITUDE", "PHASE", "REAL", "IMAGINARY"}


@dataclass
class DicomSeriesFiles:
    series_uid: str
    split_index: int
    files: list[Path]
    headers: list[Dataset]  # header-only datasets, same order as files
    pixel_data_offsets: list[int | None] = field(default_factory=list)  # same order; empty where unknown
    sop_instance_uids: list[str] = field(default_factory=list)  # same order; empty where unknown

    @property
    def has_all_headers(self) -> bool:
        """Whether ``headers`` holds every file's header (not only the first, see `group_dicom_series`)."""
        return len(self.headers) == len(self.files)


@dataclass(frozen=True)
class FileDisposition:
    path: Path
    file_kind: Literal["dicom", "other"]
    disposition: Literal["skipped", "quarantined"]
    reason_code: str


@dataclass
class DicomGrouping:
    series: list[DicomSeriesFiles] = field(default_factory=list)
    rejected: list[FileDisposition] = field(default_factory=list)


@dataclass
class _Split:
    orientation: np.ndarray | None
    matrix: tuple[int, int]
    pixel_spacing: np.ndarray | None
    multiframe: bool
    image_type: tuple[str, ...] = ()
    members: list[_Member] = field(default_factory=list)


def disposition_for(result: FileClassification) -> FileDisposition:
    """Map a non-image classification to what the ledger records."""
    if result.category == "not_dicom":
        return FileDisposition(result.path, "other", "skipped", "not_an_image")
    if result.category == "unreadable_dicom":
        return FileDisposition(result.path, "dicom", "quarantined", "unreadable_dicom")
    return FileDisposition(result.path, "dicom", "skipped", result.reason_code or "skipped")


def _floats(value: object) -> tuple[float, ...] | None:
    if value is None:
        return None
    try:
        return tuple(float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None


def _array(values: tuple[float, ...] | None) -> np.ndarray | None:
    return None if values is None else np.asarray(values, dtype=np.float64)


def _is_multiframe(ds: Dataset) -> bool:
    return has_element(ds, "PerFrameFunctionalGroupsSequence") or int(header_value(ds, "NumberOfFrames") or 1) > 1


@dataclass(frozen=True)
class SliceFacts:
    """What grouping needs of one image file's header, so that the header itself need not be kept."""

    series_uid: str
    orientation: tuple[float, ...] | None
    pixel_spacing: tuple[float, ...] | None
    matrix: tuple[int, int]
    image_type: tuple[str, ...]
    multiframe: bool
    instance_number: int
    series_number: int
    sop_instance_uid: str


def slice_facts(ds: Dataset) -> SliceFacts:
    return SliceFacts(
        series_uid=str(header_value(ds, "SeriesInstanceUID") or ""),
        orientation=_floats(header_value(ds, "ImageOrientationPatient")),
        pixel_spacing=_floats(header_value(ds, "PixelSpacing")),
        matrix=(int(header_value(ds, "Rows") or 0), int(header_value(ds, "Columns") or 0)),
        image_type=image_type_key(ds),
        multiframe=_is_multiframe(ds),
        instance_number=_whole_number(header_value(ds, "InstanceNumber"), 0),
        series_number=_whole_number(header_value(ds, "SeriesNumber"), 1 << 30),
        sop_instance_uid=str(header_value(ds, "SOPInstanceUID") or ""),
    )


def _whole_number(value: object, default: int) -> int:
    try:
        return int(value) if value is not None else default  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default


@dataclass
class _Member:
    """One image file while grouping: its facts, and its header where grouping keeps headers."""

    path: Path
    facts: SliceFacts
    header: Dataset | None
    pixel_data_offset: int | None

    @property
    def order(self) -> tuple[int, str]:
        """Files inside a split run by (InstanceNumber, path)."""
        return self.facts.instance_number, str(self.path)


def _matches(split: _Split, facts: SliceFacts) -> bool:
    if split.multiframe or split.matrix != facts.matrix or split.image_type != facts.image_type:
        return False
    for mine, theirs, tolerance in (
        (split.orientation, _array(facts.orientation), ORIENTATION_TOLERANCE),
        (split.pixel_spacing, _array(facts.pixel_spacing), SPACING_TOLERANCE),
    ):
        if (mine is None) != (theirs is None):
            return False
        if (
            mine is not None
            and theirs is not None
            and (mine.shape != theirs.shape or np.max(np.abs(mine - theirs)) > tolerance)
        ):
            return False
    return True


def image_type_key(ds: Dataset) -> tuple[str, ...]:
    """The ImageType values that make a different image: ORIGINAL/DERIVED, PRIMARY/SECONDARY and the
    MR complex part. Trailing vendor flags (GE's ``ADD`` on half a head CT) do not split, as in dcm2niix."""
    values = image_type_values(ds)
    return (*values[:2], *sorted(set(values[2:]) & COMPLEX_PARTS))


def split_by_geometry(members: list[_Member]) -> list[_Split]:
    """Split one SeriesInstanceUID group where orientation, matrix, pixel spacing or ImageType change."""
    splits: list[_Split] = []
    for member in members:
        facts = member.facts
        orientation, spacing = _array(facts.orientation), _array(facts.pixel_spacing)
        if facts.multiframe:
            splits.append(_Split(orientation, facts.matrix, spacing, True, facts.image_type, [member]))
            continue
        target = next((s for s in splits if _matches(s, facts)), None)
        if target is None:
            target = _Split(orientation, facts.matrix, spacing, False, facts.image_type)
            splits.append(target)
        target.members.append(member)
    return splits


def _series_key(uid: str, members: list[_Member]) -> tuple[int, str]:
    """Series run by (SeriesNumber, SeriesInstanceUID), the number as in the first file found."""
    return members[0].facts.series_number, uid


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while headers are parsed, then back as it was.

    Every header adds some 40 pydicom objects that all stay alive; the collector, triggered by the
    allocations, walks the whole heap (imports included) to find no garbage: a full collection cost
    about 50 ms of a 300-file series' 0.3 s. Anything cyclic made meanwhile is collected afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def group_dicom_series(paths: list[Path], keep_headers: bool = True) -> DicomGrouping:
    """Classify every path, group image slices by SeriesInstanceUID and split by geometry.

    Series come out ordered by (SeriesNumber, SeriesInstanceUID, split); files inside a split by
    (InstanceNumber, path). Slice order for the volume is decided later, from positions.

    With ``keep_headers=False`` only what grouping needs of each header is kept (`SliceFacts`) and
    each series holds one header, its first file's (read again at the end): a cohort of thousands of
    series is grouped in bounded memory, and `complete_series_headers` reads the rest when the
    series is read. Real CT headers take some 35-50 KiB each in memory.
    """
    grouping = DicomGrouping()
    by_uid: dict[str, list[_Member]] = {}
    with collector_paused():
        for path in paths:
            result = classify_dicom_file(Path(path))
            if result.category != "image":
                grouping.rejected.append(disposition_for(result))
                continue
            assert result.header is not None
            facts = slice_facts(result.header)
            header = result.header if keep_headers else None
            by_uid.setdefault(facts.series_uid, []).append(
                _Member(result.path, facts, header, result.pixel_data_offset)
            )
    for uid, members in sorted(by_uid.items(), key=lambda item: _series_key(*item)):
        for index, split in enumerate(split_by_geometry(members)):
            ordered = sorted(split.members, key=lambda member: member.order)
            headers = [m.header for m in ordered if m.header is not None]
            if not keep_headers:
                first = _first_header_again(ordered[0])
                if first is None:  # changed on disk while the cohort was read: nothing of it is trusted
                    grouping.rejected.extend(
                        FileDisposition(m.path, "dicom", "quarantined", "unreadable_dicom") for m in ordered
                    )
                    continue
                headers = [first]
            grouping.series.append(
                DicomSeriesFiles(
                    series_uid=uid,
                    split_index=index,
                    files=[m.path for m in ordered],
                    headers=headers,
                    pixel_data_offsets=[m.pixel_data_offset for m in ordered],
                    sop_instance_uids=[m.facts.sop_instance_uid for m in ordered],
                )
            )
    return grouping


def _first_header_again(member: _Member) -> Dataset | None:
    """The member's header read again, or None where the file is no longer the image slice it was."""
    result = classify_dicom_file(member.path)
    if result.category != "image" or result.header is None or slice_facts(result.header) != member.facts:
        return None
    return result.header
