"""legacy import bookkeeping (issue 6: import from PersonaGen).

``legacy_imports`` maps each imported legacy row (installation fingerprint, kind, legacy id) to
the row it became, so that ``personagen import-legacy`` never imports a row twice.
Generated with ``alembic revision --autogenerate`` against a scratch database.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('legacy_imports',
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('legacy_id', sa.BigInteger(), nullable=False),
    sa.Column('new_id', sa.Uuid(), nullable=False),
    sa.Column('legacy_row', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('user', 'persona', 'content')", name=op.f('ck_legacy_imports_kind')),
    sa.PrimaryKeyConstraint('source', 'kind', 'legacy_id', name=op.f('pk_legacy_imports'))
    )


def downgrade() -> None:
    op.drop_table('legacy_imports')
