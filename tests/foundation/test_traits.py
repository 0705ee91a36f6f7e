"""The trait catalogue agrees with the team reference, the table and the API schemas."""

from __future__ import annotations

import re

from persona_api.personas.filters import PersonaListParams
from persona_api.personas.schemas import PersonaCreate, PersonaRead, PersonaUpdate
from personagen_shared.models import Persona
from personagen_shared.traits import SCALE_TRAITS, TEXT_TRAITS, TRAITS, TraitKind
from tests.conftest import REFERENCE

ROW = re.compile(r"^\| `(?P<name>\w+)` \| (?P<kind>scale|descriptive|background) \|")


def reference_traits() -> dict[str, str]:
    text = (REFERENCE / "persona-traits.md").read_text(encoding="utf-8")
    return {m["name"]: m["kind"] for line in text.splitlines() if (m := ROW.match(line))}


def test_catalogue_matches_the_reference_document() -> None:
    reference = reference_traits()
    assert len(reference) == 75
    assert {t.name: t.kind.value for t in TRAITS} == reference
    assert [t.name for t in TRAITS] == list(reference), "same order as the reference"


def test_table_has_one_column_per_trait_with_the_right_type() -> None:
    table = Persona.__table__
    for trait in TRAITS:
        column = table.c[trait.name]
        assert column.nullable, trait.name
        if trait.kind is TraitKind.SCALE:
            assert column.type.__class__.__name__ == "SmallInteger", trait.name
        else:
            assert column.type.length == trait.max_length, trait.name  # type: ignore[attr-defined]
    checks = {c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"}
    for trait in SCALE_TRAITS:
        assert f"ck_personas_{trait.name}_range" in checks


def test_api_schemas_cover_every_trait() -> None:
    names = {t.name for t in TRAITS}
    for schema in (PersonaCreate, PersonaUpdate, PersonaRead):
        assert names <= set(schema.model_fields), schema.__name__
    filters = set(PersonaListParams.model_fields)
    assert {f"{t.name}__gte" for t in SCALE_TRAITS} <= filters
    assert {f"{t.name}__lte" for t in SCALE_TRAITS} <= filters
    assert {t.name for t in TEXT_TRAITS} <= filters
