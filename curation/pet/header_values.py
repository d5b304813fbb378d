"""Typed reads of DICOM header values for the PET modules: text, numbers, DA+TM and DT as datetimes.

Times are naive local datetimes: the UTC offset is dropped, since every time compared belongs to one
patient's visit at one site. Unreadable values come back as None, never as an exception.

    >>> combine("20210305", "100000.5")
    datetime.datetime(2021, 3, 5, 10, 0, 0, 500000)
    >>> parse_dt("20210305090000.00+0100")
    datetime.datetime(2021, 3, 5, 9, 0)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from pydicom.dataset import Dataset


def text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    return "" if value is None else str(value).strip()


def number(ds: Dataset, keyword: str) -> float | None:
    return to_float(ds.get(keyword))


def to_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, Iterable) else [value]


def combine(date_text: str, time_text: str) -> dt.datetime | None:
    """DA ``YYYYMMDD`` + TM ``HHMMSS.ffffff`` (also ``HH:MM:SS``) as a naive local datetime."""
    if len(date_text) < 8 or not time_text:
        return None
    return parse_dt(date_text[:8] + time_text.replace(":", ""))


def parse_dt(value: str) -> dt.datetime | None:
    """DT ``YYYYMMDDHHMMSS.ffffff[&ZZXX]`` (time parts optional); the UTC offset is dropped."""
    value = value.strip().split("+")[0].split("-")[0] if value else ""
    if len(value) < 8 or not value[:8].isdigit():
        return None
    whole, _, fraction = value.partition(".")
    if not whole.isdigit() or len(whole) % 2:
        return None
    digits = (whole + "000000")[:14]
    try:
        base = dt.datetime.strptime(digits, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    micro = int((fraction + "000000")[:6]) if fraction.isdigit() else 0
    return base + dt.timedelta(microseconds=micro)
