"""The arq task of a generation job: ``run_generation(ctx, job_id: str)``.

One run: claim the row (:func:`generator_worker.store.claim`; a row that is not
``queued``/``running``, or that a live worker runs, is skipped without a write), build the
prompt from the persona's columns, call the LLM (each try counted in ``attempts`` as it
starts), split the reply, and write the content piece and ``succeeded`` in one transaction.
Any failure ends the row ``failed`` with a short safe message; a cancel (the API's
conditional UPDATE, then arq's abort) ends the run without a write. The whole run has its own
deadline, ``WORKER_JOB_TIMEOUT_SECONDS``, shorter than arq's, so a timeout is recorded as a
failure by us rather than left to arq.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Final

import structlog

from generator_worker import llm, store
from generator_worker.errors import JobCancelled, JobFailure, safe_error
from generator_worker.prompts import build_prompt
from generator_worker.replies import split_reply
from generator_worker.runtime import WorkerState

log = structlog.get_logger("generator_worker.tasks")

ARQ_TIMEOUT_GRACE_SECONDS: Final = 30
"""arq's own job timeout is ours plus this: our deadline fires first and records the failure."""


def _params(claimed: store.Claim) -> tuple[str, int | None, float | None]:
    """``(prompt, max_tokens, temperature)`` from the job's params, checked (the API validated
    them; a row written otherwise must still fail cleanly)."""
    params = claimed.params
    prompt = params.get("prompt")
    max_tokens = params.get("max_tokens")
    temperature = params.get("temperature")
    if not isinstance(prompt, str) or not prompt.strip():
        raise JobFailure("the job has no prompt")
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise JobFailure("the job's max_tokens is not a positive integer")
    if temperature is not None and (
        isinstance(temperature, bool) or not isinstance(temperature, int | float)
    ):
        raise JobFailure("the job's temperature is not a number")
    return prompt, max_tokens, None if temperature is None else float(temperature)


async def count_attempt(state: WorkerState, job_id: uuid.UUID, attempt: int) -> None:
    """Count try ``attempt`` of an LLM call in the job row; raises :class:`JobCancelled` when
    the row is no longer this run's (cancelled, or taken over by another worker)."""
    if await store.count_attempt(state.db, job_id, worker_id=state.worker_id) is None:
        raise JobCancelled
    if attempt > 1:
        log.info("llm.retrying", attempt=attempt)


async def _generate(state: WorkerState, claimed: store.Claim) -> dict[str, Any] | None:
    """Prompt, LLM, split, write. Returns what to log, or None if the row was no longer ours."""
    settings = state.settings
    prompt_text, max_tokens, temperature = _params(claimed)
    try:
        prompt = build_prompt(claimed.persona, prompt_text)
    except ValueError:
        raise JobFailure("the persona or the prompt cannot be made into a prompt") from None
    reply = await llm.generate(
        state.llm,
        model=settings.llm_model,
        prompt=prompt,
        policy=state.policy,
        on_attempt=partial(count_attempt, state, claimed.job_id),
        timeout_seconds=settings.llm_timeout_seconds,
        max_tokens=max_tokens,
        temperature=temperature,
    )
    split = split_reply(reply.text)
    piece = store.Piece(
        title=split.title,
        content=split.body,
        model=reply.model or settings.llm_model,
        prompt=prompt,
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
        total_tokens=reply.total_tokens,
    )
    piece_id = await store.succeed(state.db, claimed, piece, worker_id=state.worker_id)
    return None if piece_id is None else {"content_piece_id": str(piece_id)}


async def _fail(state: WorkerState, job_id: uuid.UUID, message: str) -> bool:
    """Record the failure; False when the row was no longer this run's (e.g. cancelled)."""
    return await store.fail(state.db, job_id, worker_id=state.worker_id, error=message)


