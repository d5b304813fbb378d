"""Patient-level splits that are deterministic and stable across releases of one family.

A patient's split comes from a keyed hash of (family, patient_id) mapped to [0, 1): the same patient
lands in the same split in every release of the family, whatever else is added, and no patient is
ever in two splits. Folds (for cross-validation of train patients, as UniCT's 5-fold 70/15/15) use
a second hash.

    >>> assign_split("pat_1a2b", "chest", (0.7, 0.15, 0.15))
    'train'
"""

from __future__ import annotations

import hashlib

SPLIT_NAMES = ("train", "validation", "test")


def parse_split_fractions(text: str) -> tuple[float, float, float]:
    """'70/15/15' -> (0.7, 0.15, 0.15)."""
    try:
        parts = [float(p) for p in text.split("/")]
    except ValueError:
        parts = []
    if len(parts) != 3 or any(p < 0 for p in parts) or sum(parts) <= 0:
        raise ValueError(f"splits must look like 70/15/15 (train/validation/test), got {text!r}")
    total = sum(parts)
    return (parts[0] / total, parts[1] / total, parts[2] / total)


def _unit_interval(*parts: str) -> float:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_split(patient_id: str, family: str, fractions: tuple[float, float, float]) -> str:
    position = _unit_interval("split", family, patient_id)
    cumulative = 0.0
    for name, fraction in zip(SPLIT_NAMES, fractions, strict=True):
        cumulative += fraction
        if position < cumulative:
            return name
    return SPLIT_NAMES[-1]


def assign_fold(patient_id: str, family: str, n_folds: int) -> int:
    return int(_unit_interval("fold", family, patient_id) * n_folds)
