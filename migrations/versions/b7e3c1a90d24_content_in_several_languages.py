"""Event content in several languages (issue 14): a ``translations`` JSON column on event, session, room and
organisation, and the main language of the texts in the columns (event, organisation).

Revision ID: b7e3c1a90d24
Revises: 59e4f9172a32
Create Date: 2026-12-02 08:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3c1a90d24'
down_revision = '59e4f9172a32'
branch_labels = None
depends_on = None

TABLES = ('event', 'session', 'room', 'organisation')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=False, server_default='{}'))
            if table in ('event', 'organisation'):
                batch_op.add_column(sa.Column('main_language', sa.String(length=8), nullable=False,
                                              server_default='en'))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table in ('event', 'organisation'):
                batch_op.drop_column('main_language')
            batch_op.drop_column('translations')
