"""Registration links are stored hashed (link_nonce, token_hash; old clear tokens as legacy_token_hash)

Revision ID: aa9caff78220
Revises: ec62be8c24b7
Create Date: 2026-12-01 22:08:49.167614

A registration's secret link used to be stored in clear (``registration.token``). From now on the link is derived
from a random ``link_nonce`` with a key and only its SHA-256 (``token_hash``) is stored (events/registration/links.py). Every
existing row keeps its old link working: SHA-256 of its clear token goes to ``legacy_token_hash`` and the clear
column is dropped. Rows get their nonce the first time their link is built (this migration cannot: it does not
hold the key).

Downgrading cannot recover clear tokens from hashes, so it gives every registration a new random link: links
given out before the downgrade stop working (registering again with the same address mails the new one).
"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'aa9caff78220'
down_revision = 'ec62be8c24b7'
branch_labels = None
depends_on = None

_registration = sa.table('registration', sa.column('id', sa.Integer), sa.column('token', sa.String),
                         sa.column('legacy_token_hash', sa.String))
_BATCH = 1000


def _set(column: str, values: list[tuple[int, str]]) -> None:
    """Set ``column`` of each registration (id, value), in batches of one UPDATE executed many times."""
    statement = (sa.update(_registration).where(_registration.c.id == sa.bindparam('row'))
                 .values({column: sa.bindparam('value')}))
    for start in range(0, len(values), _BATCH):
        op.get_bind().execute(statement, [{'row': row, 'value': value}
                                          for row, value in values[start:start + _BATCH]])


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_nonce', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('legacy_token_hash', sa.String(length=64), nullable=True))

    # The same hash as events.registration.links.hash_token, written out here so that this migration never changes.
    rows = op.get_bind().execute(sa.select(_registration.c.id, _registration.c.token)).all()
    _set('legacy_token_hash', [(row, hashlib.sha256(token.encode()).hexdigest()) for row, token in rows])

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_registration_token'), type_='unique')
        batch_op.drop_column('token')
        batch_op.create_unique_constraint(batch_op.f('uq_registration_legacy_token_hash'), ['legacy_token_hash'])
        batch_op.create_unique_constraint(batch_op.f('uq_registration_token_hash'), ['token_hash'])


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=64), nullable=True))

    ids = op.get_bind().execute(sa.select(_registration.c.id)).scalars().all()
    _set('token', [(row, secrets.token_urlsafe(24)) for row in ids])  # see the docstring: old links are gone

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_registration_token'), ['token'])
        batch_op.drop_constraint(batch_op.f('uq_registration_token_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_registration_legacy_token_hash'), type_='unique')
        batch_op.drop_column('legacy_token_hash')
        batch_op.drop_column('token_hash')
        batch_op.drop_column('link_nonce')
