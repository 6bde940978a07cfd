"""Sessions end after they start (CHECK ck_session_ends_after_start) and keep the reason staff gave for a clash

Before the session form checked local times against the event's zone, a time the clocks skip (02:30 on the
spring-forward night) could be stored as a session that ends before it starts, or at the same instant; feeds, the
booklet and pages then failed. Such rows are repaired before the constraint is added: each ends 30 minutes after
its start (the wanted end cannot be known; the SEQUENCE is bumped so that calendars take the change, and the
repaired ids are logged so that staff can check them).

Revision ID: b7e4d2a91c3f
Revises: 5e3a9c1d7b20
Create Date: 2026-12-02 05:30:00.000000

"""
import logging
from datetime import timedelta

from alembic import op
import sqlalchemy as sa

import app.extensions

# revision identifiers, used by Alembic.
revision = 'b7e4d2a91c3f'
down_revision = '5e3a9c1d7b20'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

session_table = sa.table("session", sa.column("id", sa.Integer), sa.column("sequence", sa.Integer),
                         sa.column("starts_at", app.extensions.UTCDateTime(timezone=True)),
                         sa.column("ends_at", app.extensions.UTCDateTime(timezone=True)))


def upgrade():
    connection = op.get_bind()
    bad = connection.execute(sa.select(session_table.c.id, session_table.c.starts_at, session_table.c.sequence)
                             .where(session_table.c.ends_at <= session_table.c.starts_at)).all()
    for row in bad:
        connection.execute(session_table.update().where(session_table.c.id == row.id).values(
            ends_at=row.starts_at + timedelta(minutes=30), sequence=(row.sequence or 0) + 1))
    if bad:
        log.warning("sessions that ended before they started now end 30 minutes after their start; check them: "
                    "%s", ", ".join(str(row.id) for row in bad))

    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clash_override', sa.String(length=300), server_default='', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_session_ends_after_start'), 'ends_at > starts_at')


def downgrade():
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_session_ends_after_start'), type_='check')
        batch_op.drop_column('clash_override')
