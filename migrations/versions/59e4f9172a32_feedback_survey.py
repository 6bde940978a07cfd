"""After the day: the feedback survey (the event's questions, one answer per person under a keyed respondent
hash, the invitations sent once per registration).

Revision ID: 59e4f9172a32
Revises: d4a7c19e2b60
Create Date: 2026-12-02 05:37:33.700207

"""
from alembic import op
import sqlalchemy as sa

from app.extensions import UTCDateTime


# revision identifiers, used by Alembic.
revision = '59e4f9172a32'
down_revision = 'd4a7c19e2b60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('ask_overall', sa.Boolean(), nullable=False),
    sa.Column('ask_sessions', sa.Boolean(), nullable=False),
    sa.Column('ask_comment', sa.Boolean(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('closed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_feedback_survey_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_survey')),
    sa.UniqueConstraint('event_id', name=op.f('uq_feedback_survey_event_id'))
    )
    op.create_table('feedback_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('respondent', sa.String(length=64), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('overall', sa.Integer(), nullable=True),
    sa.Column('session_ratings', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_feedback_answer_registration_id_registration'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_survey.id'], name=op.f('fk_feedback_answer_survey_id_feedback_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_answer')),
    sa.UniqueConstraint('survey_id', 'respondent', name=op.f('uq_feedback_answer_survey_id_respondent'))
    )
    with op.batch_alter_table('feedback_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_answer_survey_id'), ['survey_id'], unique=False)

    op.create_table('feedback_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_feedback_invitation_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_invitation')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_feedback_invitation_registration_id'))
    )


def downgrade():
    op.drop_table('feedback_invitation')
    with op.batch_alter_table('feedback_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_answer_survey_id'))

    op.drop_table('feedback_answer')
    op.drop_table('feedback_survey')
