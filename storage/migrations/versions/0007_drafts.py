"""drafts: a worker's unsaved typing, sealed to their own key

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("worker_id", sa.String(36), sa.ForeignKey("workers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("instance", sa.String(36), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("worker_id", "instance"),
    )
    op.create_index("ix_drafts_worker_id", "drafts", ["worker_id"])


def downgrade() -> None:
    op.drop_index("ix_drafts_worker_id", "drafts")
    op.drop_table("drafts")
