"""Release diff and changelog from frozen files; child releases on the sample cohorts get a card and a changelog."""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.releases.release_builder import create_release, diff_releases, verify_release
from curation.releases.release_diff import ReleaseContents, changelog_markdown, diff_release_contents


def _contents(name: str, studies: dict[str, str], labels: list[tuple[str, str, str]]) -> ReleaseContents:
    manifest = pa.table(
        {
            "study_id": list(studies),
            "patient_id": [f"pat_{s}" for s in studies],
            "split": list(studies.values()),
        }
    )
    study_labels = pa.table(
        {"study_id": [s for s, _, _ in labels], "label": [x for _, x, _ in labels], "status": [t for _, _, t in labels]}
    )
    return ReleaseContents(name, manifest, study_labels)


def test_diff_reports_studies_labels_and_prevalence():
    old = _contents(
        "v1", {"s1": "train", "s2": "test"}, [("s1", "emphysema", "positive"), ("s2", "emphysema", "negative")]
    )
    new = _contents(
        "v2",
        {"s1": "train", "s2": "train", "s3": "validation"},
        [("s1", "emphysema", "uncertain"), ("s2", "emphysema", "negative"), ("s3", "atelectasis", "positive")],
    )
    changes = diff_release_contents(old, new)
    assert changes["studies_added"] == ["s3"] and changes["studies_removed"] == []
    assert changes["patients_changed_split"] == ["pat_s2"]
    assert changes["label_changes"] == [
        {"study_id": "s1", "label": "emphysema", "before": "positive", "after": "uncertain"}
    ]
    prevalence = {c["label"]: c for c in changes["prevalence_changes"]}
    assert prevalence["emphysema"]["prevalence_before"] == 0.5 and prevalence["emphysema"]["prevalence_after"] == 0.0
    assert prevalence["atelectasis"]["n_positive_after"] == 1
    text = changelog_markdown("v2", "v1", changes, 3)
    assert "Studies added: 1" in text and "| `s1` | emphysema | positive | uncertain |" in text
    assert "first release" in changelog_markdown("v1", None, None, 2).lower()


@pytest.mark.flows
def test_stratified_child_release_has_card_changelog_and_keeps_splits(ingested):
    _truth, warehouse, _, _ = ingested
    create_release(warehouse, "strat-v1", where="cohort = 'site_a'", folds=3, stratify=True)
    child = create_release(warehouse, "strat-v2", parent="strat-v1", stratify=True, folds=3)
    folder = warehouse.path("releases/strat-v2")
    parent_manifest = pq.read_table(warehouse.path("releases/strat-v1/manifest.parquet")).to_pylist()
    child_manifest = pq.read_table(f"{folder}/manifest.parquet").to_pylist()
    parent_split = {m["patient_id"]: (m["split"], m["fold"]) for m in parent_manifest}
    assert all(
        parent_split.get(m["patient_id"], (m["split"], m["fold"])) == (m["split"], m["fold"]) for m in child_manifest
    )
    assert all((m["fold"] is not None) == (m["split"] == "train") for m in child_manifest)
    changes = diff_releases(warehouse, "strat-v1", "strat-v2")
    assert changes["patients_changed_split"] == [] and len(changes["studies_added"]) == child.n_studies - len(
        {m["study_id"] for m in parent_manifest}
    )
    changelog = Path(folder, "CHANGELOG.md").read_text()
    assert f"Studies added: {len(changes['studies_added'])}" in changelog
    html = Path(folder, "card.html").read_text()
    assert html.count("data:image/png;base64,") == 6  # cohorts, prevalence, demographics, acquisition, qc, montage
    readme = Path(folder, "README.md").read_text()
    assert "multi-label stratified" in readme and "(card/montage.png)" in readme
    recorded = json.loads(Path(folder, "release.json").read_text())
    assert recorded["stratified"] is True and "card/montage.png" in recorded["file_sha256"]
    assert verify_release(warehouse, "strat-v2") == []
