"""writing samples (issue 4: writing-sample analysis).

Placeholder in the chain so that the revisions of parallel work stay linear; the issue's
work fills upgrade() and downgrade().

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
