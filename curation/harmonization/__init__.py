"""Report harmonization: a canonical house style, institution style profiles, verified LLM rewriting."""
