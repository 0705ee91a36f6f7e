"""Legacy users: ``auth_user`` -> ``users``.

Username, email, ``is_active`` and ``date_joined`` (-> ``created_at``) as they are; the Django
password hash verbatim (the API verifies ``pbkdf2_sha256$…`` and rehashes it with argon2 on the
first login). A blank email, which Django allows, becomes
``user-<legacy id>.<fingerprint[:8]>@legacy.invalid`` (RFC 2606 ``.invalid``; unique per
installation). First and last name, ``core_author.bio`` and the other ``auth_user`` columns
(never the password) go to ``legacy_imports.legacy_row``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final

from personagen.legacy.source import Row
from personagen.legacy.transform.common import Recorder, RowPlan, clean_text, jsonable

DJANGO_USABLE_HASH_PREFIX: Final = "pbkdf2_sha256$"


def user_email(row: Row, source: str) -> str:
    """The email a legacy user gets: theirs, or the ``.invalid`` placeholder when blank."""
    email = clean_text(str(row.get("email") or "")).strip()
    return email or f"user-{int(row['id'])}.{source[:8]}@legacy.invalid"


def user_row(
    row: Row, author: Row | None, new_id: uuid.UUID, source: str, rec: Recorder, now: datetime
) -> RowPlan:
    """``auth_user`` (+ its ``core_author``) -> a ``users`` row."""
    legacy_id = int(row["id"])
    email = user_email(row, source)
    if not clean_text(str(row.get("email") or "")).strip():
        rec.change("email", "replaced", "blank in the legacy database", row.get("email"), email)
    password = str(row.get("password") or "")
    if not password:
        rec.note("no password hash: this user cannot log in until an administrator sets one")
        password = "!"  # noqa: S105  # Django's marker of an unusable password
    elif not password.startswith(DJANGO_USABLE_HASH_PREFIX):
        algorithm = password.split("$", 1)[0] if "$" in password else "unusable"
        rec.note(
            f"password hash ({algorithm}) is not pbkdf2_sha256: PersonaGen cannot verify it, "
            "the user needs a new password"
        )
    is_active = row.get("is_active")
    created_at = rec.time("created_at", row.get("date_joined"), now)
    kept = {key: jsonable(value) for key, value in row.items() if key != "password"}
    return RowPlan(
        legacy_id=legacy_id,
        values={
            "id": new_id,
            "username": clean_text(str(row["username"])),
            "email": email,
            "password_hash": password,
            "is_active": True if is_active is None else bool(is_active),
            "created_at": created_at,
        },
        legacy_row={
            "auth_user": kept,
            "core_author": None if author is None else jsonable(author),
        },
    )
