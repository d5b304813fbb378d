"""Plan a cohort's ingestion: discover files, group DICOM into series, read NIfTI sidecars, and key
every series to its study with pseudonyms.

A DICOM SEG is not a volume of its own: it rides with the series it references
(ReferencedSeriesSequence SeriesInstanceUID, else the same FrameOfReferenceUID), is listed in that
series' ``segmentations`` and files, and is ingested or quarantined with it. A SEG whose series is not
in the cohort is quarantined as ``seg_reference_missing``; one that names a series of another frame
of reference as ``seg_frame_of_reference_mismatch``.

The plan holds original identifiers in memory (to match reports and scrub their text); only
pseudonyms and content hashes leave it.

    >>> plan = plan_cohort(load_manifest("cohorts/site_a"), "site_a", pseudonymizer)  # doctest: +SKIP
    >>> len(plan.series), len(plan.studies), plan.early_dispositions[0].reason_code  # doctest: +SKIP
    (9, 6, 'not_an_image')
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from curation.cohort.manifest import CohortManifest
from curation.deid.crosswalk import CrosswalkRow, crosswalk_rows_from_header
from curation.deid.dicom_header import DeidOptions, deidentify_dataset
from curation.deid.known_phi import KnownPhi, known_phi_from_dataset
from curation.imaging.dicom_files import read_dicom_header
from curation.imaging.errors import SeriesRejected
from curation.imaging.resample import target_spacing
from curation.imaging.seg_reference import frame_of_reference_uid, match_seg_to_series
from curation.imaging.series_grouping import DicomSeriesFiles, group_dicom_series
from curation.imaging.series_headers import complete_series_headers
from curation.ingest.cohort_inventory import (
    UNREADABLE_FILE,
    UNREADABLE_FOLDER,
    CohortInventory,
    DiscoveredFile,
    FileDisposition,
    discover_files,
    nifti_stem,
)
from curation.ingest.header_budget import keeps_all_headers
from curation.ingest.study_keys import StudyKeys
from curation.pet.pairing import pair_pet_with_ct, series_ref_from_header
from curation.pet.suv_factor import SuvFactor, suv_factor_before_deid
from curation.pseudonyms import Pseudonymizer

SEG_SKIP_REASON = "dicom_seg"  # what file classification calls a DICOM Segmentation
SIDECAR_KEYS = ("PatientID", "StudyInstanceUID", "AccessionNumber", "StudyDate", "PatientSex", "PatientAge")


@dataclass
class NiftiItem:
    image: DiscoveredFile
    sidecar: DiscoveredFile
    sidecar_values: dict[str, Any]
    masks: list[tuple[str, DiscoveredFile, dict[int, str]]]  # (name, file, label value -> structure)


@dataclass(frozen=True)
class SegAttachment:
    """A DICOM SEG file attached to a series, and how the match was made."""

    file: DiscoveredFile
    matched_by: str  # referenced_series (SeriesInstanceUID) or frame_of_reference


@dataclass
class SeriesItem:
    series_id: str
    study_uid: str
    source_format: str  # dicom or nifti
    series_uid_pseudonym: str | None
    files: list[DiscoveredFile]
    dicom: DicomSeriesFiles | None = None
    nifti: NiftiItem | None = None
    # the first header after the de-identification engine (PS3.15 profile): metadata is read from it
    deidentified_header: Dataset | None = None
    # PET: the SUV factor, computed from the original headers (de-identification removes what it needs)
    suv: SuvFactor | None = None
    paired_ct_series_id: str | None = None  # PET: the CT it is paired with
    pairing_reason: str | None = None
    # DICOM SEG files on this series (also in ``files``): placed on the image grid by dicom_seg.place_segs
    segmentations: list[SegAttachment] = field(default_factory=list)

    @property
    def seg_paths(self) -> list[Path]:
        return [s.file.path for s in self.segmentations]

    @property
    def frame_of_reference_uid(self) -> str | None:
        """The original FrameOfReferenceUID of a DICOM series (before de-identification)."""
        return frame_of_reference_uid(self.dicom) if self.dicom is not None else None


@dataclass
class CohortPlan:
    cohort: str
    institution: str
    resample_label: str
    target_spacing_mm: tuple[float, float, float] | None
    inventory: CohortInventory
    studies: dict[str, StudyKeys] = field(default_factory=dict)  # by original StudyInstanceUID
    series: list[SeriesItem] = field(default_factory=list)
    early_dispositions: list[FileDisposition] = field(default_factory=list)

    def study_for_report_key(self, key: str, key_type: str) -> StudyKeys | None:
        key = key.strip()
        if key_type == "study_instance_uid":
            return self.studies.get(key)
        matches = [s for s in self.studies.values() if s.accession == key]
        return matches[0] if matches else None


def plan_cohort(manifest: CohortManifest, cohort: str, pseudonymizer: Pseudonymizer) -> CohortPlan:
    options = manifest.options
    plan = CohortPlan(
        cohort=cohort,
        institution=manifest.institution,
        resample_label=options.resample_label,
        target_spacing_mm=target_spacing(options.resample_profile, options.spacing_mm),
        inventory=discover_files(manifest),
    )
    by_path = plan.inventory.by_path()
    plan.early_dispositions += [
        FileDisposition(f.file_hash, f.size_bytes, "other", "quarantined", f.kind_guess)
        for f in plan.inventory.files
        if f.kind_guess in (UNREADABLE_FILE, UNREADABLE_FOLDER)
    ]
    dicom_candidates = [f.path for f in plan.inventory.files if f.kind_guess == "dicom"]
    grouping = group_dicom_series(dicom_candidates, keep_headers=keeps_all_headers(len(dicom_candidates)))
    _plan_dicom(plan, grouping, by_path, pseudonymizer)
    _pair_pet_with_ct(plan)
    _plan_nifti(plan, pseudonymizer)
    return plan


def crosswalk_rows(plan: CohortPlan, pseudonymizer: Pseudonymizer) -> list[CrosswalkRow]:
    """Original identifiers and their pseudonyms, one set per DICOM series (for secrets/ only)."""
    rows = {
        row
        for item in plan.series
        if item.dicom is not None
        for row in crosswalk_rows_from_header(item.dicom.headers[0], pseudonymizer, plan.institution)
    }
    return sorted(rows)


def _pair_pet_with_ct(plan: CohortPlan) -> None:
    """Pair each PET series with a CT (same study and frame of reference, else nearest in time), from the
    de-identified headers: UIDs are remapped consistently and a patient's dates move together."""
    by_uid = {str(i.deidentified_header.SeriesInstanceUID): i for i in plan.series if i.deidentified_header}
    refs = [series_ref_from_header(item.deidentified_header) for item in by_uid.values()]  # type: ignore[arg-type]
    for pair in pair_pet_with_ct(refs):
        pet = by_uid[pair.pet_series_uid]
        pet.pairing_reason = pair.reason
        if pair.ct_series_uid is not None:
            pet.paired_ct_series_id = by_uid[pair.ct_series_uid].series_id


