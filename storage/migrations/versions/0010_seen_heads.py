"""seen heads: each worker's signed memory, inside the store, of the newest audit head they saw

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_heads",
        sa.Column("worker_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("mac", sa.LargeBinary(), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("sig", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id"),
    )


def downgrade() -> None:
    op.drop_table("seen_heads")
