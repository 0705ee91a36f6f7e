"""Output-mode fallback and the repair round, around an injected completion function.

These are unit tests of pure orchestration: ``complete`` is a plain coroutine written here
(no SDK is patched); the HTTP path with an OpenAI-compatible stand-in server is tested where
the worker wires this in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from generator_worker.analysis.judge import (
    AUTO_SEQUENCE,
    AnalysisReplyError,
    ResponseFormatRejectedError,
    is_unsupported_response_format,
    judge_traits,
    mode_sequence,
)
from generator_worker.analysis.prompts import Message
from generator_worker.errors import JobFailure
from personagen_shared.settings import StructuredOutputMode as Mode

SAMPLE = "I write plain notes about the weather, the garden and the neighbours. " * 8
GOOD = json.dumps({"tone": "plain", "extraversion": 4})


class FakeLLM:
    """Answers from a script; refuses the ``response_format`` types listed in ``refuse``."""

    def __init__(self, replies: Sequence[str], refuse: Sequence[str] = ()) -> None:
        self.replies = list(replies)
        self.refuse = set(refuse)
        self.calls: list[tuple[list[Message], dict[str, Any] | None]] = []

    async def __call__(self, messages: list[Message], fmt: dict[str, Any] | None) -> str:
        self.calls.append((messages, fmt))
        if fmt is not None and fmt["type"] in self.refuse:
            raise ResponseFormatRejectedError(400, f"response_format {fmt['type']} unsupported")
        return self.replies.pop(0)

    @property
    def formats(self) -> list[str | None]:
        return [fmt["type"] if fmt else None for _, fmt in self.calls]


def test_mode_sequence() -> None:
    assert (
        mode_sequence(Mode.AUTO)
        == AUTO_SEQUENCE
        == (
            Mode.JSON_SCHEMA,
            Mode.JSON_OBJECT,
            Mode.TEXT,
        )
    )
    assert mode_sequence("auto") == AUTO_SEQUENCE
    for mode in (Mode.JSON_SCHEMA, Mode.JSON_OBJECT, Mode.TEXT):
        assert mode_sequence(mode) == (mode,)
        assert mode_sequence(mode.value) == (mode,)
    with pytest.raises(ValueError, match="xml"):
        mode_sequence("xml")


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (400, None, True),
        (400, "", True),
        (422, None, True),
        (501, None, True),
        (400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported", True),
        (400, "Unsupported value: json_object", True),
        (400, "This model's maximum context length is 8192 tokens", False),
        (401, None, False),
        (429, "response_format", False),
        (500, None, False),
        (500, "internal error", False),
        # llama-cpp-python's server: a request validation error answered as 500
        (500, "Input should be 'text' or 'json_object' (input: 'json_schema')", True),
        (None, None, False),
    ],
)
def test_is_unsupported_response_format(
    status: int | None, message: str | None, expected: bool
) -> None:
    assert is_unsupported_response_format(status, message) is expected


async def test_json_schema_first_when_supported() -> None:
    llm = FakeLLM([GOOD])
    judgement = await judge_traits(llm, SAMPLE)
    assert judgement.document == {"tone": "plain", "extraversion": 4}
    assert judgement.mode is Mode.JSON_SCHEMA
    assert not judgement.repaired
    assert judgement.rejected_modes == ()
    assert llm.formats == ["json_schema"]


async def test_falls_back_to_json_object_then_text() -> None:
    llm = FakeLLM([GOOD], refuse=["json_schema"])
    judgement = await judge_traits(llm, SAMPLE)
    assert judgement.mode is Mode.JSON_OBJECT
    assert judgement.rejected_modes == (Mode.JSON_SCHEMA,)
    assert llm.formats == ["json_schema", "json_object"]

    llm = FakeLLM(["Here you go: " + GOOD], refuse=["json_schema", "json_object"])
    judgement = await judge_traits(llm, SAMPLE)
    assert judgement.mode is Mode.TEXT
    assert judgement.document["tone"] == "plain"
    assert llm.formats == ["json_schema", "json_object", None]
    text_prompt = llm.calls[-1][0][0]["content"]
    assert "JSON Schema" in text_prompt


async def test_a_fixed_mode_does_not_fall_back() -> None:
    llm = FakeLLM([GOOD], refuse=["json_schema"])
    with pytest.raises(AnalysisReplyError, match="refused every structured-output mode"):
        await judge_traits(llm, SAMPLE, mode=Mode.JSON_SCHEMA)
    assert llm.formats == ["json_schema"]
    llm = FakeLLM([GOOD])
    assert (await judge_traits(llm, SAMPLE, mode="text")).mode is Mode.TEXT
    assert llm.formats == [None]


async def test_repair_round_after_a_reply_without_json() -> None:
    llm = FakeLLM(["The author is calm and plain-spoken.", "```json\n" + GOOD + "\n```"])
    judgement = await judge_traits(llm, SAMPLE, mode=Mode.TEXT)
    assert judgement.repaired
    assert judgement.document == {"tone": "plain", "extraversion": 4}
    repair_messages = llm.calls[1][0]
    assert [m["role"] for m in repair_messages] == ["user", "assistant", "user"]
    assert repair_messages[1]["content"] == "The author is calm and plain-spoken."
    assert "no JSON object" in repair_messages[2]["content"]
    assert llm.formats == [None, None]  # the repair round keeps the mode


async def test_no_json_even_after_repair_fails_the_job_clearly() -> None:
    llm = FakeLLM(["No.", "Still no."])
    with pytest.raises(AnalysisReplyError, match="even after one repair request") as caught:
        await judge_traits(llm, SAMPLE)
    assert isinstance(caught.value, JobFailure)
    assert len(llm.calls) == 2


async def test_measured_traits_are_not_asked_for() -> None:
    llm = FakeLLM([GOOD])
    await judge_traits(llm, SAMPLE, exclude=["formality_level", "contraction_usage"])
    messages, fmt = llm.calls[0]
    assert fmt is not None
    properties = fmt["json_schema"]["schema"]["properties"]
    assert "formality_level" not in properties and "contraction_usage" not in properties
    assert "- formality_level:" not in messages[0]["content"]
    assert "- extraversion:" in messages[0]["content"]


async def test_other_errors_propagate_unchanged() -> None:
    class Boom(Exception):
        pass

    async def broken(messages: list[Message], fmt: dict[str, Any] | None) -> str:
        raise Boom("connection reset")

    with pytest.raises(Boom):
        await judge_traits(broken, SAMPLE)
