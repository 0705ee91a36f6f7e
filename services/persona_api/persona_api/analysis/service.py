"""Analysis logic: measure a writing sample now, queue the LLM's judgement as a job.

The measured half (``personagen_shared.stylometry``) takes milliseconds and runs in the
request (in a thread, as it is CPU-bound); the LLM half runs in the worker as a job of kind
``analysis`` whose params are ``{"writing_sample_id", "overwrite", "keep"}``: ``keep`` lists
the traits the user set themselves, which analysis never overwrites.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from personagen_shared.models import Job, JobKind, User, WritingSample
from personagen_shared.settings import Settings
from personagen_shared.stylometry import StylometryResult, analyse_text


async def measure_sample(text: str, settings: Settings) -> StylometryResult:
    """Validate and measure ``text`` off the event loop.

    Raises:
        SampleRejected: more than ``ANALYSIS_MAX_WORDS`` words (413); too short, not text, or
            not English (422), saying why. A plain exception of the stylometry, answered as
            problem+json by the API's error handler (``persona_api.errors``).
    """
    return await run_in_threadpool(
        analyse_text,
        text,
        min_words=settings.analysis_min_words,
        max_words=settings.analysis_max_words,
    )


def add_analysis(
    session: AsyncSession,
    owner: User,
    *,
    text: str,
    measured: StylometryResult,
    persona_id: uuid.UUID | None,
    overwrite: bool = False,
    keep: Iterable[str] = (),
) -> tuple[WritingSample, Job]:
    """Stage the writing sample and its queued analysis job in ``session`` (not committed).

    The caller commits (with the persona, when it creates one) and then enqueues the job.
    """
    sample = WritingSample(
        owner_id=owner.id,
        persona_id=persona_id,
        text=text,
        word_count=measured.word_count,
        metrics=measured.as_dict()["metrics"],
        measured_traits=dict(measured.traits),
    )
    job = Job(
        owner_id=owner.id,
        kind=JobKind.ANALYSIS.value,
        persona_id=persona_id,
        params={
            "writing_sample_id": str(sample.id),
            "overwrite": overwrite,
            "keep": sorted(keep),
        },
    )
    session.add_all([sample, job])
    return sample, job
