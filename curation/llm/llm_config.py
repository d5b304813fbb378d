"""Which OpenAI-compatible server to call, from the environment or explicit values.

Without a configured base URL and model, ctcurate makes no LLM call at all: harmonization falls back
to the deterministic house-style rendering. Works with OpenAI, vLLM, llama.cpp's server and Ollama.

    CTCURATE_LLM_BASE_URL=http://127.0.0.1:8080/v1 CTCURATE_LLM_MODEL=smollm2 ctcurate harmonize ...
"""

from __future__ import annotations

import os
from dataclasses import dataclass

ENV_BASE_URL = "CTCURATE_LLM_BASE_URL"
ENV_MODEL = "CTCURATE_LLM_MODEL"
ENV_API_KEY = "CTCURATE_LLM_API_KEY"  # falls back to OPENAI_API_KEY; local servers accept any key


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str = "not-needed"
    timeout_s: float = 60.0
    max_concurrency: int = 2
    max_attempts: int = 4  # first call plus retries on rate limits, server errors and timeouts
    backoff_s: float = 0.5  # doubled after each failed attempt
    temperature: float = 0.0
    max_tokens: int = 512
    seed: int = 0

    def __repr__(self) -> str:  # never print the key
        return f"LLMConfig(base_url={self.base_url!r}, model={self.model!r})"

    @classmethod
    def from_environment(cls) -> LLMConfig | None:
        base_url, model = os.environ.get(ENV_BASE_URL), os.environ.get(ENV_MODEL)
        if not base_url or not model:
            return None
        api_key = os.environ.get(ENV_API_KEY) or os.environ.get("OPENAI_API_KEY") or "not-needed"
        return cls(base_url=base_url, model=model, api_key=api_key)

    def parameters(self) -> dict[str, object]:
        """The sampling parameters that take part in the cache key."""
        return {"temperature": self.temperature, "max_tokens": self.max_tokens, "seed": self.seed}
