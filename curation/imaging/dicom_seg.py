"""Read a DICOM Segmentation (SEG) into label maps on an image's grid, like a NIfTI mask.

The SEG is decoded by highdicom, which places every frame by its own plane position and orientation
(per-frame functional groups) in the SEG's frame of reference; absent frames (SEGs usually omit
empty slices) are zeros. Each voxel of the target grid then takes the nearest SEG voxel through
world (LPS) coordinates, 0 outside the SEG's field of view, exactly as `read_nifti_mask` does.

Rules, in this order:

- Label values are the SEG's segment numbers; names come from SegmentLabel, else the
  SegmentedPropertyTypeCodeSequence code meaning, else ``segment_<n>``. Segment 0 (the background
  a LABELMAP SEG may describe) is 0 in the maps, never a label.
- Non-overlapping segments (the usual case, and always for LABELMAP SEGs) make one label map.
- Overlapping segments are never merged (a voxel cannot hold two labels): each segment becomes its
  own map, still valued by its segment number, and a note says so. Nothing is lost.
- FRACTIONAL segments are thresholded at probability/occupancy >= 0.5, with a note.
- Frames that are parallel but not regularly spaced (uneven steps, gaps, gantry tilt), which
  highdicom's volume refuses, are placed frame by frame: a voxel takes the nearest pixel of the
  nearest frame along the normal, within half the step to its neighbours; a note says so.
- A SEG that cannot be decoded, whose frame of reference differs from the image's, whose frames are
  not parallel, or none of whose voxels fall inside the image raises `SeriesRejected` (stage
  ``read``) naming the file and the reason.

    >>> ct = read_dicom_series(grouping.series[0])                        # 3-slice liver CT
    >>> seg = read_dicom_seg(Path("liver.dcm"), ct, frame_of_reference_uid=for_uid)
    >>> [(m.suffix, m.labels.dtype, m.label_names) for m in seg.maps]
    [('', dtype('uint8'), {1: 'Liver'})]
    >>> masks = dicom_seg_masks([Path("liver.dcm")], ct, for_uid)         # ready for write_volume_group
    >>> sorted(masks)
    ['seg_1']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from curation.imaging.errors import SeriesRejected
from curation.imaging.resample import resample_mask_to_reference
from curation.imaging.volume import Volume

if TYPE_CHECKING:
    import highdicom as hd  # imported where a SEG is read: it costs ~0.5 s, planning needs only headers

FRACTIONAL_THRESHOLD = 0.5
# highdicom's volume affine maps (slice, row, column) indices; ctcurate's maps (i=column, j=row, k=slice).
_HD_TO_IJK = np.array([[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]], dtype=np.float64)
_UID_PATTERN = re.compile(r"\d+(?:\.\d+){3,}")
_READ_ERRORS = (ValueError, RuntimeError, KeyError, AttributeError, TypeError, IndexError, EOFError, OSError)


@dataclass(frozen=True)
class SegLabelMap:
    """One label map on the target grid: [k, j, i] uint8/uint16, values are segment numbers."""

    suffix: str  # "" for the combined map; "_s<n>" for segment n stored alone because segments overlap
    labels: np.ndarray
    label_names: dict[int, str]


@dataclass(frozen=True)
class DicomSegLabels:
    maps: list[SegLabelMap]
    segment_names: dict[int, str]
    notes: list[str] = field(default_factory=list)  # PHI-free remarks: thresholding, overlap split


def segment_names(ds: Dataset) -> dict[int, str]:
    """{segment number: name} from the SegmentSequence (SegmentLabel, else the property type's meaning).

    Segment 0 is left out: a LABELMAP SEG may describe its background as segment 0 (highdicom writes
    "Background"), and 0 is the background of every label map here.

        >>> segment_names(labelmap_seg)   # SegmentSequence: 0 Background, 1 Liver, 2 (no label, type Spleen)
        {1: 'Liver', 2: 'Spleen'}
    """
    names: dict[int, str] = {}
    for item in ds.get("SegmentSequence") or []:
        number = int(item.SegmentNumber)
        if number == 0:
            continue
        label = str(item.get("SegmentLabel", "") or "").strip()
        if not label:
            codes = item.get("SegmentedPropertyTypeCodeSequence") or []
            label = str(codes[0].get("CodeMeaning", "") or "").strip() if codes else ""
        names[number] = label or f"segment_{number}"
    return names


def _rejected(path: Path, reason_code: str, detail: str) -> SeriesRejected:
    return SeriesRejected(reason_code, f"{path.name}: {detail}", stage="read")


def _reason(error: Exception) -> str:
    """A library error's message for the operator, with any UID (digits and 3+ dots) blanked."""
    return _UID_PATTERN.sub("<uid>", str(error).strip()) or type(error).__name__


def _load(path: Path) -> hd.seg.Segmentation:
    import highdicom as hd

    try:
        ds = pydicom.dcmread(path)
    except InvalidDicomError as error:
        raise _rejected(path, "unreadable_seg", "not a DICOM file") from error
    except _READ_ERRORS as error:
        raise _rejected(path, "unreadable_seg", f"not a readable DICOM file ({type(error).__name__})") from error
    try:
        return hd.seg.Segmentation.from_dataset(ds, copy=False)
    except _READ_ERRORS as error:
        raise _rejected(path, "unreadable_seg", f"not a valid DICOM Segmentation ({_reason(error)})") from error


def _on_grid(array: np.ndarray, hd_affine: np.ndarray, reference: Volume) -> np.ndarray:
    """A [slice, row, column] label array with highdicom's affine, moved onto the reference grid (nearest)."""
    array = np.ascontiguousarray(array)
    if not np.issubdtype(array.dtype, np.unsignedinteger):
        array = array.astype(np.uint16 if array.size and int(array.max()) > 255 else np.uint8)
    affine = np.asarray(hd_affine, dtype=np.float64) @ _HD_TO_IJK
    return resample_mask_to_reference(array, affine, reference.affine_lps, reference.shape)


def _segment_on_grid(seg: hd.seg.Segmentation, number: int, fractional: bool, reference: Volume) -> np.ndarray:
    """One segment on the reference grid: value = segment number inside it, 0 elsewhere."""
    volume = seg.get_volume(segment_numbers=[number], rescale_fractional=True)
    values = volume.array[..., 0]
    present = values >= FRACTIONAL_THRESHOLD if fractional else values > 0
    dtype = np.uint8 if number < 256 else np.uint16
    return _on_grid(present.astype(dtype) * dtype(number), volume.affine, reference)


def _regular_maps(
    seg: hd.seg.Segmentation, reference: Volume, names: dict[int, str]
) -> dict[int, np.ndarray] | np.ndarray:
    """highdicom's volume of the SEG on the reference grid: one combined map when the segments do not
    overlap (and are binary), else {segment number: its map}. RuntimeError when frames are irregular."""
    fractional = str(seg.SegmentationType).upper() == "FRACTIONAL"
    if not fractional:
        try:
            combined = seg.get_volume(combine_segments=True)
        except RuntimeError as error:
            if "overlap" not in str(error):
                raise
        else:
            return _on_grid(combined.array, combined.affine, reference)
    return {n: _segment_on_grid(seg, n, fractional, reference) for n in sorted(names)}


def _frame_geometry(frame: Dataset, shared: Dataset | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ImagePositionPatient, row and column direction cosines, (row, column) spacing) of one frame."""

    def item(sequence: str) -> Dataset:
        found = frame.get(sequence) or (shared.get(sequence) if shared is not None else None)
        if not found:
            raise ValueError(f"a frame has no {sequence}")
        return found[0]

    position = np.asarray(item("PlanePositionSequence").ImagePositionPatient, dtype=np.float64)
    cosines = np.asarray(item("PlaneOrientationSequence").ImageOrientationPatient, dtype=np.float64).reshape(2, 3)
    spacing = np.asarray(item("PixelMeasuresSequence").PixelSpacing, dtype=np.float64)
    return position, cosines, spacing


def place_frames_by_position(
    seg: hd.seg.Segmentation, reference: Volume, names: dict[int, str]
) -> dict[int, np.ndarray]:
    """Fallback for frames that are parallel but not regularly spaced (uneven steps, gantry tilt, gaps):
    each reference voxel takes the nearest pixel of the nearest frame along the slice normal, when that
    frame is within half the distance to its neighbouring frames (half the median step at the ends).

    The frames are those of every segment: a SEG omits a segment's empty frames, so a segment stored
    at 0 and 7.5 mm only is still empty nearer to another segment's frame at 2.5 mm.
    """
    shared_groups = seg.get("SharedFunctionalGroupsSequence")
    shared = shared_groups[0] if shared_groups else None
    kind = str(seg.SegmentationType).upper()
    scale = float(seg.get("MaximumFractionalValue", 1) or 1) if kind == "FRACTIONAL" else 1.0
    slots: dict[tuple[float, ...], int] = {}  # distinct frame position (to 1 micron) -> index in ``positions``
    positions: list[np.ndarray] = []
    frames: dict[int, list[tuple[int, int]]] = {n: [] for n in names}  # segment -> (slot, frame number)
    cosines = spacing = None
    for index, frame in enumerate(seg.PerFrameFunctionalGroupsSequence, start=1):
        position, frame_cosines, frame_spacing = _frame_geometry(frame, shared)
        if cosines is None:
            cosines, spacing = frame_cosines, frame_spacing
        elif not (np.allclose(cosines, frame_cosines, atol=1e-4) and np.allclose(spacing, frame_spacing, atol=1e-4)):
            raise ValueError("frames differ in orientation or pixel spacing")
        slot = slots.setdefault(tuple(np.round(position, 3)), len(positions))
        if slot == len(positions):
            positions.append(position)
        identification = frame.get("SegmentIdentificationSequence")
        numbers = [int(identification[0].ReferencedSegmentNumber)] if identification else list(names)  # LABELMAP
        for number in numbers:
            frames.setdefault(number, []).append((slot, index))
    if cosines is None or spacing is None:
        raise ValueError("the SEG has no frames")

    def present(frame_number: int, value: int) -> np.ndarray:
        pixels = seg.get_stored_frame(frame_number)
        if kind == "FRACTIONAL":
            return pixels / scale >= FRACTIONAL_THRESHOLD
        return pixels == value if kind == "LABELMAP" else pixels > 0

    def segment_stack(number: int) -> tuple[np.ndarray, np.ndarray]:
        """(row of each slot in the stack, the segment's frames + one empty frame for slots it lacks)."""
        own = frames.get(number, [])
        slot_rows = np.full(len(positions), len(own), np.intp)
        stack = np.zeros((len(own) + 1, int(seg.Rows), int(seg.Columns)), bool)
        for row, (slot, index) in enumerate(own):
            slot_rows[slot], stack[row] = row, present(index, number)
        return slot_rows, stack

    origins = np.array(positions)
    return {
        number: _place_frames(origins, *segment_stack(number), cosines, spacing, reference, number)
        for number in sorted(names)
    }


def _place_frames(
    origins: np.ndarray,
    slot_rows: np.ndarray,
    stack: np.ndarray,
    cosines: np.ndarray,
    spacing: np.ndarray,
    reference: Volume,
    value: int,
) -> np.ndarray:
    """One segment on the reference grid, slice by slice, from parallel frames: frame n lies at
    ``origins[n]`` and holds ``stack[slot_rows[n]]`` (pixels present).

    Depth along the normal and the in-plane coordinates are affine in the target indices, so each target
    slice is three outer sums, a search for the nearest frame and one gather.
    """
    labels = np.zeros(reference.shape, np.uint8 if value < 256 else np.uint16)
    if not stack.any():
        return labels
    axes = np.stack([cosines[0] / spacing[1], cosines[1] / spacing[0], np.cross(cosines[0], cosines[1])])
    frame_coordinates = origins @ axes.T  # (column, row, depth) of each frame's origin
    order = np.argsort(frame_coordinates[:, 2], kind="stable")
    frame_coordinates, slot_rows = frame_coordinates[order], slot_rows[order]
    depths = frame_coordinates[:, 2]
    steps = np.diff(depths)
    end_half = float(np.median(steps)) / 2 if steps.size else float(np.mean(spacing)) / 2
    half_before, half_after = np.append(end_half, steps / 2), np.append(steps / 2, end_half)
    to_frame = axes @ reference.affine_lps[:3]  # (column, row, depth) as an affine function of (i, j, k, 1)
    nk, nj, ni = reference.shape
    i, j = np.arange(ni), np.arange(nj)
    for k in range(nk):
        base = to_frame[:, 2] * k + to_frame[:, 3]
        column, row, depth = (base[a] + to_frame[a, 1] * j[:, None] + to_frame[a, 0] * i[None, :] for a in range(3))
        after = np.clip(np.searchsorted(depths, depth), 0, len(depths) - 1)
        before = np.maximum(after - 1, 0)
        nearest = np.where(np.abs(depths[before] - depth) < np.abs(depths[after] - depth), before, after)
        offset = depth - depths[nearest]
        rows = np.rint(row - frame_coordinates[nearest, 1]).astype(np.intp)
        columns = np.rint(column - frame_coordinates[nearest, 0]).astype(np.intp)
        hit = (offset >= -half_before[nearest] - 1e-6) & (offset <= half_after[nearest] + 1e-6)
        hit &= (rows >= 0) & (rows < stack.shape[1]) & (columns >= 0) & (columns < stack.shape[2])
        hit[hit] = stack[slot_rows[nearest[hit]], rows[hit], columns[hit]]
        labels[k][hit] = value
    return labels


def _read_maps(seg: hd.seg.Segmentation, reference: Volume, names: dict[int, str]) -> DicomSegLabels:
    notes = []
    if str(seg.SegmentationType).upper() == "FRACTIONAL":
        notes.append(f"fractional segments thresholded at >= {FRACTIONAL_THRESHOLD}")
    try:
        placed = _regular_maps(seg, reference, names)
    except RuntimeError:  # frames not regularly spaced
        placed = place_frames_by_position(seg, reference, names)
        notes.append("frames not regularly spaced: placed frame by frame")
    if isinstance(placed, np.ndarray):
        return DicomSegLabels([SegLabelMap("", placed, names)], names, notes)
    covered = np.zeros(reference.shape, bool)
    overlap = False
    for labels in placed.values():
        inside = labels > 0
        overlap = overlap or bool(np.any(covered & inside))
        covered |= inside
    if not overlap:
        combined_labels = np.zeros(reference.shape, np.uint16 if max(names) > 255 else np.uint8)
        for number, labels in placed.items():
            combined_labels[labels > 0] = number
        return DicomSegLabels([SegLabelMap("", combined_labels, names)], names, notes)
    notes.append("segments overlap: each segment stored as its own label map")
    maps = [SegLabelMap(f"_s{n}", labels, {n: names[n]}) for n, labels in placed.items()]
    return DicomSegLabels(maps, names, notes)


def read_dicom_seg(path: Path, reference: Volume, frame_of_reference_uid: str | None = None) -> DicomSegLabels:
    """The SEG at ``path`` as label maps on ``reference``'s grid (see the module rules).

    ``frame_of_reference_uid`` is the image series' FrameOfReferenceUID (original, before
    de-identification); when given, a SEG in another frame of reference is refused, because world
    coordinates of two frames of reference cannot be compared.
    """
    path = Path(path)
    seg = _load(path)
    seg_frame = str(seg.get("FrameOfReferenceUID", "") or "")
    if frame_of_reference_uid and seg_frame != str(frame_of_reference_uid):
        raise _rejected(path, "seg_frame_of_reference_mismatch", "its frame of reference is not the image's")
    names = segment_names(seg)
    if not names:
        raise _rejected(path, "unreadable_seg", "the SEG describes no segments")
    try:
        result = _read_maps(seg, reference, names)
    except SeriesRejected:
        raise
    except _READ_ERRORS as error:
        raise _rejected(path, "seg_not_a_volume", f"frames cannot be placed ({_reason(error)})") from error
    if not any(np.any(m.labels) for m in result.maps) and _has_segmented_frames(seg):
        raise _rejected(path, "seg_outside_image", "no segmented voxel falls inside the image")
    return result


def _has_segmented_frames(seg: hd.seg.Segmentation) -> bool:
    """Whether any stored frame has a segmented pixel (frame by frame: a SEG can hold thousands)."""
    return any(np.any(seg.get_stored_frame(n)) for n in range(1, int(seg.get("NumberOfFrames", 0) or 0) + 1))


def place_segs(
    paths: Sequence[Path], reference: Volume, frame_of_reference_uid: str | None = None
) -> tuple[dict[int, DicomSegLabels], dict[int, SeriesRejected]]:
    """The SEGs of one image placed on its grid, by their number (1, 2, ... in ``paths`` order), and those
    that cannot be placed with the reason: one bad SEG does not stop the others (ingest and convert)."""
    placed: dict[int, DicomSegLabels] = {}
    refused: dict[int, SeriesRejected] = {}
    for number, path in enumerate(paths, start=1):
        try:
            placed[number] = read_dicom_seg(Path(path), reference, frame_of_reference_uid)
        except SeriesRejected as rejected:
            refused[number] = rejected
    return placed, refused


def seg_masks(placed: dict[int, DicomSegLabels]) -> dict[str, tuple[np.ndarray, dict[int, str]]]:
    """Masks for `write_volume_group`: ``seg_<n>`` for SEG number n (``seg_<n>_s<m>`` per segment m
    when its segments overlap), each (labels on the reference grid, {value: name})."""
    return {
        f"seg_{number}{label_map.suffix}": (label_map.labels, label_map.label_names)
        for number, seg in placed.items()
        for label_map in seg.maps
    }


def dicom_seg_masks(
    paths: Sequence[Path], reference: Volume, frame_of_reference_uid: str | None = None
) -> dict[str, tuple[np.ndarray, dict[int, str]]]:
    """`seg_masks` of every SEG in ``paths``; the first that cannot be placed raises its `SeriesRejected`."""
    placed, refused = place_segs(paths, reference, frame_of_reference_uid)
    if refused:
        raise refused[min(refused)]
    return seg_masks(placed)