def _plan_dicom(plan: CohortPlan, grouping: Any, by_path: dict[Path, DiscoveredFile], p: Pseudonymizer) -> None:
    segmentations: list[DiscoveredFile] = []
    for rejected in grouping.rejected:
        found = by_path[Path(rejected.path).resolve()]
        if rejected.reason_code == SEG_SKIP_REASON:
            segmentations.append(found)
            continue
        plan.early_dispositions.append(
            FileDisposition(
                file_hash=found.file_hash,
                size_bytes=found.size_bytes,
                file_kind=rejected.file_kind,
                disposition=rejected.disposition,
                reason_code=rejected.reason_code,
            )
        )
    for series in grouping.series:
        first = series.headers[0]
        values = {key: first.get(key) for key in (*SIDECAR_KEYS, "PatientBirthDate")}
        study = _study(plan, p, values)
        suv = suv_factor_before_deid(_all_headers(series)) if str(first.get("Modality", "")).upper() == "PT" else None
        deidentified = deidentify_dataset(first, p, plan.institution, DeidOptions())
        study.known_phi = _merge_phi(study.known_phi, [deidentified.known_phi])
        item = SeriesItem(
            series_id=p.series_id(series.series_uid, series.split_index),
            study_uid=study.study_uid,
            source_format="dicom",
            series_uid_pseudonym=p.uid(series.series_uid),
            files=[by_path[Path(f).resolve()] for f in series.files],
            dicom=series,
            deidentified_header=deidentified.dataset,
            suv=suv,
        )
        study.series_ids.append(item.series_id)
        plan.series.append(item)
    _attach_segmentations(plan, segmentations)


def _all_headers(series: DicomSeriesFiles) -> list[Dataset]:
    """Every header of the series (read again where grouping kept only the first); the first alone where
    a file changed since grouping (the series batch then refuses the series)."""
    try:
        return complete_series_headers(series).headers
    except SeriesRejected:
        return series.headers


