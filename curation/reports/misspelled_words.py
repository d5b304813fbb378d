"""Misspelt words read as the lexicon's words: "consolidaton" -> "consolidation", "pnuemothorax" -> "pneumothorax",
"lymphadenopaty" -> "lymphadenopathy"; two words run together split again: "pleuraleffusion" -> "pleural effusion".

Typed and transcribed reports carry such slips (the CT-RATE development reports hold "condolidation", "ateletasis",
"mediastimal", "pneumthorax"); a finding spelt wrong would otherwise go unread. A word is corrected only where it is
none of the lexicons' words nor an English word (the public-domain Webster's and GCIDE lists of ``english-words``,
inflected forms included: "opacifies" is "opacify" + s), is six letters or more, and lies one edit (a letter added,
dropped or changed, or two neighbours swapped) from exactly one lexicon word of seven letters or more: shorter words
have too many neighbours ("notes" is one letter from "nodes"); a word of five letters is read only as a six-letter
word it lacks a letter of ("nodul" -> "nodule"). Look-alike Cyrillic and Greek letters and accented Latin ones are
read as the plain letter (a character written as a letter and a separate combining accent is not). A word of twelve
letters or more that is neither is split where it reads as two lexicon words of six letters or more and its first
part does not end in the joining vowel of a compound ("pneumo-mediastinum", "cardio-pulmonary" stay whole).

The correction happens on the text the sentence analysis reads; mentions keep the offsets and the words of the report
as written.

    >>> english = frozenset({"dense", "small"})
    >>> words = MisspelledWords(["pleural effusion", "consolidation", "pneumothorax"], english=english)
    >>> words.corrected("Dense consolidaton, no pnuemothorax.")[0]
    'Dense consolidation, no pneumothorax.'
    >>> words.corrected("Small pleuraleffusion.")[0]
    'Small pleural effusion.'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from spacy.vocab import Vocab

from curation.reports.lexicon import Lexicon
from curation.reports.lexicon_errors import LexiconError
from curation.reports.lexicon_files import read_lexicon_yaml

MEDICAL_WORDS_FILE = "medical_words.yaml"
SHORTEST_CORRECTED = 6  # letters of a misspelt word
SHORTEST_TARGET = 7  # letters of the lexicon word it is read as
# a word of five letters is read only as a word of six that it lacks a letter of ("nodul" -> "nodule")
SHORTEST_TRUNCATED = 5
LONGEST_CORRECTED = 40  # letters: a longer run is no word
SHORTEST_RUN_TOGETHER = 12  # letters of two words run together
SHORTEST_RUN_TOGETHER_PART = 6
_COMPOUND_JOINS = ("o", "a", "i")  # "pneumo-", "intra-", "supra-", "multi-"
_LETTER_RUN = re.compile(r"[^\W\d_]+")  # a run of letters of any script
_WORD = re.compile(rf"[A-Za-z]{{{SHORTEST_TRUNCATED},}}")
_LETTERS = re.compile(r"[a-z]+")
_WORD_OF_THREE = re.compile(r"[a-z]{3,}")
ENGLISH_SHARE = 0.75  # of a sentence's words (three letters or more) known or misspelt known ones, or it is not English
# endings of inflected forms and what the base form ends in: "opacifies" -> "opacify", "arising" -> "arise"
_INFLECTIONS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("d", ""))
# Cyrillic and Greek letters that look like Latin ones, as pasted text carries them ("emphysemа" with a Cyrillic "а")
_LOOKALIKES = str.maketrans("аеорсухіАВЕКМНОРСТХУІο", "aeopcyxiABEKMHOPCTXYIo")


class MisspelledWords:
    """The lexicon's words, the English words, and what a word that is neither is read as.

    ``misheard``: (phrase as a speech recogniser writes it, phrase meant), e.g. ("plural effusion", "pleural effusion").
    """

    def __init__(
        self,
        phrases: Iterable[str],
        english: frozenset[str] | None = None,
        misheard: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.lexicon_words = frozenset(w for phrase in phrases for w in _LETTERS.findall(phrase.lower()))
        self.english = english_words() if english is None else english
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.lexicon_words:
            if len(word) > SHORTEST_TRUNCATED:
                for key in (word, *_deletions(word)):  # the word itself: a misspelling with a letter too many
                    self._by_deletion.setdefault(key, set()).add(word)
        self._parts = frozenset(w for w in self.lexicon_words if len(w) >= SHORTEST_RUN_TOGETHER_PART)
        self._known = self.lexicon_words | self.english
        self._seen: dict[str, str | None] = {}
        self.misheard = {" ".join(heard.lower().split()): meant for heard, meant in misheard}
        # the words of each phrase heard that the phrase meant lacks ("plural", "lectasis"): the phrases are looked for
        # only in sentences holding one
        self._heard_words = frozenset(
            word
            for heard, meant in self.misheard.items()
            for word in heard.split()
            if len(word) >= SHORTEST_TRUNCATED and word not in meant.lower().split()
        )
        heard = "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in self.misheard)
        self._misheard = re.compile(rf"\b(?:{heard})\b", re.IGNORECASE) if self.misheard else None

    def flag(self, vocab: Vocab) -> int:
        """A spaCy lexeme flag, set on the words that may be misspelt, misheard or hold a look-alike letter: computed
        once per word of the vocabulary, so a Doc is checked by ``doc.to_array(flag).any()``."""
        return vocab.add_flag(self._is_suspect)

    def _is_suspect(self, text: str) -> bool:
        lower = text.lower()
        if not text.isascii() and any(_foldable(char) for char in text):
            return True
        return lower in self._heard_words or (lower.isalpha() and self.correction(lower) is not None)

    def in_sentence(self, sentence: str) -> bool:
        """Whether ``sentence`` (or any text) may hold a misspelt word, a misheard phrase or a look-alike letter (most
        hold none): the lexeme flag's test, word by word."""
        return any(self._is_suspect(word) for word in set(_LETTER_RUN.findall(sentence)))

    def correction(self, word: str) -> str | None:
        """The lexicon word (or two, space-separated) a lower-case word stands for where it is misspelt, else None."""
        if word in self._known or not SHORTEST_TRUNCATED <= len(word) <= LONGEST_CORRECTED:
            return None
        found = self._seen.get(word, "")
        if found == "":
            found = None if self._is_inflected_english(word) else self._one_edit_away(word) or self._run_together(word)
            self._seen[word] = found
        return found

    def corrected(self, sentence: str, offsets: list[int] | None = None) -> tuple[str, list[int] | None]:
        """The sentence with look-alike letters made Latin, misheard phrases and misspelt words corrected (in the case
        written: "PNUEMOTHORAX" -> "PNEUMOTHORAX"), and the offset in the text as written of each character
        (``offsets``: those of ``sentence``, or None where it is the text as written); (sentence, offsets) where
        nothing changes."""
        if not self.in_sentence(sentence):
            return sentence, offsets
        folded = _folded(sentence)
        replacements: list[tuple[int, int, str]] = []
        if self._misheard is not None:
            for match in self._misheard.finditer(folded):
                meant = self.misheard[" ".join(match.group().lower().split())]
                replacements.append((match.start(), match.end(), _in_case_of(match.group(), meant)))
        taken = 0
        for match in _WORD.finditer(folded):
            if any(start <= match.start() < end for start, end, _r in replacements):
                continue
            correction = self.correction(match.group().lower())
            if correction is not None:
                replacements.append((match.start(), match.end(), _in_case_of(match.group(), correction)))
        if (not replacements and folded == sentence) or self._reads_as_another_language(folded):
            return sentence, offsets
        pieces: list[str] = []
        new_offsets: list[int] = []
        for start, end, replacement in sorted(replacements):
            pieces += [folded[taken:start], replacement]
            new_offsets.extend(range(taken, start))
            new_offsets.extend(_replacement_offsets(start, end, replacement))
            taken = end
        pieces.append(folded[taken:])
        new_offsets.extend(range(taken, len(folded)))
        if offsets is not None:
            new_offsets = [offsets[i] for i in new_offsets]
        return "".join(pieces), new_offsets

    def _reads_as_another_language(self, sentence: str) -> bool:
        """Whether too many of the sentence's words are neither known nor misspelt known words ("Sin nódulos
        pulmonares.", "Geen consolidatie."): a report in another language is left as written, not half read."""
        words = _WORD_OF_THREE.findall(sentence.lower())
        if len(words) < 2:
            return False
        read = sum(
            word in self._known or self._is_inflected_english(word) or self.correction(word) is not None
            for word in words
        )
        return read < ENGLISH_SHARE * len(words)

    def _is_inflected_english(self, word: str) -> bool:
        return any(
            word.endswith(ending) and word[: len(word) - len(ending)] + base in self._known
            for ending, base in _INFLECTIONS
        )

    def _one_edit_away(self, word: str) -> str | None:
        candidates: set[str] = set()
        for key in (word, *_deletions(word)):
            candidates |= self._by_deletion.get(key, set())
        if len(word) < SHORTEST_CORRECTED:  # a letter missing only: "nodul" -> "nodule"
            near = [c for c in candidates if len(c) == len(word) + 1 and _one_edit(word, c)]
        else:
            near = [c for c in candidates if len(c) >= SHORTEST_TARGET and _one_edit(word, c)]
        return near[0] if len(near) == 1 else None

    def _run_together(self, word: str) -> str | None:
        if len(word) < SHORTEST_RUN_TOGETHER:
            return None
        splits = [
            (word[:i], word[i:])
            for i in range(SHORTEST_RUN_TOGETHER_PART, len(word) - SHORTEST_RUN_TOGETHER_PART + 1)
            if word[:i] in self._parts and word[i:] in self._parts and not word[:i].endswith(_COMPOUND_JOINS)
        ]
        return " ".join(splits[0]) if len(splits) == 1 else None


