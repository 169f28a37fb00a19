"""signed authority: the team's root key, grants, workers' signing keys, signed audit entries

Nothing is signed by the migration itself (it has no keys): the first
coördinator's unlock after it signs the current state (storage.team).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("team") as batch:
        batch.add_column(sa.Column("root_public", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("signed_from", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("retention_signer", sa.String(36), nullable=True))
        batch.add_column(sa.Column("retention_sig", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("workers") as batch:
        batch.add_column(sa.Column("root_attest", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("sign_public", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("sign_binding", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("signer", sa.String(36), nullable=True))
        batch.add_column(sa.Column("sig", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("signer", sa.String(36), nullable=True))
        batch.add_column(sa.Column("sig", sa.LargeBinary(), nullable=True))
    op.create_table(
        "grants",
        sa.Column("worker_id", sa.String(36), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("box_public", sa.LargeBinary(), nullable=False),
        sa.Column("sign_public", sa.LargeBinary(), nullable=True),
        sa.Column("signed_at", sa.String(40), nullable=False),
        sa.Column("sig", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", "serial"),
    )


def downgrade() -> None:
    op.drop_table("grants")
    for table, columns in (
        ("audit_head", ("signer", "sig")),
        ("audit_log", ("signer", "sig")),
        ("workers", ("root_attest", "sign_public", "sign_binding")),
        ("team", ("root_public", "signed_from", "retention_signer", "retention_sig")),
    ):
        with op.batch_alter_table(table) as batch:
            for c in columns:
                batch.drop_column(c)
