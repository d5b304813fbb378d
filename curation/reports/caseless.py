"""Case-insensitive whole-word regular expressions, rewritten so the regex engine scans them quickly.

``\\b(?:effusion|edema)`` with ``re.IGNORECASE`` is tried at every character of the text: the engine
cannot skip ahead to a possible first letter, because the expression opens with ``\\b`` and its
letters are case-insensitive. Over lower-cased text the same phrases, lower-cased, with the word
boundary checked after the first character (``e(?<!\\w.)ffusion``), give the same matches while the
engine jumps from one possible first letter to the next.

Lower-casing is exact only where case-insensitive matching and ``str.lower`` agree: for ASCII letters,
and for text whose non-ASCII characters are not letters (bullets, quotes, dashes, degree signs).
``lower_if_exact`` returns None for other text, where the original expression must be used.

    >>> fast = re.compile(word_start_alternation(["effusion", "edema"]))
    >>> [m.span() for m in fast.finditer(lower_if_exact("No Effusion; effusions. Paraedema."))]
    [(3, 11), (13, 21)]
"""

from __future__ import annotations

import re

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD_CHARACTER = re.compile(r"\w")


def lower_if_exact(text: str) -> str | None:
    """``text.lower()`` where matching lower-cased ASCII phrases on it equals case-insensitive matching on ``text``."""
    if not text.isascii():
        if any(m.group().isalpha() for m in _NON_ASCII.finditer(text)):
            return None
        lowered = text.lower()
        return lowered if len(lowered) == len(text) else None
    return text.lower()


def boundary_after_first(first: str, rest: str) -> str:
    """``\\b`` + first + rest, with the boundary written as a look-behind after the first character."""
    boundary = r"(?<!\w.)" if _WORD_CHARACTER.match(first) else r"(?<=\w.)"
    return re.escape(first) + boundary + rest


def word_start_alternation(phrases: list[str], spaced: bool = False) -> str:
    """``\\b(?:p1|p2|...)`` over lower-cased text, in the given order (``spaced``: words joined by ``\\s+``).

    Only for ASCII phrases: callers check ``phrase.isascii()`` and keep the original expression otherwise.
    """
    alternatives = []
    for phrase in phrases:
        if spaced:
            words = phrase.lower().split()
            rest = re.escape(words[0][1:]) + "".join(r"\s+" + re.escape(w) for w in words[1:])
            alternatives.append(boundary_after_first(words[0][0], rest))
        else:
            lowered = phrase.lower()
            alternatives.append(boundary_after_first(lowered[0], re.escape(lowered[1:])))
    return "|".join(alternatives)


WORD_END = "\x00"  # ends a phrase of ``word_start_trie`` that must end its word, plural "s" allowed ("rul" + WORD_END)


def word_start_trie(phrases: list[str]) -> str:
    """An expression matching where ``\\b(?:phrases)`` matches over lower-cased text.

    The phrases are nested by their characters ("lymph node|lymph nodes|lung" -> "l(?<!\\w.)(?:ymph node(?:s|)|ung)"),
    so at each position the engine follows one branch instead of trying every phrase. Where a phrase ends inside a
    longer one, the longer is tried first, so each match is the longest phrase at its start, as in the plain
    alternation with the longest phrases first (tests/test_report_engine_equivalence.py compares the two). A phrase
    ending in ``WORD_END`` matches only as a whole word or its plural ("rul" + WORD_END: "RUL", "RULs", not "rule").
    """
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for character in phrase.lower():
            node = node.setdefault(character, {})
        node[""] = {}

    def nested(node: dict[str, dict]) -> str:
        branches = [
            (r"s?\b" if c == WORD_END else re.escape(c)) + nested(child) for c, child in sorted(node.items()) if c
        ]
        if "" in node:
            branches.append("")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return "|".join(boundary_after_first(c, nested(child)) for c, child in sorted(trie.items()))
