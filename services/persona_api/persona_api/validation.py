"""Reusable field types for request schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and a lone surrogate ("\ud800", legal in JSON) cannot
    # be encoded as UTF-8: refuse both here as a 422 instead of a database or hashing error.
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\u0000) characters")
    if not is_encodable(value):
        raise ValueError("must be valid Unicode text (no lone surrogate code points)")
    return value


def is_encodable(value: str) -> bool:
    """True when ``value`` encodes as UTF-8 (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


SafeStr = Annotated[str, AfterValidator(_no_nul)]
"""A string without NUL characters."""

TrimmedStr = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_no_nul)]
"""A NUL-free string with surrounding white space removed."""
