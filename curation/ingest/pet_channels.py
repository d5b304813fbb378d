"""Store each paired PET series as a second channel beside its CT: ``suv/0`` in the CT's Zarr group.

Runs after the series batches, when both volumes are stored: the PET volume (already in SUVbw, its
factor computed from the original headers) is resampled onto the stored CT grid through world
coordinates, for dual-stream PET/CT models (PETRG-3D). Each channel gets a ``volumes`` row (kind
``pet_suv_on_ct``, ``array_path`` ``suv/0``) with its own content hash.

    >>> parts = store_pet_channels(plan, batch_results, context)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import zarr

from curation.content_hashing import sha256_array
from curation.imaging.volume import LPS_TO_RAS, Volume
from curation.imaging.zarr_store import read_volume_group
from curation.ingest.cohort_plan import CohortPlan
from curation.ingest.series_batch import SeriesBatchResult, SeriesContext, volume_id
from curation.pet.suv_volume import suv_volume_on_ct_grid
from curation.storage.table_parts import write_table_part

SUV_GROUP = "suv"
SUV_ARRAY_PATH = f"{SUV_GROUP}/0"


def store_pet_channels(plan: CohortPlan, batches: list[SeriesBatchResult], context: SeriesContext) -> list[str]:
    ingested = {o.series_id for batch in batches for o in batch.outcomes if o.status == "ingested"}
    by_id = {item.series_id: item for item in plan.series}
    rows = []
    for pet in plan.series:
        ct_id = pet.paired_ct_series_id
        if ct_id is None or pet.suv is None or pet.suv.factor is None or {pet.series_id, ct_id} - ingested:
            continue
        ct_study = context.studies[by_id[ct_id].study_uid]
        pet_study = context.studies[pet.study_uid]
        ct_uri = context.warehouse.volume_uri(context.cohort, ct_study.study_id, ct_id)
        pet_uri = context.warehouse.volume_uri(context.cohort, pet_study.study_id, pet.series_id)
        ct_path, pet_path = Path(context.warehouse.path(ct_uri)), Path(context.warehouse.path(pet_uri))
        # the stored PET is already SUVbw, so the factor here is 1
        channel = suv_volume_on_ct_grid(read_volume_group(pet_path), 1.0, read_volume_group(ct_path))
        content_hash, stored_bytes = write_channel(ct_path, channel)
        rows.append(_volume_row(channel, content_hash, stored_bytes, pet.series_id, ct_study, ct_uri, context))
    written = write_table_part(context.warehouse, "volumes", rows, context.run, "pet-channels")
    return [written] if written else []


def write_channel(group_path: Path, channel: Volume) -> tuple[str, int]:
    """Write ``suv/0`` into the group atomically (a temporary sibling folder renamed into place)."""
    temporary = group_path / f"{SUV_GROUP}.tmp-{uuid.uuid4().hex}"
    array = np.ascontiguousarray(channel.array, dtype=np.float32)
    zarr.create_array(
        store=str(temporary / "0"),
        data=array,
        chunks=tuple(min(n, 64) for n in array.shape),
        attributes={"intensity_unit": channel.intensity_unit, "affine_lps": channel.affine_lps.tolist()},
    )
    target = group_path / SUV_GROUP
    if target.exists():
        shutil.rmtree(target)
    os.replace(temporary, target)
    stored = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    return sha256_array(array), stored


def _volume_row(
    channel: Volume,
    content_hash: str,
    stored_bytes: int,
    pet_series_id: str,
    ct_study: Any,
    ct_uri: str,
    context: SeriesContext,
) -> dict[str, Any]:
    return {
        "volume_id": volume_id(content_hash),
        "series_id": pet_series_id,
        "study_id": ct_study.study_id,
        "patient_id": ct_study.patient_id,
        "cohort": context.cohort,
        "kind": "pet_suv_on_ct",
        "uri": ct_uri,
        "array_path": SUV_ARRAY_PATH,
        "shape": list(channel.shape),
        "dtype": "float32",
        "spacing_mm": list(channel.spacing_mm),
        "affine_lps": channel.affine_lps.ravel().tolist(),
        "affine_ras": (LPS_TO_RAS @ channel.affine_lps).ravel().tolist(),
        "intensity_unit": "SUVbw",
        "rescale_applied": True,
        "resample_profile": "ct-grid",
        "value_min": float(channel.array.min()),
        "value_max": float(channel.array.max()),
        "label_names": json.dumps({"channel": "SUVbw on the CT grid"}),
        "content_hash": content_hash,
        "stored_bytes": stored_bytes,
        "input_hash": content_hash,
    }
