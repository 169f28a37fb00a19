"""meldcode: a trajectory per student under its own key, its wraps for the members, and the report's counts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meldcode_trajectories",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("student_id", sa.String(36), sa.ForeignKey("students.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("workers.id"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(36), sa.ForeignKey("workers.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meldcode_trajectories_student_id", "meldcode_trajectories", ["student_id"])
    op.create_table(
        "meldcode_wraps",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column(
            "trajectory_id", sa.String(36),
            sa.ForeignKey("meldcode_trajectories.id", ondelete="CASCADE"), nullable=False,
        ),
        sa.Column("recipient", sa.String(36), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trajectory_id", "recipient"),
    )
    op.create_index("ix_meldcode_wraps_trajectory_id", "meldcode_wraps", ["trajectory_id"])
    op.create_index("ix_meldcode_wraps_recipient", "meldcode_wraps", ["recipient"])
    op.create_table(
        "meldcode_counts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meldcode_counts_at", "meldcode_counts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_meldcode_counts_at", "meldcode_counts")
    op.drop_table("meldcode_counts")
    op.drop_index("ix_meldcode_wraps_recipient", "meldcode_wraps")
    op.drop_index("ix_meldcode_wraps_trajectory_id", "meldcode_wraps")
    op.drop_table("meldcode_wraps")
    op.drop_index("ix_meldcode_trajectories_student_id", "meldcode_trajectories")
    op.drop_table("meldcode_trajectories")
