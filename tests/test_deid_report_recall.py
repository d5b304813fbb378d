"""Report-text PHI recall and precision over five generated report styles, with and without KnownPhi.

Styles: sectioned English, prose English, translated-sounding prose (DD.MM.YYYY dates, "Dr. med."),
a US report (MRN:, DOB:, AGE:, addresses, phone and fax numbers) and letterhead headers/footers with the
institution's name, address, phone and web site around any body. Every planted value is ground truth;
recall counts values whose letters and digits are all replaced, precision counts replaced spans that
overlap a planted value. Run ``pytest -s tests/test_deid_report_recall.py`` to print the figures.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from curation.deid.known_phi import KnownPhi
from curation.deid.report_text import scrub_report_text
from tests.test_deid_report_text import (
    CLINICAL_PHRASES,
    Persona,
    Report,
    covered,
    date_text,
    persona,
    phone_text,
    prose_report,
    sectioned_report,
)

N_PER_STYLE = 120
SEED = 20240917
ACCENTED_FIRST = ("José", "Zoë", "Søren", "Łukasz", "Anaïs", "Jürgen", "Siobhán")
ACCENTED_LAST = ("Müller", "García", "Øvrebø", "O'Brien", "Dvořák", "Lefèvre", "van der Berg", "Nuñez")
CITIES_EU = ("10117 Berlin", "3011 AB Rotterdam", "75004 Paris", "8001 Zürich")
STREETS_EU = (("Hauptstraße", "12"), ("Coolsingel", "40"), ("Lindenweg", "3a"), ("Bahnhofstrasse", "88"))


@dataclass
class Case:
    style: str
    report: Report
    known: KnownPhi


def full_known(p: Persona, extra_names: tuple[str, ...] = ()) -> KnownPhi:
    """What the DICOM headers of the study give: patient, referring physician, IDs, institution, phone."""
    doctor_tokens = {w.upper() for name in (p.doctor, p.second_doctor) for w in name}
    return KnownPhi(
        patient_name_tokens=frozenset({*(w.upper() for w in f"{p.first} {p.last}".split()), *extra_names}),
        other_name_tokens=frozenset(doctor_tokens),
        identifiers=frozenset({p.mrn, p.accession}),
        institutions=frozenset({p.institution}),
        addresses=frozenset({f"{p.street[0]} {p.street[1]}"}),
        phone_numbers=frozenset({p.phone}),
    )


def translated_report(rng: random.Random, p: Persona) -> Report:
    street, number = rng.choice(STREETS_EU)
    r = Report()
    r.add("Patient ")
    r.phi(f"{p.first} {p.last}", "name")
    r.add(", born ")
    r.phi(f"{p.dates[0]:%d.%m.%Y}", "date")
    r.add(", residing ")
    r.phi(f"{street} {number}, {rng.choice(CITIES_EU)}", "address")
    r.add(".\nThe examination took place on ")
    r.phi(f"{p.dates[1]:%d.%m.%Y}", "date")
    r.add(" in the ")
    r.phi(p.institution, "institution")
    r.add(". Referring doctor: Dr. med. ")
    r.phi(" ".join(p.doctor), "name")
    r.add(".\nIn comparison to the pre-examination of the ")
    r.phi(f"{p.dates[2]:%d.%m.%y}", "date")
    r.add(" there is " + ", ".join(rng.sample(CLINICAL_PHRASES, 6)) + ".\n")
    r.add("The findings were discussed with the colleague Dr. ")
    r.phi(p.second_doctor[1], "name")
    r.add(" by telephone (Tel. ")
    r.phi(p.phone, "phone")
    r.add(").\nWith collegial greetings\nProf. Dr. ")
    r.phi(" ".join(p.second_doctor), "name")
    r.add("\n")
    return r


def us_report(rng: random.Random, p: Persona) -> Report:
    r = Report()
    r.add("PATIENT NAME: ")
    r.phi(f"{p.last.upper()}, {p.first.upper()} {rng.choice('ABCDEFGHJKLMNPRSTW')}", "name")
    r.add("      MRN: ")
    r.phi(p.mrn, "id")
    r.add("\nDOB: ")
    r.phi(f"{p.dates[0]:%m/%d/%Y}", "date")
    r.add("   AGE: ")
    r.phi(str(p.age), "age")
    r.add("Y   SEX: F\nACCESSION #: ")
    r.phi(p.accession, "id")
    r.add("   EXAM DATE: ")
    r.phi(f"{p.dates[1]:%m/%d/%Y}", "date")
    r.add(" 10:32\nHOME ADDRESS: ")
    r.phi(f"{p.street[0]} {p.street[1]}, {p.city}", "address")
    r.add("\nHOME PHONE: ")
    r.phi(p.phone, "phone")
    r.add("\nORDERING PHYSICIAN: ")
    r.phi(f"{p.doctor[1].upper()}, {p.doctor[0].upper()}", "name")
    r.add(" MD\nINSURANCE ID: ")
    r.phi(f"{rng.choice('XYZ')}{rng.choice('ABC')}{rng.randrange(10**8, 10**9)}", "id")
    r.add("\n\nEXAM: CT CHEST ABDOMEN PELVIS WITH CONTRAST\nCOMPARISON: ")
    r.phi(f"{p.dates[2]:%m/%d/%y}", "date")
    r.add("\nFINDINGS: " + "; ".join(rng.sample(CLINICAL_PHRASES, 8)) + ".\n")
    r.add("IMPRESSION: No acute process. Critical result called to ")
    r.phi(f"{p.second_doctor[0]} {p.second_doctor[1]}", "name")
    r.add(", RN at extension ")
    r.phi(str(rng.randrange(1000, 9999)), "phone")
    r.add(".\n\nDictated by: ")
    r.phi(" ".join(p.second_doctor), "name")
    r.add(", MD  Transcribed by: ")
    r.phi(f"{rng.choice('ABCDEFGH')}{rng.choice('KLMNPRST')}", "initials")
    r.add("\nSigned electronically on ")
    r.phi(f"{p.dates[1]:%m/%d/%Y}", "date")
    r.add(" 15:04\n")
    return r


def with_letterhead(rng: random.Random, p: Persona, body: Report) -> Report:
    """The body between an institution header and a confidentiality footer."""
    domain = p.institution.lower().replace("'", "").replace(".", "").replace(" ", "-")
    r = Report()
    r.phi(p.institution.upper() if rng.random() < 0.5 else p.institution, "institution")
    r.add("\nDepartment of Radiology\n")
    r.phi(f"{p.street[0]} {p.street[1]}, {p.city}", "address")
    r.add("\nTel ")
    r.phi(phone_text(rng), "phone")
    r.add("  Fax ")
    r.phi(phone_text(rng), "phone")
    r.add("\n\n")
    offset = len(r.text)
    r.parts.append(body.text)
    r.planted += [(s + offset, e + offset, k) for s, e, k in body.planted]
    r.add("\n-- CONFIDENTIAL: ")
    r.phi(p.institution, "institution")
    r.add(", ")
    r.phi(f"{p.street[0]} {p.street[1]}", "address")
    r.add(". Printed ")
    r.phi(date_text(rng, p.dates[1]), "date")
    r.add(" from ")
    r.phi(f"www.{domain}.org", "url")
    r.add(" --\n")
    return r


STYLES: dict[str, Callable[[random.Random, Persona], Report]] = {
    "sectioned": sectioned_report,
    "prose": prose_report,
    "translated": translated_report,
    "us": us_report,
}


def generated_cases() -> list[Case]:
    rng = random.Random(SEED)
    cases = []
    for style, build in STYLES.items():
        for index in range(N_PER_STYLE):
            p = persona(rng)
            if style == "translated" and index % 2:
                p.first, p.last = rng.choice(ACCENTED_FIRST), rng.choice(ACCENTED_LAST)
            report = build(rng, p)
            letterhead = index % 3 == 0
            if letterhead:
                report = with_letterhead(rng, p, report)
            cases.append(Case(style + ("+letterhead" if letterhead else ""), report, full_known(p)))
    return cases


@dataclass
class Score:
    planted: int = 0
    caught: int = 0
    hits: int = 0
    true_hits: int = 0

    @property
    def recall(self) -> float:
        return self.caught / max(self.planted, 1)

    @property
    def precision(self) -> float:
        return self.true_hits / max(self.hits, 1)


BARE_NAME_KINDS = frozenset({"bare_name", "initials"})  # no cue at all: only KnownPhi can find them


def evaluate(cases: list[Case], use_known: bool, skip: frozenset[str] = frozenset()) -> tuple[Score, dict[str, int]]:
    score, missed = Score(), {}
    for case in cases:
        text = case.report.text
        result = scrub_report_text(text, case.known if use_known else None, -400)
        for start, end, kind in case.report.planted:
            if kind in skip:
                continue
            score.planted += 1
            if covered(start, end, text, result.spans):
                score.caught += 1
            else:
                key = f"{case.style.split('+')[0]}:{kind}"
                missed[key] = missed.get(key, 0) + 1
        for start, end, _ in result.spans:
            score.hits += 1
            score.true_hits += any(start < pe and end > ps for ps, pe, _ in case.report.planted)
        for phrase in CLINICAL_PHRASES:
            if phrase in text:
                assert phrase in result.text, f"clinical phrase {phrase!r} was changed"
    return score, missed


def per_style(cases: list[Case], use_known: bool) -> str:
    lines = []
    for style in STYLES:
        subset = [c for c in cases if c.style.split("+")[0] == style]
        score, _ = evaluate(subset, use_known)
        lines.append(f"    {style:<11} recall={score.recall:.4f} precision={score.precision:.4f} n={score.planted}")
    return "\n".join(lines)


def test_recall_and_precision_with_known_phi() -> None:
    cases = generated_cases()
    score, missed = evaluate(cases, use_known=True)
    print(
        f"\nreport PHI, rules + KnownPhi: recall={score.recall:.4f} precision={score.precision:.4f} "
        f"planted={score.planted} missed={missed}\n{per_style(cases, True)}"
    )
    assert score.recall >= 0.99, missed
    assert score.precision >= 0.95


def test_recall_and_precision_rules_only() -> None:
    cases = generated_cases()
    everything, missed_all = evaluate(cases, use_known=False)
    score, missed = evaluate(cases, use_known=False, skip=BARE_NAME_KINDS)
    print(
        f"\nreport PHI, rules only: recall={score.recall:.4f} precision={score.precision:.4f} "
        f"planted={score.planted} missed={missed}\n"
        f"report PHI, rules only, cue-less names and initials included: recall={everything.recall:.4f} "
        f"planted={everything.planted} missed={missed_all}\n{per_style(cases, False)}"
    )
    assert score.recall >= 0.99, missed
    assert score.precision >= 0.95


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AGE: 92Y  SEX: F", "AGE: 90+Y  SEX: F"),
        ("call extension 4412.", "call extension [PHONE]."),
        ("tumour extension 12 mm", "tumour extension 12 mm"),
        ("RIVERSIDE MEDICAL CENTER", "[INSTITUTION]"),
        ("Referring: Prof. Dr. med. Hans Müller.", "Referring: Prof. Dr. med. [NAME]."),
        ("Patient Jürgen van der Berg, born", "Patient [NAME], born"),
        ("residing Hauptstraße 12, 10117 Berlin.", "residing [ADDRESS]."),
        ("Dictated by: Ann Lee, MD  Transcribed by: JK", "Dictated by: [NAME], MD  Transcribed by: [NAME]"),
        ("Avenue and can be reached", "Avenue and can be reached"),
    ],
)
def test_rules_added_for_the_new_styles(text: str, expected: str) -> None:
    assert scrub_report_text(text, None, None).text == expected
