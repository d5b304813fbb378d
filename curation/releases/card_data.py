"""The facts a dataset card shows, gathered from the catalog for one release's members.

Label prevalence comes from the release's frozen study labels; cohorts, demographics, acquisition
parameters, QC and sample volumes come from the catalog rows of the member studies and volumes
(volume ids are content addresses, so those rows describe exactly the released arrays).

    >>> facts = collect_card_facts(Catalog(wh), manifest, frozen_study_labels)  # doctest: +SKIP
    >>> facts.prevalence.column_names  # doctest: +SKIP
    ['split', 'organ_system', 'label', 'n_positive', 'n_studies', 'prevalence']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from curation.storage.catalog import Catalog


@dataclass(frozen=True)
class CardFacts:
    cohorts: list[dict[str, Any]]  # cohort, institution, n_patients, n_studies, n_volumes
    splits: list[dict[str, Any]]  # split, n_patients, n_studies, n_volumes
    prevalence: pa.Table  # split, organ_system, label, n_positive, n_studies, prevalence (frozen labels)
    studies: pa.Table  # study_id, split, patient_age_years, patient_sex, body_region
    volumes: pa.Table  # volume_id, manufacturer, manufacturer_model, slice_thickness_mm, spacing_x/y/z_mm
    qc: list[dict[str, Any]]  # qc_summary rows of the release's cohorts
    samples: list[dict[str, Any]]  # one image volume per body region: uri, shape, affine_lps


def collect_card_facts(catalog: Catalog, manifest: pa.Table, study_labels: pa.Table) -> CardFacts:
    members = manifest.select(["study_id", "series_id", "volume_id", "patient_id", "cohort", "uri", "split"])
    labels = study_labels.select(["study_id", "label", "organ_system", "status"])
    tables = {"members": members, "frozen_labels": labels}

    def query(sql: str) -> pa.Table:
        return catalog.query(sql, tables=tables)

    member_studies = "(SELECT DISTINCT study_id, patient_id, cohort, split FROM members)"
    cohorts = query(
        """SELECT m.cohort, any_value(c.institution) AS institution, count(DISTINCT m.patient_id) AS n_patients,
                   count(DISTINCT m.study_id) AS n_studies, count(*) AS n_volumes
            FROM members AS m LEFT JOIN cohorts AS c USING (cohort) GROUP BY m.cohort ORDER BY m.cohort"""
    ).to_pylist()
    splits = query(
        """SELECT split, count(DISTINCT patient_id) AS n_patients, count(DISTINCT study_id) AS n_studies,
                  count(*) AS n_volumes
           FROM members GROUP BY split
           ORDER BY CASE split WHEN 'train' THEN 0 WHEN 'validation' THEN 1 ELSE 2 END"""
    ).to_pylist()
    prevalence = query(
        f"""WITH ms AS {member_studies},
                 split_sizes AS (SELECT split, count(*) AS n_studies FROM ms GROUP BY split)
            SELECT ms.split, l.organ_system, l.label,
                   count(DISTINCT l.study_id) FILTER (WHERE l.status = 'positive') AS n_positive,
                   any_value(sz.n_studies) AS n_studies,
                   round(n_positive / any_value(sz.n_studies), 4) AS prevalence
            FROM frozen_labels AS l JOIN ms USING (study_id) JOIN split_sizes AS sz USING (split)
            GROUP BY ms.split, l.organ_system, l.label
            ORDER BY ms.split, l.label"""
    )
    studies = query(
        f"""SELECT ms.study_id, ms.split, s.patient_age_years, s.patient_sex, s.body_region
            FROM {member_studies} AS ms LEFT JOIN studies AS s USING (study_id) ORDER BY ms.study_id"""
    )
    volumes = query(
        """SELECT m.volume_id, se.manufacturer, se.manufacturer_model, se.slice_thickness_mm,
                  v.spacing_mm[1] AS spacing_x_mm, v.spacing_mm[2] AS spacing_y_mm, v.spacing_mm[3] AS spacing_z_mm
           FROM members AS m
           LEFT JOIN series AS se ON se.series_id = m.series_id
           LEFT JOIN volumes AS v ON v.volume_id = m.volume_id AND v.kind = 'image'"""
    )
    qc = query(
        "SELECT * FROM qc_summary WHERE cohort IN (SELECT DISTINCT cohort FROM members) ORDER BY ALL"
    ).to_pylist()
    samples = query(
        """SELECT coalesce(s.body_region, 'unknown') AS body_region,
                  arg_min(m.volume_id, m.study_id || m.series_id) AS volume_id
           FROM members AS m LEFT JOIN studies AS s USING (study_id)
           GROUP BY 1 ORDER BY 1"""
    ).to_pylist()
    if samples:
        chosen = pa.table({"volume_id": [s["volume_id"] for s in samples]})
        details = catalog.query(
            "SELECT volume_id, any_value(uri) AS uri, any_value(shape) AS shape, any_value(affine_lps) AS affine_lps "
            "FROM volumes SEMI JOIN chosen USING (volume_id) WHERE kind = 'image' GROUP BY volume_id",
            tables={"chosen": chosen},
        ).to_pylist()
        by_id = {d["volume_id"]: d for d in details}
        samples = [{**s, **by_id[s["volume_id"]]} for s in samples if s["volume_id"] in by_id]
    return CardFacts(cohorts, splits, prevalence, studies, volumes, qc, samples)
