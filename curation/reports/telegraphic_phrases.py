"""Label phrases as telegraphic reports write them: the copula dropped.

A lexicon phrase with its subject and a copula ("aorta is not dilated", "bronchial walls are thickened", "heart was
enlarged") is also read without the copula ("Aorta not dilated, without dissection.", "Bronchial walls thickened."),
as terse and translated reports write it. Only a copula after at least one word of subject is dropped; phrases
that open with an expletive ("there is no effusion", "it is not enlarged") keep theirs.

    >>> with_copula_dropped(["aorta is not dilated", "there is no effusion", "pleural effusion"])
    ('aorta is not dilated', 'aorta not dilated', 'there is no effusion', 'pleural effusion')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curation.reports.lexicon import Lexicon

_SUBJECT_AND_COPULA = re.compile(r"^(?!(?:there|it|this|that|which|what)\s)(\S.*?)\s+(?:is|are|was|were)\s+(\S.*)$")


def with_copula_dropped(phrases: Iterable[str]) -> tuple[str, ...]:
    """Each phrase followed by its telegraphic form where it has one, without repeats, in order."""
    out: dict[str, None] = {}
    for phrase in phrases:
        out[phrase] = None
        match = _SUBJECT_AND_COPULA.match(phrase.lower())
        if match:
            out.setdefault(f"{match.group(1)} {match.group(2)}", None)
    return tuple(out)


def in_telegraphic_style(lexicon: Lexicon) -> Lexicon:
    """The lexicon with each label synonym and normal statement followed by its telegraphic form."""
    labels = tuple(
        replace(
            label,
            synonyms=with_copula_dropped(label.synonyms),
            generic_synonyms=with_copula_dropped(label.generic_synonyms),
            generic_normal_statements=with_copula_dropped(label.generic_normal_statements),
            normal_statements=with_copula_dropped(label.normal_statements),
        )
        for label in lexicon.labels
    )
    return replace(lexicon, labels=labels)
