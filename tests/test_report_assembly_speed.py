"""The report engine's faster forms answer exactly as the plain ones they replace."""

from __future__ import annotations

import pytest

from curation.reports.report_analyzer import _NOT_A_SINGLE_SPACE, _collapse_whitespace, _is_single_spaced


@pytest.mark.parametrize("character", [chr(code) for code in range(128)] + ["\xa0", "\u2028", "\u3000", "é"])
def test_single_spaced_agrees_with_the_regular_expression(character: str) -> None:
    for text in (f"left{character}effusion", f"left {character}effusion", character, f"{character} "):
        assert _is_single_spaced(text) is (_NOT_A_SINGLE_SPACE.search(text) is None), repr(text)


def test_collapse_whitespace_leaves_a_single_spaced_sentence_alone() -> None:
    assert _collapse_whitespace("Mild left pleural effusion.") == ("Mild left pleural effusion.", None)
    assert _collapse_whitespace("left\tpleural")[0] == "left pleural"


def test_a_word_broken_at_a_line_end_is_joined_where_the_lexicon_knows_it() -> None:
    words = frozenset({"pleural", "effusion"})
    text = "left pleu-\nral effu- \n  sion, ground-\nglass"
    joined, offsets = _collapse_whitespace(text, words)
    assert joined == "left pleural effusion, ground-glass"
    assert offsets is not None
    assert "".join(" " if character == " " else text[i] for character, i in zip(joined, offsets, strict=True)) == joined


def test_the_report_analyzer_examples_hold() -> None:
    import doctest

    from curation.reports import report_analyzer

    assert doctest.testmod(report_analyzer).failed == 0