async def _within_deadline(
    run: Awaitable[dict[str, Any] | None], state: WorkerState
) -> dict[str, Any] | None:
    """Run the whole of a job's work (reads, LLM calls, the final write) under one deadline,
    ``WORKER_JOB_TIMEOUT_SECONDS``, shorter than arq's own: a run that overruns fails with a
    clear message instead of being cancelled by arq and put back in the queue."""
    deadline = state.settings.worker_job_timeout_seconds
    try:
        async with asyncio.timeout(deadline) as scope:
            return await run
    except TimeoutError:
        if not scope.expired():
            raise
        raise JobFailure(f"the job took longer than {deadline} s and was stopped") from None


Work = Callable[[WorkerState, store.Claim], Awaitable[dict[str, Any] | None]]
"""A job kind's work on a claimed row: returns what to log on success, or None when the row
was no longer this run's at the final write (cancelled meanwhile)."""


async def run_job(
    ctx: dict[str, Any], job_id: str, *, kind: str, work: Work, require_persona: bool
) -> str:
    """The life of one job run, whatever its kind: claim, work, record the outcome.

    Logs ``<kind>.started`` / ``.completed`` / ``.failed`` / ``.cancelled`` / ``.skipped`` with
    the job id bound. Returns what happened (``succeeded``, ``failed``, ``cancelled`` or a skip
    reason) for arq's log; the row in PostgreSQL is the record. Re-raises ``CancelledError``
    (worker shutdown or arq's abort) after giving a still-owned job back to the queue.
    """
    state: WorkerState = ctx["state"]
    with structlog.contextvars.bound_contextvars(job_id=job_id, job_try=ctx.get("job_try")):
        try:
            row_id = uuid.UUID(job_id)
        except (ValueError, TypeError, AttributeError):
            log.error(f"{kind}.invalid_job_id")
            return "invalid"
        claimed = await store.claim(
            state.db,
            row_id,
            worker_id=state.worker_id,
            heartbeat_ttl_seconds=state.settings.worker_heartbeat_ttl_seconds,
            local_jobs=state.running,
            require_persona=require_persona,
        )
        if isinstance(claimed, store.Skip):
            log.info(f"{kind}.skipped", reason=claimed.reason.value, status=claimed.status)
            return claimed.reason.value
        state.running.add(row_id)
        started = time.perf_counter()
        log.info(f"{kind}.started", persona_id=str(claimed.persona_id))
        try:
            outcome = await _within_deadline(work(state, claimed), state)
        except JobCancelled:
            log.info(f"{kind}.cancelled", during="run")
            return "cancelled"
        except JobFailure as exc:
            message = safe_error(str(exc), state.secrets)
            recorded = await _fail(state, row_id, message)
            log.warning(
                f"{kind}.failed",
                error=message,
                recorded=recorded,
                cause=getattr(exc, "cause", None) or type(exc).__name__,
                status=getattr(exc, "status", None),
                seconds=round(time.perf_counter() - started, 3),
            )
            return "failed"
        except asyncio.CancelledError:
            # Shutdown (or the API's abort, which already set the row 'cancelled': then this
            # conditional update changes nothing). Shielded: it must finish though we are
            # being cancelled.
            released = await asyncio.shield(
                store.release(state.db, row_id, worker_id=state.worker_id)
            )
            log.info(f"{kind}.interrupted", requeued=released)
            raise
        except Exception as exc:
            # A bug or an outage (database, Redis). The row says only what kind; the log has
            # the trace (our own code's, no LLM text: LLM errors never chain their cause).
            log.exception(f"{kind}.crashed")
            await _fail(state, row_id, f"internal error in the worker ({type(exc).__name__})")
            return "failed"
        finally:
            state.running.discard(row_id)
        if outcome is None:
            log.info(f"{kind}.cancelled", during="commit")
            return "cancelled"
        log.info(f"{kind}.completed", seconds=round(time.perf_counter() - started, 3), **outcome)
        return "succeeded"


async def run_generation(ctx: dict[str, Any], job_id: str) -> str:
    """arq task: run generation job ``job_id`` (the ``jobs`` row id as a string); see
    :func:`run_job`."""
    return await run_job(ctx, job_id, kind="generation", work=_generate, require_persona=True)
