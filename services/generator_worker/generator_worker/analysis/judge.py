"""Ask the LLM for the judged traits: mode fallback and one repair round around an injected call.

No I/O of its own: the caller passes ``complete(messages, response_format) -> reply text``,
a coroutine wrapping its OpenAI-compatible client (retries included). When the server
refuses the ``response_format`` (an HTTP 400-type error, see
:func:`is_unsupported_response_format`), ``complete`` raises :class:`ResponseFormatRejectedError`
and :func:`judge_traits` tries the next mode.

Modes (setting ``ANALYSIS_OUTPUT_MODE``): ``json_schema``, ``json_object`` and ``text`` are
used alone; ``auto`` tries them in that order (:func:`mode_sequence`), falling back only when
the server rejects the format, never on a bad reply. A reply without a JSON object gets one
repair round in the same mode; if that fails too, the job fails with
:class:`AnalysisReplyError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from generator_worker.analysis.extract import NoJSONObjectError, extract_json_object
from generator_worker.analysis.prompts import (
    DEFAULT_MAX_SAMPLE_WORDS,
    Message,
    build_messages,
    build_repair_messages,
    response_format,
)
from generator_worker.analysis.schema import build_trait_schema, select_traits
from generator_worker.errors import JobFailure
from personagen_shared.settings import StructuredOutputMode

Complete = Callable[[list[Message], dict[str, Any] | None], Awaitable[str]]
"""``await complete(messages, response_format)`` -> the reply's text."""

AUTO_SEQUENCE: Final = (
    StructuredOutputMode.JSON_SCHEMA,
    StructuredOutputMode.JSON_OBJECT,
    StructuredOutputMode.TEXT,
)
"""What ``auto`` tries, most constrained first."""

UNSUPPORTED_FORMAT_STATUSES: Final = frozenset({400, 422, 501})
"""Statuses with which servers refuse a request field they do not support (OpenAI and vLLM
400, some proxies 422 for schema validation of the request, 501 Not Implemented)."""

UNSUPPORTED_FORMAT_HINTS: Final = (
    "response_format",
    "json_schema",
    "json_object",
    "schema",
    "grammar",
    "not supported",
    "unsupported",
)
"""Words of an error message that point at the output format rather than the rest of the
request (when the caller has the message; the worker's errors keep only the status)."""


class ResponseFormatRejectedError(Exception):
    """Raised by a :data:`Complete` when the server refused the ``response_format``."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.message = message


class AnalysisReplyError(JobFailure):
    """The LLM gave no usable JSON object; ``str(exc)`` is safe for ``jobs.error``."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """The LLM's trait document and how it was obtained.

    ``document`` is the raw JSON object (untrusted: merge it with
    :func:`~generator_worker.analysis.merge.merge_traits`), ``mode`` the output mode that
    produced it, ``repaired`` whether the repair round was needed, ``rejected_modes`` the modes
    the server refused first.
    """

    document: dict[str, Any]
    mode: StructuredOutputMode
    repaired: bool = False
    rejected_modes: tuple[StructuredOutputMode, ...] = ()


def mode_sequence(setting: StructuredOutputMode | str) -> tuple[StructuredOutputMode, ...]:
    """The output modes to try for the ``ANALYSIS_OUTPUT_MODE`` ``setting``, in order.

    ``auto`` -> ``(json_schema, json_object, text)``; any other mode -> that mode alone.

    Raises:
        ValueError: ``setting`` is not a mode.
    """
    mode = StructuredOutputMode(setting)
    return AUTO_SEQUENCE if mode is StructuredOutputMode.AUTO else (mode,)


def is_unsupported_response_format(status: int | None, message: str | None = None) -> bool:
    """Whether an error answer means "this server does not support this response_format".

    True for a status in :data:`UNSUPPORTED_FORMAT_STATUSES` when there is no message to read,
    or when the message mentions the format (:data:`UNSUPPORTED_FORMAT_HINTS`). A 400 about
    something else (a context overflow, say) is not a reason to change modes. If a bare 400
    had another cause, the next modes fail the same way and the last error is reported.
    A 500 counts only with a message naming the format: llama-cpp-python's server (0.3.x)
    answers a ``response_format`` it cannot parse (``json_schema``) with HTTP 500 and a
    validation message, seen in tests/e2e/test_local_model.py.
    """
    mentions_format = bool(message) and any(
        hint in (message or "").lower() for hint in UNSUPPORTED_FORMAT_HINTS
    )
    if status == 500:
        return mentions_format
    if status not in UNSUPPORTED_FORMAT_STATUSES:
        return False
    return not message or mentions_format


async def judge_traits(
    complete: Complete,
    sample: str,
    *,
    mode: StructuredOutputMode | str = StructuredOutputMode.AUTO,
    exclude: Iterable[str] = (),
    max_sample_words: int = DEFAULT_MAX_SAMPLE_WORDS,
    known_refused: Collection[StructuredOutputMode] = (),
) -> Judgement:
    """Ask the LLM to judge the traits of ``sample``'s author.

    Args:
        complete: the injected call (see :data:`Complete`); exceptions other than
            :class:`ResponseFormatRejectedError` propagate unchanged (e.g. the worker's
            ``LLMCallError``).
        sample: the writing sample.
        mode: ``ANALYSIS_OUTPUT_MODE`` (``auto`` falls back through the modes).
        exclude: traits not to ask for (pass the measured ones to keep the prompt short).
        max_sample_words: the sample is cut after this many words.
        known_refused: modes this server already refused (the worker remembers them per
            process), skipped under ``auto`` unless that would leave none.

    Returns:
        The :class:`Judgement` (raw document, mode used, whether repaired).

    Raises:
        AnalysisReplyError: no JSON object even after the repair round, or the server
            refused every mode tried.
    """
    traits = select_traits(exclude)
    schema = build_trait_schema(traits)
    rejected: list[StructuredOutputMode] = []
    sequence = mode_sequence(mode)
    remaining = tuple(m for m in sequence if m not in known_refused)
    for current in remaining or sequence:
        messages = build_messages(
            sample, traits=traits, mode=current, schema=schema, max_sample_words=max_sample_words
        )
        fmt = response_format(current, schema)
        try:
            reply = await complete(messages, fmt)
        except ResponseFormatRejectedError:
            rejected.append(current)
            continue
        return await _read_or_repair(complete, messages, fmt, reply, current, tuple(rejected))
    tried = ", ".join(m.value for m in rejected)
    raise AnalysisReplyError(
        f"the LLM server refused every structured-output mode tried ({tried}); "
        "set ANALYSIS_OUTPUT_MODE=text"
    )


async def _read_or_repair(
    complete: Complete,
    messages: Sequence[Message],
    fmt: dict[str, Any] | None,
    reply: str,
    mode: StructuredOutputMode,
    rejected: tuple[StructuredOutputMode, ...],
) -> Judgement:
    try:
        return Judgement(extract_json_object(reply), mode, False, rejected)
    except NoJSONObjectError as first:
        repair = build_repair_messages(messages, reply, str(first))
    try:
        second_reply = await complete(repair, fmt)
    except ResponseFormatRejectedError:
        raise AnalysisReplyError(
            f"the LLM server refused the {mode.value} output mode on the repair request"
        ) from None
    try:
        return Judgement(extract_json_object(second_reply), mode, True, rejected)
    except NoJSONObjectError as second:
        raise AnalysisReplyError(
            f"the LLM's reply was not a JSON object, even after one repair request ({second})"
        ) from None
