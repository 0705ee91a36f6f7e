"""The parts ``personagen up`` starts, one module per service, each with its start function
(called by :class:`personagen.stack.runner.Stack`, which orders, waits for and stops them):

- ``postgres``: DATABASE_URL or the private cluster (:mod:`personagen.stack.postgres`).
- ``redis``: REDIS_URL or a private ``redis-server`` with persistence off.
- ``llm``: OPENAI_BASE_URL or the local model (llama-cpp-python serving SmolLM2).
- ``local_extra``: installing the ``local`` extra the local model needs.
- ``app``: PersonaGen's own parts: migrations, the API and the worker.
- ``common``: errors, masked URLs for messages, waiting for an HTTP part.

The names below are re-exported for callers outside ``personagen.stack`` that import them
from here (tests/e2e/test_local_model.py).
"""

from personagen.stack.services.common import wait_http
from personagen.stack.services.llm import LOCAL_MODEL_ALIAS, llm_argv

__all__ = ["LOCAL_MODEL_ALIAS", "llm_argv", "wait_http"]
