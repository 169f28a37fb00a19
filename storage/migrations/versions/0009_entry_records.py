"""entry records: the signed log names every file entry and the hash of its row

Nothing is recorded by the migration itself (it has no keys): the first
coördinator's unlock after it records the files as they stand
(storage.team, "dossierregels vastgelegd").

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("entry_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("entry_hash", sa.LargeBinary(), nullable=True))
    op.create_index("ix_audit_log_event", "audit_log", ["event"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_event", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("entry_hash")
        batch.drop_column("entry_id")
