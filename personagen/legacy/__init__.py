"""Import from the Django PersonaGen / PersonaGen05 (``personagen import-legacy``).

Modules: ``source`` reads a legacy database (SQLite file or PostgreSQL URL) and detects its
state; ``transform`` (a package: one module per table, and ``plan``, the overall import plan)
maps legacy rows to PersonaGen rows through the shared normalisation;
``target`` writes one user per transaction and remembers legacy ids in ``legacy_imports``;
``runner`` ties them together (:func:`import_legacy`); ``console`` is the CLI's output.
"""

from personagen.legacy.errors import LegacyImportError
from personagen.legacy.report import Counts, ImportReport
from personagen.legacy.runner import import_legacy

__all__ = ["Counts", "ImportReport", "LegacyImportError", "import_legacy"]
