"""``personas``: a name, a description and one nullable column per catalogue trait.

The 75 trait columns are generated from :data:`personagen_shared.traits.TRAITS`: scales are
``SMALLINT`` with ``CHECK (x BETWEEN 1 AND 10)``, text traits ``VARCHAR(max_length)``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelMetaclass

from personagen_shared.models.base import created_at_field, updated_at_field, uuid_pk
from personagen_shared.traits import SCALE_MAX, SCALE_MIN, SCALE_TRAITS, TRAITS

NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 5000


def _trait_columns_namespace() -> dict[str, Any]:
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations, "__module__": __name__}
    for trait in TRAITS:
        if trait.is_scale:
            annotations[trait.name] = int | None
            namespace[trait.name] = Field(default=None, sa_type=SmallInteger, nullable=True)
        else:
            annotations[trait.name] = str | None
            namespace[trait.name] = Field(
                default=None, sa_type=String(trait.max_length), nullable=True
            )
    return namespace


PersonaTraitColumns = SQLModelMetaclass(
    "PersonaTraitColumns", (SQLModel,), _trait_columns_namespace()
)
"""A non-table model holding one field per trait; ``Persona`` inherits its columns."""


# mypy cannot follow a class built at runtime: the base is a variable (valid-type, misc), and
# with no known base ``table=True`` is checked against ``object.__init_subclass__`` (call-arg).
class Persona(PersonaTraitColumns, table=True):  # type: ignore[misc,valid-type,call-arg]
    """A writing persona owned by one user.

    ``version`` starts at 1 and grows by one on every update; it is the ETag and the
    optimistic-concurrency token (``If-Match``).
    """

    __tablename__ = "personas"
    __table_args__ = (
        *(
            CheckConstraint(f"{t.name} BETWEEN {SCALE_MIN} AND {SCALE_MAX}", name=f"{t.name}_range")
            for t in SCALE_TRAITS
        ),
        CheckConstraint("char_length(name) BETWEEN 1 AND 100", name="name_length"),
        # Keyset pagination of the default listing (-created_at) and of the other sort keys.
        Index("ix_personas_owner_created", "owner_id", "created_at", "id"),
        Index("ix_personas_owner_updated", "owner_id", "updated_at", "id"),
        Index("ix_personas_owner_name", "owner_id", "name", "id"),
        # Case-insensitive substring search (`q`) on name and description.
        Index(
            "ix_personas_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        Index(
            "ix_personas_description_trgm",
            "description",
            postgresql_using="gin",
            postgresql_ops={"description": "gin_trgm_ops"},
        ),
    )

    id: uuid.UUID = uuid_pk()
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", nullable=False)
    name: str = Field(sa_type=String(NAME_MAX_LENGTH), nullable=False)
    description: str | None = Field(default=None, sa_type=Text, nullable=True)
    is_active: bool = Field(
        default=True, nullable=False, sa_column_kwargs={"server_default": "true"}
    )
    version: int = Field(default=1, nullable=False, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
    # The latest analysis job that fills this persona; no FK, as jobs also point here.
    analysis_job_id: uuid.UUID | None = Field(default=None, nullable=True)
    legacy_source: dict[str, Any] | None = Field(default=None, sa_type=JSONB, nullable=True)
