"""Exceptions that end a job, each carrying a message safe to store in ``jobs.error``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from personagen_shared.models.jobs import ERROR_MAX_LENGTH

REDACTED: Final = "[redacted]"


class JobFailure(Exception):
    """The job cannot succeed. ``str(exc)`` is short, plain and safe to show a client: it never
    holds an API key, the prompt text or a stack trace (callers build it from fixed wording
    and a few checked values such as an HTTP status)."""


class JobCancelled(Exception):
    """The job's row was cancelled (or taken over by another worker) while this run worked."""


def safe_error(message: str, secrets: Iterable[str] = ()) -> str:
    """``message`` with every non-empty secret replaced by ``[redacted]``, one line, cut to
    ``jobs.error``'s 500 characters: the last guard before a message reaches the row."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, REDACTED)
    message = " ".join(message.split()) or "the job failed"
    if len(message) > ERROR_MAX_LENGTH:
        message = message[: ERROR_MAX_LENGTH - 1] + "…"
    return message
