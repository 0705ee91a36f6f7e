"""The arq task of an analysis job: ``run_analysis(ctx, job_id: str)``.

The API measured the writing sample and stored it (``writing_samples``) with the job's params
``{"writing_sample_id", "overwrite", "keep"}``. This task asks the LLM to judge the traits no
counter can see (structured output, falling back through the modes, one repair round), merges
them with the measured ones (measured wins; one normalisation, see :func:`merge_traits`), and
in one transaction records the result on the job and fills the persona, if the job has one:
only null traits (every trait with ``overwrite``), never those in ``keep``, never the name or
description.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from generator_worker import llm, store
from generator_worker.analysis.judge import (
    Judgement,
    ResponseFormatRejectedError,
    is_unsupported_response_format,
    judge_traits,
)
from generator_worker.analysis.merge import merge_traits
from generator_worker.errors import JobFailure
from generator_worker.replies import UnusableReplyError
from generator_worker.runtime import WorkerState
from generator_worker.tasks import count_attempt, run_job

SAMPLE_GONE = "the writing sample of this job no longer exists"


def _params(claimed: store.Claim) -> tuple[uuid.UUID, bool, frozenset[str]]:
    params = claimed.params
    try:
        sample_id = uuid.UUID(str(params["writing_sample_id"]))
    except (KeyError, ValueError):
        raise JobFailure("the job names no writing sample") from None
    keep = params.get("keep") or []
    if not isinstance(keep, list) or not all(isinstance(name, str) for name in keep):
        raise JobFailure("the job's keep list is not a list of trait names")
    return sample_id, bool(params.get("overwrite", False)), frozenset(keep)


async def _complete(
    state: WorkerState,
    claimed: store.Claim,
    messages: list[dict[str, str]],
    response_format: dict[str, Any] | None,
) -> str:
    """One structured-output request (retried per the policy, each try counted in attempts).

    A server that refuses the ``response_format`` (see ``is_unsupported_response_format``)
    raises :class:`ResponseFormatRejectedError` at once, without retries, so the judge tries
    the next mode; an empty reply is
    returned as "" so the judge's repair round handles it.
    """

    def refused(exc: BaseException) -> bool:
        status = getattr(exc, "status_code", None)
        return response_format is not None and is_unsupported_response_format(
            status, llm.server_message(exc)
        )

    try:
        reply = await llm.chat(
            state.llm,
            model=state.settings.llm_model,
            messages=messages,
            response_format=response_format,
            policy=state.policy,
            on_attempt=partial(count_attempt, state, claimed.job_id),
            timeout_seconds=state.settings.llm_timeout_seconds,
            temperature=0.0,
            give_up=refused,  # a refused format is not retried: the next mode is tried
        )
    except llm.LLMCallError as exc:
        if (
            response_format is not None
            and exc.status is not None
            and is_unsupported_response_format(exc.status, exc.server_message)
        ):
            raise ResponseFormatRejectedError(exc.status) from None
        raise
    except UnusableReplyError:
        return ""
    return reply.text


async def _analyse(state: WorkerState, claimed: store.Claim) -> dict[str, Any] | None:
    settings = state.settings
    sample_id, overwrite, keep = _params(claimed)
    sample = await store.load_sample(state.db, sample_id, owner_id=claimed.owner_id)
    if sample is None:
        raise JobFailure(SAMPLE_GONE)
    judgement: Judgement = await judge_traits(
        partial(_complete, state, claimed),
        sample.text,
        mode=settings.analysis_output_mode,
        exclude=sample.measured_traits.keys(),
        known_refused=state.refused_output_modes,
    )
    # Remember what this server refused, so later jobs do not ask again.
    state.refused_output_modes.update(judgement.rejected_modes)
    outcome = merge_traits(sample.measured_traits, judgement.document)
    result = {
        "writing_sample_id": str(sample_id),
        "metrics": dict(sample.metrics),
        **outcome.as_dict(),
        "output_mode": judgement.mode.value,
        "repaired": judgement.repaired,
    }
    written = await store.succeed_analysis(
        state.db,
        claimed,
        result,
        outcome.values,
        overwrite=overwrite,
        keep=keep,
        worker_id=state.worker_id,
    )
    if not written:
        return None
    return {"traits": len(outcome.traits), "warnings": len(outcome.warnings)}


async def run_analysis(ctx: dict[str, Any], job_id: str) -> str:
    """arq task: run analysis job ``job_id`` (the ``jobs`` row id as a string); see
    :func:`generator_worker.tasks.run_job`."""
    return await run_job(ctx, job_id, kind="analysis", work=_analyse, require_persona=False)
