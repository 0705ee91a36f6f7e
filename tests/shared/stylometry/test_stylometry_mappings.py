"""The metric -> 1..10 mappings: monotone, in range, documented; the descriptive mappings."""

from __future__ import annotations

import itertools
import math

import pytest

from personagen_shared.stylometry import mappings as st
from personagen_shared.stylometry.mappings import (
    MEASURED_TRAITS,
    SCALE_MAPPINGS,
    TEXT_MAPPINGS,
    piecewise,
    pronoun_preference,
    sentence_structure,
    to_level,
    word_length_preference,
)
from personagen_shared.traits import TRAITS_BY_NAME, TraitKind

# Values each metric is swept over: zero, small, typical and extreme values of its unit.
GRID: dict[str, list[float]] = {
    "contraction_rate": [0, 0.5, 1, 2, 3, 5, 8, 12, 15, 20, 25, 30, 40, 60, 200],
    "passive_rate": [0, 0.02, 0.05, 0.1, 0.15, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1],
    "question_rate": [0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.35, 0.5, 0.8, 1],
    "dialogue_rate": [0, 0.5, 1, 3, 6, 10, 15, 20, 30, 40, 100],
    "list_item_rate": [0, 1, 2, 5, 10, 20, 25, 40, 50, 120],
    "ellipsis_rate": [0, 0.2, 0.5, 1, 2, 5, 8, 10, 30],
    "number_rate": [0, 1, 2, 5, 10, 25, 40, 50, 200],
    "percentage_rate": [0, 0.5, 1, 2, 5, 10, 40],
    "hedge_rate": [0, 2, 4, 7, 10, 15, 20, 30, 60],
    "transition_rate": [0, 1, 2, 5, 10, 15, 20, 40],
    "parenthetical_rate": [0, 1, 2, 5, 10, 20, 50],
    "quotation_rate": [0, 1, 2, 8, 20, 40, 90],
    "subordinate_clause_rate": [0, 0.1, 0.25, 0.5, 1, 1.5, 2, 4],
    "flesch_kincaid_grade": [-5, 0, 4, 6, 8, 12, 16, 20, 22, 30],
    "syllables_per_word": [1, 1.2, 1.3, 1.4, 1.55, 1.7, 2, 2.5],
    "first_second_person_rate": [0, 5, 10, 30, 45, 60, 90, 150],
    "exclamation_rate": [0, 0.02, 0.05, 0.1, 0.2, 0.4, 1],
}

# Every anchor table each mapping's docstring must state as "x -> y".
DOCUMENTED_ANCHORS = {
    "contraction_usage": [st.CONTRACTION_ANCHORS],
    "passive_voice_frequency": [st.PASSIVE_ANCHORS],
    "rhetorical_question_usage": [st.QUESTION_ANCHORS],
    "dialogue_inclusion": [st.DIALOGUE_ANCHORS],
    "list_usage_tendency": [st.LIST_ANCHORS],
    "ellipsis_usage": [st.ELLIPSIS_ANCHORS],
    "statistical_data_usage": [st.STATISTICS_ANCHORS],
    "hedging_language_frequency": [st.HEDGE_ANCHORS],
    "transition_usage": [st.TRANSITION_ANCHORS],
    "parenthetical_aside_frequency": [st.PARENTHETICAL_ANCHORS],
    "quotation_frequency": [st.QUOTATION_ANCHORS],
    "subordinate_clause_frequency": [st.SUBORDINATE_ANCHORS],
    "vocabulary_complexity": [st.GRADE_VOCABULARY_ANCHORS, st.SYLLABLE_ANCHORS],
    "formality_level": [
        st.GRADE_FORMALITY_ANCHORS,
        st.CONTRACTION_FORMALITY_ANCHORS,
        st.PERSONAL_FORMALITY_ANCHORS,
        st.EXCLAMATION_FORMALITY_ANCHORS,
    ],
}

REQUIRED_SCALES = {
    "contraction_usage",
    "passive_voice_frequency",
    "rhetorical_question_usage",
    "dialogue_inclusion",
    "list_usage_tendency",
    "ellipsis_usage",
    "statistical_data_usage",
    "hedging_language_frequency",
    "vocabulary_complexity",
    "transition_usage",
    "parenthetical_aside_frequency",
    "quotation_frequency",
    "subordinate_clause_frequency",
    "formality_level",
}


