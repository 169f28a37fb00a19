"""erasure reason and signature: the first erasure's reason code, kept through any restore,
and the coördinator's signature, without which an erasure is not applied again

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("erasures") as batch:
        batch.add_column(sa.Column("reason", sa.String(20), nullable=True))
        batch.add_column(sa.Column("signer", sa.String(36), nullable=True))
        batch.add_column(sa.Column("sig", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("erasures") as batch:
        batch.drop_column("sig")
        batch.drop_column("signer")
        batch.drop_column("reason")
