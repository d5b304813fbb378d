"""De-identify one DICOM dataset with the Basic Profile (PS3.15 Annex E) and ctcurate's pseudonyms.

The engine walks every element, nested sequences included, and applies the action the profile data
(``schemas/deid/basic_profile.yaml``) gives under the chosen options:

* D: a dummy value of the VR; PatientID and PatientName become the keyed patient pseudonym and
  AccessionNumber the keyed accession pseudonym (cut to the 16 characters of VR SH).
* Z: empty value (an empty sequence for SQ, also for D on a sequence). X: removed.
* K: kept (sequences are still walked, as they are for U and C).
* U: ``pseudonymizer.uid(original)``, so UIDs stay consistent across a cohort and across reruns.
* C: clean. Under the dates option DA/DT values move by the patient's offset and TM values are kept;
  text is kept only if it passes ``is_clean_text`` (else removed); sequences are walked.

Beyond Table E.1-1: private attributes are removed (``DeidOptions.safe_private_tags`` can keep some),
group lengths are removed, unlisted PN values are removed, unlisted ``*InstanceUID`` values are remapped,
and unlisted DA/DT values are shifted (dates option) or emptied. The input dataset is not modified:
the result holds a de-identified deep copy, with marking attributes added (PatientIdentityRemoved,
DeidentificationMethod, DeidentificationMethodCodeSequence, LongitudinalTemporalInformationModified)
and the file meta MediaStorageSOPInstanceUID set to the new SOPInstanceUID.

    >>> from pydicom import Dataset
    >>> from curation.pseudonyms import Pseudonymizer
    >>> ds = Dataset()
    >>> ds.PatientName, ds.PatientID, ds.StudyDate = "DOE^JANE", "MRN123", "20200203"
    >>> result = deidentify_dataset(ds, Pseudonymizer(b"0" * 32), "site_a", DeidOptions())
    >>> str(result.dataset.PatientID).startswith("pat_"), result.dataset.StudyDate != "20200203"
    (True, True)
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag

from curation.deid.deid_profile import (
    CLEAN_DESCRIPTORS,
    RETAIN_DEVICE_IDENTITY,
    RETAIN_LONGITUDINAL_MODIFIED_DATES,
    RETAIN_PATIENT_CHARACTERISTICS,
    DeidProfile,
    load_profile,
    resolve_compound,
)
from curation.deid.known_phi import KnownPhi, known_phi_from_dataset
from curation.pseudonyms import Pseudonymizer

SH_MAX = 16
_DUMMY_TEXT = "ANONYMOUS"
_DUMMY_BY_VR: dict[str, object] = {
    "AE": _DUMMY_TEXT,
    "AS": "000Y",
    "CS": _DUMMY_TEXT,
    "DA": "19000101",
    "DT": "19000101000000.000000",
    "TM": "000000.00",
    "DS": "0",
    "IS": "0",
    "LO": _DUMMY_TEXT,
    "LT": _DUMMY_TEXT,
    "PN": _DUMMY_TEXT,
    "SH": _DUMMY_TEXT,
    "ST": _DUMMY_TEXT,
    "UC": _DUMMY_TEXT,
    "UT": _DUMMY_TEXT,
    "FL": 0.0,
    "FD": 0.0,
    "SL": 0,
    "SS": 0,
    "SV": 0,
    "UL": 0,
    "US": 0,
    "UV": 0,
}
_TEXT_VRS = frozenset({"AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UT", "UR"})
_DATE_VRS = frozenset({"DA", "DT"})
_BINARY_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN"})
# CID 7050 De-identification Method codes (scheme DCM)
_CODE_MEANINGS = {
    "113100": "Basic Application Confidentiality Profile",
    "113105": "Clean Descriptors Option",
    "113107": "Retain Longitudinal Temporal Information Modified Dates Option",
    "113108": "Retain Patient Characteristics Option",
    "113109": "Retain Device Identity Option",
}
_OPTION_CODES = {
    RETAIN_LONGITUDINAL_MODIFIED_DATES: "113107",
    RETAIN_PATIENT_CHARACTERISTICS: "113108",
    RETAIN_DEVICE_IDENTITY: "113109",
    CLEAN_DESCRIPTORS: "113105",
}
_FILE_META_TO_REMOVE = (0x00020016, 0x00020017, 0x00020018, 0x00020100, 0x00020102)
_OLDEST_AGE_YEARS = 89  # HIPAA: ages over 89 are reported as 90 or older
_DIGIT_RUN = re.compile(r"\d{5,}")
_DATE_LIKE = re.compile(
    r"\b(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|(?:19|20)\d{6})\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DeidOptions:
    retain_longitudinal_dates: bool = True  # shift DA/DT by the patient's offset, keep TM
    retain_patient_characteristics: bool = True  # age (capped at 90), sex, size, weight: SUV needs them
    retain_device_identity: bool = False
    clean_descriptors: bool = True
    # Private attributes to keep: (private creator, group, element low byte), e.g. ("GEMS_PARM_01", 0x0043, 0x27).
    safe_private_tags: frozenset[tuple[str, int, int]] = frozenset()

    def profile_options(self) -> frozenset[str]:
        chosen = {
            RETAIN_LONGITUDINAL_MODIFIED_DATES: self.retain_longitudinal_dates,
            RETAIN_PATIENT_CHARACTERISTICS: self.retain_patient_characteristics,
            RETAIN_DEVICE_IDENTITY: self.retain_device_identity,
            CLEAN_DESCRIPTORS: self.clean_descriptors,
        }
        return frozenset(name for name, used in chosen.items() if used)


@dataclass
class DeidResult:
    dataset: Dataset
    known_phi: KnownPhi
    date_shift_days: int | None  # None when dates were not retained
    action_counts: dict[str, int] = field(default_factory=dict)


def deidentify_dataset(
    ds: Dataset,
    pseudonymizer: Pseudonymizer,
    institution: str,
    options: DeidOptions | None = None,
    profile: DeidProfile | None = None,
) -> DeidResult:
    """Return a de-identified copy of ``ds`` (the input is left unchanged)."""
    options = options or DeidOptions()
    known = known_phi_from_dataset(ds)
    original_patient_id = str(ds.get("PatientID", "") or "")
    shift = (
        pseudonymizer.date_shift_days(institution, original_patient_id) if options.retain_longitudinal_dates else None
    )
    out = copy.deepcopy(ds)
    engine = _Engine(profile or load_profile(), pseudonymizer, institution, original_patient_id, shift, known, options)
    engine.walk(out)
    add_marking(out, options, profile or load_profile())
    update_file_meta(out, pseudonymizer)
    return DeidResult(out, known, shift, dict(engine.counts))


class _Engine:
    def __init__(
        self,
        profile: DeidProfile,
        pseudonymizer: Pseudonymizer,
        institution: str,
        patient_id: str,
        shift: int | None,
        known: KnownPhi,
        options: DeidOptions,
    ) -> None:
        self.profile = profile
        self.pseudonymizer = pseudonymizer
        self.institution = institution
        self.patient_id = patient_id
        self.shift = shift
        self.known = known
        self.options = options
        self.used = options.profile_options()
        self.counts: Counter[str] = Counter()

    def walk(self, ds: Dataset) -> None:
        kept_private = self.kept_private_tags(ds)
        for tag in list(ds.keys()):
            if tag.is_private and tag not in kept_private:
                del ds[tag]
                self.counts["private_removed"] += 1
                continue
            self.apply(ds, ds[tag])

    def kept_private_tags(self, ds: Dataset) -> set[BaseTag]:
        if not self.options.safe_private_tags:
            return set()
        kept: set[BaseTag] = set()
        for tag in [element.tag for element in ds]:
            if not tag.is_private or tag.element < 0x1000:
                continue
            creator_tag = BaseTag((tag.group << 16) | (tag.element >> 8))
            creator = str(ds[creator_tag].value) if creator_tag in ds else ""
            if (creator, tag.group, tag.element & 0xFF) in self.options.safe_private_tags:
                kept |= {tag, creator_tag}
        return kept

    def apply(self, ds: Dataset, element: DataElement) -> None:
        action = self.choose_action(element)
        self.counts[action] += 1
        if action == "X":
            del ds[element.tag]
        elif action == "Z" or (action == "D" and element.VR == "SQ"):  # no dummy item can be known safe
            element.value = Sequence() if element.VR == "SQ" else None
        elif action == "P":
            self.pseudonymise(element)
        elif action == "SHIFT":
            self.shift_dates(element)
        elif element.VR == "SQ":  # K, C, U on a sequence: keep it and de-identify its items
            for item in element.value or ():
                self.walk(item)
        elif action == "D":
            element.value = self.uid_values(element) if element.VR == "UI" else _DUMMY_BY_VR.get(element.VR)
        elif action == "U":
            element.value = self.uid_values(element)
        elif action == "C" and not self.is_clean(element):
            del ds[element.tag]
            self.counts["C_removed"] += 1
        elif element.keyword == "PatientAge":
            element.value = cap_age(str(element.value or ""))

    def choose_action(self, element: DataElement) -> str:
        tag, vr, keyword = element.tag, element.VR, element.keyword
        if tag.element == 0x0000:
            return "X"  # group lengths are retired and would be wrong after editing
        if keyword in self.profile.pseudonymised:
            return "P"
        dated = vr in _DATE_VRS or vr == "TM"
        if dated and self.shift is not None and keyword not in self.profile.dates_never_shifted:
            return "SHIFT" if vr in _DATE_VRS else "K"
        resolved = self.profile.action_for(tag, self.used)
        if resolved is None:
            return self.unlisted_action(element)
        return resolve_compound(resolved.code, vr)

    def unlisted_action(self, element: DataElement) -> str:
        if element.VR == "PN":
            return "X"
        if element.VR == "UI" and element.keyword.endswith("InstanceUID"):
            return "U"
        if element.VR in _DATE_VRS or element.VR == "TM":
            return "Z"
        return "K"

    def pseudonymise(self, element: DataElement) -> None:
        value = str(element.value or "").strip()
        if not value:
            element.value = None
            return
        kind = self.profile.pseudonymised[element.keyword]
        if kind == "patient_id":
            element.value = (
                self.pseudonymizer.patient_id(self.institution, self.patient_id) if self.patient_id else None
            )
        elif kind == "accession":
            pseudonym = self.pseudonymizer.accession(self.institution, value)
            element.value = pseudonym[:SH_MAX] if element.VR == "SH" else pseudonym
        else:
            element.value = None

    def shift_dates(self, element: DataElement) -> None:
        assert self.shift is not None
        shift_one = shift_da if element.VR == "DA" else shift_dt
        shifted = [shift_one(str(v), self.shift) for v in _as_list(element.value)]
        if any(v is None for v in shifted):
            element.value = None  # a date we cannot parse cannot be shifted, so it goes
            self.counts["shift_failed"] += 1
        else:
            element.value = shifted if len(shifted) > 1 else (shifted[0] if shifted else None)

    def uid_values(self, element: DataElement) -> object:
        uids = [self.pseudonymizer.uid(str(v)) for v in _as_list(element.value) if str(v).strip()]
        if not uids:
            return None
        return uids if len(uids) > 1 else uids[0]

    def is_clean(self, element: DataElement) -> bool:
        if element.VR in _BINARY_VRS:
            return False  # bytes cannot be checked, so they cannot be kept as clean
        if element.VR not in _TEXT_VRS:
            return True  # numbers carry no free text
        return all(is_clean_text(str(v), self.known) for v in _as_list(element.value))


def is_clean_text(text: str, known: KnownPhi) -> bool:
    """True when ``text`` has no known name token or identifier, no 5+ digit run and nothing date-like."""
    upper = text.upper()
    if _DIGIT_RUN.search(text) or _DATE_LIKE.search(text):
        return False
    words = set(re.findall(r"[^\W_]+", upper))
    if words & known.name_tokens:
        return False
    fragments = known.identifiers | known.institutions | known.addresses | known.phone_numbers | known.birth_dates
    return not any(fragment.upper() in upper for fragment in fragments if len(fragment) >= 3)


def shift_da(value: str, days: int) -> str | None:
    """Shift ``YYYYMMDD`` (or a ``A-B`` range of them) by ``days``; None where it is not a full date."""
    value = value.strip()
    if not value:
        return value
    if "-" in value:
        parts = [shift_da(part, days) if part else "" for part in value.split("-")]
        return None if any(p is None for p in parts) else "-".join(p or "" for p in parts)
    try:
        date = dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None
    return (date + dt.timedelta(days=days)).strftime("%Y%m%d")


def shift_dt(value: str, days: int) -> str | None:
    """Shift the date part of a DT value; the time and offset are kept."""
    value = value.strip()
    if not value:
        return value
    date_part = shift_da(value[:8], days) if len(value) >= 8 else None
    return None if date_part is None else date_part + value[8:]


def cap_age(value: str) -> str:
    """``"092Y"`` -> ``"090Y"``: ages over 89 are not kept exactly."""
    match = re.fullmatch(r"(\d{1,3})Y", value.strip())
    if match and int(match.group(1)) > _OLDEST_AGE_YEARS:
        return "090Y"
    return value


def add_marking(ds: Dataset, options: DeidOptions, profile: DeidProfile) -> None:
    used = options.profile_options()
    codes = ["113100", *(code for option, code in _OPTION_CODES.items() if option in used)]
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = [f"CTCURATE {profile.name.upper()} PROFILE PS3.15 E.1-1 {profile.standard_edition}"] + [
        option.upper().replace("_", " ")[:64] for option in _OPTION_CODES if option in used
    ]
    ds.DeidentificationMethodCodeSequence = Sequence([code_item(code) for code in codes])
    ds.LongitudinalTemporalInformationModified = "MODIFIED" if options.retain_longitudinal_dates else "REMOVED"


def code_item(code: str) -> Dataset:
    item = Dataset()
    item.CodeValue = code
    item.CodingSchemeDesignator = "DCM"
    item.CodeMeaning = _CODE_MEANINGS[code]
    return item


def update_file_meta(ds: Dataset, pseudonymizer: Pseudonymizer) -> None:
    meta = getattr(ds, "file_meta", None)
    if meta is None:
        return
    for tag in _FILE_META_TO_REMOVE:
        if tag in meta:
            del meta[tag]
    if "SOPInstanceUID" in ds and ds.SOPInstanceUID:
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    elif meta.get("MediaStorageSOPInstanceUID"):
        meta.MediaStorageSOPInstanceUID = pseudonymizer.uid(str(meta.MediaStorageSOPInstanceUID))


def _as_list(value: object) -> list[object]:
    if value is None or value == "":
        return []
    if isinstance(value, MultiValue | list | tuple):
        return list(value)
    return [value]
