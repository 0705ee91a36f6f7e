"""Query parameters of ``GET /v1/personas``, generated from the trait catalogue.

- ``order_by``: a trait, ``name``, ``created_at`` or ``updated_at``, ``-`` prefix for
  descending; default ``-created_at``. Null traits sort last in both directions.
- ``<scale>__gte`` / ``<scale>__lte``: inclusive bounds on each scale trait.
- ``<text trait>``: exact match on each descriptive / background trait.
- ``q``: case-insensitive substring of the name or the description.
Unknown parameters are refused (422), so a misspelt filter never silently matches everything.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from persona_api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from persona_api.validation import SafeStr
from personagen_shared.traits import SCALE_MAX, SCALE_MIN, SCALE_TRAITS, TEXT_TRAITS, TRAITS

SORTABLE_COLUMNS: tuple[str, ...] = ("created_at", "updated_at", "name", *(t.name for t in TRAITS))
NON_NULL_SORT_COLUMNS = frozenset({"created_at", "updated_at", "name"})
ORDER_BY_VALUES = tuple(prefix + name for name in SORTABLE_COLUMNS for prefix in ("", "-"))
OrderBy = Literal[ORDER_BY_VALUES]  # type: ignore[valid-type]  # values built from the catalogue

Scale = Annotated[int | None, Field(default=None, ge=SCALE_MIN, le=SCALE_MAX)]


class _ListParamsBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    cursor: Annotated[str | None, Field(max_length=2048)] = None
    order_by: OrderBy = "-created_at"
    q: Annotated[
        SafeStr | None,
        Field(max_length=200, description="Case-insensitive search in name and description."),
    ] = None


def _filter_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for trait in SCALE_TRAITS:
        fields[f"{trait.name}__gte"] = (Scale, None)
        fields[f"{trait.name}__lte"] = (Scale, None)
    for trait in TEXT_TRAITS:
        fields[trait.name] = (
            Annotated[SafeStr | None, Field(default=None, max_length=trait.max_length)],
            None,
        )
    return fields


PersonaListParams: type[_ListParamsBase] = create_model(
    "PersonaListParams", __base__=_ListParamsBase, **_filter_fields()
)
"""The validated query of ``GET /v1/personas``."""
