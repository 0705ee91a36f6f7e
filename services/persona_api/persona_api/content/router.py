"""``/v1/content``: read, edit, delete and list content pieces."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from persona_api.content import service
from persona_api.content.schemas import ContentListParams, ContentRead, ContentUpdate
from persona_api.deps import CurrentUser, JsonBody, SessionDep
from persona_api.errors import error_responses
from persona_api.pagination import Page

router = APIRouter(prefix="/v1/content", tags=["content"], responses=error_responses(401))


@router.get(
    "",
    response_model=Page[ContentRead],
    responses=error_responses(400, 422),
    summary="List content pieces",
)
async def list_content(
    params: Annotated[ContentListParams, Query()], user: CurrentUser, session: SessionDep
) -> Page[ContentRead]:
    """Your content pieces, newest first, filtered by ``persona_id`` and ``status``."""
    rows, next_cursor = await service.list_content(
        session,
        user,
        limit=params.limit,
        cursor=params.cursor,
        persona_id=params.persona_id,
        status=params.status,
    )
    return Page[ContentRead](
        items=[ContentRead.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.get(
    "/{content_id}",
    response_model=ContentRead,
    responses=error_responses(404, 422),
    summary="Read a content piece",
)
async def read_content(
    content_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> ContentRead:
    """One content piece."""
    return ContentRead.model_validate(await service.get_content(session, user, content_id))


@router.patch(
    "/{content_id}",
    response_model=ContentRead,
    dependencies=[JsonBody],
    responses=error_responses(400, 404, 413, 415, 422),
    summary="Edit a content piece",
)
async def update_content(
    content_id: uuid.UUID, body: ContentUpdate, user: CurrentUser, session: SessionDep
) -> ContentRead:
    """Edit title, content, status or tags; ``published_at`` is set when first published."""
    piece = await service.update_content(
        session, user, content_id, body.model_dump(exclude_unset=True)
    )
    return ContentRead.model_validate(piece)


@router.delete(
    "/{content_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 422),
    summary="Delete a content piece",
)
async def delete_content(content_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    """Delete it."""
    await service.delete_content(session, user, content_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
