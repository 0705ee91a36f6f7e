"""Merging measured traits with the LLM's document: normalisation, precedence, sources, warnings."""

from __future__ import annotations

import json

import pytest

from generator_worker.analysis.merge import AnalysisOutcome, TraitSource, merge_traits
from personagen_shared.stylometry import MEASURED_TRAITS
from tests.shared.stylometry.calibration import reference_samples


def warning_for(outcome: AnalysisOutcome, trait: str) -> dict:
    matches = [w for w in outcome.warnings if w["trait"] == trait]
    assert len(matches) == 1, outcome.warnings
    return matches[0]


def test_out_of_range_value_is_dropped_with_a_warning() -> None:
    outcome = merge_traits({}, {"extraversion": 42})
    assert "extraversion" not in outcome.traits
    warning = warning_for(outcome, "extraversion")
    assert warning == {
        "source": "llm",
        "trait": "extraversion",
        "action": "dropped",
        "reason": "out of range 1..10",
        "raw": 42,
        "value": None,
    }


def test_seven_out_of_ten_is_seven() -> None:
    outcome = merge_traits({}, {"extraversion": "7/10"})
    assert outcome.values == {"extraversion": 7}
    assert warning_for(outcome, "extraversion")["action"] == "converted"


def test_a_fraction_is_rounded_half_up_and_reported() -> None:
    outcome = merge_traits({}, {"agreeableness": 7.5})
    assert outcome.values == {"agreeableness": 8}
    warning = warning_for(outcome, "agreeableness")
    assert warning["action"] == "rounded"
    assert (warning["raw"], warning["value"]) == (7.5, 8)


def test_measured_value_wins_and_the_llm_value_is_kept_as_a_note() -> None:
    outcome = merge_traits({"formality_level": 3}, {"formality_level": 9, "tone": "dry"})
    assert outcome.values == {"formality_level": 3, "tone": "dry"}
    assert outcome.sources == {"formality_level": "measured", "tone": "llm"}
    assert outcome.traits["formality_level"].llm_value == 9
    assert outcome.as_dict()["traits"]["formality_level"] == {
        "value": 3,
        "source": "measured",
        "llm_value": 9,
    }
    assert outcome.as_dict()["traits"]["tone"] == {"value": "dry", "source": "llm"}


def test_measured_value_stands_when_the_llm_value_is_unusable() -> None:
    outcome = merge_traits({"formality_level": 3}, {"formality_level": "high"})
    assert outcome.traits["formality_level"].source is TraitSource.MEASURED
    assert outcome.traits["formality_level"].llm_value is None
    assert warning_for(outcome, "formality_level")["reason"] == "not a number"


def test_name_and_unknown_keys_are_ignored_with_reasons() -> None:
    outcome = merge_traits({}, {"name": "Evil Bob", "favourite_colour": "red", "tone": "warm"})
    assert outcome.values == {"tone": "warm"}
    name = warning_for(outcome, "name")
    assert name["action"] == "ignored"
    assert "name" in name["reason"]
    assert warning_for(outcome, "favourite_colour")["reason"] == "not a trait"


@pytest.mark.parametrize("raw", [0, 11, True, "N/A", "", None, [7], {"v": 7}])
def test_unusable_scale_values_are_never_stored(raw: object) -> None:
    outcome = merge_traits({}, {"empathy_level": raw})
    assert "empathy_level" not in outcome.traits


def test_text_is_trimmed_to_the_column_limit() -> None:
    outcome = merge_traits({}, {"tone": "  wry " + "x" * 300})
    assert len(str(outcome.values["tone"])) <= 100
    assert warning_for(outcome, "tone")["action"] == "trimmed"


def test_nested_llm_layout_and_key_spelling_are_understood() -> None:
    outcome = merge_traits({}, {"psychological_traits": {"Extraversion": 6}, "Formality Level": 4})
    assert outcome.values == {"formality_level": 4, "extraversion": 6}


def test_a_broken_measured_value_is_reported_not_stored() -> None:
    outcome = merge_traits({"formality_level": 42}, {})
    assert outcome.traits == {}
    assert warning_for(outcome, "formality_level")["source"] == "measured"


def test_traits_come_out_in_catalogue_order_and_json_ready() -> None:
    outcome = merge_traits({"formality_level": 3}, {"tone": "dry", "vocabulary_complexity": 6})
    assert list(outcome.traits) == ["vocabulary_complexity", "formality_level", "tone"]
    assert json.loads(json.dumps(outcome.as_dict())) == outcome.as_dict()


def test_non_objects_are_refused() -> None:
    with pytest.raises(TypeError):
        merge_traits({}, [{"tone": "dry"}])  # type: ignore[arg-type]


def test_measured_traits_from_the_api_merge_with_a_messy_llm_document() -> None:
    # The contract between the halves: the API's stylometry traits, carried in the job,
    # merged in the worker with an LLM document that has everything wrong with it.
    measured = next(
        s for s in reference_samples() if s.sample_id == "dev-legal-apache-license"
    ).result.traits
    llm = {
        "name": "Apache",
        "formality_level": 2,
        "contraction_usage": 42,
        "extraversion": "3",
        "tone": "legalistic",
        "humor_sarcasm_usage": 1.5,
        "made_up_trait": 5,
    }
    outcome = merge_traits(measured, llm)
    sources = outcome.sources
    assert {t for t, s in sources.items() if s == "measured"} == MEASURED_TRAITS
    assert outcome.values["formality_level"] == measured["formality_level"]
    assert outcome.traits["formality_level"].llm_value == 2
    assert outcome.values["extraversion"] == 3
    assert outcome.values["humor_sarcasm_usage"] == 2
    assert sources["tone"] == "llm"
    assert {w["trait"] for w in outcome.warnings} == {
        "name",
        "contraction_usage",
        "extraversion",
        "humor_sarcasm_usage",
        "made_up_trait",
    }
