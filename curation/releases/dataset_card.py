"""The dataset card of a release: ``README.md`` (Markdown) and ``card.html`` (one self-contained page).

The card shows the cohort and institution mix, label prevalence per split, age and sex, voxel
spacing, slice thickness and scanners, what QC held back, and central axial/coronal/sagittal slices
of one sample volume per body region. The HTML embeds its pictures as base64 PNGs; the Markdown
links to the same PNGs under ``card/`` in the release folder.

    >>> files = build_dataset_card(wh, CardHeader(name="chest-v1", ...), manifest, study_labels)  # doctest: +SKIP
    >>> sorted(files)  # doctest: +SKIP
    ['README.md', 'card.html', 'card/acquisition.png', 'card/cohorts.png', ...]
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from curation.imaging.zarr_store import read_array_region
from curation.releases import card_figures
from curation.releases.card_data import CardFacts, collect_card_facts
from curation.releases.slice_montage import DisplayPlane, radiological_planes
from curation.storage.catalog import Catalog
from curation.storage.warehouse_layout import Warehouse

FIGURE_TITLES = {
    "cohorts": "Cohorts and institutions",
    "prevalence": "Label prevalence per split",
    "demographics": "Age and sex",
    "acquisition": "Spacing, slice thickness and scanners",
    "qc": "QC and quarantine",
    "montage": "Sample slices per body region",
}


@dataclass(frozen=True)
class CardHeader:
    name: str
    family: str
    parent: str | None
    predicate: str | None
    fractions: tuple[float, ...]
    folds: int | None
    stratified: bool
    n_studies: int
    n_patients: int
    n_volumes: int


def build_dataset_card(
    warehouse: Warehouse, header: CardHeader, manifest: pa.Table, study_labels: pa.Table
) -> dict[str, bytes]:
    """README.md, card.html and card/<figure>.png for the release folder."""
    facts = collect_card_facts(Catalog(warehouse), manifest, study_labels)
    split_names = [s["split"] for s in facts.splits]
    montage = [(s["body_region"], _read_planes(warehouse, s)) for s in facts.samples]
    figures = {
        "cohorts": card_figures.cohort_chart(facts.cohorts),
        "prevalence": card_figures.prevalence_chart(facts.prevalence, split_names),
        "demographics": card_figures.demographics_chart(facts.studies),
        "acquisition": card_figures.acquisition_chart(facts.volumes),
        "qc": card_figures.qc_chart(facts.qc),
    }
    if montage:
        figures["montage"] = card_figures.montage_chart(montage)
    files = {f"card/{name}.png": png for name, png in figures.items()}
    files["README.md"] = card_markdown(header, facts, list(figures)).encode()
    files["card.html"] = card_html(header, facts, figures).encode()
    return files


def _read_planes(warehouse: Warehouse, sample: dict[str, Any]) -> dict[str, DisplayPlane] | None:
    url = warehouse.url(sample["uri"])
    try:
        return radiological_planes(
            lambda index: read_array_region(url, "0", index), sample["shape"], sample["affine_lps"]
        )
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return None


# -- rendering ----------------------------------------------------------------------------------
def _facts_lines(header: CardHeader) -> list[str]:
    fractions = "/".join(f"{f * 100:g}" for f in header.fractions)
    return [
        f"Family `{header.family}`" + (f", parent `{header.parent}`" if header.parent else ", first of its family"),
        f"Selection: `{header.predicate or 'all ingested studies'}`",
        f"{header.n_studies} studies, {header.n_patients} patients, {header.n_volumes} image volumes",
        f"Patient-level splits {fractions} (train/validation/test)"
        + (", multi-label stratified" if header.stratified else ", by keyed hash")
        + (f"; {header.folds} cross-validation folds within train" if header.folds else ""),
    ]


def _table_rows(facts: CardFacts) -> dict[str, tuple[list[str], list[list[Any]]]]:
    top = sorted(facts.prevalence.to_pylist(), key=lambda r: (-r["n_positive"], r["label"], r["split"]))[:30]
    return {
        "Splits": (["split", "patients", "studies", "volumes"], [list(s.values()) for s in facts.splits]),
        "Cohorts": (
            ["cohort", "institution", "patients", "studies", "volumes"],
            [list(c.values()) for c in facts.cohorts],
        ),
        "Most frequent labels (frozen study labels)": (
            ["split", "organ system", "label", "positive", "studies", "prevalence"],
            [
                [r["split"], r["organ_system"], r["label"], r["n_positive"], r["n_studies"], r["prevalence"]]
                for r in top
            ],
        ),
        "Held back by QC (cohorts of the release)": (
            ["cohort", "disposition", "stage", "reason", "files", "items"],
            [
                [q["cohort"], q["disposition"], q["stage"], q["reason_code"], q["n_files"], q["n_items"]]
                for q in facts.qc
            ],
        ),
    }


def card_markdown(header: CardHeader, facts: CardFacts, figure_names: list[str]) -> str:
    lines = [f"# Dataset release `{header.name}`", "", *[f"- {line}" for line in _facts_lines(header)], ""]
    for title, (columns, rows) in _table_rows(facts).items():
        lines += [f"## {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows] or ["(none)"]
        lines.append("")
    lines += ["## Pictures", "", "The same page with pictures inline: `card.html`.", ""]
    lines += [f"![{FIGURE_TITLES[name]}](card/{name}.png)" for name in figure_names]
    lines += [
        "",
        "## Files",
        "",
        "`manifest.parquet` (volumes, content hashes, splits, folds), `reports.parquet`, `sentences.parquet`,",
        "`findings.parquet`, `study_labels.parquet` (frozen as of the release), `CHANGELOG.md`, `release.json`",
        "(file hashes; `ctcurate release verify` recomputes them and every array's content hash).",
        "",
    ]
    return "\n".join(lines)


_CSS = """body{font-family:system-ui,sans-serif;max-width:1150px;margin:24px auto;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}
th{background:#f0f0f0}img{max-width:100%;display:block;margin:8px 0 24px}h2{border-bottom:1px solid #ddd}"""


def card_html(header: CardHeader, facts: CardFacts, figures: dict[str, bytes]) -> str:
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(header.name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Dataset release <code>{html.escape(header.name)}</code></h1><ul>",
        *[f"<li>{html.escape(line)}</li>" for line in _facts_lines(header)],
        "</ul>",
    ]
    for title, (columns, rows) in _table_rows(facts).items():
        parts.append(f"<h2>{html.escape(title)}</h2><table><tr>")
        parts += [f"<th>{html.escape(c)}</th>" for c in columns]
        parts.append("</tr>")
        for row in rows:
            parts.append(
                "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
            )
        parts.append("</table>")
    for name, png in figures.items():
        encoded = base64.b64encode(png).decode()
        parts.append(f"<h2>{FIGURE_TITLES[name]}</h2><img alt='{name}' src='data:image/png;base64,{encoded}'>")
    parts.append("</body></html>")
    return "\n".join(parts)
