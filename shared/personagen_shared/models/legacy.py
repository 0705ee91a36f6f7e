"""``legacy_imports``: what the legacy importer brought in, so that a second run skips it.

One row per imported legacy row: ``(source, kind, legacy_id)`` is the primary key, so a legacy
user, persona or content piece of one legacy installation is imported at most once.
``source`` is the installation's fingerprint (see ``personagen.legacy.source``), ``new_id``
the id of the row made here (no foreign key: it points at ``users``, ``personas`` or
``content_pieces`` depending on ``kind``, and the row may since have been deleted).

``legacy_row`` keeps the legacy columns that have no home in the new tables (a user's first and
last name and bio, a content piece's original persona link and word count), so that nothing is
lost. Personas keep theirs in ``personas.legacy_source`` instead, and password hashes are never
copied here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from personagen_shared.models.base import created_at_field

SOURCE_MAX_LENGTH = 64


class LegacyKind(StrEnum):
    """Which legacy table a ``legacy_imports`` row came from."""

    USER = "user"
    PERSONA = "persona"
    CONTENT = "content"


class LegacyImport(SQLModel, table=True):
    """Maps one legacy row (``source``, ``kind``, ``legacy_id``) to the row it became."""

    __tablename__ = "legacy_imports"
    __table_args__ = (CheckConstraint("kind IN ('user', 'persona', 'content')", name="kind"),)

    source: str = Field(sa_type=String(SOURCE_MAX_LENGTH), primary_key=True)
    kind: str = Field(sa_type=String(10), primary_key=True)
    legacy_id: int = Field(sa_type=BigInteger, primary_key=True)
    new_id: uuid.UUID = Field(nullable=False)
    legacy_row: dict[str, Any] | None = Field(default=None, sa_type=JSONB, nullable=True)
    imported_at: datetime = created_at_field()
