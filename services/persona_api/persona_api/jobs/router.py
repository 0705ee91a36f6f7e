"""``/v1/jobs`` and ``POST /v1/personas/{persona_id}/generations``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from persona_api.deps import ArqDep, CurrentUser, JsonBody, SessionDep, SettingsDep
from persona_api.errors import error_responses
from persona_api.jobs import service
from persona_api.jobs.schemas import GenerationRequest, JobListParams, JobRead
from persona_api.pagination import Page
from persona_api.personas import service as personas
from personagen_shared.models import JobKind

router = APIRouter(tags=["jobs"], responses=error_responses(401))

IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=255,
        description="Retrying a POST with the same key returns the first job instead of a new one.",
    ),
]


@router.post(
    "/v1/personas/{persona_id}/generations",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobRead,
    dependencies=[JsonBody],
    responses=error_responses(400, 404, 409, 413, 415, 422),
    summary="Write a piece in a persona's voice (queued job)",
)
async def create_generation(
    persona_id: uuid.UUID,
    body: GenerationRequest,
    user: CurrentUser,
    session: SessionDep,
    arq: ArqDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> JobRead:
    """Queue a generation job and answer 202 with it and ``Location: /v1/jobs/{id}``.

    The job row is committed before it is enqueued (with its id as arq's job id), so the worker
    always finds it and never runs it twice.
    """
    await personas.get_persona(session, user, persona_id)
    job, created = await service.create_job(
        session,
        user,
        kind=JobKind.GENERATION,
        persona_id=persona_id,
        params=body.model_dump(),
        idempotency_key=idempotency_key,
    )
    if created:
        await service.queue_job(arq, job, queue_name=settings.arq_queue_name)
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return await service.get_job(session, user, job.id)


@router.get(
    "/v1/jobs",
    response_model=Page[JobRead],
    responses=error_responses(400, 422),
    summary="List your jobs",
)
async def list_jobs(
    params: Annotated[JobListParams, Query()], user: CurrentUser, session: SessionDep
) -> Page[JobRead]:
    """Your jobs, newest first, filtered by ``status`` and ``kind``."""
    items, next_cursor = await service.list_jobs(
        session,
        user,
        limit=params.limit,
        cursor=params.cursor,
        status=params.status,
        kind=params.kind,
    )
    return Page[JobRead](items=items, next_cursor=next_cursor)


@router.get(
    "/v1/jobs/{job_id}",
    response_model=JobRead,
    responses=error_responses(404, 422),
    summary="Poll a job",
)
async def read_job(job_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> JobRead:
    """Status, attempts, timestamps, error, and the content piece once succeeded."""
    return await service.get_job(session, user, job_id)


@router.post(
    "/v1/jobs/{job_id}/cancel",
    response_model=JobRead,
    responses=error_responses(404, 409, 422),
    summary="Cancel a queued or running job",
)
async def cancel_job(
    job_id: uuid.UUID, user: CurrentUser, session: SessionDep, arq: ArqDep, settings: SettingsDep
) -> JobRead:
    """Queued: never runs. Running: stops, ends `cancelled`. Finished: 409."""
    return await service.cancel_job(session, arq, user, job_id, queue_name=settings.arq_queue_name)
