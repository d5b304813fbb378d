"""JPEG 2000 frames decoded by imagecodecs (OpenJPEG) as a pydicom decoding plugin, on every core.

pydicom's JPEG 2000 plugins (pylibjpeg-openjpeg, Pillow) hold the GIL while they decode, so the
reader's decode threads take turns: a JPEG 2000 CT series decodes on one core, at about 50 ms per
512x512 slice here. imagecodecs wraps the same OpenJPEG library and releases the GIL, so the threads
decode side by side. pydicom still does everything around the codestream (frames, signedness of the
J2K header against Pixel Representation, container size), so the values are those of pydicom's own
plugins; ``tests/test_imaging_jpeg2000.py`` checks every JPEG 2000 fixture against pylibjpeg-openjpeg.

    >>> ds = pydicom.dcmread("ct_chest_j2k/IM0001.dcm")  # doctest: +SKIP
    >>> stored = decode_jpeg2000(ds)  # doctest: +SKIP  (None: not JPEG 2000 grey levels)
    >>> stored.dtype, stored.shape  # doctest: +SKIP
    (dtype('uint16'), (512, 512))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydicom import uid
from pydicom.pixels import get_decoder

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset
    from pydicom.pixels.decoders.base import DecodeRunner

PLUGIN = "ctcurate-imagecodecs"
JPEG2000_SYNTAXES = (uid.JPEG2000Lossless, uid.JPEG2000)
DECODER_DEPENDENCIES = {syntax: ("imagecodecs>=2024.1",) for syntax in JPEG2000_SYNTAXES}

try:
    import imagecodecs

    _AVAILABLE = bool(imagecodecs.JPEG2K.available)
except ImportError:  # the plugin is an accelerator: pydicom's own plugins still decode
    _AVAILABLE = False


def is_available(syntax: str) -> bool:
    """pydicom's plugin contract: whether this plugin can decode ``syntax``."""
    return _AVAILABLE and syntax in JPEG2000_SYNTAXES


def _decode_frame(src: bytes, runner: DecodeRunner) -> bytes:
    """pydicom's plugin contract: one frame's decoded bytes, in a container sized by the J2K precision."""
    if runner.samples_per_pixel != 1:
        raise NotImplementedError("colour JPEG 2000 is left to pydicom's own plugins")
    decoded = imagecodecs.jpeg2k_decode(src)
    runner.set_option("bits_allocated", decoded.dtype.itemsize * 8)
    return decoded.tobytes()


def register_jpeg2000_plugin() -> bool:
    """Add the plugin to pydicom's JPEG 2000 decoders (once); whether it can be used."""
    if not _AVAILABLE:
        return False
    for syntax in JPEG2000_SYNTAXES:
        decoder = get_decoder(syntax)
        if PLUGIN not in decoder.available_plugins:
            decoder.add_plugin(PLUGIN, (__name__, "_decode_frame"))
    return True


def decode_jpeg2000(ds: Dataset) -> np.ndarray | None:
    """The stored values of a grey-level JPEG 2000 dataset decoded by this plugin; None for any other dataset.

    Errors propagate; the caller falls back to pydicom's own plugins.
    """
    syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    if syntax not in JPEG2000_SYNTAXES or int(ds.get("SamplesPerPixel", 1) or 1) != 1:
        return None
    if not register_jpeg2000_plugin():
        return None
    return get_decoder(syntax).as_array(ds, decoding_plugin=PLUGIN)[0]
