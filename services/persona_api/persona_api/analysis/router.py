"""``/v1/analyses`` and ``/v1/personas/{persona_id}/analyses``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from persona_api.analysis import service
from persona_api.analysis.schemas import AnalysisJobRead, AnalysisRequest, PersonaAnalysisRequest
from persona_api.deps import ArqDep, CurrentUser, JsonBody, SessionDep, SettingsDep
from persona_api.errors import error_responses
from persona_api.jobs import service as jobs
from persona_api.personas import service as personas
from personagen_shared.models import Job, User, WritingSample

router = APIRouter(tags=["analyses"], responses=error_responses(401))


async def _accepted(
    session: SessionDep, user: User, sample: WritingSample, job: Job, response: Response
) -> AnalysisJobRead:
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    read = await jobs.get_job(session, user, job.id)
    return AnalysisJobRead(
        **read.model_dump(),
        writing_sample_id=sample.id,
        metrics=sample.metrics,
        measured_traits=sample.measured_traits,
    )


@router.post(
    "/v1/analyses",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AnalysisJobRead,
    dependencies=[JsonBody],
    responses=error_responses(400, 413, 415, 422),
    summary="Analyse a writing sample (measured now, LLM judgement queued)",
)
async def create_analysis(
    body: AnalysisRequest,
    user: CurrentUser,
    session: SessionDep,
    arq: ArqDep,
    settings: SettingsDep,
    response: Response,
) -> AnalysisJobRead:
    """Answer 202 with the measured metrics at once and a job whose ``result``, once
    ``succeeded``, holds ``metrics``, ``traits`` (each with its ``source``) and ``warnings``."""
    measured = await service.measure_sample(body.writing_sample, settings)
    sample, job = service.add_analysis(
        session, user, text=body.writing_sample, measured=measured, persona_id=None
    )
    await session.commit()
    await jobs.queue_job(arq, job, queue_name=settings.arq_queue_name)
    return await _accepted(session, user, sample, job, response)


@router.post(
    "/v1/personas/{persona_id}/analyses",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AnalysisJobRead,
    dependencies=[JsonBody],
    responses=error_responses(400, 404, 413, 415, 422),
    summary="Re-analyse a persona from a new writing sample",
)
async def analyse_persona(
    persona_id: uuid.UUID,
    body: PersonaAnalysisRequest,
    user: CurrentUser,
    session: SessionDep,
    arq: ArqDep,
    settings: SettingsDep,
    response: Response,
) -> AnalysisJobRead:
    """Queue an analysis that fills the persona's null traits (all of them with
    ``overwrite: true``); its name and description are never touched."""
    await personas.get_persona(session, user, persona_id)  # 404 before measuring
    measured = await service.measure_sample(body.writing_sample, settings)
    # Lock the row while the sample and job that refer to it are written, so a concurrent
    # DELETE waits instead of breaking their foreign keys.
    persona = await personas.get_persona(session, user, persona_id, for_update=True)
    sample, job = service.add_analysis(
        session,
        user,
        text=body.writing_sample,
        measured=measured,
        persona_id=persona.id,
        overwrite=body.overwrite,
    )
    await session.flush()
    await personas.mark_analysis(session, persona, job.id)
    await session.commit()
    await jobs.queue_job(arq, job, queue_name=settings.arq_queue_name)
    return await _accepted(session, user, sample, job, response)
