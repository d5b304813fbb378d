"""Compressed (encapsulated) Pixel Data read at its offset, beside the header grouping already parsed.

Decoding a JPEG 2000, JPEG lossless, JPEG-LS or RLE slice needs the header and the Pixel Data value.
Grouping parsed the header and noted where Pixel Data starts (`read_dicom_header_and_pixel_offset`), so
the file need not be parsed again (0.65 ms of a 512x512 slice, holding the GIL): its value is read from
there and handed to pydicom's decoders together with the header. Only the plain layout is read this way:
Pixel Data as the last element of the file, explicit VR, undefined length, closed by the Sequence
Delimitation Item. Anything else returns None and the caller parses the whole file.

    >>> header, offset = read_dicom_header_and_pixel_offset(Path("ct_chest_j2k/IM0001.dcm"))  # doctest: +SKIP
    >>> ds = dataset_with_encapsulated_pixels(Path("ct_chest_j2k/IM0001.dcm"), header, offset)  # doctest: +SKIP
    >>> ds.pixel_array.shape  # doctest: +SKIP
    (512, 512)
"""

from __future__ import annotations

from pathlib import Path

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.uid import UID

from curation.imaging.native_pixels import PIXEL_DATA_TAG

# (7FE0,0010), VR OB or OW, two reserved bytes, undefined length
PIXEL_DATA_ELEMENT_HEADERS = tuple(PIXEL_DATA_TAG + vr + b"\x00\x00\xff\xff\xff\xff" for vr in (b"OB", b"OW"))
SEQUENCE_DELIMITATION_ITEM = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"


def dataset_with_encapsulated_pixels(path: Path, header: Dataset, pixel_data_offset: int) -> Dataset | None:
    """A dataset of the header's elements plus the file's encapsulated Pixel Data; None where the layout differs.

    The header itself is not changed: the new dataset holds its own table of the same elements.
    """
    meta = getattr(header, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    if not syntax or not UID(str(syntax)).is_encapsulated:
        return None
    with open(path, "rb") as handle:
        handle.seek(pixel_data_offset)
        data = handle.read()
    head_size, tail_size = len(PIXEL_DATA_ELEMENT_HEADERS[0]), len(SEQUENCE_DELIMITATION_ITEM)
    if (
        len(data) <= head_size + tail_size
        or data[:head_size] not in PIXEL_DATA_ELEMENT_HEADERS
        or not data.endswith(SEQUENCE_DELIMITATION_ITEM)
    ):
        return None
    ds = Dataset(dict(header.items()))
    ds.file_meta = meta
    ds.add(DataElement(0x7FE00010, "OB", data[head_size:-tail_size], is_undefined_length=True))
    return ds
