"""Seats taken, waiting-list lengths and places held kept as counters by the one write path (issue 12): two columns
of session and the event's place_count rows, filled by a count of what is there.

Revision ID: b7c3e5a91d20
Revises: b7e3c1a90d24
Create Date: 2026-12-02 08:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c3e5a91d20'
down_revision = 'b7e3c1a90d24'
branch_labels = None
depends_on = None

HOLDS_PLACE = "('pending', 'confirmed')"


def upgrade():
    op.create_table('place_count',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('shard', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_place_count_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'shard', name=op.f('pk_place_count'))
    )
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats_taken', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('seats_waiting', sa.Integer(), server_default='0', nullable=False))

    # The counters start from a count (events/registration/recount.py counts the same way).
    op.execute(f"""INSERT INTO place_count (event_id, shard, taken)
        SELECT event_id, 0, count(*) FROM registration WHERE status IN {HOLDS_PLACE} GROUP BY event_id""")
    for column, status in (("seats_taken", "confirmed"), ("seats_waiting", "waitlisted")):
        op.execute(f"""UPDATE session SET {column} = (
            SELECT count(*) FROM enrolment JOIN registration ON registration.id = enrolment.registration_id
            WHERE enrolment.session_id = session.id AND enrolment.status = '{status}'
              AND registration.status IN {HOLDS_PLACE})""")


def downgrade():
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.drop_column('seats_waiting')
        batch_op.drop_column('seats_taken')

    op.drop_table('place_count')
