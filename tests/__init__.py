"""PersonaGen tests: run with `uv run pytest` (see README)."""
