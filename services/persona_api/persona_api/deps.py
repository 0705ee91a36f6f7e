"""FastAPI dependencies as ``Annotated`` aliases: ``SettingsDep``, ``SessionDep``, ``CurrentUser``…

The engine, session factory and arq pool live on ``app.state`` (made in the lifespan).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from arq.connections import ArqRedis
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from persona_api.errors import Unauthorized, UnsupportedMediaType
from persona_api.security import InvalidToken, decode_access_token
from personagen_shared.models import User
from personagen_shared.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; rolled back if the handler raised, always closed."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def get_arq(request: Request) -> ArqRedis:
    """The arq Redis pool (enqueueing jobs)."""
    return request.app.state.arq


ArqDep = Annotated[ArqRedis, Depends(get_arq)]


async def get_current_user(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    """The active user named by the bearer token.

    Raises:
        Unauthorized: no token, an expired or forged one, or a deleted / inactive user.
    """
    if not token:
        raise Unauthorized("Not authenticated: send `Authorization: Bearer <token>`.")
    try:
        user_id = decode_access_token(
            token,
            secret_key=settings.secret_key.get_secret_value(),
            algorithm=settings.jwt_algorithm,
        )
    except InvalidToken as exc:
        raise Unauthorized(f"Could not validate credentials: {exc}.") from None
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise Unauthorized("Could not validate credentials: unknown or inactive user.")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def require_json_body(request: Request) -> None:
    """Refuse bodies that are not JSON with 415 (instead of a confusing 422)."""
    if request.method not in {"POST", "PUT", "PATCH"}:
        return
    has_body = (
        request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    )
    if not has_body:
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType(
            f"Send the body as application/json (got {media_type or 'no content type'})."
        )


JsonBody = Depends(require_json_body)
