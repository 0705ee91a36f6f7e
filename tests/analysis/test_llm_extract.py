"""Finding the JSON object in an LLM reply: plain, fenced, wrapped in prose, or absent."""

from __future__ import annotations

import pytest

from generator_worker.analysis.extract import NoJSONObjectError, extract_json_object


@pytest.mark.parametrize(
    "reply",
    [
        '{"tone": "dry", "formality_level": 8}',
        '  \n{"tone": "dry", "formality_level": 8}\n\n',
        '```json\n{"tone": "dry", "formality_level": 8}\n```',
        '```\n{"tone": "dry", "formality_level": 8}\n```',
        'Here is the analysis:\n```JSON\n{"tone": "dry", "formality_level": 8}\n```\nDone.',
        'Sure! Here is the persona: {"tone": "dry", "formality_level": 8} I hope this helps.',
        '<think>The author seems {formal}...</think>\n{"tone": "dry", "formality_level": 8}',
    ],
)
def test_accepted_shapes(reply: str) -> None:
    assert extract_json_object(reply) == {"tone": "dry", "formality_level": 8}


def test_braces_and_quotes_inside_strings() -> None:
    reply = 'Result: {"tone": "uses {braces} and \\"quotes\\" freely", "age": "}{"} -- end {'
    assert extract_json_object(reply) == {
        "tone": 'uses {braces} and "quotes" freely',
        "age": "}{",
    }


def test_nested_objects_are_kept_whole() -> None:
    reply = 'Answer: {"psychological_traits": {"extraversion": 7}, "tone": "warm"} (see above)'
    assert extract_json_object(reply) == {
        "psychological_traits": {"extraversion": 7},
        "tone": "warm",
    }


def test_the_largest_top_level_object_wins() -> None:
    # A greedy regex would take everything from the first "{" to the last "}" and fail.
    reply = (
        'The format is {"key": "value"}. Here it is: {"tone": "dry", "age": "40", "gender": null}'
    )
    assert extract_json_object(reply) == {"tone": "dry", "age": "40", "gender": None}


def test_an_object_inside_an_array_is_found() -> None:
    assert extract_json_object('[{"tone": "dry"}]') == {"tone": "dry"}


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("I am sorry, I cannot analyse this text.", "no '{'"),
        ("{tone: dry, formality_level: 8", "nothing that parses"),
        ("[1, 2, 3]", "no '{'"),
        ("42", "no '{'"),
    ],
)
def test_no_json_object(reply: str | None, reason: str) -> None:
    with pytest.raises(NoJSONObjectError, match=reason):
        extract_json_object(reply)


def test_pathological_replies_stay_cheap() -> None:
    with pytest.raises(NoJSONObjectError):
        extract_json_object("{" * 100_000)
