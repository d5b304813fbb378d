"""Scrub identifying text from free-text radiology reports with rules (no model).

Two kinds of detectors find spans: known values of this patient captured from the DICOM headers
(``KnownPhi``: names, IDs, institutions, addresses, phones) and generic patterns (dates, phones, e-mails,
URLs, labelled IDs, long numbers, "Dr. X" and "X, MD" names, labelled names, street addresses,
hospital names, ages over 89). Overlapping spans keep the higher-priority, then the longer one.

Dates are shifted by ``date_shift_days`` keeping their format, or replaced with ``[DATE]`` when no shift
is given. Numeric day/month order: dots are DD.MM.YYYY, slashes and dashes MM/DD/YYYY (US); a value
that is not a valid date in that order is read the other way round. Two-digit years are 19xx above 50
and 20xx otherwise. A date without a year is shifted within a leap year (2000), so 29 Feb is valid.

Clinical content is left alone: sizes ("3.2 x 2.1 cm"), levels ("T12", "L1-L2"), segments ("segment 4a"),
"Series 3 image 45", HU values and percentages match none of the patterns. Names unknown to
``KnownPhi`` are only found in a context (title, post-nominal, label): there is no NER model.

    >>> result = scrub_report_text("Seen by Dr. Jane Roe on 03/02/2020, call 555-123-4567.", None, None)
    >>> result.text
    'Seen by Dr. [NAME] on [DATE], call [PHONE].'
    >>> scrub_report_text("CT on 2020-02-03.", None, -10).text
    'CT on 2020-01-24.'
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from curation.deid.known_phi import KnownPhi

# kind -> replacement text
PLACEHOLDERS = {
    "name": "[NAME]",
    "id": "[ID]",
    "institution": "[INSTITUTION]",
    "address": "[ADDRESS]",
    "date": "[DATE]",
    "phone": "[PHONE]",
    "email": "[EMAIL]",
    "url": "[URL]",
    "age": "90+",
}
_REFERENCE_LEAP_YEAR = 2000
_TWO_DIGIT_YEAR_PIVOT = 50
# Name tokens that are also ordinary words are only matched when capitalised.
_COMMON_WORDS = frozenset(
    [
        "MAY",
        "WILL",
        "MARK",
        "BILL",
        "LONG",
        "SHORT",
        "WHITE",
        "BROWN",
        "GREEN",
        "BLACK",
        "GRAY",
        "GREY",
        "MASS",
        "HILL",
        "STONE",
        "BONE",
        "HEART",
        "LEVEL",
        "WALL",
        "FIELD",
        "CLEAR",
        "HOPE",
        "JOY",
        "FAITH",
        "GRACE",
        "SUMMER",
        "APRIL",
        "JUNE",
        "HUNTER",
        "BAKER",
        "COOK",
        "RICH",
        "KING",
        "YOUNG",
        "SMALL",
        "LARGE",
        "HEAD",
        "LEFT",
        "RIGHT",
        "BACK",
        "CHEST",
        "LIVER",
        "LUNG",
        "KIDNEY",
        "NORMAL",
    ]
)


@dataclass(frozen=True)
class ScrubResult:
    text: str
    n_replacements: int
    kinds: dict[str, int]
    spans: tuple[tuple[int, int, str], ...] = ()  # (start, end, kind) of each replaced span in the input


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: str
    replacement: str
    priority: int


def scrub_report_text(text: str, known: KnownPhi | None, date_shift_days: int | None) -> ScrubResult:
    """Replace identifying spans in ``text``; see the module docstring for the rules."""
    hits = [
        *find_urls_and_emails(text),
        *find_known_values(text, known),
        *find_dates(text, date_shift_days),
        *find_phones(text),
        *find_labelled_ids(text),
        *find_person_names(text),
        *find_addresses(text),
        *find_institutions(text),
        *find_old_ages(text),
        *find_long_numbers(text),
    ]
    chosen = resolve_overlaps(hits)
    return build_result(text, chosen)


def resolve_overlaps(hits: Iterable[_Hit]) -> list[_Hit]:
    chosen: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.priority, -(h.end - h.start), h.start)):
        if hit.end > hit.start and all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def build_result(text: str, hits: list[_Hit]) -> ScrubResult:
    parts: list[str] = []
    position = 0
    for hit in hits:
        parts += [text[position : hit.start], hit.replacement]
        position = hit.end
    parts.append(text[position:])
    kinds = Counter(hit.kind for hit in hits)
    spans = tuple((hit.start, hit.end, hit.kind) for hit in hits)
    return ScrubResult("".join(parts), len(hits), dict(kinds), spans)


def _hits(pattern: re.Pattern[str], text: str, kind: str, priority: int, group: str | int = 0) -> Iterator[_Hit]:
    for match in pattern.finditer(text):
        if match.group(group):
            yield _Hit(match.start(group), match.end(group), kind, PLACEHOLDERS[kind], priority)


# --- e-mail and URL -------------------------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:)]")


def find_urls_and_emails(text: str) -> Iterator[_Hit]:
    yield from _hits(_EMAIL, text, "email", 10)
    yield from _hits(_URL, text, "url", 10)


# --- known values of this patient ----------------------------------------------------------------


def find_known_values(text: str, known: KnownPhi | None) -> Iterator[_Hit]:
    if known is None or known.is_empty():
        return
    name_pattern = known_name_pattern(known.name_tokens)
    if name_pattern is not None:
        yield from _hits(name_pattern, text, "name", 9)
    for kind, values in (
        ("id", identifier_variants(known.identifiers)),
        ("institution", institution_variants(known.institutions)),
        ("address", known.addresses),
    ):
        for value in values:
            yield from _hits(literal_pattern(value), text, kind, 9)
    for phone in known.phone_numbers:
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 6:
            pattern = re.compile(r"(?<!\d)\+?" + r"[\s().-]*".join(digits) + r"(?!\d)")
            yield from _hits(pattern, text, "phone", 9)


def known_name_pattern(tokens: Iterable[str]) -> re.Pattern[str] | None:
    """A run of known name tokens and initials, e.g. "Doe, Jane", "J. Doe", "JANE M. DOE"."""
    alternatives = []
    for token in sorted(set(tokens), key=len, reverse=True):
        escaped = re.escape(token)
        if token.upper() in _COMMON_WORDS:
            alternatives += [re.escape(token.upper()), re.escape(token.title())]
        else:
            alternatives.append(f"(?i:{escaped})")
    if not alternatives:
        return None
    token = "(?:" + "|".join(alternatives) + ")"
    initial = r"[A-Z]\.?(?=[\s,]|$)"
    separator = r"(?:\s*,\s*|\s+)"
    return re.compile(rf"(?<![\w])(?:{initial}\s*)*{token}(?:{separator}(?:{token}|{initial})(?![\w']))*(?![\w'])")


def identifier_variants(identifiers: Iterable[str]) -> set[str]:
    variants = set()
    for value in identifiers:
        value = value.strip()
        if len(value) >= 3:
            variants.add(value)
        stripped = value.lstrip("0")
        if stripped != value and len(stripped) >= 4:
            variants.add(stripped)
    return variants


def institution_variants(names: Iterable[str]) -> set[str]:
    """The full name plus its runs of two or more leading or trailing words ("SPRINGFIELD GENERAL HOSPITAL")."""
    variants = set()
    for name in names:
        words = name.split()
        variants.add(" ".join(words))
        for size in range(2, len(words)):
            variants |= {" ".join(words[:size]), " ".join(words[-size:])}
    return {v for v in variants if len(v) >= 3}


def literal_pattern(value: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in value.split()]
    return re.compile(r"(?<![\w])" + r"[\s,]+".join(words) + r"(?![\w])", re.IGNORECASE)


# --- dates ------------------------------------------------------------------------------------------

_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = (
    r"(?P<mon>(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?))(?P<dot>\.)?"
)
_DAY = r"(?P<d>\d{1,2})(?P<ord>st|nd|rd|th)?"
_YEAR4 = r"(?P<y>(?:19|20)\d{2})"
_NUM_EDGE_L = r"(?<![\w./-])"
_NUM_EDGE_R = r"(?![\w/-]|\.\d)"
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd", re.compile(_NUM_EDGE_L + _YEAR4 + r"(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})" + _NUM_EDGE_R)),
    ("dmy", re.compile(_NUM_EDGE_L + r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})" + _NUM_EDGE_R)),
    ("mdy", re.compile(_NUM_EDGE_L + r"(?P<m>\d{1,2})(?P<s>[/-])(?P<d>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})" + _NUM_EDGE_R)),
    ("compact", re.compile(r"(?<![\w.])" + _YEAR4 + r"(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\w|\.\d)")),
    ("month_day", re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r"\b(?:,?\s+" + _YEAR4 + r"\b)?")),
    ("day_month", re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"(?![a-z])(?:,?\s+" + _YEAR4 + r"\b)?")),
    ("month_year", re.compile(r"\b" + _MONTH + r",?\s+" + _YEAR4 + r"\b")),
)


def find_dates(text: str, shift_days: int | None) -> Iterator[_Hit]:
    for style, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            hit = date_hit(match, style, shift_days)
            if hit is not None:
                yield hit


def date_hit(match: re.Match[str], style: str, shift_days: int | None) -> _Hit | None:
    groups = match.groupdict()
    mon = groups.get("mon")
    if mon is not None and not mon[0].isupper():
        return None  # "may" the verb
    date = parse_date(groups, style)
    if date is None:
        if style in ("month_day", "day_month", "month_year", "compact"):
            return None
        return _Hit(match.start(), match.end(), "date", PLACEHOLDERS["date"], 7)  # date-shaped, not a valid date
    end = match.end() - (1 if match.group(0).endswith(".") else 0)  # a full stop after "March" ends the sentence
    if shift_days is None:
        return _Hit(match.start(), end, "date", PLACEHOLDERS["date"], 7)
    replacement = format_like(match, style, date + dt.timedelta(days=shift_days))
    return _Hit(match.start(), end, "date", replacement[: len(replacement) - (match.end() - end)], 7)


def parse_date(groups: dict[str, str | None], style: str) -> dt.date | None:
    year = _year(groups.get("y"))
    if groups.get("mon"):
        month = _month_number(groups["mon"] or "")
        day = int(groups["d"]) if groups.get("d") else 15  # month-year: shift from mid-month
        return _valid_date(year or _REFERENCE_LEAP_YEAR, month, day)
    day, month = int(groups["d"] or 0), int(groups["m"] or 0)
    if year is None:
        return None
    first = _valid_date(year, month, day)
    if first is not None or style in ("ymd", "compact"):
        return first
    return _valid_date(year, day, month)  # 25/12/2020 is a DD/MM date written with slashes


def format_like(match: re.Match[str], style: str, shifted: dt.date) -> str:
    """Rewrite the matched text with ``shifted``, keeping separators, padding, month style and ordinals."""
    text, base = match.group(0), match.start()
    replacements = [
        (match.start(name) - base, match.end(name) - base, _format_part(name, match.group(name), shifted, match, style))
        for name in ("y", "m", "d", "mon", "ord")
        if name in match.re.groupindex and match.group(name)
    ]
    for start, end, new in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _format_part(name: str, old: str, date: dt.date, match: re.Match[str], style: str) -> str:
    swapped = style in ("dmy", "mdy") and _is_swapped(match, style)
    if name == "y":
        return f"{date.year % 100:02d}" if len(old) == 2 else f"{date.year:04d}"
    if name in ("m", "d"):
        value = date.month if (name == "m") != swapped else date.day
        return f"{value:0{len(old)}d}"
    if name == "ord":
        return _ordinal_suffix(date.day)
    return _month_like(old, date.month)


def _is_swapped(match: re.Match[str], style: str) -> bool:
    year = _year(match.group("y"))
    day, month = int(match.group("d")), int(match.group("m"))
    return year is not None and _valid_date(year, month, day) is None


def _month_like(old: str, month: int) -> str:
    full = _MONTH_NAMES[month - 1]
    abbreviated = (len(old) <= 4 and old.lower() not in ("may", "june", "july")) or old.lower() == "sept"
    word = full[:3] if abbreviated else full
    if old.isupper():
        return word.upper()
    return word.title() if old[0].isupper() else word


def _ordinal_suffix(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    if len(text) == 2:
        value += 1900 if value > _TWO_DIGIT_YEAR_PIVOT else 2000
    return value


def _month_number(text: str) -> int:
    prefix = text.lower()[:3]
    return [m[:3] for m in _MONTH_NAMES].index(prefix) + 1


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# --- phones, IDs, numbers ------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{3,4}[\s.-])\d{3,4}[\s.-]\d{3,4}(?![\w]|[.-]\d)"
)
_PHONE_GROUPS = re.compile(r"(?<![\w.+-])\d{3,4}(?:-\d{2,4}){2,3}(?![\w-]|\.\d)")  # 555-0142-88
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,5}(?!\w)")
_PHONE_LABELLED = re.compile(
    r"\b(?i:tel|telephone|phone|ph|fax|pager|page|cell|mobile|mob|beeper|ext|extension)\b\.?\s*"
    r"(?i:no\.?|number|#)?\s*[:.]?\s*(?P<v>\+?\(?\d[\d\s().\-/]{3,}\d)"
)
# "extension 4412", "ext. 4412", "pager #7788": short internal numbers after an explicit cue.
_EXTENSION = re.compile(
    r"\b(?i:ext|extension|pager|beeper|bleep)\b\.?\s*(?:#|(?i:no)\.?)?\s*[:.]?\s*(?P<v>\d{3,6})(?!\d|[.,]\d|\s*(?:mm|cm|%|HU))"
)
_SSN = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
_ID_LABEL = (
    r"MRN|MR\s*#|MR\s*No|Medical\s+Record(?:\s+(?:Number|No))?|Record(?:\s+(?:Number|No))?|Chart(?:\s+(?:Number|No))?"
    r"|Acc(?:ession)?(?:\s+(?:Number|No))?|Patient\s+ID|PID|ID|Study\s+ID|Exam(?:\s+(?:Number|No|ID))"
    r"|Order(?:\s+(?:Number|No))?|Case(?:\s+(?:Number|No))?|Visit(?:\s+(?:Number|No))?|Encounter(?:\s+(?:Number|No))?"
    r"|FIN|SSN|Social\s+Security(?:\s+Number)?|Insurance(?:\s+(?:Number|No|ID))?|Policy(?:\s+(?:Number|No))?"
    r"|Account(?:\s+(?:Number|No))?|Acct|Requisition|Specimen|License(?:\s+(?:Number|No))?|Device\s+Serial"
)
_LABELLED_ID = re.compile(
    r"(?:\b(?i:" + _ID_LABEL + r")\b\s*(?:#|(?i:no)\.?|(?i:number))?\s*[:.=]?|#)\s*"
    r"(?P<v>(?=[A-Za-z0-9/-]*\d)[A-Za-z0-9][A-Za-z0-9/-]{2,}[A-Za-z0-9])"
)
_LONG_NUMBER = re.compile(r"(?<![\w.,])(?:[A-Za-z]{1,3}-?)?\d{7,}(?![\w]|[.,]\d)")
_ALNUM_ID = re.compile(r"(?<![\w.])[A-Z]{1,4}\d{6,}(?!\w|\.\d)")


def find_phones(text: str) -> Iterator[_Hit]:
    yield from _hits(_PHONE, text, "phone", 6)
    yield from _hits(_EXTENSION, text, "phone", 6, "v")
    for match in [*_PHONE_INTERNATIONAL.finditer(text), *_PHONE_GROUPS.finditer(text)]:
        if len(re.sub(r"\D", "", match.group(0))) >= 8:
            yield _Hit(match.start(), match.end(), "phone", PLACEHOLDERS["phone"], 6)
    yield from _hits(_PHONE_LABELLED, text, "phone", 6, "v")


def find_labelled_ids(text: str) -> Iterator[_Hit]:
    yield from _hits(_SSN, text, "id", 7)
    yield from _hits(_LABELLED_ID, text, "id", 6, "v")


def find_long_numbers(text: str) -> Iterator[_Hit]:
    yield from _hits(_LONG_NUMBER, text, "id", 3)
    yield from _hits(_ALNUM_ID, text, "id", 3)


# --- person names in context -----------------------------------------------------------------------

# Latin letters with diacritics (Latin-1 and Latin Extended-A): "Jürgen", "Øvrebø", "Łukasz", "Dvořák".
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_LETTER = "A-Za-zÀ-ÖØ-öø-ž"
_NAME_PART = (
    rf"(?:[{_UPPER}][{_LETTER}]*(?:['’][{_UPPER}])?[{_LETTER}]*(?:-[{_UPPER}][{_LETTER}]+)?|[{_UPPER}]\.)"
    rf"(?![{_LETTER}])"
)
_PARTICLE = r"(?:van|von|de|der|den|du|la|le|di|da|del|dos|ten|ter|zu)"


def _name_run(min_more: int, max_more: int, separator: str = r"\s+") -> str:
    """A name part followed by ``min_more`` to ``max_more`` more, with particles ("van der") between."""
    return rf"{_NAME_PART}(?:{separator}(?:{_PARTICLE}\s+){{0,2}}{_NAME_PART}){{{min_more},{max_more}}}"


_TITLE = r"(?:Dr|DR|Doctor|Prof|Professor|PD|Dipl\.-Med|MUDr)\b\.?\s+(?:(?:med|rer\.\s*nat|phil|h\.\s*c|univ)\.\s+)*"
_TITLE_NAME = re.compile(rf"\b(?:{_TITLE})+(?P<v>{_name_run(0, 2)})")
_POST_NOMINAL = re.compile(
    rf"(?P<v>{_name_run(1, 3)}),?\s+(?:M\.D\.|MD|D\.O\.|Ph\.?D\.?|MBBS|MBChB|FRCR|FRCPC|RN|PA-C|NP)(?![\w])"
)
_NAME_LABEL = (
    r"Patient(?:['’]s)?\s+Name|Patient|Name|Pt|Signed\s+by|Electronically\s+signed\s+by|Dictated\s+by|Read\s+by"
    r"|Reported\s+by|Reviewed\s+by|Approved\s+by|Verified\s+by|Transcribed\s+by|Performed\s+by|Transcriptionist"
    r"|Attending(?:\s+(?:physician|radiologist))?|Radiologist|Referring(?:\s+(?:physician|doctor|provider|clinician))?"
    r"|Requesting(?:\s+(?:physician|doctor|clinician))?|Ordering(?:\s+(?:physician|provider|clinician))?|Resident"
    r"|Fellow|Technologist|Tech|Physician|Provider|Clinician|Consultant|Surgeon|Contact|Next\s+of\s+kin|cc"
)
_COMMA_OR_SPACE = r"(?:,\s*|\s+)"
_LABELLED_NAME = re.compile(
    rf"\b(?i:{_NAME_LABEL})\s*[:\-]\s*(?:(?:Dr|Prof|Mr|Mrs|Ms|Miss)\.?\s+)?"
    rf"(?P<v>{_name_run(0, 3, _COMMA_OR_SPACE)})"
)
_BY_NAME = re.compile(
    rf"\b(?i:signed|dictated|read|reported|reviewed|approved|verified|transcribed|discussed\s+with|communicated\s+to|"
    rf"d/w|called\s+to)\s+(?:by\s+)?(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+)(?P<v>{_name_run(0, 2)})"
)
# "Patient Aaltje Vandersteeghe, born ...": a cue word, two or three capitalised words, then a name-ending cue.
_PATIENT_CUE = re.compile(
    rf"\b(?:Patient|patient|Pt\.?)\s+(?P<v>{_name_run(1, 2)})"
    r"(?=\s*(?:,|\(|\bborn\b|\bDOB\b|\bd\.o\.b\.|\baged?\b))"
)
_HONORIFIC = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+(?P<v>{_name_run(0, 2)})")
# Capitalised words that open a context but are not names ("Reviewed By John Smith, MD").
_NOT_NAMES = frozenset(
    [
        "By",
        "Signed",
        "Reviewed",
        "Electronically",
        "Dictated",
        "Read",
        "Reported",
        "Attending",
        "Radiologist",
        "Physician",
        "Resident",
        "Fellow",
        "The",
        "And",
        "Dr",
        "Doctor",
        "Cc",
        "Approved",
        "Verified",
        "Transcribed",
        "Referring",
        "Requesting",
        "Ordering",
        "Impression",
        "Findings",
        "Report",
        "Seen",
        "Discussed",
        "With",
        "Called",
        "Contact",
        "Consultant",
        "Clinician",
        "Provider",
        "Technologist",
        "Tech",
        "Name",
        "Patient",
        "Pt",
        "Prof",
        "Mr",
        "Mrs",
        "Ms",
        "CT",
        "MRI",
        "PET",
        "US",
        "XR",
        "Date",
        "Time",
        "Exam",
        "Study",
        "Comparison",
        "History",
        "Indication",
        "Technique",
        "Conclusion",
        "Addendum",
        "MD",
        "RN",
        "DO",
        "PhD",
        "NP",
    ]
)


def find_person_names(text: str) -> Iterator[_Hit]:
    for pattern in (_TITLE_NAME, _POST_NOMINAL, _LABELLED_NAME, _BY_NAME, _HONORIFIC, _PATIENT_CUE):
        position = 0
        while (match := pattern.search(text, position)) is not None:
            hit = trimmed_name_hit(text, match.start("v"), match.end("v"))
            if hit is not None:
                yield hit
            # Search again after the name kept, not after the match: a trimmed context word may start the next
            # labelled name ("Dictated by: Ann Lee, MD  Transcribed by: CK").
            position = max(hit.end if hit is not None else match.start("v"), match.start()) + 1


def trimmed_name_hit(text: str, start: int, end: int) -> _Hit | None:
    """Drop leading and trailing words that are context ("By", "Impression") rather than the name."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    while words and text[words[0][0] : words[0][1]].strip(",.:") in _NOT_NAMES:
        words.pop(0)
    while words and text[words[-1][0] : words[-1][1]].strip(",.:") in _NOT_NAMES:
        words.pop()
    if not words:
        return None
    last_end = words[-1][1]
    if text[last_end - 1] == "," or (text[last_end - 1] == "." and last_end - words[-1][0] > 2):
        last_end -= 1
    return _Hit(words[0][0], last_end, "name", PLACEHOLDERS["name"], 5)


