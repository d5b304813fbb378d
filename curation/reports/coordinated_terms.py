"""Label phrases shared by a coordinated list of modifiers: "no liver, pancreas or kidney lesions".

A report names one head noun for several organs: the phrase matcher finds only the last ("kidney lesions");
each earlier modifier of the list ("liver", "pancreas") with the same head makes a label phrase of its own
("liver lesions", "pancreas lesions") where that phrase is a label synonym. The list is read leftwards from
the matched phrase: ``or``/``and``/``nor``/``and/or`` or a slash ("no lytic/sclerotic lesion"; an Oxford comma
allowed) before it, then single-word items separated by commas. The head may also come first: in "no lesions
of the liver, spleen or kidneys" each later organ makes its phrase with the head ("spleen lesions", "kidney
lesions").

    >>> terms = CoordinatedTerms([("renal_lesion", ["kidney", "lesions"]), ("liver_lesion", ["liver", "lesions"])])
    >>> doc = nlp.make_doc("No focal liver, pancreas or kidney lesions.")  # doctest: +SKIP
    >>> terms.expand(doc, [("renal_lesion", 6, 8)], [0])  # doctest: +SKIP
    [('liver_lesion', 2, 8)]

Each new match spans from its modifier to the end of the head, so the negation before the list
covers it and the evidence text shows the whole list.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence

from spacy.tokens import Doc

CONJUNCTIONS = frozenset({"or", "and", "nor", "and/or", "/"})  # "no lytic/sclerotic lesion"
PREPOSITIONS = frozenset({"of", "in", "within"})
SEPARATORS = frozenset({",", *CONJUNCTIONS})
LIST_WORDS = frozenset({*SEPARATORS, *PREPOSITIONS})  # what may stand between a shared head and its list
# after a list's last item: the list is the subject of a new clause, not the places of the head before it
CLAUSE_OPENERS = frozenset({"is", "are", "was", "were", "appear", "appears", "normal", "unremarkable", ":"})
MAX_ITEMS = 6  # list items read beside the matched phrase
LIST_REACH = 3 + 2 * MAX_ITEMS  # tokens from a phrase to the conjunction of the list after it

Words = Callable[[int], str]  # token index -> the lower-case word


class CoordinatedTerms:
    """Two-or-more-word label synonyms split into (first word, the rest): the modifiers each head takes."""

    def __init__(self, synonyms: Iterable[tuple[str, Sequence[str]]]) -> None:
        """``synonyms``: (label name, lower-case words) for every synonym spelling the phrase matcher knows, as its
        tokenizer split them."""
        self.labels_of: dict[tuple[str, ...], dict[str, list[str]]] = {}
        for name, words in synonyms:
            if len(words) < 2 or not words[0].isalpha():
                continue
            by_modifier = self.labels_of.setdefault(tuple(words[1:]), {})
            names = by_modifier.setdefault(words[0], [])
            if name not in names:
                names.append(name)

    def expand(
        self,
        doc: Doc,
        label_terms: list[tuple[str, int, int]],
        sentence_starts: list[int],
        token_starts: list[int] | None = None,
        lower: str | None = None,
        list_words: dict[int, str] | None = None,
    ) -> list[tuple[str, int, int]]:
        """(label, start, end) of the list items beside each matched label phrase that form label phrases too.

        ``token_starts`` and ``lower`` (the text lower-cased, same offsets): the words next to each phrase are read
        from the text, not from spaCy tokens (most phrases stand in no list, and a Token costs more than a slice).
        ``list_words``: token position -> the `LIST_WORDS` word there (the term matcher's matches), where known: a
        phrase with none of them beside it is passed over without reading a word.
        """
        n_tokens = len(doc)
        if lower is not None and token_starts is not None:
            starts, text_end = token_starts, len(lower)

            def word(i: int) -> str:
                return lower[starts[i] : starts[i + 1] if i + 1 < n_tokens else text_end].rstrip()
        else:

            def word(i: int) -> str:
                return doc[i].lower_

        if list_words is None:
            list_words = {i: word(i) for i in range(n_tokens) if word(i) in LIST_WORDS}
        conjunctions = sorted(i for i, w in list_words.items() if w in CONJUNCTIONS)
        if not conjunctions:  # every list closes with a conjunction
            return []
        found: list[tuple[str, int, int]] = []
        for _name, start, end in label_terms:
            before = start >= 2 and end - start >= 2 and list_words.get(start - 1) in CONJUNCTIONS
            after = (
                end + 1 < n_tokens
                and end in list_words
                and _closes_within(conjunctions, end, end + LIST_REACH)
                and self._list_follows(word, end, n_tokens)
            )
            if not (before or after):
                continue
            sentence = bisect.bisect_right(sentence_starts, start) - 1
            if before:
                found.extend(self._modifiers_before(word, start, end, sentence_starts[sentence]))
            if after:
                last = sentence_starts[sentence + 1] if sentence + 1 < len(sentence_starts) else n_tokens
                found.extend(self._organs_after(word, start, end, last))
        return found

    @staticmethod
    def _list_follows(word: Words, end: int, n_tokens: int) -> bool:
        """Whether a list separator follows the phrase, or the first organ after its preposition ("in the liver,")."""
        following = word(end)
        if following in PREPOSITIONS:
            position = end + 2 if end + 1 < n_tokens and word(end + 1) == "the" else end + 1
            return position + 1 < n_tokens and word(position + 1) in SEPARATORS
        return following in SEPARATORS

    def _modifiers_before(self, word: Words, start: int, end: int, first_token: int) -> list[tuple[str, int, int]]:
        """ "liver, pancreas or [kidney lesions]": the head ("lesions") with each earlier modifier."""
        heads = self.labels_of.get(tuple(word(i) for i in range(start + 1, end)))
        if not heads:
            return []
        position = start - 2
        if position >= first_token and word(position) == ",":  # the Oxford comma: "hepatic, splenic, or renal"
            position -= 1
        found = []
        while position >= first_token and len(found) < MAX_ITEMS and word(position).isalpha():
            found.extend((name, position, end) for name in heads.get(word(position), ()))
            if position - 1 < first_token or word(position - 1) != ",":
                break
            position -= 2
        return found

    def _organs_after(self, word: Words, start: int, end: int, last_token: int) -> list[tuple[str, int, int]]:
        """ "[lesions of the liver], spleen or kidneys", "[lesion] in the liver, spleen or kidneys": each organ of the
        list with the head before the preposition ("spleen lesions", "kidney lesions"), where that is a label phrase."""
        words = [word(i) for i in range(start, end)]
        preposition = next((i for i, w in enumerate(words) if w in PREPOSITIONS), None)
        if preposition is None:  # the match is the head; the preposition and the first organ follow it
            if word(end) not in PREPOSITIONS:
                return []
            head, position = words, end + 1
            if position < last_token and word(position) == "the":
                position += 1
        elif words[preposition + 1 :] in ([], ["the"]):
            return []
        else:  # the match holds the first organ
            head, position = words[:preposition], end - 1
        items = self._items_from(word, position, last_token)
        heads = self.labels_of.get(tuple(head)) if items else None
        if not heads:
            return []
        found: list[tuple[str, int, int]] = []
        for item in items:
            organ = word(item)
            names = heads.get(organ) or (heads.get(organ[:-1], ()) if organ.endswith("s") else ())
            found.extend((name, start, item + 1) for name in names)
        return found

    @staticmethod
    def _items_from(word: Words, position: int, last_token: int) -> list[int]:
        """Positions of the single-word items of the list that starts at ``position`` and closes with a conjunction:
        "liver, spleen(,) or kidneys"."""
        items: list[int] = []
        while position < last_token and word(position).isalpha() and len(items) < MAX_ITEMS:
            items.append(position)
            position += 1
            if position + 1 >= last_token:
                break
            separator = word(position)
            if separator == "," and word(position + 1) in CONJUNCTIONS:  # the Oxford comma
                position += 1
                separator = word(position)
            if separator in CONJUNCTIONS:
                position += 2 if position + 1 < last_token and word(position + 1) == "the" else 1
                if position < last_token and word(position).isalpha() and not _subject_of(word, position, last_token):
                    items.append(position)
                    return items
                break
            if separator != ",":
                break
            position += 1
            if position < last_token and word(position) == "the":
                position += 1
        return []  # no conjunction closed it: "in the liver, the largest of which", not a list


def _subject_of(word: Words, last_item: int, last_token: int) -> bool:
    """Whether the list's last item opens a clause of its own: "lesion in the liver, spleen and kidneys are normal"
    (the spleen and kidneys are the subject of "are normal", not places of the lesion)."""
    following = last_item + 1
    return following < last_token and word(following) in CLAUSE_OPENERS


def _closes_within(conjunctions: list[int], start: int, stop: int) -> bool:
    """Whether a conjunction stands in [start, stop]: a list after a phrase closes with one within its few items
    ("sclerosis of the aorta and the coronary arteries": right at the phrase's end)."""
    index = bisect.bisect_left(conjunctions, start)
    return index < len(conjunctions) and conjunctions[index] <= stop
