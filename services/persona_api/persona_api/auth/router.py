"""``/v1/auth``: register and get a bearer token (OAuth2 password flow)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from persona_api.auth import service
from persona_api.auth.schemas import Token, UserRegister
from persona_api.deps import JsonBody, SessionDep, SettingsDep
from persona_api.errors import Unauthorized, error_responses
from persona_api.security import create_access_token
from persona_api.users.schemas import UserRead

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    dependencies=[JsonBody],
    responses=error_responses(400, 409, 413, 415, 422),
    summary="Create an account",
)
async def register(body: UserRegister, session: SessionDep) -> UserRead:
    """Create a user; the password (8+ characters) is stored only as an argon2 hash."""
    user = await service.register_user(
        session, username=body.username, email=str(body.email), password=body.password
    )
    return UserRead.model_validate(user)


@router.post(
    "/token",
    response_model=Token,
    responses=error_responses(401, 422),
    summary="Get a bearer token (OAuth2 password form)",
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    """Exchange ``username`` and ``password`` (form fields) for a bearer token."""
    user = await service.authenticate(session, username=form.username, password=form.password)
    if user is None:
        raise Unauthorized("Incorrect username or password.")
    access = create_access_token(
        user.id,
        secret_key=settings.secret_key.get_secret_value(),
        algorithm=settings.jwt_algorithm,
        expires_minutes=settings.access_token_expire_minutes,
    )
    return Token(access_token=access.token, expires_in=access.expires_in)