# --- addresses and institutions -------------------------------------------------------------------

_STREET_SUFFIX = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Court|Ct|Place|Pl|Way|Terrace|Ter|Parkway|Pkwy"
    r"|Highway|Hwy|Square|Sq|Circle|Cir|Crescent|Cres|Close|Trail|Row|Alley|Plaza|Strasse|Straße|Gasse|Weg"
)
_ADDRESS = re.compile(
    r"(?<![\w.,])\d{1,5}[A-Za-z]?\s+(?:[A-Z][A-Za-z'.-]*\s+){1,4}(?:" + _STREET_SUFFIX + r")\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat)\.?\s*#?\s*\w+)?"
    r"(?:,\s*[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2})?(?:,?\s+[A-Z]{2}\b)?(?:,?\s+\d{5}(?:-\d{4})?)?"
)
# Street first, then the number, then an optional postcode and city: "Hauptstraße 12, 10117 Berlin".
_EU_STREET_SUFFIX = (
    r"stra(?:ss|ß)e|str\.|weg|gasse|allee|platz|ring|damm|ufer|laan|straat|gracht|singel|plein|kade|dreef|steeg"
)
_EU_STREET_WORD = (
    rf"(?:[{_UPPER}][{_LETTER}-]*(?:{_EU_STREET_SUFFIX})"
    rf"|(?:Rue|Avenue|Via|Viale|Calle|Rua|Piazza)(?:\s+(?:de|du|des|la|le|del|della|di|[{_UPPER}][{_LETTER}'-]*)){{1,4}})"
)
_EU_POSTCODE_CITY = rf"\d{{4,5}}(?:\s?[A-Z]{{2}})?\s+[{_UPPER}][{_LETTER}-]+(?:\s+[{_UPPER}][{_LETTER}-]+)?"
_EU_ADDRESS = re.compile(
    rf"\b{_EU_STREET_WORD}\s+\d{{1,4}}[a-z]?\b(?:,?\s+{_EU_POSTCODE_CITY})?"
    rf"|(?<![\w.,-]){_EU_POSTCODE_CITY}(?=\s*(?:[,.;)\n]|$))(?<=[{_LETTER}])"
)
_CITY_STATE_ZIP = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2},\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\b")
_ADDRESS_LABELLED = re.compile(r"\b(?i:address|addr|home\s+address|residence)\s*:\s*(?P<v>[^\n]+)")
_INSTITUTION_SUFFIXES = (
    "Hospital",
    "Hospitals",
    r"Medical\s+Center",
    r"Medical\s+Centre",
    "Clinic",
    "Clinics",
    r"Health\s+System",
    "Healthcare",
    "Infirmary",
    r"Health\s+Center",
    r"Health\s+Centre",
    r"Imaging\s+Center",
    r"Imaging\s+Centre",
    r"Radiology\s+Associates",
    "Klinikum",
    "Klinik",
    "Kliniek",
    "Krankenhaus",
    "Ziekenhuis",
)
_INSTITUTION_PREFIXES = ("Hospital", "Klinikum", "Ziekenhuis", "Krankenhaus", "Universitätsklinikum", "Hôpital")


