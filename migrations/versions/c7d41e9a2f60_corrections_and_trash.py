"""corrections and the trash

Adds to `responses` the trash columns (`deleted_at`, `deleted_by_id`, `deleted_reason`: a
response there counts in no figure) and `corrected_at`; `response_revisions` keeps every
earlier version of a corrected response (sealed answers stay sealed, with its fingerprint so
a late resend is still a duplicate); `purged_submissions` keeps only the submission id of a
response purged from the trash, so a resend of it is never stored again.

Revision ID: c7d41e9a2f60
Revises: a3c8e1f4b7d2
Create Date: 2026-12-02 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d41e9a2f60'
down_revision = 'a3c8e1f4b7d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deleted_reason', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_responses_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_foreign_key('fk_responses_deleted_by_id_users', 'users', ['deleted_by_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'response_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('sealed_answers', sa.LargeBinary(), nullable=True),
        sa.Column('facility_id', sa.Integer(), nullable=False),
        sa.Column('interview_date', sa.Date(), nullable=False),
        sa.Column('answers_hash', sa.String(length=64), nullable=False),
        sa.Column('made_by_id', sa.Integer(), nullable=True),
        sa.Column('made_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['facility_id'], ['facilities.id']),
        sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['response_id'], ['responses.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('response_id', 'number'),
    )
    with op.batch_alter_table('response_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_revisions_response_id'), ['response_id'], unique=False)
    op.create_table(
        'purged_submissions',
        sa.Column('submission_id', sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint('submission_id'),
    )


def downgrade():
    op.drop_table('purged_submissions')
    with op.batch_alter_table('response_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_revisions_response_id'))
    op.drop_table('response_revisions')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint('fk_responses_deleted_by_id_users', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_responses_deleted_at'))
        batch_op.drop_column('deleted_reason')
        batch_op.drop_column('deleted_by_id')
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('corrected_at')
