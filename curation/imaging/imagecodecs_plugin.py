"""Compressed DICOM frames decoded by imagecodecs, as a pydicom decoding plugin that uses every core.

pydicom's plugins for JPEG 2000 (pylibjpeg-openjpeg), JPEG lossless and JPEG-LS (pylibjpeg-libjpeg)
hold the GIL while they decode, so the reader's decode threads take turns: a compressed CT series
decodes on one core. imagecodecs wraps OpenJPEG, libjpeg-turbo and CharLS and releases the GIL, so the
threads decode side by side, and libjpeg-turbo and CharLS are also 3-5x faster per slice than libjpeg
(512x512 12-bit: JPEG lossless 3.8 vs 12 ms, JPEG-LS 4.2 vs 23 ms, JPEG 2000 about the same).
pydicom still does everything around the codestream (frames, the J2K header's signedness against
Pixel Representation, container size), so the values are those of pydicom's own plugins;
``tests/test_imaging_imagecodecs_plugin.py`` checks every fixture of these syntaxes against them.
Grey-level images only: colour is left to pydicom's own plugins.

    >>> ds = pydicom.dcmread("ct_chest_j2k/IM0001.dcm")  # doctest: +SKIP
    >>> stored = decode_with_imagecodecs(ds)  # doctest: +SKIP  (None: a syntax or image left to pydicom)
    >>> stored.dtype, stored.shape  # doctest: +SKIP
    (dtype('uint16'), (512, 512))
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from pydicom import uid
from pydicom.pixels import get_decoder

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset
    from pydicom.pixels.decoders.base import DecodeRunner

PLUGIN = "ctcurate-imagecodecs"

try:
    import imagecodecs

    # transfer syntax -> imagecodecs decoder; only those whose codec this build of imagecodecs has
    DECODERS: dict[str, Callable[..., np.ndarray]] = {
        syntax: decode
        for syntax, decode, codec in (
            (uid.JPEG2000Lossless, imagecodecs.jpeg2k_decode, imagecodecs.JPEG2K),
            (uid.JPEG2000, imagecodecs.jpeg2k_decode, imagecodecs.JPEG2K),
            (uid.JPEGLossless, imagecodecs.jpeg8_decode, imagecodecs.JPEG8),
            (uid.JPEGLosslessSV1, imagecodecs.jpeg8_decode, imagecodecs.JPEG8),
            (uid.JPEGLSLossless, imagecodecs.jpegls_decode, imagecodecs.JPEGLS),
            (uid.JPEGLSNearLossless, imagecodecs.jpegls_decode, imagecodecs.JPEGLS),
        )
        if codec.available
    }
except ImportError:  # the plugin is an accelerator: pydicom's own plugins still decode
    DECODERS = {}

DECODER_DEPENDENCIES = {syntax: ("imagecodecs>=2026.3.6",) for syntax in DECODERS}


def is_available(syntax: str) -> bool:
    """pydicom's plugin contract: whether this plugin can decode ``syntax``."""
    return syntax in DECODERS


def _decode_frame(src: bytes, runner: DecodeRunner) -> bytes:
    """pydicom's plugin contract: one frame's decoded bytes, in a container sized by the codestream's precision."""
    if runner.samples_per_pixel != 1:
        raise NotImplementedError("colour images are left to pydicom's own plugins")
    decoded = DECODERS[runner.transfer_syntax](src)
    runner.set_option("bits_allocated", decoded.dtype.itemsize * 8)
    return decoded.tobytes()


@cache
def register_imagecodecs_plugin() -> bool:
    """Add the plugin to pydicom's decoders of the syntaxes it knows (once); whether there are any."""
    for syntax in DECODERS:
        decoder = get_decoder(syntax)
        if PLUGIN not in decoder.available_plugins:
            decoder.add_plugin(PLUGIN, (__name__, "_decode_frame"))
    return bool(DECODERS)


def decode_with_imagecodecs(ds: Dataset) -> np.ndarray | None:
    """The stored values of a grey-level dataset in one of the plugin's syntaxes; None for any other dataset.

    Errors propagate; the caller falls back to pydicom's own plugins.
    """
    syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    if syntax not in DECODERS or int(ds.get("SamplesPerPixel", 1) or 1) != 1:
        return None
    register_imagecodecs_plugin()
    return get_decoder(syntax).as_array(ds, decoding_plugin=PLUGIN)[0]
