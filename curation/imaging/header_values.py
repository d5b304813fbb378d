"""Header values of the many similar files of a series, each distinct raw value converted once.

pydicom converts an element's raw bytes on first access (10-30 us each, mostly fixed overhead, even for
Rows); a 300-slice series repeats the same Rows, orientation, spacing, SOP class... in every file, and
grouping and reading ask each file for some 17 of them. `header_value` answers like ``ds.get(keyword)``
but remembers the value of each raw encoding (tag, VR, byte order, bytes): a later file with the same
bytes gets the same value without converting (grouping a 300-file series: 0.13 s of tag access beyond
the header parse became 0.05 s). Only value representations whose conversion depends on nothing but
those bytes are remembered (numbers, CS, UI, DS, IS: no character set, no ambiguous US/SS), up to 256
bytes; the others are converted by pydicom as usual. Multi-valued results come back as tuples, so a
value shared by many files cannot be changed through one of them.

    >>> header_value(pydicom.dcmread("CT.0001", stop_before_pixels=True), "PixelSpacing")
    ('0.703125', '0.703125')      # DSfloat values, as ds.PixelSpacing holds them
    >>> header_value(ds, "DirectoryRecordSequence") is None
    True
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

PLAIN_VRS = frozenset({"US", "UL", "SS", "SL", "FL", "FD", "CS", "UI", "DS", "IS"})
MEMO_LIMIT = 1 << 16  # distinct raw values remembered (a few MB at most); then forgotten all at once

_memo: dict[tuple[Any, ...], Any] = {}


@cache
def _tag(keyword: str) -> int:
    tag = tag_for_keyword(keyword)
    if tag is None:
        raise ValueError(f"{keyword!r} is not a DICOM keyword")
    return int(tag)


@cache
def _plain_vr(tag: int) -> str | None:
    """The dictionary VR when converting this tag depends only on its bytes, else None."""
    try:
        vr = dictionary_VR(tag)
    except KeyError:
        return None
    return vr if vr in PLAIN_VRS else None


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, MultiValue | list) else value


def header_value(ds: Dataset, keyword: str) -> Any:
    """``ds.get(keyword)`` (None when absent), converting each distinct raw value once per process."""
    tag = _tag(keyword)
    element = ds.get_item(tag)
    if element is None:
        return None
    if not isinstance(element, RawDataElement):
        return _frozen(element.value)
    vr, raw_vr = _plain_vr(tag), element.VR
    if vr is None or raw_vr not in (None, vr) or not isinstance(element.value, bytes) or len(element.value) > 256:
        return _frozen(ds[tag].value)
    key = (tag, raw_vr, element.is_implicit_VR, element.is_little_endian, element.value)
    try:
        return _memo[key]
    except KeyError:
        pass
    value = _frozen(ds[tag].value)
    if len(_memo) >= MEMO_LIMIT:
        _memo.clear()
    _memo[key] = value
    return value


def has_element(ds: Dataset, keyword: str) -> bool:
    """``ds.get(keyword) is not None`` for a sequence (SQ) keyword, without parsing the sequence's items."""
    return ds.get_item(_tag(keyword)) is not None
