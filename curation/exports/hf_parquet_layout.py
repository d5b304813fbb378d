"""Export a release as a Hugging Face ``datasets``-loadable Parquet folder with its card.

    <out>/README.md                      YAML front matter (configs -> data files per split) + the card
    <out>/card/*.png                     the card's pictures
    <out>/data/<split>-00000-of-00001.parquet   one row per volume: ids, split, fold, report text,
                                         findings, impression, one int8 column per label, volume URI

``datasets.load_dataset("<out>")`` reads the ``configs:`` block; each split's parquet file is plain
Parquet (checked here with pyarrow). Labels: 1 positive, ``uncertain_as`` uncertain, 0 otherwise.

    >>> export_hf_parquet(wh, "chest-v1", Path("out/hf"))  # doctest: +SKIP
    {'train': 'data/train-00000-of-00001.parquet', 'validation': ..., 'test': ...}
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from curation.exports.release_rows import release_volume_rows
from curation.storage.view_templates import taxonomy_labels
from curation.storage.warehouse_layout import Warehouse

SPLITS = ("train", "validation", "test")


def export_hf_parquet(warehouse: Warehouse, release: str, out_dir: Path, *, uncertain_as: int = 1) -> dict[str, str]:
    """Write the layout; returns split -> data file (relative to ``out_dir``)."""
    out_dir = Path(out_dir)
    rows = release_volume_rows(warehouse, release, list(taxonomy_labels()), uncertain_as)
    data_files: dict[str, str] = {}
    for split in SPLITS:
        part = rows.filter(pc.equal(rows.column("split"), split))
        if part.num_rows == 0:
            continue
        relative = f"data/{split}-00000-of-00001.parquet"
        (out_dir / "data").mkdir(parents=True, exist_ok=True)
        pq.write_table(part, out_dir / relative, compression="zstd")
        data_files[split] = relative
    card_path = f"{warehouse.release_dir(release)}/README.md"
    card = warehouse.fs.cat_file(warehouse.path(card_path)).decode() if warehouse.exists(card_path) else ""
    for picture in warehouse.glob(f"{warehouse.release_dir(release)}/card/*.png"):  # the card's pictures
        (out_dir / "card").mkdir(parents=True, exist_ok=True)
        (out_dir / "card" / picture.rsplit("/", 1)[1]).write_bytes(warehouse.fs.cat_file(warehouse.path(picture)))
    front_matter = {
        "pretty_name": release,
        "tags": ["medical", "ct", "radiology-report", "multi-label"],
        "task_categories": ["image-to-text"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": split, "path": path} for split, path in data_files.items()],
            }
        ],
    }
    (out_dir / "README.md").write_text(f"---\n{yaml.safe_dump(front_matter, sort_keys=False)}---\n\n{card}")
    return data_files


def read_hf_layout(out_dir: Path) -> dict[str, int]:
    """Check a layout the way ``datasets`` would read it: front matter configs, then each file; rows per split."""
    text = (Path(out_dir) / "README.md").read_text()
    if not text.startswith("---\n"):
        raise ValueError("README.md has no YAML front matter")
    front = yaml.safe_load(text.split("---\n", 2)[1])
    (config,) = [c for c in front["configs"] if c["config_name"] == "default"]
    return {entry["split"]: pq.read_table(Path(out_dir) / entry["path"]).num_rows for entry in config["data_files"]}
