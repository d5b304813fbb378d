from collections import Counter

import pytest

from curation.releases.patient_splits import assign_fold, assign_split, parse_split_fractions


def test_fractions_parse_and_normalise():
    assert parse_split_fractions("70/15/15") == pytest.approx((0.7, 0.15, 0.15))
    with pytest.raises(ValueError, match="70/15/15"):
        parse_split_fractions("70/30")


def test_splits_are_deterministic_and_proportional():
    fractions = (0.7, 0.15, 0.15)
    patients = [f"pat_{i:05d}" for i in range(20_000)]
    counts = Counter(assign_split(p, "chest", fractions) for p in patients)
    assert counts["train"] / len(patients) == pytest.approx(0.7, abs=0.02)
    assert counts["test"] / len(patients) == pytest.approx(0.15, abs=0.02)
    assert [assign_split(p, "chest", fractions) for p in patients[:50]] == [
        assign_split(p, "chest", fractions) for p in patients[:50]
    ]


def test_folds_cover_range():
    folds = Counter(assign_fold(f"pat_{i}", "chest", 5) for i in range(5000))
    assert set(folds) == {0, 1, 2, 3, 4}
