"""cases and warnings

Adds `cases` (an incident report followed up in its region: its state, and the person's
consent per use copied from the answers, each withdrawable), `case_steps` (referrals, a
police report, or none wanted, with dates and outcomes) and `warnings` (community warnings a
lead writes from a case with consent, published until they expire).

Revision ID: f22c1a2b3c40
Revises: f21a1b2c3d40
Create Date: 2026-12-02 15:29:48

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f22c1a2b3c40'
down_revision = 'f21a1b2c3d40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_count', sa.Boolean(), nullable=False),
    sa.Column('consent_warning', sa.Boolean(), nullable=False),
    sa.Column('consent_referral', sa.Boolean(), nullable=False),
    sa.Column('count_withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warning_withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('referral_withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent_withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("state IN ('open', 'closed')", name=op.f('ck_cases_state')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_cases_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consent_withdrawn_by_id'], ['users.id'], name=op.f('fk_cases_consent_withdrawn_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_cases_facility_id_facilities')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_cases_filed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_cases_region_id_regions')),
    sa.ForeignKeyConstraint(['submission_id'], ['responses.id'], name=op.f('fk_cases_submission_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_cases_submission_id'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_filed_by_id'), ['filed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_region_id'), ['region_id'], unique=False)

    op.create_table('case_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("kind IN ('legal_aid', 'medical', 'pep', 'crisis_service', 'psychologist', 'police_report', 'none_wanted', 'other')", name=op.f('ck_case_steps_kind')),
    sa.CheckConstraint("outcome IN ('helped', 'partly', 'nothing', 'refused', 'harmed', 'pending')", name=op.f('ck_case_steps_outcome')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_steps_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_steps_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_steps'))
    )
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_steps_case_id'), ['case_id'], unique=False)

    op.create_table('warnings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('area', sa.String(length=200), nullable=False),
    sa.Column('happened_period', sa.String(length=100), nullable=False),
    sa.Column('aggressor_description', sa.Text(), nullable=False),
    sa.Column('vehicle_description', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('draft', 'published', 'withdrawn')", name=op.f('ck_warnings_state')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_warnings_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_warnings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_warnings_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_warnings_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warnings'))
    )
    with op.batch_alter_table('warnings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warnings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_warnings_region_id'), ['region_id'], unique=False)



def downgrade():
    with op.batch_alter_table('warnings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warnings_region_id'))
        batch_op.drop_index(batch_op.f('ix_warnings_case_id'))

    op.drop_table('warnings')
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_steps_case_id'))

    op.drop_table('case_steps')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_region_id'))
        batch_op.drop_index(batch_op.f('ix_cases_filed_by_id'))

    op.drop_table('cases')
