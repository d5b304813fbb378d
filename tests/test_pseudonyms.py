import datetime as dt
import os
import stat

import pytest

from curation.pseudonyms import Pseudonymizer, SecretError


def test_pseudonyms_are_stable_and_secret_dependent():
    a, b = Pseudonymizer(b"a" * 32), Pseudonymizer(b"b" * 32)
    assert a.patient_id("site", "MRN1") == Pseudonymizer(b"a" * 32).patient_id("site", "MRN1")
    assert a.patient_id("site", "MRN1") != b.patient_id("site", "MRN1")
    assert a.patient_id("site", "MRN1") != a.patient_id("other", "MRN1")
    assert "MRN1" not in a.patient_id("site", "MRN1")


def test_uids_are_valid_2_25_uids():
    uid = Pseudonymizer(b"k" * 32).uid("1.2.840.10008.1")
    assert uid.startswith("2.25.") and uid[5:].isdigit() and len(uid) <= 64


def test_date_shift_is_one_offset_per_patient_into_the_past():
    p = Pseudonymizer(b"k" * 32)
    shift = p.date_shift_days("site", "MRN1")
    assert -3650 <= shift <= -365
    first, second = dt.date(2020, 1, 1), dt.date(2020, 3, 1)
    assert (p.shift_date(second, "site", "MRN1") - p.shift_date(first, "site", "MRN1")) == second - first


def test_secret_file_is_created_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("CTCURATE_SECRET", raising=False)
    secret = tmp_path / "secrets" / "pseudonym.key"
    p = Pseudonymizer.load_or_create(secret)
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    assert p.study_id("1.2.3") == Pseudonymizer.load_or_create(secret).study_id("1.2.3")
    assert "secret" not in repr(p).lower() or "<secret>" in repr(p)


def test_short_secret_is_refused():
    with pytest.raises(SecretError):
        Pseudonymizer(b"short")
