"""``personagen up``: PostgreSQL, Redis, a local LLM, migrations, the API and the worker on one
machine, with nothing configured (issue 5). Entry point: :func:`run_up`.

Modules: ``discovery`` (finding programs and the model file), ``ports``, ``privileges`` (running
PostgreSQL unprivileged when root), ``datadir`` (the data folder, its lock and secrets),
``procs`` (child processes), ``postgres`` (the private cluster), ``services`` (a package: one
module per part with its start function: PostgreSQL, Redis, the LLM server, installing the
``local`` extra, and migrations/API/worker), ``runner`` (the orchestration).
"""

from personagen.stack.runner import UpOptions, run_up

__all__ = ["UpOptions", "run_up"]