def _title_or_upper(words: Iterable[str]) -> str:
    """Each pattern as written and in capitals; the escapes (``\\s``) keep their case."""
    return "|".join(alternative for word in words for alternative in (word, _upper_outside_escapes(word)))


def _upper_outside_escapes(pattern: str) -> str:
    return re.sub(r"\\.|[^\\]+", lambda m: m.group(0) if m.group(0).startswith("\\") else m.group(0).upper(), pattern)


_INSTITUTION = re.compile(
    r"\b(?:[A-Z][A-Za-z'’&.-]*\s+){1,4}(?:" + _title_or_upper(_INSTITUTION_SUFFIXES) + r")\b"
    r"|\b(?:"
    + _title_or_upper(_INSTITUTION_PREFIXES)
    + r")\s+(?:of\s+)?[A-Z][A-Za-z'’-]+(?:[\s-][A-Z][A-Za-z'’-]+){0,2}"
)


def find_addresses(text: str) -> Iterator[_Hit]:
    yield from _hits(_ADDRESS, text, "address", 8)
    yield from _hits(_CITY_STATE_ZIP, text, "address", 8)
    yield from _hits(_EU_ADDRESS, text, "address", 8)
    yield from _hits(_ADDRESS_LABELLED, text, "address", 8, "v")


def find_institutions(text: str) -> Iterator[_Hit]:
    for match in _INSTITUTION.finditer(text):
        start, end = match.start(), match.end()
        while text[end - 1].isspace():
            end -= 1
        yield _Hit(start, end, "institution", PLACEHOLDERS["institution"], 8)


# --- ages over 89 ------------------------------------------------------------------------------

_OLD_AGE = re.compile(
    r"\b(?P<v>9\d|1[0-2]\d)(?=\s*-?\s*(?:years?|yrs?|y)\s*-?\s*(?:old|of\s+age)\b|\s*-?\s*(?:y/o|yo|y\.o\.)(?!\w)"
    r"|\s*-?\s*year-old\b)"
)
_AGE_LABELLED = re.compile(
    r"\b(?i:age[ds]?)\s*[:=]?\s*(?P<v>9\d|1[0-2]\d)(?:\b|(?=(?i:y|yrs?|years?)\b))(?!\s*(?:%|mm|cm|HU))"
)


def find_old_ages(text: str) -> Iterator[_Hit]:
    yield from _hits(_OLD_AGE, text, "age", 4, "v")
    yield from _hits(_AGE_LABELLED, text, "age", 4, "v")
