"""Account logic: create users, check passwords (rehashing legacy hashes on login)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from persona_api.errors import Conflict
from persona_api.security import DUMMY_HASH, password_hasher
from persona_api.validation import is_encodable
from personagen_shared.models import User


async def register_user(session: AsyncSession, *, username: str, email: str, password: str) -> User:
    """Insert a user with an argon2 password hash.

    Raises:
        Conflict: the username or email is taken (compared ignoring case).
    """
    user = User(
        username=username, email=email.lower(), password_hash=password_hasher.hash(password)
    )
    session.add(user)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        field = "username" if "username" in str(exc.orig) else "email"
        raise Conflict(f"A user with this {field} already exists.") from None
    return user


def _usable(text: str) -> bool:
    # The token form is not a pydantic model: a NUL or a lone surrogate would otherwise reach
    # PostgreSQL or the hasher and fail there.
    return "\x00" not in text and is_encodable(text)


async def authenticate(session: AsyncSession, *, username: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    Unknown users cost one hash verification too (no enumeration by timing). A legacy Django
    hash that verifies is replaced by an argon2 hash in the same request.
    """
    if not _usable(username) or not _usable(password):
        password_hasher.verify("dummy-password-for-timing", DUMMY_HASH)
        return None
    user: User | None = await session.scalar(
        select(User).where(func.lower(col(User.username)) == username.lower())
    )
    if user is None:
        password_hasher.verify(password, DUMMY_HASH)
        return None
    valid, new_hash = password_hasher.verify_and_update(password, user.password_hash)
    if not valid or not user.is_active:
        return None
    if new_hash is not None:
        user.password_hash = new_hash
        await session.commit()
    return user
