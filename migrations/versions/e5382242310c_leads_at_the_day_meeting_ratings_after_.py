"""Leads at the day (an organisation's rating and note on a consenting attendee whose badge it scanned), and the
1:1 meeting ratings after the day (one per meeting and side, the event's rating round, each rating mail once).

Revision ID: e5382242310c
Revises: b7c3e5a91d20
Create Date: 2026-12-02 08:15:43.615557

"""
from alembic import op
import sqlalchemy as sa

from app.extensions import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'e5382242310c'
down_revision = 'b7c3e5a91d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_rating_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=24), nullable=False),
    sa.Column('sent_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_meeting_rating_mail_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_rating_mail')),
    sa.UniqueConstraint('event_id', 'recipient', name=op.f('uq_meeting_rating_mail_event_id_recipient'))
    )
    op.create_table('meeting_rating_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_meeting_rating_round_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_rating_round')),
    sa.UniqueConstraint('event_id', name=op.f('uq_meeting_rating_round_event_id'))
    )
    op.create_table('lead',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('scanned_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_lead_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_lead_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_lead_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scanned_by_id'], ['user_account.id'], name=op.f('fk_lead_scanned_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead')),
    sa.UniqueConstraint('organisation_id', 'registration_id', name=op.f('uq_lead_organisation_id_registration_id'))
    )
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_registration_id'), ['registration_id'], unique=False)

    op.create_table('meeting_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('attendee', 'employer', name='rating_side', native_enum=False, length=32), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_rating_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meeting_rating_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_rating')),
    sa.UniqueConstraint('meeting_id', 'side', name=op.f('uq_meeting_rating_meeting_id_side'))
    )
    with op.batch_alter_table('meeting_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_rating_meeting_id'), ['meeting_id'], unique=False)



def downgrade():
    with op.batch_alter_table('meeting_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_rating_meeting_id'))

    op.drop_table('meeting_rating')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_registration_id'))
        batch_op.drop_index(batch_op.f('ix_lead_event_id'))

    op.drop_table('lead')
    op.drop_table('meeting_rating_round')
    op.drop_table('meeting_rating_mail')
