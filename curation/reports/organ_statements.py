"""Organs called normal, alone or in a list: "The liver, spleen, pancreas and adrenal glands are unremarkable."

Each organ named in such a statement rules out the labels ``lexicons/organ_statements.yaml`` lists for it, as a
normal statement of that label (a negative mention on the organ's name). The list may join organs with commas,
"and" or "&"; the statement ends with a copula and a normal word ("are unremarkable", "is normal in appearance") or
a colon ("Liver, spleen and kidneys: normal.") or nothing ("Spleen, pancreas and adrenals unremarkable."), and the
normal word ends its clause: "normal attenuation", "normal in size", "normal to mildly enlarged" and "unremarkable
except for a nodule" rule nothing out.

    >>> statements = load_organ_statements()  # doctest: +SKIP
    >>> statements.find("The liver and spleen are unremarkable.")  # doctest: +SKIP
    [('hepatomegaly', 4, 9), ('liver_lesion', 4, 9), ('splenic_lesion', 14, 20), ('splenomegaly', 14, 20)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from curation.reports.lexicon_errors import LexiconError
from curation.reports.lexicon_files import read_lexicon_yaml
from curation.reports.sentences import LIST_MARK
from curation.resources import lexicons_dir

FILE_NAME = "organ_statements.yaml"
_REACH = 160  # characters before a normal word where its list of organs may start
# The normal word ends its clause: "normal attenuation", "normal in size", "normal to mildly enlarged", "unremarkable
# except for a nodule", "normal-sized with a lesion" speak of one property or lead to a finding.
_CLAUSE_END = re.compile(r"\s*(?:$|[.;:)\n]|,(?!\s*(?:except|apart|but|save|aside|other than|with)\b))")


@dataclass(frozen=True)
class OrganStatements:
    """Organ names, the labels each rules out, and the expressions that find them called normal."""

    rules_out: dict[str, tuple[str, ...]]  # lower-case organ name -> label names
    normal_words: tuple[str, ...]
    statement_end: re.Pattern[str]  # a list of organs and its copula, ending where a normal word starts
    organ: re.Pattern[str]

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """(label, char start, char end of the organ's name) for each organ ``text`` calls normal."""
        lower = text.lower()
        found: list[tuple[str, int, int]] = []
        for word in self.normal_words:
            position = lower.find(word)
            while position >= 0:
                end = position + len(word)
                if _ends_the_statement(lower, end):
                    found += self._organs_before(lower, position)
                position = lower.find(word, end)
        return sorted(set(found), key=lambda item: (item[1], item[0]))

    def under_heading(self, heading: str, sentence: str) -> list[str]:
        """The labels ruled out by a sentence that is only a normal word under an organ sub-heading: "LIVER:"
        "Unremarkable."; "Kidneys, ureters and bladder" "Normal." rules out what the kidneys and the bladder do."""
        if _LIST_MARK.sub("", " ".join(sentence.lower().split())).strip(" .;") not in self.normal_words:
            return []
        names = (" ".join(organ.group().split()) for organ in self.organ.finditer(heading.lower()))
        return sorted({label for name in names for label in self.rules_out[name]})

    def _organs_before(self, lower: str, position: int) -> list[tuple[str, int, int]]:
        """The organs of the list that ends right before ``position``; the list opens its clause: in "hypodense lesion
        in the liver, spleen and kidneys are normal" the liver is the lesion's place, the list "spleen and kidneys"."""
        start = max(0, position - _REACH)
        match = self.statement_end.search(lower, start, position)
        while match is not None and not _opens_a_clause(lower, match.start()):
            match = self.statement_end.search(lower, match.start() + 1, position)
        if match is None:
            return []
        return [
            (label, organ.start(), organ.end())
            for organ in self.organ.finditer(lower, match.start(), match.end())
            for label in self.rules_out[" ".join(organ.group().split())]
        ]


_LIST_MARK = re.compile(rf"^{LIST_MARK}\s*")  # "- Unremarkable."


def _ends_the_statement(lower: str, end: int) -> bool:
    """Whether the normal word ending at ``end`` ends its clause (see ``_CLAUSE_END``)."""
    return _CLAUSE_END.match(lower, end) is not None


def _opens_a_clause(lower: str, start: int) -> bool:
    """Whether the text before ``start`` ends a clause: nothing, a punctuation mark, or a list's dash ("- Liver: ...";
    not the hyphen of "gall-bladder"), then spaces."""
    at = start - 1
    while at >= 0 and lower[at].isspace():
        at -= 1
    if at < 0 or lower[at] in ".;:,(\n":
        return True
    return lower[at] == "-" and (at == 0 or lower[at - 1].isspace())


def load_organ_statements(folder: Path | None = None) -> OrganStatements | None:
    """``organ_statements.yaml`` of a lexicon folder (default: the packaged ``lexicons/``); None where it is absent."""
    return _load((Path(folder) if folder is not None else lexicons_dir()).resolve() / FILE_NAME)


@cache
def _load(path: Path) -> OrganStatements | None:
    if not path.is_file():
        return None
    document = read_lexicon_yaml(path) or {}
    words = document.get("normal_words") if isinstance(document, dict) else None
    organs = document.get("organs") if isinstance(document, dict) else None
    if not (isinstance(words, list) and words and all(isinstance(w, str) and w.strip() for w in words)):
        raise LexiconError(f"{path.name}: needs 'normal_words', a list of phrases")
    if not isinstance(organs, list) or not organs:
        raise LexiconError(f"{path.name}: needs 'organs', a list of {{names, rules_out}}")
    rules_out: dict[str, tuple[str, ...]] = {}
    for index, entry in enumerate(organs):
        names = entry.get("names") if isinstance(entry, dict) else None
        labels = entry.get("rules_out") if isinstance(entry, dict) else None
        if not (isinstance(names, list) and names and isinstance(labels, list)):
            raise LexiconError(f"{path.name}: organs[{index}]: needs 'names' and 'rules_out' lists")
        for name in names:
            rules_out[" ".join(str(name).lower().split())] = tuple(str(label) for label in labels)
    organ = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in sorted(rules_out, key=len, reverse=True))
    item = rf"(?:the\s+)?(?:{organ})"
    # the list runs up to the normal word: "liver, spleen, pancreas and adrenal glands are " / "kidneys: ", or
    # without the verb in telegraphic reports: "spleen, pancreas and adrenal glands "
    statement_end = re.compile(
        rf"\b{item}(?:\s*(?:,\s*(?:and\s+|&\s+)?|\s+and\s+|\s*&\s*){item})*"
        rf"(?:\s+(?:is|are|was|were|appear|appears|appeared)\s+|\s*:\s*|\s+)\Z"
    )
    normal_words = tuple(sorted({" ".join(w.lower().split()) for w in words}, key=len, reverse=True))
    return OrganStatements(rules_out, normal_words, statement_end, re.compile(rf"\b(?:{organ})\b"))


def check_labels(statements: OrganStatements, label_names: set[str]) -> None:
    """Every label the file names exists."""
    unknown = sorted({label for labels in statements.rules_out.values() for label in labels} - label_names)
    if unknown:
        raise LexiconError(f"{FILE_NAME}: rules_out names unknown labels {unknown}")
