"""Fill the placeholders of view SQL files with values known only when the views are created.

A mart such as ``label_matrix`` needs one column per label of the taxonomy; the taxonomy lives in
the lexicons, so the SQL file names a placeholder and the catalog fills it when it creates the views:

- ``{{ label_names }}``: the labels of the lexicons as comma-separated SQL string literals, in
  lexicon order (for ``PIVOT ... ON label IN ({{ label_names }})``, which fixes the columns).

    >>> render_view_sql("PIVOT t ON label IN ({{ label_names }}) USING any_value(code)", labels=("a", "b"))
    "PIVOT t ON label IN ('a', 'b') USING any_value(code)"
"""

from __future__ import annotations

from functools import cache


@cache
def taxonomy_labels() -> tuple[str, ...]:
    """The label names of the lexicons, in lexicon order."""
    from curation.reports.lexicon import load_lexicon

    return tuple(label.name for label in load_lexicon().labels)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render_view_sql(text: str, labels: tuple[str, ...] | None = None) -> str:
    """Replace the placeholders in ``text``; the lexicons are read only when a placeholder is present."""
    if "{{" not in text:
        return text
    names = taxonomy_labels() if labels is None else labels
    return text.replace("{{ label_names }}", ", ".join(_literal(n) for n in names))
