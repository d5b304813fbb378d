"""The pictures of a dataset card as PNG bytes (matplotlib, Agg backend: no display needed).

>>> png = prevalence_chart(facts.prevalence)  # doctest: +SKIP
>>> png[:4]  # doctest: +SKIP
b'\\x89PNG'
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pyarrow as pa

from curation.releases.slice_montage import DisplayPlane

SPLIT_COLOURS = {"train": "#4C72B0", "validation": "#DD8452", "test": "#55A868"}
TOP_LABELS = 25


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _bars(ax: Any, counts: dict[str, int | float], title: str, xlabel: str = "") -> None:
    names = list(counts)
    ax.barh(names, [counts[n] for n in names], color="#4C72B0")
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    for y, name in enumerate(names):
        ax.text(counts[name], y, f" {counts[name]}", va="center", fontsize=8)


def cohort_chart(cohorts: list[dict[str, Any]]) -> bytes:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, max(2.2, 0.5 * len(cohorts) + 1.2)))
    _bars(left, {f"{c['cohort']} ({c['institution']})": c["n_studies"] for c in cohorts}, "Studies per cohort")
    institutions: Counter[str] = Counter()
    for c in cohorts:
        institutions[c["institution"] or "unknown"] += c["n_patients"]
    _bars(right, dict(institutions.most_common()), "Patients per institution")
    return _png(fig)


def prevalence_chart(prevalence: pa.Table, splits: list[str]) -> bytes:
    """Grouped bars: positive prevalence per split of the most frequent labels."""
    rows = prevalence.to_pylist()
    overall: Counter[str] = Counter()
    for r in rows:
        overall[r["label"]] += r["n_positive"]
    labels = [label for label, n in overall.most_common(TOP_LABELS) if n > 0] or ["(no positive labels)"]
    value = {(r["split"], r["label"]): r["prevalence"] or 0.0 for r in rows}
    fig, ax = plt.subplots(figsize=(11, 0.32 * len(labels) * max(1, len(splits)) / 2 + 1.5))
    height = 0.8 / max(1, len(splits))
    y = np.arange(len(labels))
    for index, split in enumerate(splits):
        ax.barh(
            y + index * height,
            [value.get((split, label), 0.0) * 100 for label in labels],
            height=height,
            label=split,
            color=SPLIT_COLOURS.get(split),
        )
    ax.set_yticks(y + height * (len(splits) - 1) / 2, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("studies with the label positive (%)")
    ax.set_title(f"Label prevalence per split (top {len(labels)} labels)")
    ax.legend()
    return _png(fig)


def demographics_chart(studies: pa.Table) -> bytes:
    rows = studies.to_pylist()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.2), gridspec_kw={"width_ratios": [3, 1]})
    bins = np.arange(0, 95, 5)
    for sex, colour in (("F", "#C44E52"), ("M", "#4C72B0"), ("O", "#8172B3")):
        ages = [r["patient_age_years"] for r in rows if r["patient_sex"] == sex and r["patient_age_years"] is not None]
        if ages:
            left.hist(ages, bins=bins, alpha=0.6, label=sex, color=colour)
    left.set_title("Age at study (capped at 90), by sex")
    left.set_xlabel("years")
    if left.get_legend_handles_labels()[0]:
        left.legend()
    _bars(right, dict(Counter(r["patient_sex"] or "unknown" for r in rows).most_common()), "Sex (studies)")
    return _png(fig)


def acquisition_chart(volumes: pa.Table) -> bytes:
    rows = volumes.to_pylist()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))

    def values(key: str) -> list[float]:
        return [r[key] for r in rows if r[key] is not None]

    spacing = [values("spacing_x_mm"), values("spacing_z_mm")]
    axes[0].hist(spacing, bins=20, label=["in-plane (x)", "between slices (z)"])
    axes[0].set_title("Stored voxel spacing")
    axes[0].set_xlabel("mm")
    axes[0].legend(fontsize=8)
    axes[1].hist(values("slice_thickness_mm"), bins=20, color="#55A868")
    axes[1].set_title("Nominal slice thickness")
    axes[1].set_xlabel("mm")
    scanners = Counter(f"{r['manufacturer'] or '?'} {r['manufacturer_model'] or ''}".strip() for r in rows)
    _bars(axes[2], dict(scanners.most_common(12)), "Scanners (volumes)")
    return _png(fig)


def qc_chart(qc: list[dict[str, Any]]) -> bytes:
    counts: Counter[str] = Counter()
    for r in qc:
        counts[f"{r['disposition']}: {r['stage'] or '?'} / {r['reason_code'] or '?'}"] += r["n_files"]
    fig, ax = plt.subplots(figsize=(11, max(2.0, 0.35 * len(counts) + 1)))
    _bars(ax, dict(counts.most_common()) or {"nothing held back": 0}, "Files held back (cohorts of the release)")
    return _png(fig)


def montage_chart(montage: list[tuple[str, dict[str, DisplayPlane] | None]]) -> bytes:
    """Rows: body regions; columns: axial, coronal, sagittal (already in radiological orientation)."""
    fig, axes = plt.subplots(len(montage), 3, figsize=(11, 3.8 * len(montage)), squeeze=False)
    for row, (region, planes) in enumerate(montage):
        for col, plane_name in enumerate(("axial", "coronal", "sagittal")):
            ax = axes[row][col]
            ax.set_xticks([])
            ax.set_yticks([])
            if planes is None:
                ax.text(0.5, 0.5, "array not readable", ha="center", va="center", transform=ax.transAxes)
            else:
                plane = planes[plane_name]
                ax.imshow(plane.image, cmap="gray", vmin=0, vmax=1, aspect=plane.aspect, interpolation="lanczos")
                _orientation_marks(ax, plane_name)
            ax.set_title(f"{region}: {plane_name}", fontsize=10)
    fig.suptitle("Sample slices (HU window -1000..400, radiological convention)")
    return _png(fig)


def _orientation_marks(ax: Any, plane: str) -> None:
    left, right, top = {"axial": ("R", "L", "A"), "coronal": ("R", "L", "S"), "sagittal": ("A", "P", "S")}[plane]
    style: dict[str, Any] = {"color": "yellow", "fontsize": 9, "transform": ax.transAxes, "va": "center"}
    ax.text(0.02, 0.5, left, ha="left", **style)
    ax.text(0.98, 0.5, right, ha="right", **style)
    ax.text(0.5, 0.97, top, ha="center", **{**style, "va": "top"})


FIGURES: dict[str, Callable[..., bytes]] = {
    "cohorts": cohort_chart,
    "prevalence": prevalence_chart,
    "demographics": demographics_chart,
    "acquisition": acquisition_chart,
    "qc": qc_chart,
    "montage": montage_chart,
}
