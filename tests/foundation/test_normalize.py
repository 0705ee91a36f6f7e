"""The one normalisation of untrusted trait values (shared by analysis and legacy import)."""

from __future__ import annotations

import pytest

from personagen_shared.normalize import Action, normalise_scale, normalise_text, normalise_traits
from personagen_shared.traits import TRAITS_BY_NAME


@pytest.mark.parametrize(
    ("raw", "value", "action"),
    [
        (8, 8, None),
        (1, 1, None),
        (10, 10, None),
        ("8", 8, Action.CONVERTED),
        (" 9 ", 9, Action.CONVERTED),
        (6.0, 6, Action.CONVERTED),
        ("7/10", 7, Action.CONVERTED),
        ("7 out of 10", 7, Action.CONVERTED),
        (7.5, 8, Action.ROUNDED),
        (6.5, 7, Action.ROUNDED),
        ("2.5", 3, Action.ROUNDED),
        (7.4, 7, Action.ROUNDED),
        (0, None, Action.DROPPED),
        (11, None, Action.DROPPED),
        (42, None, Action.DROPPED),
        (-1, None, Action.DROPPED),
        (10.6, None, Action.DROPPED),
        (True, None, Action.DROPPED),
        (False, None, Action.DROPPED),
        ("N/A", None, Action.DROPPED),
        ("high", None, Action.DROPPED),
        ("", None, Action.DROPPED),
        (float("nan"), None, Action.DROPPED),
        ([8], None, Action.DROPPED),
        ({"value": 8}, None, Action.DROPPED),
        (None, None, None),
    ],
)
def test_scale_values(raw: object, value: int | None, action: Action | None) -> None:
    got, got_action, _reason = normalise_scale(raw)
    assert got == value
    assert got_action == action


def test_text_values_are_trimmed_and_cut() -> None:
    tone = TRAITS_BY_NAME["tone"]
    assert normalise_text(tone, "  dry  ")[:2] == ("dry", Action.CONVERTED)
    assert normalise_text(tone, "dry")[:2] == ("dry", None)
    long_value, action, reason = normalise_text(tone, "word " * 40)
    assert action is Action.TRIMMED and len(long_value or "") <= 100 and "100" in reason
    assert normalise_text(tone, "")[:2] == (None, Action.DROPPED)
    assert normalise_text(tone, True)[:2] == (None, Action.DROPPED)
    assert normalise_text(TRAITS_BY_NAME["age"], 35)[:2] == ("35", Action.CONVERTED)
    assert normalise_text(TRAITS_BY_NAME["core_values"], ["integrity", "freedom"])[:2] == (
        "integrity, freedom",
        Action.CONVERTED,
    )
    assert normalise_text(tone, "a\x00b")[0] == "ab"


def test_document_lookup_nesting_unknown_keys_and_name() -> None:
    result = normalise_traits(
        {
            "name": "Unknown Author",
            "formality_level": "8",
            "Humor Sarcasm Usage": 3,
            "psychological_traits": {"extraversion": 7, "formality_level": 2, "mystery": 1},
            "confidence_score": 0.87,
            "contraction_usage": 42,
        }
    )
    assert result.values == {"formality_level": 8, "humor_sarcasm_usage": 3, "extraversion": 7}
    by_trait = {(c.trait, c.action) for c in result.changes}
    assert ("formality_level", Action.CONVERTED) in by_trait
    assert ("contraction_usage", Action.DROPPED) in by_trait
    assert ("name", Action.IGNORED) in by_trait
    assert ("confidence_score", Action.IGNORED) in by_trait
    assert ("psychological_traits.mystery", Action.IGNORED) in by_trait
    assert ("psychological_traits.formality_level", Action.IGNORED) in by_trait, "top level wins"
    humor = (
        next(c for c in result.changes if c.trait == "humor_sarcasm_usage")
        if any(c.trait == "humor_sarcasm_usage" for c in result.changes)
        else None
    )
    assert humor is None, "an exact int found under a case variant needs no report"


def test_canonical_key_wins_over_variant() -> None:
    result = normalise_traits({"formality_level": 3, "Formality Level": 9})
    assert result.values["formality_level"] == 3
    assert any(c.trait == "Formality Level" and c.action is Action.IGNORED for c in result.changes)
