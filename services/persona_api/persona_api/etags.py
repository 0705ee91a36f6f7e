"""ETags of versioned rows and ``If-Match`` / ``If-None-Match`` parsing (RFC 9110 §13.1)."""

from __future__ import annotations

import re

_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')
# ASCII digits only (str.isdigit() accepts "²") and within the int4 ``version`` column.
_VERSION = re.compile(r"[0-9]{1,9}")


def etag(version: int) -> str:
    """Strong ETag of a row version: ``"<version>"``."""
    return f'"{version}"'


def parse_if_match(header: str | None) -> frozenset[int] | None:
    """Versions ``If-Match`` accepts; None when absent or ``*`` (no condition).

    Weak tags never match (``If-Match`` uses strong comparison); unparseable tags match nothing,
    so a garbled header yields 412 rather than an unconditional write.
    """
    if header is None or header.strip() == "*":
        return None
    versions = set()
    for weak, value in _TAG.findall(header):
        if not weak and _VERSION.fullmatch(value):
            versions.add(int(value))
    return frozenset(versions)


def matches_if_none_match(header: str | None, version: int) -> bool:
    """True when ``If-None-Match`` names this version (weak comparison) or is ``*``."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(value == str(version) for _, value in _TAG.findall(header))
