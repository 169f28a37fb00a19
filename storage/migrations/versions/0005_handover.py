"""handover: warme overdracht, read access that ends, the team's 18+ checklist

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One handover of a student's file. Only ids, kinds, states and dates are
    # plain; the document, the reasons and the receiver outside the team are
    # file entries under the student key (storage/handover.py).
    op.create_table(
        "handovers",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column(
            "student_id", sa.String(36),
            sa.ForeignKey("students.id", ondelete="CASCADE"), nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("from_worker_id", sa.String(36), sa.ForeignKey("workers.id"), nullable=False),
        sa.Column("to_worker_id", sa.String(36), sa.ForeignKey("workers.id"), nullable=True),
        # The student key sealed to the receiving colleague, moved into
        # student_key_wraps when they accept; deleted on decline.
        sa.Column("pending_wrap", sa.LargeBinary(), nullable=True),
        sa.Column("follow_up", sa.Date(), nullable=True),
        sa.Column("access_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(36), sa.ForeignKey("workers.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handovers_student_id", "handovers", ["student_id"])
    op.create_index("ix_handovers_to_worker_id", "handovers", ["to_worker_id"])
    # A wrap that ends by itself (the old helper after a handover).
    with op.batch_alter_table("student_key_wraps") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    # The team's own 18+ checklist (item labels, JSON; none = the default list).
    with op.batch_alter_table("team") as batch:
        batch.add_column(sa.Column("checklist_18", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("team") as batch:
        batch.drop_column("checklist_18")
    with op.batch_alter_table("student_key_wraps") as batch:
        batch.drop_column("expires_at")
    op.drop_index("ix_handovers_to_worker_id", "handovers")
    op.drop_index("ix_handovers_student_id", "handovers")
    op.drop_table("handovers")
