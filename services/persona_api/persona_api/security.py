"""Password hashing (pwdlib: argon2, plus verify-only Django PBKDF2) and access tokens (PyJWT).

Legacy PersonaGen users arrive with Django ``pbkdf2_sha256$<iterations>$<salt>$<b64 hash>``
hashes; :class:`DjangoPBKDF2Hasher` verifies them and reports that they need a rehash, so the
first successful login stores an argon2 hash instead (``PasswordHash.verify_and_update``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

DJANGO_PBKDF2_PREFIX = "pbkdf2_sha256$"


class DjangoPBKDF2Hasher:
    """Verify-only pwdlib hasher for Django's ``pbkdf2_sha256`` format.

    Format (Django ``PBKDF2PasswordHasher``): ``pbkdf2_sha256$<iterations>$<salt>$<base64 of the
    32-byte PBKDF2-HMAC-SHA256 digest>``. New hashes are never made in this format.
    """

    @classmethod
    def identify(cls, hash: str | bytes) -> bool:  # noqa: A002  # pwdlib's protocol names it so
        """True for Django PBKDF2-SHA256 hashes."""
        text = hash.decode() if isinstance(hash, bytes) else hash
        return text.startswith(DJANGO_PBKDF2_PREFIX)

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        """Not supported: legacy hashes are only verified, then replaced."""
        raise NotImplementedError("Django PBKDF2 hashes are verify-only")

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:  # noqa: A002
        """Constant-time check of ``password`` against a Django PBKDF2 hash."""
        text = hash.decode() if isinstance(hash, bytes) else hash
        try:
            _, iterations, salt, expected = text.split("$", 3)
            rounds = int(iterations)
        except ValueError:
            return False
        secret = password.encode() if isinstance(password, str) else password
        digest = hashlib.pbkdf2_hmac("sha256", secret, salt.encode(), rounds)
        return hmac.compare_digest(base64.b64encode(digest).decode().strip(), expected)

    def check_needs_rehash(self, hash: str | bytes) -> bool:  # noqa: A002
        """Always: a legacy hash is replaced by argon2 on the first successful login."""
        return True


password_hasher = PasswordHash((Argon2Hasher(), DjangoPBKDF2Hasher()))
"""Hashes with argon2 (pwdlib defaults); verifies argon2 and legacy Django hashes."""

# A real hash to verify against when the user does not exist, so that unknown usernames
# cost as much time as wrong passwords (no user enumeration by timing).
DUMMY_HASH = password_hasher.hash("dummy-password-for-timing")


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A signed bearer token and its lifetime in seconds."""

    token: str
    expires_in: int


def create_access_token(
    user_id: uuid.UUID, *, secret_key: str, algorithm: str, expires_minutes: int
) -> AccessToken:
    """Sign a JWT with ``sub`` = user id, ``iat``, ``exp`` and ``typ`` = "access"."""
    now = datetime.now(UTC)
    lifetime = timedelta(minutes=expires_minutes)
    claims = {"sub": str(user_id), "iat": now, "exp": now + lifetime, "typ": "access"}
    token = jwt.encode(claims, secret_key, algorithm=algorithm)
    return AccessToken(token, int(lifetime.total_seconds()))


class InvalidToken(Exception):
    """The token is expired, forged, malformed, or not an access token."""


def decode_access_token(token: str, *, secret_key: str, algorithm: str) -> uuid.UUID:
    """Return the user id of a valid access token; raise :class:`InvalidToken` otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[algorithm],
            options={"require": ["sub", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("token expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken("invalid token") from exc
    if claims.get("typ") != "access":
        raise InvalidToken("invalid token")
    try:
        return uuid.UUID(str(claims["sub"]))
    except ValueError as exc:
        raise InvalidToken("invalid token") from exc
