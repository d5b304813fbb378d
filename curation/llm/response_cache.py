"""A content-addressed cache of LLM responses, so a rerun makes zero calls.

The key is the sha256 of the model, the messages, the sampling parameters and the response schema;
entries are JSON files written atomically under ``<warehouse>/llm_cache/<2 hex>/<key>.json``.

    >>> cache = ResponseCache(Path("/tmp/wh/llm_cache"))
    >>> key = cache_key("smollm2", [{"role": "user", "content": "hi"}], {"temperature": 0}, None)
    >>> cache.get(key) is None
    True
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from curation.content_hashing import sha256_text


def cache_key(model: str, messages: list[dict[str, str]], parameters: dict[str, Any], schema: Any) -> str:
    payload = {"model": model, "messages": messages, "parameters": parameters, "schema": schema}
    return sha256_text(json.dumps(payload, sort_keys=True, ensure_ascii=False))


class ResponseCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            return json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.tmp-{uuid.uuid4().hex}")
        temporary.write_text(json.dumps(entry, sort_keys=True, ensure_ascii=False))
        os.replace(temporary, path)
