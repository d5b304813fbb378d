"""LLM access through any OpenAI-compatible server: configuration, a response cache, structured calls."""
