"""Attendees get a search key: their names, e-mail address and university folded (no case, no accents) and,
for other scripts, spelled in Latin letters (app/text.py), so that the door and the staff desk find "Müller" by
"muller" and "张伟" by "zhang" with one LIKE in SQL. Existing rows are filled here with the same function.

Revision ID: b7d41e0c9a12
Revises: b7e4d2a91c3f
Create Date: 2026-12-02 05:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

from app.text import search_key


# revision identifiers, used by Alembic.
revision = 'b7d41e0c9a12'
down_revision = 'b7e4d2a91c3f'
branch_labels = None
depends_on = None

SEARCHED = ("full_name", "badge_name", "email", "university")  # as events/registration/store.py, in its order


def upgrade():
    with op.batch_alter_table('attendee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.Text(), server_default='', nullable=False))

    attendee = sa.table('attendee', sa.column('id', sa.Integer), sa.column('search_key', sa.Text),
                        *(sa.column(name, sa.String) for name in SEARCHED))
    conn = op.get_bind()
    rows = conn.execute(sa.select(attendee.c.id, *(attendee.c[name] for name in SEARCHED))).all()
    update = (sa.update(attendee).where(attendee.c.id == sa.bindparam('row_id'))
              .values(search_key=sa.bindparam('key')))
    for start in range(0, len(rows), 1000):
        batch = [{'row_id': row[0], 'key': search_key(*(value or '' for value in row[1:]))}
                 for row in rows[start:start + 1000]]
        conn.execute(update, batch)


def downgrade():
    with op.batch_alter_table('attendee', schema=None) as batch_op:
        batch_op.drop_column('search_key')
