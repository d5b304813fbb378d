"""A head noun shared by a list of organs, a lesion the sentence goes on to characterise, and wording of resolution.

Sentences in general radiology language (not copied from any dataset); each expectation is the label and
assertion a radiologist reads. "ABSENT": the label must not be found.
"""

from __future__ import annotations

import pytest

from curation.reports.coordinated_terms import CoordinatedTerms
from curation.reports.lexicon import LexiconError, load_labels, load_lexicon
from curation.reports.report_analyzer import ReportAnalyzer, blank_pipeline
from tests.report_expectations import check_expected


@pytest.fixture(scope="module")
def analyzer() -> ReportAnalyzer:
    return ReportAnalyzer()


CASES = [
    # the organs first, the head last
    (
        "No focal liver, pancreas or kidney lesions.",
        {"liver_lesion": "NEGATIVE", "pancreatic_lesion": "NEGATIVE", "renal_lesion": "NEGATIVE"},
    ),
    (
        "No focal hepatic, splenic, or renal lesions.",
        {"liver_lesion": "NEGATIVE", "splenic_lesion": "NEGATIVE", "renal_lesion": "NEGATIVE"},
    ),
    ("No hepatic or splenic lesion.", {"liver_lesion": "NEGATIVE", "splenic_lesion": "NEGATIVE"}),
    ("No renal or adrenal mass was detected.", {"renal_mass": "NEGATIVE", "adrenal_nodule": "NEGATIVE"}),
    ("No fractures, lytic or sclerotic lesions in the bones.", {"osteolytic_lesion": "NEGATIVE"}),
    ("No nodular or infiltrative lesion in the lung parenchyma.", {"lung_nodule": "NEGATIVE"}),
    # the head first, the organs after the preposition
    (
        "No focal lesions of the liver, spleen or kidneys.",
        {"liver_lesion": "NEGATIVE", "splenic_lesion": "NEGATIVE", "renal_lesion": "NEGATIVE"},
    ),
    (
        "No focal lesion in the liver, the spleen, or the kidneys.",
        {"liver_lesion": "NEGATIVE", "splenic_lesion": "NEGATIVE", "renal_lesion": "NEGATIVE"},
    ),
    ("Multiple metastases in bone and liver.", {"liver_lesion": "POSITIVE"}),
    # the conjunction right after the phrase
    (
        "Sclerosis of the aorta and the coronary arteries.",
        {"arterial_wall_calcification": "POSITIVE", "coronary_artery_wall_calcification": "POSITIVE"},
    ),
    # not lists: the words around the phrase are no list items of its head
    ("Right and left kidney cysts.", {"renal_cyst": "POSITIVE", "renal_lesion": "ABSENT"}),
    ("A lesion in the liver and a cyst in the kidney.", {"liver_lesion": "POSITIVE", "renal_lesion": "ABSENT"}),
    ("No pleural effusion or renal lesion.", {"renal_lesion": "NEGATIVE", "liver_lesion": "ABSENT"}),
    # the last organs are the subject of a clause of their own, which calls them normal (organ_statements.yaml)
    (
        "Hypodense lesion in the liver, spleen and kidneys are normal.",
        {"liver_lesion": "POSITIVE", "splenic_lesion": "NEGATIVE", "renal_lesion": "NEGATIVE"},
    ),
    # a report cut off in the middle of a list
    ("No lesions of the liver, spleen, or", {"liver_lesion": "NEGATIVE"}),
    ("No lesions of the liver, spleen, and\n", {"liver_lesion": "NEGATIVE"}),
    # a lesion the sentence characterises later (same assertion) is that finding only
    (
        "A hypodense lesion in the left kidney, in keeping with a simple cyst.",
        {"renal_cyst": "POSITIVE", "renal_lesion": "ABSENT"},
    ),
    (
        "Hypodense lesion in the right kidney, compatible with a parapelvic cyst.",
        {"renal_cyst": "POSITIVE", "renal_lesion": "ABSENT"},
    ),
    (
        "Indeterminate lesion in the right kidney, too small to characterize, and a simple cyst in the left kidney.",
        {"renal_cyst": "POSITIVE", "renal_lesion": "POSITIVE"},
    ),
    (
        "Simple cyst in the right kidney and an indeterminate lesion in the left kidney.",
        {"renal_cyst": "POSITIVE", "renal_lesion": "POSITIVE"},
    ),
    (
        "Indeterminate left renal lesion (hemorrhagic cyst?).",
        {"renal_lesion": "POSITIVE", "renal_cyst": "UNCERTAIN"},
    ),
    # resolution: gone, or almost gone
    (
        "Findings consistent with infiltration observed on the prior study show complete regression.",
        {"lung_opacity": "HISTORICAL"},
    ),
    ("The ground glass opacities seen previously have fully regressed.", {"lung_opacity": "HISTORICAL"}),
    (
        "Ground glass opacity previously seen in the right upper lobe is no longer visible.",
        {"lung_opacity": "HISTORICAL"},
    ),
    ("Nearly complete regression of the consolidation in the right lower lobe.", {"consolidation": "POSITIVE"}),
    ("The ground glass densities show almost complete regression.", {"lung_opacity": "POSITIVE"}),
    (
        "Complete regression of the pleural effusion, with a new consolidation in the left lower lobe.",
        {"pleural_effusion": "HISTORICAL", "consolidation": "POSITIVE"},
    ),
    # checklist boxes
    ("- Emphysema: [ ] absent", {"emphysema": "NEGATIVE"}),
    ("- Emphysema: [ ] absent [x] present", {"emphysema": "POSITIVE"}),
    ("- Emphysema: [ ] present [x] absent", {"emphysema": "NEGATIVE"}),
    ("Bronchiectasis: [ ]", {"bronchiectasis": "NEGATIVE"}),
    # narrow wording: not the costal arch, not a post-pneumonic scar, not normal bronchial walls
    ("Calcification of the costal arch cartilages.", {"arterial_wall_calcification": "ABSENT"}),
    ("Post-pneumonic scarring in the right lower lobe.", {"pneumonia": "ABSENT"}),
    (
        "The walls of the bronchi appear normal while the interlobular septa are thickened.",
        {"bronchial_wall_thickening": "ABSENT"},
    ),
    # the clause names the aorta too: not vetoed by the coronary arteries
    (
        "Calcifications of the coronary arteries and of the aortic arch.",
        {"arterial_wall_calcification": "POSITIVE", "coronary_artery_wall_calcification": "POSITIVE"},
    ),
    ("Calcification is observed in the aortic valve.", {"arterial_wall_calcification": "ABSENT"}),
    # density of abdominal fat is stranding, not a lung opacity
    ("Increase in density consistent with edema in the pericolonic adipose tissue.", {"lung_opacity": "ABSENT"}),
    ("Slight increases in density in the mesenteric planes.", {"lung_opacity": "ABSENT"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text[:50] for text, _ in CASES])
def test_lists_characterised_lesions_and_resolution(
    analyzer: ReportAnalyzer, text: str, expected: dict[str, str]
) -> None:
    check_expected(analyzer, text, expected)


def test_list_mentions_span_the_list(analyzer: ReportAnalyzer) -> None:
    """The new mention runs from its organ to the shared head: the evidence shows the list."""
    mentions = {m.label: m.mention_text for m in analyzer.analyze("No hepatic, splenic, or renal lesions.").mentions}
    assert mentions == {
        "liver_lesion": "hepatic, splenic, or renal lesions",
        "splenic_lesion": "splenic, or renal lesions",
        "renal_lesion": "renal lesions",
    }


def test_coordinated_terms_on_their_own() -> None:
    nlp = blank_pipeline()
    terms = CoordinatedTerms([("renal_lesion", ["kidney", "lesions"]), ("liver_lesion", ["liver", "lesions"])])
    doc = nlp.make_doc("No focal liver, pancreas or kidney lesions.")
    assert terms.expand(doc, [("renal_lesion", 6, 8)], [0]) == [("liver_lesion", 2, 8)]
    assert terms.expand(doc, [("renal_lesion", 6, 8)], [5]) == []  # the list never crosses a sentence start


def test_yields_to_must_name_known_labels(tmp_path) -> None:
    (tmp_path / "kidneys.yaml").write_text(
        "labels:\n  - name: renal_lesion\n    organ_system: kidneys\n    synonyms: [renal lesion]\n"
        "    yields_to: [renal_cystt]\n"
    )
    with pytest.raises(LexiconError, match=r"yields_to names unknown labels \['renal_cystt'\]"):
        load_labels(tmp_path, {"kidneys"})


def test_normal_under_headings_needs_headings_and_statements(tmp_path) -> None:
    (tmp_path / "heart.yaml").write_text(
        "labels:\n  - name: cardiomegaly\n    organ_system: heart\n    synonyms: [cardiomegaly]\n"
        "    normal_under_headings: {headings: [heart]}\n"
    )
    with pytest.raises(LexiconError, match="'normal_under_headings' needs 'headings:' and 'statements:'"):
        load_labels(tmp_path, {"heart"})


def test_present_under_headings_takes_the_normal_statements_headings(tmp_path) -> None:
    entry = "labels:\n  - name: cardiomegaly\n    organ_system: heart\n    synonyms: [cardiomegaly]\n"
    (tmp_path / "heart.yaml").write_text(
        entry + "    normal_under_headings: {headings: [heart], statements: [normal size]}\n"
        "    present_under_headings: {statements: [enlarged]}\n"
    )
    [label] = load_labels(tmp_path, {"heart"})
    assert label.present_under_headings is not None and label.present_under_headings.headings == ("heart",)
    (tmp_path / "heart.yaml").write_text(entry + "    present_under_headings: {statements: [enlarged]}\n")
    with pytest.raises(LexiconError, match="'present_under_headings' needs 'headings:' and 'statements:'"):
        load_labels(tmp_path, {"heart"})


def test_a_misspelt_label_key_is_refused(tmp_path) -> None:
    (tmp_path / "heart.yaml").write_text(
        "labels:\n  - name: cardiomegaly\n    organ_system: heart\n    synonyms: [cardiomegaly]\n"
        "    exclusion: [cardiomegaly index]\n"
    )
    with pytest.raises(LexiconError, match=r"unknown keys \['exclusion'\]"):
        load_labels(tmp_path, {"heart"})


def test_every_heading_of_a_heading_statement_is_a_section_heading() -> None:
    """A sub-heading that sections.yaml does not know never opens its organ, so its statements could never apply."""
    lexicon = load_lexicon()
    known = {" ".join(heading.heading.lower().split()) for heading in lexicon.sections.headings}
    unknown = sorted(
        (label.name, heading)
        for label in lexicon.labels
        for block in (label.normal_under_headings, label.present_under_headings)
        if block is not None
        for heading in block.headings
        if " ".join(heading.lower().split()) not in known
        and not all(" ".join(part.lower().split()) in known for part in heading.split("/"))
    )
    assert not unknown
