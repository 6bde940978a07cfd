"""Attendees may give their name in Latin letters (attendee.latin_name, optional)

Revision ID: 7c41b2d9e0a3
Revises: c3f8a2d61e54
Create Date: 2026-12-02 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c41b2d9e0a3'
down_revision = 'c3f8a2d61e54'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latin_name', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('attendee', schema=None) as batch_op:
        batch_op.drop_column('latin_name')
