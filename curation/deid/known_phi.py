"""The identifying values of one patient, captured from DICOM headers before they are stripped.

Report text for the same patient is scrubbed with them (names, IDs, institutions that no generic rule
would find), and the DICOM "clean" action checks descriptors against them. Values only live in memory:
never log a ``KnownPhi`` (its ``repr`` shows counts only).

    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.PatientName = "DOE^JANE^M"
    >>> ds.PatientID = "MRN123"
    >>> known = known_phi_from_dataset(ds)
    >>> sorted(known.name_tokens)
    ['DOE', 'JANE']
    >>> "JANE DOE" in known.name_forms and "MRN123" in known.identifiers
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset

_PATIENT_NAME_KEYWORDS = frozenset(
    {"PatientName", "OtherPatientNames", "PatientBirthName", "PatientMotherBirthName", "ResponsiblePerson"}
)
_IDENTIFIER_KEYWORDS = frozenset(
    {
        "PatientID",
        "OtherPatientIDs",
        "AccessionNumber",
        "StudyID",
        "RequestedProcedureID",
        "ScheduledProcedureStepID",
        "PerformedProcedureStepID",
        "AdmissionID",
        "MedicalRecordLocator",
        "FillerOrderNumberImagingServiceRequest",
        "PlacerOrderNumberImagingServiceRequest",
        "ServiceEpisodeID",
    }
)
_INSTITUTION_KEYWORDS = frozenset({"InstitutionName"})
_ADDRESS_KEYWORDS = frozenset(
    {"PatientAddress", "InstitutionAddress", "ResponsiblePersonAddress", "ReferringPhysicianAddress"}
)
_PHONE_KEYWORDS = frozenset(
    {
        "PatientTelephoneNumbers",
        "ReferringPhysicianTelephoneNumbers",
        "PersonTelephoneNumbers",
        "ResponsiblePersonTelephoneNumbers",
    }
)
_MIN_TOKEN = 2  # a single initial identifies nobody and would match everywhere
_MIN_IDENTIFIER = 3


@dataclass(frozen=True)
class KnownPhi:
    patient_name_tokens: frozenset[str] = frozenset()
    other_name_tokens: frozenset[str] = frozenset()  # physicians, operators, other persons
    name_forms: frozenset[str] = frozenset()  # "JANE DOE", "DOE JANE", "DOE, JANE" (upper case)
    identifiers: frozenset[str] = frozenset()
    institutions: frozenset[str] = frozenset()  # institution names
    addresses: frozenset[str] = frozenset()  # patient, institution and physician addresses
    birth_dates: frozenset[str] = frozenset()  # YYYYMMDD
    phone_numbers: frozenset[str] = field(default=frozenset())

    def __repr__(self) -> str:  # never print the values
        counts = ", ".join(f"{f.name}={len(getattr(self, f.name))}" for f in fields(self))
        return f"KnownPhi({counts})"

    @property
    def name_tokens(self) -> frozenset[str]:
        return self.patient_name_tokens | self.other_name_tokens

    def merge(self, other: KnownPhi) -> KnownPhi:
        return KnownPhi(**{f.name: getattr(self, f.name) | getattr(other, f.name) for f in fields(self)})

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


def known_phi_from_dataset(ds: Dataset) -> KnownPhi:
    """Collect identifying values from ``ds`` and its sequences (public attributes and private PN)."""
    collected: dict[str, set[str]] = {f.name: set() for f in fields(KnownPhi)}
    for element in walk_elements(ds):
        collect_element(element, collected)
    return KnownPhi(**{name: frozenset(values) for name, values in collected.items()})


def walk_elements(ds: Dataset) -> Iterator[DataElement]:
    for element in ds:
        if element.VR == "SQ":
            for item in element.value or ():
                yield from walk_elements(item)
        else:
            yield element


def collect_element(element: DataElement, collected: dict[str, set[str]]) -> None:
    keyword = element.keyword
    values = [str(v).strip() for v in _values(element) if str(v).strip()]
    if element.VR == "PN":
        target = "patient_name_tokens" if keyword in _PATIENT_NAME_KEYWORDS else "other_name_tokens"
        for value in values:
            tokens, forms = split_person_name(value)
            collected[target].update(tokens)
            collected["name_forms"].update(forms)
    elif keyword in _IDENTIFIER_KEYWORDS:
        collected["identifiers"].update(v for v in values if len(v) >= _MIN_IDENTIFIER)
    elif keyword in _INSTITUTION_KEYWORDS:
        collected["institutions"].update(values)
    elif keyword in _ADDRESS_KEYWORDS:
        collected["addresses"].update(values)
    elif keyword in _PHONE_KEYWORDS:
        collected["phone_numbers"].update(values)
    elif keyword == "PatientBirthDate":
        collected["birth_dates"].update(values)


def _values(element: DataElement) -> Iterable[object]:
    value = element.value
    if value is None or isinstance(value, bytes | bytearray):
        return ()
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        return list(value)
    return [value]


def split_person_name(value: str) -> tuple[set[str], set[str]]:
    """``"DOE^JANE^M"`` -> tokens {DOE, JANE} and forms {JANE DOE, DOE JANE, DOE, JANE, JANE M DOE}."""
    alphabetic = value.split("=")[0]  # ideographic/phonetic groups follow '='
    components = [c.strip() for c in alphabetic.split("^")]
    family, given, middle = ([*components, "", "", ""])[:3]
    words = [w for c in components[:3] for w in re.split(r"[\s,]+", c) if w]
    tokens = {w.upper().strip(".") for w in words if len(w.strip(".")) >= _MIN_TOKEN}
    forms: set[str] = set()
    if family and given:
        family_u, given_u = family.upper(), given.upper()
        forms |= {f"{given_u} {family_u}", f"{family_u} {given_u}", f"{family_u}, {given_u}"}
        if middle:
            forms.add(f"{given_u} {middle.upper()} {family_u}")
    elif family or given:
        forms.add((family or given).upper())
    return tokens, forms
