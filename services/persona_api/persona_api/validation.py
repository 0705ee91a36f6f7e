"""Reusable field types for request schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here as a 422 instead of a database error.
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\u0000) characters")
    return value


SafeStr = Annotated[str, AfterValidator(_no_nul)]
"""A string without NUL characters."""

TrimmedStr = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_no_nul)]
"""A NUL-free string with surrounding white space removed."""