def _attach_segmentations(plan: CohortPlan, segmentations: list[DiscoveredFile]) -> None:
    """Put each SEG with the DICOM series it references; quarantine the ones that reference none."""
    dicom_items = [item for item in plan.series if item.dicom is not None]
    for seg_file in segmentations:
        try:
            header = read_dicom_header(seg_file.path)
        except (OSError, ValueError, EOFError, InvalidDicomError):  # read a moment ago: the file changed since
            plan.early_dispositions.append(
                FileDisposition(seg_file.file_hash, seg_file.size_bytes, "dicom", "quarantined", "unreadable_seg")
            )
            continue
        target, outcome = match_segmentation(header, dicom_items)
        if target is None:
            plan.early_dispositions.append(
                FileDisposition(seg_file.file_hash, seg_file.size_bytes, "dicom", "quarantined", outcome)
            )
            continue
        target.segmentations.append(SegAttachment(seg_file, outcome))
        target.files.append(seg_file)


def match_segmentation(header: Dataset, items: list[SeriesItem]) -> tuple[SeriesItem | None, str]:
    """(series the SEG belongs to, how it matched) or (None, quarantine reason code), by the rule of
    `curation.imaging.seg_reference` (referenced series, else same frame of reference; never across
    frames of reference)."""
    candidates = [(item, item.dicom) for item in items if item.dicom is not None]
    match = match_seg_to_series(header, [series for _, series in candidates])
    return (candidates[match.series_index][0] if match.series_index is not None else None), match.outcome


def _plan_nifti(plan: CohortPlan, p: Pseudonymizer) -> None:
    files = plan.inventory.files
    sidecars = {f.path.with_suffix(""): f for f in files if f.kind_guess == "sidecar"}
    by_path = {f.path: f for f in files}
    mask_paths: set[Path] = set()
    items: list[NiftiItem] = []
    for image in (f for f in files if f.is_nifti):
        sidecar = sidecars.get(nifti_stem(image.path))
        if sidecar is None:
            continue
        values = _read_sidecar(sidecar.path)
        if values is None:
            continue
        masks = []
        for mask_spec in values.get("Masks") or []:
            mask_path = (image.path.parent / str(mask_spec.get("file", ""))).resolve()
            if mask_path in by_path:
                labels = {int(k): str(v) for k, v in (mask_spec.get("labels") or {}).items()}
                masks.append((str(mask_spec.get("name") or mask_path.name.split(".")[0]), by_path[mask_path], labels))
                mask_paths.add(mask_path)
        items.append(NiftiItem(image=image, sidecar=sidecar, sidecar_values=values, masks=masks))

    planned: set[Path] = set(mask_paths)
    for item in items:
        if item.image.path in mask_paths:
            continue
        values = {k: item.sidecar_values.get(k) for k in SIDECAR_KEYS}
        if not values.get("StudyInstanceUID"):
            continue
        study = _study(plan, p, values)
        study.known_phi = _merge_phi(study.known_phi, [known_phi_from_sidecar(item.sidecar_values)])
        series = SeriesItem(
            series_id=p.series_id("nifti:" + item.image.file_hash),
            study_uid=study.study_uid,
            source_format="nifti",
            series_uid_pseudonym=None,
            files=[item.image, item.sidecar] + [m[1] for m in item.masks],
            nifti=item,
        )
        study.series_ids.append(series.series_id)
        plan.series.append(series)
        planned.update(f.path for f in series.files)

    for f in files:
        if f.kind_guess in {"nifti", "sidecar"} and f.path not in planned:
            reason = "nifti_without_study_keys" if f.kind_guess == "nifti" else "orphan_sidecar"
            disposition = "quarantined" if f.kind_guess == "nifti" else "skipped"
            plan.early_dispositions.append(
                FileDisposition(f.file_hash, f.size_bytes, f.kind_guess, disposition, reason)
            )


def _study(plan: CohortPlan, p: Pseudonymizer, values: dict[str, Any]) -> StudyKeys:
    study_uid = str(values.get("StudyInstanceUID") or "").strip()
    if study_uid not in plan.studies:
        plan.studies[study_uid] = StudyKeys.from_header_values(p, plan.institution, values)
    return plan.studies[study_uid]


def _merge_phi(current: KnownPhi | None, more: list[KnownPhi]) -> KnownPhi:
    merged = current
    for known in more:
        merged = known if merged is None else merged.merge(known)
    return merged if merged is not None else KnownPhi()


def known_phi_from_sidecar(values: dict[str, Any]) -> KnownPhi:
    """Identifying values of a NIfTI sidecar, read as the DICOM attributes its keys name."""
    ds = Dataset()
    for keyword, value in values.items():
        tag = tag_for_keyword(keyword)
        if tag is None or not isinstance(value, str | int | float) or dictionary_VR(tag) == "SQ":
            continue
        ds.add_new(tag, dictionary_VR(tag), str(value))
    return known_phi_from_dataset(ds)


def _read_sidecar(path: Path) -> dict[str, Any] | None:
    try:
        values = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return values if isinstance(values, dict) else None
