"""Multi-label stratified splits: deterministic, order-independent, balanced, never moving inherited patients."""

import random
from collections import Counter

import pytest

from curation.releases.patient_splits import assign_split
from curation.releases.stratified_splits import stratified_assign

LABELS = [f"label_{i:02d}" for i in range(30)]


def _patients(n: int, seed: int = 7) -> dict[str, frozenset[str]]:
    rng = random.Random(seed)
    return {
        f"pat_{i:05d}": frozenset(label for k, label in enumerate(LABELS) if rng.random() < 0.3 / (k + 1))
        for i in range(n)
    }


def test_deterministic_and_independent_of_input_order():
    patients = _patients(2000)
    first = stratified_assign(patients, "chest", (0.7, 0.15, 0.15))
    reversed_input = dict(reversed(list(patients.items())))
    assert stratified_assign(reversed_input, "chest", (0.7, 0.15, 0.15)) == first
    assert stratified_assign(patients, "other-family", (0.7, 0.15, 0.15)) != first


def test_split_sizes_and_label_prevalence_are_balanced_better_than_hashing():
    patients = _patients(3000)
    fractions = (0.7, 0.15, 0.15)
    stratified = stratified_assign(patients, "chest", fractions)
    hashed = {p: ["train", "validation", "test"].index(assign_split(p, "chest", fractions)) for p in patients}
    sizes = Counter(stratified.values())
    assert [sizes[b] / len(patients) for b in range(3)] == pytest.approx(fractions, abs=0.005)

    def worst_label_error(assignment: dict[str, int]) -> float:
        """Largest distance, in patients, between a label's holders per split and the target."""
        errors = []
        for label in LABELS:
            holders = [p for p, labels in patients.items() if label in labels]
            counts = Counter(assignment[p] for p in holders)
            errors += [abs(counts[b] - fractions[b] * len(holders)) for b in range(3)]
        return max(errors)

    assert worst_label_error(stratified) <= 2
    assert worst_label_error(stratified) < worst_label_error(hashed)


def test_inherited_patients_count_and_new_ones_fill_the_gaps():
    old = _patients(1000, seed=1)
    inherited = {p: (0, labels) for p, labels in old.items()}  # the parent put everyone in train
    new = {f"new_{p}": labels for p, labels in _patients(1000, seed=2).items()}
    chosen = stratified_assign(new, "chest", (0.5, 0.25, 0.25), inherited)
    assert set(chosen) == set(new)  # inherited patients are never returned, so never moved
    sizes = Counter(chosen.values())
    # train is already full: only a few go there (where a label still needs train holders)
    assert sizes[0] < 0.05 * len(new) and abs(sizes[1] - sizes[2]) <= 0.02 * len(new)


def test_a_zero_fraction_split_gets_nobody():
    chosen = stratified_assign(_patients(300), "chest", (0.8, 0.0, 0.2))
    assert 1 not in chosen.values()
    with pytest.raises(ValueError):
        stratified_assign(_patients(3), "chest", (0.0, 0.0, 0.0))
