"""Multi-label stratified assignment of patients to splits or folds (iterative stratification).

Sechidis, Tsoumakas and Vlahavas (2011), "On the stratification of multi-label data", adapted to
releases: each patient carries the set of labels positive in any of its selected studies; patients
already assigned (inherited from a parent release) are never moved, but count toward the targets,
so new patients fill what the split proportions and each label's prevalence still need. The rarest
label is placed first; ties are broken by keyed hashes of (family, patient), so the result depends
only on the inputs and the family, never on input order.

    >>> stratified_assign({"pat_1": frozenset({"emphysema"}), "pat_2": frozenset()}, "chest", (0.5, 0.5))
    {'pat_1': 0, 'pat_2': 1}
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence


def _rank(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


def stratified_assign(
    patients: Mapping[str, frozenset[str]],
    family: str,
    fractions: Sequence[float],
    inherited: Mapping[str, tuple[int, frozenset[str]]] | None = None,
) -> dict[str, int]:
    """Bucket index (into ``fractions``) for each new patient; ``inherited`` maps patient -> (bucket, labels)."""
    inherited = {p: v for p, v in (inherited or {}).items() if p not in patients}
    n_buckets = len(fractions)
    open_buckets = [b for b in range(n_buckets) if fractions[b] > 0]
    if not open_buckets:
        raise ValueError("at least one split or fold needs a fraction above zero")
    label_totals: dict[str, int] = {}
    for labels in [*patients.values(), *(labels for _, labels in inherited.values())]:
        for label in labels:
            label_totals[label] = label_totals.get(label, 0) + 1
    n_total = len(patients) + len(inherited)
    want_total = [fractions[b] * n_total for b in range(n_buckets)]
    want_label = {label: [fractions[b] * count for b in range(n_buckets)] for label, count in label_totals.items()}
    for bucket, labels in inherited.values():
        want_total[bucket] -= 1
        for label in labels:
            want_label[label][bucket] -= 1

    ranks = {p: _rank("order", family, p) for p in patients}
    order = sorted(patients, key=lambda p: (ranks[p], p))
    by_label: dict[str, list[str]] = {}
    for patient in order:
        for label in patients[patient]:
            by_label.setdefault(label, []).append(patient)
    remaining_with = {label: len(members) for label, members in by_label.items()}
    assigned: dict[str, int] = {}

    def place(patient: str, label: str | None) -> None:
        wanted = want_label[label] if label else want_total
        tie = ranks[patient]
        bucket = max(open_buckets, key=lambda b: (wanted[b], want_total[b], (tie + b) % n_buckets))
        assigned[patient] = bucket
        want_total[bucket] -= 1
        for other in patients[patient]:
            want_label[other][bucket] -= 1
            remaining_with[other] -= 1

    while True:
        pending = [(count, label) for label, count in remaining_with.items() if count > 0]
        if not pending:
            break
        _, label = min(pending)
        for patient in by_label[label]:
            if patient not in assigned:
                place(patient, label)
    for patient in order:
        if patient not in assigned:
            place(patient, None)
    return assigned
