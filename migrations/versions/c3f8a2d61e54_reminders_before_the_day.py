"""Reminders before the day: the event's reminder days ("7,1") and a row per reminder sent to a registration
(UNIQUE (registration_id, days_before): a rerun sends nothing twice).

Revision ID: c3f8a2d61e54
Revises: b7d41e0c9a12
Create Date: 2026-12-02 05:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

from app.extensions import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'c3f8a2d61e54'
down_revision = 'b7d41e0c9a12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_days', sa.String(length=40), server_default='7,1', nullable=False))
    op.create_table(
        'reminder_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('days_before', sa.Integer(), nullable=False),
        sa.Column('sent_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                                name=op.f('fk_reminder_sent_registration_id_registration'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
        sa.UniqueConstraint('registration_id', 'days_before',
                            name=op.f('uq_reminder_sent_registration_id_days_before')),
    )


def downgrade():
    op.drop_table('reminder_sent')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('reminder_days')
