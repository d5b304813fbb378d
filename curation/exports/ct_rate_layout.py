"""Export a release in CT-RATE's layout, so CT-RATE training code reads it unchanged.

    <out>/dataset/radiology_text_reports/<split>_reports.csv       VolumeName, ClinicalInformation_EN,
                                                                   Technique_EN, Findings_EN, Impressions_EN
    <out>/dataset/multi_abnormality_labels/<split>_predicted_labels.csv   VolumeName + the 18 CT-RATE columns
    <out>/dataset/metadata/<split>_metadata.csv                   VolumeName, Manufacturer, spacing, shape, ...
    <out>/dataset/volume_names.csv                                VolumeName -> volume, series, study, patient
    <out>/dataset/<split>/<split>_<p>/<split>_<p>_<s>/<split>_<p>_<s>_<r>.nii.gz   (with include_nifti)

Split names follow CT-RATE: train, valid, test. VolumeName numbers patients (1, 2, ...), their
studies (a, b, ...) and reconstructions (1, 2, ...) in sorted pseudonym order within the release.
Labels: 1 positive, ``uncertain_as`` uncertain (default 1, as ``ctcurate labels --format ct-rate``),
0 negative or not mentioned. Metadata come from the catalog rows of the released volume ids.

    >>> export_ct_rate(wh, "chest-v1", Path("out/ct-rate"), include_nifti=False)  # doctest: +SKIP
    CtRateExport(n_volumes=15, files=[...])
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from curation.exports.nifti_volumes import write_release_nifti
from curation.exports.release_rows import release_volume_rows
from curation.reports.ct_rate import ct_rate_label_map
from curation.storage.catalog import Catalog
from curation.storage.warehouse_layout import Warehouse

CT_RATE_SPLIT = {"train": "train", "validation": "valid", "test": "test"}


@dataclass
class CtRateExport:
    n_volumes: int
    files: list[str] = field(default_factory=list)


def volume_names(rows: pa.Table) -> dict[str, str]:
    """volume_id -> CT-RATE VolumeName, e.g. train_12_b_1.nii.gz."""
    names: dict[str, str] = {}
    for split in CT_RATE_SPLIT:
        members = sorted(
            (r["patient_id"], r["study_id"], r["series_id"], r["volume_id"])
            for r in rows.to_pylist()
            if r["split"] == split
        )
        patients = {p: i + 1 for i, p in enumerate(dict.fromkeys(m[0] for m in members))}
        studies: dict[str, dict[str, int]] = {}
        recons: dict[str, int] = {}
        for patient, study, _series, volume in members:
            study_index = studies.setdefault(patient, {}).setdefault(study, len(studies[patient]))
            recons[study] = recons.get(study, 0) + 1
            letters = _letters(study_index)
            names[volume] = f"{CT_RATE_SPLIT[split]}_{patients[patient]}_{letters}_{recons[study]}.nii.gz"
    return names


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = string.ascii_lowercase[remainder] + letters
    return letters


def export_ct_rate(
    warehouse: Warehouse, release: str, out_dir: Path, *, include_nifti: bool = False, uncertain_as: int = 1
) -> CtRateExport:
    column_to_label = ct_rate_label_map()
    rows = release_volume_rows(warehouse, release, list(column_to_label.values()), uncertain_as)
    names = volume_names(rows)
    rows = rows.append_column("VolumeName", pa.array([names[v] for v in rows.column("volume_id").to_pylist()]))
    metadata = _metadata(warehouse, rows)
    dataset = Path(out_dir) / "dataset"
    written: list[str] = []

    def write(table: pa.Table, relative: str) -> None:
        path = dataset / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        pacsv.write_csv(table, path)
        written.append(str(path))

    for split, short in CT_RATE_SPLIT.items():
        part = rows.filter(pa.compute.equal(rows.column("split"), split))
        if part.num_rows == 0:
            continue
        write(
            pa.table(
                {
                    "VolumeName": part.column("VolumeName"),
                    "ClinicalInformation_EN": part.column("clinical_information"),
                    "Technique_EN": part.column("technique"),
                    "Findings_EN": part.column("findings"),
                    "Impressions_EN": part.column("impression"),
                }
            ),
            f"radiology_text_reports/{short}_reports.csv",
        )
        labels = {"VolumeName": part.column("VolumeName")}
        labels.update({column: part.column(label) for column, label in column_to_label.items()})
        write(pa.table(labels), f"multi_abnormality_labels/{short}_predicted_labels.csv")
        split_meta = metadata.filter(pa.compute.is_in(metadata.column("VolumeName"), part.column("VolumeName")))
        write(split_meta.sort_by("VolumeName"), f"metadata/{short}_metadata.csv")
    write(
        rows.select(["VolumeName", "volume_id", "series_id", "study_id", "patient_id", "cohort", "split", "fold"]),
        "volume_names.csv",
    )
    if include_nifti:
        targets = {
            r["volume_id"]: dataset / CT_RATE_SPLIT[r["split"]] / _folder(r["VolumeName"]) / r["VolumeName"]
            for r in rows.select(["volume_id", "split", "VolumeName"]).to_pylist()
        }
        written += [str(p) for p in write_release_nifti(warehouse, rows, targets)]
    return CtRateExport(n_volumes=rows.num_rows, files=written)


def _folder(volume_name: str) -> str:
    split, patient, study, _ = volume_name.removesuffix(".nii.gz").split("_")
    return f"{split}_{patient}/{split}_{patient}_{study}"


def _metadata(warehouse: Warehouse, rows: pa.Table) -> pa.Table:
    chosen = rows.select(["volume_id", "VolumeName"])
    return Catalog(warehouse).query(
        """
        SELECT c.VolumeName, se.manufacturer AS Manufacturer, se.manufacturer_model AS ManufacturerModelName,
               se.series_description AS SeriesDescription, se.convolution_kernel AS ConvolutionKernel,
               se.kvp AS KVP, se.slice_thickness_mm AS SliceThickness,
               '[' || v.spacing_mm[1] || ', ' || v.spacing_mm[2] || ']' AS XYSpacing, v.spacing_mm[3] AS ZSpacing,
               v.shape[2] AS "Rows", v.shape[3] AS "Columns", v.shape[1] AS NumberofSlices,
               v.resample_profile AS ResampleProfile, st.patient_sex AS PatientSex,
               st.patient_age_years AS PatientAge, st.body_region AS BodyRegion, st.institution AS Institution,
               v.affine_ras::VARCHAR AS AffineRAS
        FROM chosen AS c
        JOIN volumes AS v ON v.volume_id = c.volume_id AND v.kind = 'image'
        LEFT JOIN series AS se ON se.series_id = v.series_id
        LEFT JOIN studies AS st ON st.study_id = v.study_id
        QUALIFY row_number() OVER (PARTITION BY c.VolumeName ORDER BY v.uri) = 1
        """,
        tables={"chosen": chosen},
    )