def lexicon_phrases(lexicon: Lexicon) -> list[str]:
    """Every phrase and pattern word of the lexicons: the words a misspelt word may be read as, and those it is not."""
    phrases = [term for system in lexicon.organ_systems for term in system.terms]
    for label in lexicon.labels:
        phrases += [*label.synonyms, *label.normal_statements, *label.exclusions, *label.requires_any]
        phrases += [*label.vetoed_by, *label.own_anatomy]
        for pattern in label.patterns:
            for token in pattern:
                lower = token.get("LOWER")
                words = [lower] if isinstance(lower, str) else lower.get("IN", []) if isinstance(lower, dict) else []
                phrases += [str(word) for word in words]
    phrases += [cue.phrase for cue in lexicon.assertion.cues]
    phrases += [heading.heading for heading in lexicon.sections.headings]
    return phrases


@cache
def medical_words(folder: Path) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """``medical_words.yaml`` of a lexicon folder: the words the English lists lack that are no misspelling, and the
    (heard, meant) phrases of speech recognisers."""
    path = folder / MEDICAL_WORDS_FILE
    if not path.is_file():
        return (), ()
    document = read_lexicon_yaml(path) or {}
    if not isinstance(document, dict):
        raise LexiconError(f"{path.name}: must be a mapping with 'words' and 'misheard'")
    words = document.get("words") or []
    if not isinstance(words, list) or not all(isinstance(word, str) and word.strip() for word in words):
        raise LexiconError(f"{path.name}: 'words' must be a list of words")
    misheard = document.get("misheard") or []
    for index, pair in enumerate(misheard if isinstance(misheard, list) else [None]):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) and p.strip() for p in pair)):
            raise LexiconError(f"{path.name}: misheard[{index}]: must be a pair [as heard, as meant], got {pair!r}")
    return tuple(w.strip().lower() for w in words), tuple((heard.strip(), meant.strip()) for heard, meant in misheard)


