"""A study's identifiers: the originals (in memory only) and the pseudonyms that are stored.

Reports are matched to studies on the original keys (accession number or StudyInstanceUID) before
anything is pseudonymised; only the pseudonyms leave this object.

    >>> keys = StudyKeys.from_header_values(pseudonymizer, "site_a", {"StudyInstanceUID": "1.2.3",
    ...     "PatientID": "MRN-40713", "AccessionNumber": "A123", "StudyDate": "20200203"})  # doctest: +SKIP
    >>> keys.study_id.startswith("stu_"), keys.study_date_shifted < keys.study_date  # doctest: +SKIP
    (True, True)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from curation.pseudonyms import Pseudonymizer

_AGE = re.compile(r"^(\d{1,3})([DWMY])$")
MAX_REPORTED_AGE = 90  # ages over 89 are identifying (HIPAA Safe Harbor)


@dataclass
class StudyKeys:
    # originals: never written anywhere
    study_uid: str
    patient_key: str
    accession: str | None
    study_date: dt.date | None
    known_phi: Any = None  # curation.deid.known_phi.KnownPhi of every file seen for the study
    # derived and safe to store
    study_id: str = ""
    patient_id: str = ""
    study_uid_pseudonym: str = ""
    accession_pseudonym: str | None = None
    date_shift_days: int = 0
    patient_sex: str | None = None
    patient_age_years: int | None = None
    series_ids: list[str] = field(default_factory=list)

    @classmethod
    def from_header_values(cls, pseudonymizer: Pseudonymizer, institution: str, values: dict[str, Any]) -> StudyKeys:
        study_uid = str(values.get("StudyInstanceUID") or "").strip()
        patient_key = str(values.get("PatientID") or "").strip() or f"unknown-patient-of-{study_uid}"
        accession = str(values.get("AccessionNumber") or "").strip() or None
        study_date = parse_dicom_date(values.get("StudyDate"))
        keys = cls(study_uid=study_uid, patient_key=patient_key, accession=accession, study_date=study_date)
        keys.study_id = pseudonymizer.study_id(study_uid)
        keys.patient_id = pseudonymizer.patient_id(institution, patient_key)
        keys.study_uid_pseudonym = pseudonymizer.uid(study_uid)
        keys.accession_pseudonym = pseudonymizer.accession(institution, accession) if accession else None
        keys.date_shift_days = pseudonymizer.date_shift_days(institution, patient_key)
        keys.patient_sex = normalise_sex(values.get("PatientSex"))
        keys.patient_age_years = patient_age_years(
            values.get("PatientAge"), parse_dicom_date(values.get("PatientBirthDate")), study_date
        )
        return keys

    @property
    def study_date_shifted(self) -> dt.date | None:
        if self.study_date is None:
            return None
        return self.study_date + dt.timedelta(days=self.date_shift_days)


def parse_dicom_date(value: Any) -> dt.date | None:
    text = str(value or "").strip()
    for pattern in ("%Y%m%d", "%Y-%m-%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text[:10] if "-" in text or "." in text else text[:8], pattern).date()
        except ValueError:
            continue
    return None


def normalise_sex(value: Any) -> str | None:
    text = str(value or "").strip().upper()[:1]
    return text if text in {"M", "F", "O"} else None


def patient_age_years(age: Any, birth_date: dt.date | None, study_date: dt.date | None) -> int | None:
    """Age at the study from PatientAge (e.g. 054Y) or the birth date, capped at 90."""
    years: float | None = None
    match = _AGE.match(str(age or "").strip().upper())
    if match:
        number, unit = int(match.group(1)), match.group(2)
        years = {"D": number / 365.25, "W": number / 52.18, "M": number / 12, "Y": number}[unit]
    elif birth_date and study_date:
        years = (study_date - birth_date).days / 365.25
    if years is None or years < 0:
        return None
    return min(int(years), MAX_REPORTED_AGE)
