"""The error of a malformed lexicon file, shared by the loaders of ``lexicons/``.

>>> raise LexiconError("assertion_cues.yaml: cues[3] (no evidence of): category must be one of ...")
Traceback (most recent call last):
LexiconError: assertion_cues.yaml: cues[3] (no evidence of): category must be one of ...
"""


class LexiconError(ValueError):
    """A lexicon file is missing or malformed; the message names the file and the entry."""
