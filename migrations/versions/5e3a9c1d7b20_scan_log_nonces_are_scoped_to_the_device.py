"""Scan log nonces are scoped to the device that scanned (scope column, UNIQUE (event_id, scope, nonce))

A nonce names one scan of one device: a scanner app ("device-<id>") or a signed-in door page ("user-<id>").
Existing rows get the scope of the device or user that logged them (rows of neither, and rows whose device or
user is gone, get ""); every row is kept, and the old key (event, nonce) was stricter, so no two rows collide.

Revision ID: 5e3a9c1d7b20
Revises: 49be751781eb
Create Date: 2026-11-23 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e3a9c1d7b20'
down_revision = '49be751781eb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scan_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=24), server_default='', nullable=False))

    op.execute("UPDATE scan_log SET scope = CASE "
               "WHEN device_id IS NOT NULL THEN 'device-' || CAST(device_id AS VARCHAR) "
               "WHEN user_id IS NOT NULL THEN 'user-' || CAST(user_id AS VARCHAR) ELSE '' END")

    with op.batch_alter_table('scan_log', schema=None) as batch_op:
        batch_op.drop_constraint('uq_scan_log_event_id_nonce', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_scan_log_event_id_scope_nonce'),
                                          ['event_id', 'scope', 'nonce'])


def downgrade():
    # The old key allows a nonce once per event: where two devices used the same one, the later rows keep
    # everything but their nonce (no row is lost).
    op.execute("UPDATE scan_log SET nonce = NULL WHERE nonce IS NOT NULL AND EXISTS ("
               "SELECT 1 FROM scan_log AS earlier WHERE earlier.event_id = scan_log.event_id "
               "AND earlier.nonce = scan_log.nonce AND earlier.id < scan_log.id)")
    with op.batch_alter_table('scan_log', schema=None) as batch_op:
        batch_op.drop_constraint('uq_scan_log_event_id_scope_nonce', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_scan_log_event_id_nonce'), ['event_id', 'nonce'])
        batch_op.drop_column('scope')
