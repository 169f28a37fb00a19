"""spreekuur: anonymous walk-ins, vaste contactpersonen, worker expertise

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An anonymous walk-in: date, leefdomeinen and duration only (the latter
    # two in an envelope under the directory key). No student row exists.
    op.create_table(
        "anonymous_contacts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("workers.id"), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_anonymous_contacts_at", "anonymous_contacts", ["at"])
    # The team's vaste contactpersoon per programme (a coördinator sets it).
    # Programme names are the school's, not a student's: plain text.
    op.create_table(
        "programme_contacts",
        sa.Column("programme", sa.String(200), nullable=False),
        sa.Column("worker_id", sa.String(36), sa.ForeignKey("workers.id"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(36), sa.ForeignKey("workers.id"), nullable=False),
        sa.PrimaryKeyConstraint("programme"),
    )
    # Expertise by leefdomein codes, comma separated (about the worker, not a student).
    with op.batch_alter_table("workers") as batch:
        batch.add_column(sa.Column("expertise", sa.String(200), nullable=False, server_default=""))
    op.create_index("ix_file_entries_kind_created", "file_entries", ["kind", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_file_entries_kind_created", "file_entries")
    with op.batch_alter_table("workers") as batch:
        batch.drop_column("expertise")
    op.drop_table("programme_contacts")
    op.drop_index("ix_anonymous_contacts_at", "anonymous_contacts")
    op.drop_table("anonymous_contacts")
