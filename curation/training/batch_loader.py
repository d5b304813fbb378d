"""Load training batches from a release: fixed-shape, windowed CT arrays plus label vectors.

Stored volumes keep raw HU; windowing and normalisation happen here, at load time, so one release
serves models with different input conventions.

    >>> batch = load_training_batch(wh, "chest-v1", split="train", batch_size=2, shape=(32, 64, 64))  # doctest: +SKIP
    >>> batch.images.shape, batch.images.dtype, batch.labels.shape  # doctest: +SKIP
    ((2, 1, 32, 64, 64), dtype('float32'), (2, 18))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow.parquet as pq

from curation.imaging.zarr_store import read_array_region
from curation.releases.release_builder import ReleaseError, read_manifest
from curation.reports.lexicon import load_lexicon
from curation.storage.warehouse_layout import Warehouse

AIR_HU = -1024
WHOLE_VOLUME = (slice(None), slice(None), slice(None))


@dataclass(frozen=True)
class TrainingBatch:
    images: np.ndarray  # [batch, 1, slices, rows, columns], float32 in [0, 1]
    labels: np.ndarray  # [batch, n_labels], float32 (1 positive, 0 otherwise; uncertain as configured)
    # label_names defaults to the whole taxonomy (lexicons/labels), so every release has the same columns
    label_names: list[str]
    study_ids: list[str]
    volume_ids: list[str]


def load_training_batch(
    warehouse: Warehouse,
    release: str,
    *,
    split: str = "train",
    batch_size: int = 2,
    shape: tuple[int, int, int] = (64, 128, 128),
    hu_window: tuple[float, float] = (-1000.0, 1000.0),
    label_names: Sequence[str] | None = None,
    uncertain_as: float = 1.0,
    offset: int = 0,
) -> TrainingBatch:
    members = [m for m in read_manifest(warehouse, release).to_pylist() if m["split"] == split]
    if not members:
        raise ReleaseError(f"release {release!r} has no volumes in split {split!r}")
    chosen = [members[(offset + i) % len(members)] for i in range(min(batch_size, len(members)))]
    statuses = _label_statuses(warehouse, release)
    names = list(label_names) if label_names is not None else [label.name for label in load_lexicon().labels]
    images = np.stack(
        [
            _window(_crop_or_pad(read_array_region(warehouse.url(m["uri"]), "0", WHOLE_VOLUME), shape), hu_window)
            for m in chosen
        ]
    )
    labels = np.array(
        [[_label_value(statuses.get((m["study_id"], n)), uncertain_as) for n in names] for m in chosen],
        dtype=np.float32,
    )
    return TrainingBatch(
        images=images[:, None].astype(np.float32),
        labels=labels,
        label_names=names,
        study_ids=[m["study_id"] for m in chosen],
        volume_ids=[m["volume_id"] for m in chosen],
    )


def _label_statuses(warehouse: Warehouse, release: str) -> dict[tuple[str, str], str]:
    path = warehouse.path(f"{warehouse.release_dir(release)}/study_labels.parquet")
    with warehouse.fs.open(path, "rb") as handle:
        rows = pq.read_table(handle, columns=["study_id", "label", "status"]).to_pylist()
    return {(r["study_id"], r["label"]): r["status"] for r in rows if r["study_id"]}


def _label_value(status: str | None, uncertain_as: float) -> float:
    if status == "positive":
        return 1.0
    if status == "uncertain":
        return uncertain_as
    return 0.0


def _crop_or_pad(array: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """Centre-crop or pad (with air) each axis to ``shape``."""
    out = np.full(shape, AIR_HU, dtype=np.float32)
    source, target = [], []
    for have, want in zip(array.shape, shape, strict=True):
        if have >= want:
            start = (have - want) // 2
            source.append(slice(start, start + want))
            target.append(slice(0, want))
        else:
            start = (want - have) // 2
            source.append(slice(0, have))
            target.append(slice(start, start + have))
    out[tuple(target)] = array[tuple(source)]
    return out


def _window(array: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    low, high = window
    return (np.clip(array, low, high) - low) / (high - low)
