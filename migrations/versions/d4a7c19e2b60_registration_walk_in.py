"""Walk-ins: a registration made on the spot at the door is marked (counted apart on the dashboard, a column in
the exports).

Revision ID: d4a7c19e2b60
Revises: b7d41e6a9c02
Create Date: 2026-12-02 05:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a7c19e2b60'
down_revision = 'b7d41e6a9c02'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walk_in', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('walk_in')
