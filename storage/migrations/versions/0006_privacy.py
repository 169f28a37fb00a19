"""privacy: the statistics tier, erasures, retention terms, when a file closed

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One statistics record per student (an envelope under the directory
    # key): what the reports count, with no name, birth date or free text.
    # student_id is emptied when the student is erased; the record stays.
    op.create_table(
        "statistics",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("student_id", sa.String(36), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_statistics_student_id", "statistics", ["student_id"], unique=True)
    # The ids of erased students (no personal data): a restore re-applies them.
    op.create_table(
        "erasures",
        sa.Column("student_id", sa.String(36), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("student_id"),
    )
    with op.batch_alter_table("students") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    # The team's retention terms (JSON; none = the defaults).
    with op.batch_alter_table("team") as batch:
        batch.add_column(sa.Column("retention", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("team") as batch:
        batch.drop_column("retention")
    with op.batch_alter_table("students") as batch:
        batch.drop_column("closed_at")
    op.drop_table("erasures")
    op.drop_index("ix_statistics_student_id", "statistics")
    op.drop_table("statistics")
