"""Errors of the legacy importer."""

from __future__ import annotations


class LegacyImportError(Exception):
    """The import cannot start: the source or the target is unusable. Nothing was written.

    Raised for a path that is missing or not an SQLite database, a database without the
    PersonaGen tables, an unreachable or refusing PostgreSQL server, and a target database that
    is not migrated. The message is meant for the person running the command.
    """
