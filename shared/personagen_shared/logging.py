"""structlog configuration: JSON lines (or console lines) with bound context.

Events use dotted names (``generation.completed``); ``request_id`` and ``job_id`` are bound
through ``structlog.contextvars`` by the API middleware and the worker. Standard-library
loggers (uvicorn, arq, alembic) go through the same renderer.
"""

from __future__ import annotations

import logging
import sys

import structlog

_configured = False


def configure_logging(
    level: str = "INFO", *, json: bool = True, cache_loggers: bool = True
) -> None:
    """Configure structlog and the standard library, once per process: the first call wins.

    The CLI configures before it starts uvicorn, and the app factory's own call is then a
    no-op. ``cache_loggers`` (structlog's ``cache_logger_on_first_use``) saves work on every
    log call; tests turn it off so that ``structlog.testing.capture_logs`` sees every logger.
    """
    global _configured
    if _configured:
        return
    _configured = True
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=cache_loggers,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "arq"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Request lines are logged by our middleware with the request id.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
