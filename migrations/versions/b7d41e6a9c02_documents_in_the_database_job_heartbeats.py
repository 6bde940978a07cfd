"""Rendered documents in the shared database (rendered_document); jobs keep a heartbeat and their attempt

More than one machine: badge sheets, agendas and booklets rendered by one node are read by every other one from
the rendered_document table (the default store when the database is not SQLite; app/storage.py), and a job
whose process died is found by its stale heartbeat and can be retried (job.heartbeat_at, job.attempt).

Revision ID: b7d41e6a9c02
Revises: 7c41b2d9e0a3
Create Date: 2026-12-02 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.extensions


# revision identifiers, used by Alembic.
revision = 'b7d41e6a9c02'
down_revision = '7c41b2d9e0a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rendered_document',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', app.extensions.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', app.extensions.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rendered_document')),
    )
    with op.batch_alter_table('rendered_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rendered_document_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', app.extensions.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempt', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('attempt')
        batch_op.drop_column('heartbeat_at')

    with op.batch_alter_table('rendered_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rendered_document_expires_at'))
    op.drop_table('rendered_document')