def misspelled_words(lexicon: Lexicon) -> MisspelledWords:
    """The misspelling reader of a lexicon: its words, the English words, its medical words and misheard phrases."""
    words, misheard = medical_words(lexicon.source)
    return MisspelledWords([*lexicon_phrases(lexicon), *words], misheard=misheard)


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words: Webster's Second International (public domain) and GCIDE, via ``english-words``."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2", "gcide"], alpha=True, lower=True))


@cache
def _foldable(char: str) -> bool:
    """Whether a non-ASCII character is a look-alike or accented Latin letter (``_folded`` changes it)."""
    return _folded(char) != char


@cache
def _latin_letter(char: str) -> str:
    """The Latin letter a look-alike or accented letter stands for ("а" Cyrillic, "ü" -> "u"), else the character
    itself ("½" stays: its decomposition "1" is no letter)."""
    char = char.translate(_LOOKALIKES)
    base = unicodedata.normalize("NFKD", char)[:1]
    return base if char.isalpha() and base.isascii() and base.isalpha() else char


def _folded(text: str) -> str:
    """``text`` with look-alike Cyrillic and Greek letters made Latin and accents dropped ("efüsion" -> "efusion"), one
    character for one."""
    if text.isascii():
        return text
    return "".join(char if char.isascii() else _latin_letter(char) for char in text)


def _replacement_offsets(start: int, end: int, replacement: str) -> list[int]:
    """Where each character of a replacement stands in the word written at [start, end): two words split again
    ("moderateemphysema" -> "moderate emphysema") keep every letter at its place, the space at the next letter's;
    a corrected word its letters in turn up to the word's last ("cardiomegally" -> "cardiomegaly")."""
    if " " in replacement and len(replacement) == end - start + 1:
        space = replacement.index(" ")
        return [
            start + i if i < space else start + i - 1 if i > space else start + space for i in range(len(replacement))
        ]
    return [start + min(i, end - start - 1) for i in range(len(replacement) - 1)] + [end - 1]


def _in_case_of(written: str, correction: str) -> str:
    if written.isupper():
        return correction.upper()
    return correction.capitalize() if written[0].isupper() else correction


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one letter added, dropped or changed, or two neighbours swapped."""
    if len(a) == len(b):
        differ = [i for i in range(len(a)) if a[i] != b[i]]
        return len(differ) == 1 or (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and a[differ[0]] == b[differ[1]]
            and a[differ[1]] == b[differ[0]]
        )
    if abs(len(a) - len(b)) != 1:
        return False
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