def test_the_required_traits_are_mapped_and_are_catalogue_traits_of_the_right_kind() -> None:
    assert set(SCALE_MAPPINGS) >= REQUIRED_SCALES
    assert set(TEXT_MAPPINGS) == {
        "word_length_preference",
        "sentence_structure",
        "pronoun_preference",
    }
    assert set(SCALE_MAPPINGS) | set(TEXT_MAPPINGS) == MEASURED_TRAITS
    for name in SCALE_MAPPINGS:
        assert TRAITS_BY_NAME[name].is_scale
    for name in TEXT_MAPPINGS:
        assert TRAITS_BY_NAME[name].kind is TraitKind.DESCRIPTIVE


@pytest.mark.parametrize("trait", sorted(SCALE_MAPPINGS))
def test_mapping_is_monotone_in_each_input_over_a_grid(trait: str) -> None:
    mapping = SCALE_MAPPINGS[trait]
    names = [name for name, _ in mapping.inputs]
    # Every combination of the other inputs (each at several grid points) as a backdrop.
    for name, direction in mapping.inputs:
        others = [n for n in names if n != name]
        backdrops = itertools.product(*(GRID[n][::2] for n in others))
        for backdrop in backdrops:
            fixed = dict(zip(others, backdrop, strict=True))
            levels = [mapping.function({**fixed, name: value}) for value in GRID[name]]
            assert all(1 <= level <= 10 for level in levels)
            pairs = list(itertools.pairwise(levels))
            if direction > 0:
                assert all(a <= b for a, b in pairs), (trait, name, fixed, levels)
            else:
                assert all(a >= b for a, b in pairs), (trait, name, fixed, levels)
        # And the input matters: its lowest and highest grid values give different levels.
        base = {n: GRID[n][0] for n in others}
        low = mapping.function({**base, name: GRID[name][0]})
        high = mapping.function({**base, name: GRID[name][-1]})
        assert low != high, (trait, name)


@pytest.mark.parametrize("trait", sorted(DOCUMENTED_ANCHORS))
def test_docstring_states_every_anchor(trait: str) -> None:
    doc = SCALE_MAPPINGS[trait].function.__doc__ or ""
    for anchors in DOCUMENTED_ANCHORS[trait]:
        for x, y in anchors:
            assert f"{x:g} -> {y:g}" in doc, (trait, x, y)
    assert "Why" in doc


def test_piecewise_interpolates_and_is_flat_outside() -> None:
    anchors = ((0.0, 1.0), (10.0, 5.0), (20.0, 10.0))
    assert piecewise(-3, anchors) == 1
    assert piecewise(5, anchors) == pytest.approx(3)
    assert piecewise(15, anchors) == pytest.approx(7.5)
    assert piecewise(99, anchors) == 10
    assert piecewise(math.nan, anchors) == 1
    decreasing = ((0.0, 10.0), (10.0, 1.0))
    assert piecewise(5, decreasing) == pytest.approx(5.5)


def test_to_level_rounds_half_up_and_clamps() -> None:
    assert to_level(6.5) == 7
    assert to_level(6.49) == 6
    assert to_level(7.5) == 8
    assert to_level(0.2) == 1
    assert to_level(42) == 10


def test_word_length_preference() -> None:
    assert word_length_preference({"word_length_mean": 3.9}) == "short"
    assert word_length_preference({"word_length_mean": 4.6}) == "varied"
    assert word_length_preference({"word_length_mean": 5.0}) == "long"


def test_sentence_structure() -> None:
    def structure(mean: float, sd: float, subordinators: float) -> str:
        return sentence_structure(
            {
                "sentence_length_mean": mean,
                "sentence_length_sd": sd,
                "subordinate_clause_rate": subordinators,
            }
        )

    assert structure(12, 5, 0.3) == "simple"
    assert structure(24, 10, 0.6) == "complex"
    assert structure(15, 5, 1.2) == "complex"
    assert structure(20, 17, 0.6) == "varied"
    assert structure(0, 0, 0) == "simple"


def test_pronoun_preference() -> None:
    def preference(first: float, second: float, third: float) -> str:
        return pronoun_preference(
            {
                "first_person_share": first,
                "second_person_share": second,
                "third_person_share": third,
            }
        )

    assert preference(0.43, 0.04, 0.53) == "first-person"
    assert preference(0.1, 0.6, 0.3) == "second-person"
    assert preference(0.4, 0.5, 0.1) == "second-person"
    assert preference(0.2, 0.1, 0.7) == "third-person"
    assert preference(0, 0, 0) == "third-person"


def test_descriptive_values_fit_their_columns() -> None:
    for trait, values in (
        ("word_length_preference", ["short", "varied", "long"]),
        ("sentence_structure", ["simple", "complex", "varied"]),
        ("pronoun_preference", ["first-person", "second-person", "third-person"]),
    ):
        limit = TRAITS_BY_NAME[trait].max_length
        assert limit is not None
        assert all(len(value) <= limit for value in values)
