"""Uncompressed little-endian pixel data read straight from the file, without a second header parse.

For the common CT file (Explicit or Implicit VR Little Endian, one 16-bit grey-level frame, Pixel Data
the last element) the stored values are the last ``Rows x Columns x 2`` bytes of the file. The
element header just before them is checked (tag 7FE0,0010, VR, length) so a file that does not
have exactly this layout (trailing padding, odd length, another element after the pixels) is not
read this way: `read_native_pixels` returns None and the caller decodes through pydicom's
handlers, as for every compressed, big-endian or multi-frame file. Unused high bits are corrected
exactly as pydicom does (shifted out, sign-extended for Pixel Representation 1).

    >>> header = pydicom.dcmread("CT.0001", stop_before_pixels=True)    # 512x512, 12 of 16 bits stored
    >>> read_native_pixels(Path("CT.0001"), header).shape
    (512, 512)
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset

from curation.imaging.header_values import has_element, header_value

EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2"
PIXEL_DATA_TAG = b"\xe0\x7f\x10\x00"


def _int_value(ds: Dataset, keyword: str, default: int | None = None) -> int | None:
    value = header_value(ds, keyword)
    if value is None:
        value = default
    try:
        return default if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def native_layout(header: Dataset) -> tuple[np.dtype, int, int, int] | None:
    """(stored dtype, rows, columns, unused high bits) when the fast path applies to this header, else None."""
    meta = getattr(header, "file_meta", None)
    syntax = str(header_value(meta, "TransferSyntaxUID") or "") if meta is not None else ""
    if syntax not in (EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN):
        return None
    multiframe = has_element(header, "PerFrameFunctionalGroupsSequence")
    if multiframe or (_int_value(header, "NumberOfFrames", 1) or 1) != 1:
        return None
    samples = _int_value(header, "SamplesPerPixel", 1)
    allocated, stored = _int_value(header, "BitsAllocated"), _int_value(header, "BitsStored")
    representation = _int_value(header, "PixelRepresentation")
    rows, columns = _int_value(header, "Rows"), _int_value(header, "Columns")
    if samples != 1 or allocated != 16 or stored is None or not 1 <= stored <= 16 or representation not in (0, 1):
        return None
    if not rows or not columns or rows <= 0 or columns <= 0:
        return None
    if not _ends_with_a_plain_element(header):
        return None
    dtype = np.dtype("<i2" if representation == 1 else "<u2")
    return dtype, rows, columns, 16 - stored


def _ends_with_a_plain_element(header: Dataset) -> bool:
    """The last element before the pixels is not a sequence, so the Pixel Data found at the end of the
    file is the top-level one (not, say, an icon image nested in a sequence of a file without pixels)."""
    if len(header) == 0:
        return False
    last = next(reversed(header.keys()))
    vr = header.get_item(last).VR
    if vr is None:
        try:
            vr = dictionary_VR(last)
        except KeyError:  # a private tag in an implicit VR file: its VR is unknown
            return False
    return str(vr) not in ("SQ", "UN")


def _element_header_matches(head: bytes, syntax: str, length: int) -> bool:
    """The bytes before the pixel values are Pixel Data's element header with exactly this length."""
    if syntax == EXPLICIT_VR_LITTLE_ENDIAN:
        return (
            len(head) == 12
            and head[:4] == PIXEL_DATA_TAG
            and head[4:6] in (b"OW", b"OB")
            and head[6:8] == b"\x00\x00"
            and struct.unpack("<I", head[8:12])[0] == length
        )
    return len(head) == 8 and head[:4] == PIXEL_DATA_TAG and struct.unpack("<I", head[4:8])[0] == length


def read_native_pixels(path: Path, header: Dataset) -> np.ndarray | None:
    """Stored values [rows, columns] straight from the file, or None when the file is not this simple layout."""
    layout = native_layout(header)
    if layout is None:
        return None
    dtype, rows, columns, unused_bits = layout
    length = rows * columns * dtype.itemsize
    syntax = str(header.file_meta.TransferSyntaxUID)
    head_size = 12 if syntax == EXPLICIT_VR_LITTLE_ENDIAN else 8
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        start = size - length - head_size
        if start < 132:  # preamble and DICM prefix come first in every file grouping accepts
            return None
        handle.seek(start)
        head = handle.read(head_size)
        if not _element_header_matches(head, syntax, length):
            return None
        values = np.fromfile(handle, dtype=dtype, count=rows * columns)
    if values.size != rows * columns:
        return None
    values = values.reshape(rows, columns)
    if unused_bits:
        # As pydicom: the unused high bits carry no meaning; shift them out (sign-extending signed data).
        np.left_shift(values, unused_bits, out=values)
        np.right_shift(values, unused_bits, out=values)
    return values
