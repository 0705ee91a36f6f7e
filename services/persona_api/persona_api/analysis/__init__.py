"""Writing-sample analysis in the API process: measured, deterministic stylometry.

:mod:`personagen_shared.stylometry` (pure, shared code) checks that a sample is usable English
text and measures the traits a text shows on its face (milliseconds, no I/O); this package
runs it in the request and queues the LLM-judged half, which runs in the worker
(``generator_worker.analysis``).
"""
