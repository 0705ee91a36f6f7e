"""The import report: counts, every normalisation, skips, failures and warnings.

The same object is printed at the end of ``personagen import-legacy`` and written as JSON with
``--report FILE`` (:meth:`ImportReport.as_dict`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Final

KINDS: Final = ("user", "persona", "content")


@dataclass(slots=True)
class Counts:
    """Rows of one kind. ``read == imported + already_imported + skipped + failed``.

    ``imported`` counts rows written by this run (with ``--dry-run``: rows that would be).
    ``already_imported``: rows a previous run imported (their legacy id is remembered).
    ``skipped``: rows not imported for a reason listed in :attr:`ImportReport.skipped`.
    ``failed``: rows of users whose transaction failed (see :attr:`ImportReport.failures`).
    """

    read: int = 0
    imported: int = 0
    already_imported: int = 0
    skipped: int = 0
    failed: int = 0


@dataclass(slots=True)
class ImportReport:
    """What one run of the importer found and did.

    ``normalisations``: one entry per value changed or dropped, each with ``kind`` (user,
    persona, content), ``legacy_id``, ``label`` (persona name, username or content title),
    ``owner`` (legacy username), ``field``, ``action`` (converted, rounded, trimmed, dropped,
    ignored, replaced, superseded), ``reason``, ``raw``, ``value``, and where it applies ``key``
    (the key the value was found under) and ``origin`` (``data`` or ``column``).
    ``notes``: per-row remarks that change no value (a persona name that looks like an LLM
    placeholder, a password hash PersonaGen cannot verify, published without a date ...).
    """

    source: str
    backend: str
    state: str
    fingerprint: str
    dry_run: bool
    core_migrations: list[str] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})
    normalisations: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no user's transaction failed."""
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``json.dumps(report.as_dict())`` works)."""
        data = asdict(self)
        data["ok"] = self.ok
        return data
