"""Reading a lexicon YAML file, the one way every loader of ``lexicons/`` does it.

A key written twice in one mapping is refused (plain YAML keeps the last silently, so a label's second ``patterns:``
would drop its first), and a file that is not YAML is an error naming it.

    >>> read_lexicon_yaml(Path("lexicons/shorthand.yaml"))["shorthand"][0]  # doctest: +SKIP
    ['normal', 'nml']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from curation.reports.lexicon_errors import LexiconError


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key written twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key, deep=deep) for key, _value in node.value]
        for index, key in enumerate(keys):
            if key in keys[:index]:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is written twice in one mapping", node.value[index][0].start_mark
                )
        return super().construct_mapping(node, deep=deep)


def read_lexicon_yaml(path: Path, error: type[LexiconError] = LexiconError) -> Any:
    """The document of ``path``; ``error`` (a ``LexiconError``) names the file where it is missing or not YAML."""
    if not path.is_file():
        raise error(f"{path}: lexicon file not found")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # a SafeLoader: no object tags
    except yaml.YAMLError as exception:
        raise error(f"{path}: not valid YAML ({exception})") from None
