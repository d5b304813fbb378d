"""Keyed pseudonyms: stable, secret-dependent replacements for identifiers.

The same secret gives the same pseudonyms across runs and machines; without the secret they cannot
be reversed or recomputed from the original values. The secret never appears in any output.

    >>> p = Pseudonymizer(b"0" * 32)
    >>> p.patient_id("site_a", "MRN123").startswith("pat_")
    True
    >>> p.uid("1.2.840.113619.2.1").startswith("2.25.")
    True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_ENV_VAR = "CTCURATE_SECRET"
_MIN_SECRET_BYTES = 16
# Dates move back by 1 to 10 years (in days), one offset per patient, so intervals are kept.
_DATE_SHIFT_RANGE_DAYS = (365, 3650)


class SecretError(ValueError):
    """The pseudonymisation secret is missing or too short."""


class Pseudonymizer:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < _MIN_SECRET_BYTES:
            raise SecretError(f"the pseudonymisation secret must be at least {_MIN_SECRET_BYTES} bytes")
        self._secret = secret

    def __repr__(self) -> str:  # never show the secret
        return "Pseudonymizer(<secret>)"

    @classmethod
    def from_secret_file(cls, path: str | Path) -> Pseudonymizer:
        path = Path(path)
        if not path.is_file():
            raise SecretError(f"secret file not found: {path}")
        return cls(path.read_bytes().strip())

    @classmethod
    def from_environment(cls) -> Pseudonymizer | None:
        value = os.environ.get(SECRET_ENV_VAR)
        return cls(value.encode()) if value else None

    @classmethod
    def load_or_create(cls, secret_file: Path) -> Pseudonymizer:
        """Use ``$CTCURATE_SECRET`` if set, else ``secret_file``, creating it (mode 0600) on first use."""
        from_env = cls.from_environment()
        if from_env is not None:
            return from_env
        if not secret_file.exists():
            secret_file.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(secret_file.parent, 0o700)
            fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return cls.from_secret_file(secret_file)

    def digest(self, kind: str, *values: str) -> bytes:
        message = "\x1f".join((kind, *values)).encode("utf-8")
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def token(self, kind: str, *values: str, length: int = 16) -> str:
        return self.digest(kind, *values).hex()[:length]

    def patient_id(self, institution: str, patient_id: str) -> str:
        return "pat_" + self.token("patient", institution, patient_id)

    def study_id(self, study_uid: str) -> str:
        return "stu_" + self.token("study", study_uid)

    def series_id(self, series_uid: str, split_index: int = 0) -> str:
        return "ser_" + self.token("series", series_uid, str(split_index))

    def accession(self, institution: str, accession_number: str) -> str:
        return "acc_" + self.token("accession", institution, accession_number)

    def report_id(self, cohort: str, report_key: str) -> str:
        return "rep_" + self.token("report", cohort, report_key)

    def uid(self, original_uid: str) -> str:
        """Remap a DICOM UID to ``2.25.<128-bit integer>`` (a UUID-derived UID, PS3.5 B.2)."""
        return "2.25." + str(int.from_bytes(self.digest("uid", original_uid)[:16], "big"))

    def date_shift_days(self, institution: str, patient_id: str) -> int:
        """The patient's date offset in days (negative: dates move into the past)."""
        low, high = _DATE_SHIFT_RANGE_DAYS
        value = int.from_bytes(self.digest("date-shift", institution, patient_id)[:8], "big")
        return -(low + value % (high - low + 1))

    def shift_date(self, date: dt.date, institution: str, patient_id: str) -> dt.date:
        return date + dt.timedelta(days=self.date_shift_days(institution, patient_id))
