"""Write released volumes as NIfTI (+ JSON sidecar) for viewers, on request.

Each Zarr group is read whole with ``read_volume_group`` and written with
``write_nifti_with_sidecar`` (RAS affine, HU with scl_slope 1); the sidecar says how it was made.

    >>> write_release_nifti(wh, rows, {"vol_ab12": Path("out/train_1_a_1.nii.gz")})  # doctest: +SKIP
    [PosixPath('out/train_1_a_1.nii.gz'), PosixPath('out/train_1_a_1.json')]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa

from curation.imaging.nifti_export import write_nifti_with_sidecar
from curation.imaging.zarr_store import read_volume_group
from curation.storage.warehouse_layout import Warehouse


def write_release_nifti(warehouse: Warehouse, rows: pa.Table, targets: Mapping[str, Path]) -> list[Path]:
    """``targets`` maps volume_id -> output path ending in .nii.gz; returns the files written."""
    written: list[Path] = []
    for row in rows.select(["volume_id", "uri"]).to_pylist():
        target = targets.get(row["volume_id"])
        if target is None:
            continue
        stem = Path(str(target).removesuffix(".nii.gz"))
        volume = read_volume_group(warehouse.url(row["uri"]))
        written += list(write_nifti_with_sidecar(volume, stem, None))
    return written
