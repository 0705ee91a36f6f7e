"""Writing-sample analysis in the API process: measured, deterministic stylometry.

:mod:`persona_api.analysis.stylometry` checks that a sample is usable English text and measures
the traits a text shows on its face (milliseconds, no I/O). The LLM-judged half runs in the
worker (``generator_worker.analysis``).
"""
