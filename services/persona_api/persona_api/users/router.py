"""``/v1/users``."""

from __future__ import annotations

from fastapi import APIRouter

from persona_api.deps import CurrentUser
from persona_api.errors import error_responses
from persona_api.users.schemas import UserRead

router = APIRouter(prefix="/v1/users", tags=["users"])


@router.get(
    "/me", response_model=UserRead, responses=error_responses(401), summary="The signed-in user"
)
async def read_me(user: CurrentUser) -> UserRead:
    """The user the bearer token belongs to."""
    return UserRead.model_validate(user)
