"""Structured (JSON) chat completions against any OpenAI-compatible server, validated and cached.

Servers differ in what they accept for structured output: OpenAI and vLLM take a ``json_schema``
response format; llama.cpp's server rejects it (HTTP 500) but takes ``json_object`` with a
``schema``; others only ``json_object``. The client negotiates once, from the strictest format down,
and remembers what worked. Every response is validated against the schema whatever the server
claims. Rate limits, server errors and timeouts are retried with exponential backoff; a concurrency
limit caps calls in flight; responses are cached by content, so a rerun makes zero calls.

    >>> client = StructuredClient(LLMConfig("http://127.0.0.1:8080/v1", "smollm2"), cache)  # doctest: +SKIP
    >>> result = client.complete_json(messages, schema)  # doctest: +SKIP
    >>> result.content["findings"], result.from_cache  # doctest: +SKIP
    ([...], False)
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import openai

from curation.llm.llm_config import LLMConfig
from curation.llm.response_cache import ResponseCache, cache_key

RESPONSE_FORMAT_MODES = ("json_schema", "json_object_schema", "json_object")
_RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)


class LLMUnavailable(RuntimeError):
    """The server could not be reached or kept failing after the retries."""


@dataclass
class LLMResult:
    content: dict[str, Any] | None  # the validated JSON, None when invalid
    text: str
    prompt_hash: str
    from_cache: bool
    response_format: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    error: str | None = None  # why content is None (e.g. schema violation), never PHI


@dataclass
class ClientStats:
    calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    invalid_responses: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


class StructuredClient:
    def __init__(self, config: LLMConfig, cache: ResponseCache | None = None) -> None:
        self.config = config
        self.cache = cache
        self.stats = ClientStats()
        self._slots = threading.Semaphore(config.max_concurrency)
        self._mode: str | None = None  # negotiated response format
        self._client = openai.OpenAI(
            base_url=config.base_url, api_key=config.api_key, timeout=config.timeout_s, max_retries=0
        )

    def complete_json(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> LLMResult:
        messages = _with_schema_instruction(messages, schema)
        key = cache_key(self.config.model, messages, self.config.parameters(), schema)
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            self.stats.add(cache_hits=1)
            return _result_from(cached, schema, key, from_cache=True)
        with self._slots:
            response, mode = self._call(messages, schema)
        usage = getattr(response, "usage", None)
        entry = {
            "text": response.choices[0].message.content or "",
            "response_format": mode,
            "prompt_tokens": getattr(usage, "prompt_tokens", None),
            "completion_tokens": getattr(usage, "completion_tokens", None),
            "model": self.config.model,
        }
        self.stats.add(
            calls=1, prompt_tokens=entry["prompt_tokens"] or 0, completion_tokens=entry["completion_tokens"] or 0
        )
        result = _result_from(entry, schema, key, from_cache=False)
        if result.content is None:
            self.stats.add(invalid_responses=1)
        if self.cache is not None:
            # invalid answers are cached too: at temperature 0 with a fixed seed the server would give the
            # same answer again, and a rerun must make no calls
            self.cache.put(key, entry)
        return result

    # -- calling ------------------------------------------------------------------------------
    def _call(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> tuple[Any, str]:
        if self._mode is not None:
            return self._with_retries(messages, schema, self._mode), self._mode
        for mode in RESPONSE_FORMAT_MODES:
            try:
                response = self._with_retries(messages, schema, mode, negotiating=True)
            except (openai.BadRequestError, openai.UnprocessableEntityError, openai.InternalServerError):
                continue  # this server does not take this response format: try the next one
            self._mode = mode
            return response, mode
        raise LLMUnavailable("the server accepted none of the structured output formats")

    def _with_retries(
        self, messages: list[dict[str, str]], schema: dict[str, Any], mode: str, negotiating: bool = False
    ) -> Any:
        delay = self.config.backoff_s
        for attempt in range(1, self.config.max_attempts + 1):
            try:
                return self._client.chat.completions.create(
                    model=self.config.model,
                    messages=messages,  # type: ignore[arg-type]
                    response_format=_response_format(mode, schema),  # type: ignore[arg-type]
                    temperature=self.config.temperature,
                    max_tokens=self.config.max_tokens,
                    seed=self.config.seed,
                )
            except openai.InternalServerError:
                if negotiating:
                    raise  # a 500 on an untried format means "not supported" on llama.cpp's server
                self._backoff(attempt, delay)
            except _RETRYABLE:
                self._backoff(attempt, delay)
            delay *= 2
        raise LLMUnavailable(f"{self.config.base_url}: no answer after {self.config.max_attempts} attempts")

    def _backoff(self, attempt: int, delay: float) -> None:
        if attempt >= self.config.max_attempts:
            raise LLMUnavailable(f"{self.config.base_url}: no answer after {attempt} attempts")
        self.stats.add(retries=1)
        time.sleep(delay)


def _response_format(mode: str, schema: dict[str, Any]) -> dict[str, Any]:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "response", "schema": schema, "strict": False}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_object"}


def _with_schema_instruction(messages: list[dict[str, str]], schema: dict[str, Any]) -> list[dict[str, str]]:
    instruction = "Answer with one JSON object that matches this JSON Schema:\n" + json.dumps(schema)
    return [{"role": "system", "content": instruction}, *messages]


def _result_from(entry: dict[str, Any], schema: dict[str, Any], key: str, from_cache: bool) -> LLMResult:
    text = entry.get("text", "")
    content, error = None, None
    try:
        parsed = json.loads(text)
        jsonschema.validate(parsed, schema)
        content = parsed
    except ValueError:
        error = "response is not JSON"
    except jsonschema.ValidationError as invalid:
        error = f"response violates the schema at {'/'.join(str(p) for p in invalid.absolute_path) or 'top level'}"
    return LLMResult(
        content=content,
        text=text,
        prompt_hash=key,
        from_cache=from_cache,
        response_format=entry.get("response_format", ""),
        prompt_tokens=entry.get("prompt_tokens"),
        completion_tokens=entry.get("completion_tokens"),
        error=error,
    )
