"""anonymous walk-in linked: an anonymous walk-in whose student later gave her name

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only the flag is plain (the figures skip a linked walk-in without
    # decrypting, and a second link is refused in one statement); the
    # student and file entry it was linked to are sealed in ``data``.
    with op.batch_alter_table("anonymous_contacts") as batch:
        batch.add_column(sa.Column("linked", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("anonymous_contacts") as batch:
        batch.drop_column("linked")
