"""``/v1/personas``: create, read, update, delete and list personas."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from persona_api.analysis import service as analysis
from persona_api.deps import ArqDep, CurrentUser, JsonBody, SessionDep, SettingsDep
from persona_api.errors import error_responses
from persona_api.etags import etag, matches_if_none_match, parse_if_match
from persona_api.jobs.service import queue_job
from persona_api.pagination import Page
from persona_api.personas import service
from persona_api.personas.filters import PersonaListParams
from persona_api.personas.schemas import PersonaCreate, PersonaRead, PersonaUpdate
from personagen_shared.traits import TRAIT_NAMES

router = APIRouter(prefix="/v1/personas", tags=["personas"], responses=error_responses(401))

IfMatch = Annotated[
    str | None,
    Header(description='Update only if the persona still has this ETag (e.g. `"3"`); else 412.'),
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonaRead,
    dependencies=[JsonBody],
    responses=error_responses(400, 413, 415, 422),
    summary="Create a persona",
)
async def create_persona(
    body: PersonaCreate,
    user: CurrentUser,
    session: SessionDep,
    arq: ArqDep,
    settings: SettingsDep,
    response: Response,
) -> PersonaRead:
    """Create a persona; answers 201 with ``Location`` and ``ETag``.

    With a ``writing_sample``, ``analysis_job_id`` names the job that fills the other traits
    (poll ``/v1/jobs/{id}``); a sample that cannot be analysed is a 422/413 and creates nothing.
    """
    sample = body.writing_sample
    measured = None if sample is None else await analysis.measure_sample(sample, settings)
    persona = service.new_persona(session, user, body.model_dump(exclude={"writing_sample"}))
    job = None
    if sample is not None and measured is not None:
        await session.flush()  # the persona row first: the sample and job refer to it
        _, job = analysis.add_analysis(
            session,
            user,
            text=sample,
            measured=measured,
            persona_id=persona.id,
            # Traits the user gave a value; one sent as null is unknown, for analysis to fill.
            keep={name for name in TRAIT_NAMES if getattr(body, name) is not None},
        )
        persona.analysis_job_id = job.id
    await session.commit()
    if job is not None:
        await queue_job(arq, job, queue_name=settings.arq_queue_name)
    response.headers["Location"] = f"/v1/personas/{persona.id}"
    response.headers["ETag"] = etag(persona.version)
    return PersonaRead.model_validate(persona)


@router.get(
    "",
    response_model=Page[PersonaRead],
    responses=error_responses(400, 422),
    summary="List personas",
)
async def list_personas(
    params: Annotated[PersonaListParams, Query()],
    user: CurrentUser,
    session: SessionDep,
) -> Page[PersonaRead]:
    """Your personas, one keyset page at a time (see the parameters for filters and order)."""
    rows, next_cursor = await service.list_personas(session, user, params)
    return Page[PersonaRead](
        items=[PersonaRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


@router.get(
    "/{persona_id}",
    response_model=PersonaRead,
    responses={**error_responses(404, 422), 304: {"description": "Not Modified"}},
    summary="Read a persona",
)
async def read_persona(
    persona_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    response: Response,
    if_none_match: Annotated[str | None, Header()] = None,
) -> PersonaRead | Response:
    """One persona, with its ``ETag``; ``If-None-Match`` with the current ETag gives 304."""
    persona = await service.get_persona(session, user, persona_id)
    tag = etag(persona.version)
    if matches_if_none_match(if_none_match, persona.version):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return PersonaRead.model_validate(persona)


@router.patch(
    "/{persona_id}",
    response_model=PersonaRead,
    dependencies=[JsonBody],
    responses=error_responses(400, 404, 412, 413, 415, 422),
    summary="Change some fields of a persona",
)
async def update_persona(
    persona_id: uuid.UUID,
    body: PersonaUpdate,
    user: CurrentUser,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> PersonaRead:
    """Change only the fields sent (null clears a trait); ``If-Match`` prevents lost updates."""
    persona = await service.update_persona(
        session,
        user,
        persona_id,
        body.model_dump(exclude_unset=True),
        expected_versions=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(persona.version)
    return PersonaRead.model_validate(persona)


@router.delete(
    "/{persona_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 412, 422),
    summary="Delete a persona",
)
async def delete_persona(
    persona_id: uuid.UUID, user: CurrentUser, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """Delete it; its content pieces stay (their persona link becomes null)."""
    await service.delete_persona(
        session, user, persona_id, expected_versions=parse_if_match(if_match)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
