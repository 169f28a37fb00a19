"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_log',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=True),
    sa.Column('student_id', sa.String(length=36), nullable=True),
    sa.Column('on_behalf_of', sa.String(length=36), nullable=True),
    sa.Column('access_point', sa.String(length=100), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.Column('mac', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('seq')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_worker_id'), ['worker_id'], unique=False)

    op.create_table('team',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('idle_lock_minutes', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('workers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('initials', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('escrow_wraps',
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id')
    )
    op.create_table('key_slots',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=True),
    sa.Column('salt', sa.LargeBinary(), nullable=False),
    sa.Column('memory_kib', sa.Integer(), nullable=False),
    sa.Column('time_cost', sa.Integer(), nullable=False),
    sa.Column('parallelism', sa.Integer(), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('key_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_slots_worker_id'), ['worker_id'], unique=False)

    op.create_table('students',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('contact_worker_id', sa.String(length=36), nullable=True),
    sa.Column('directory', sa.LargeBinary(), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('private_key', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['contact_worker_id'], ['workers.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['workers.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['workers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_students_contact_worker_id'), ['contact_worker_id'], unique=False)

    op.create_table('file_entries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('student_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('sealed', sa.Boolean(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['workers.id'], ),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['workers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('file_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_file_entries_student_id'), ['student_id'], unique=False)

    op.create_table('student_key_wraps',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('student_id', sa.String(length=36), nullable=False),
    sa.Column('recipient', sa.String(length=36), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('student_id', 'recipient')
    )
    with op.batch_alter_table('student_key_wraps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_key_wraps_recipient'), ['recipient'], unique=False)
        batch_op.create_index(batch_op.f('ix_student_key_wraps_student_id'), ['student_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('student_key_wraps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_student_key_wraps_student_id'))
        batch_op.drop_index(batch_op.f('ix_student_key_wraps_recipient'))

    op.drop_table('student_key_wraps')
    with op.batch_alter_table('file_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_file_entries_student_id'))

    op.drop_table('file_entries')
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_students_contact_worker_id'))

    op.drop_table('students')
    with op.batch_alter_table('key_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_slots_worker_id'))

    op.drop_table('key_slots')
    op.drop_table('escrow_wraps')
    op.drop_table('workers')
    op.drop_table('team')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_worker_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_student_id'))

    op.drop_table('audit_log')

