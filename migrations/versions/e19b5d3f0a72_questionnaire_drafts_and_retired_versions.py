"""questionnaire drafts and retired versions

Adds `questionnaire_drafts` (an uploaded questionnaire that passed the checks, kept for its
uploader to preview, compare and publish) and `retired_at`/`retired_by_id` on
`questionnaire_versions` (a retired version starts no new interview; its responses keep counting).

Revision ID: e19b5d3f0a72
Revises: c7e2a9d41f05
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e19b5d3f0a72'
down_revision = 'c7e2a9d41f05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'questionnaire_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('source_filename', sa.String(length=255), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_questionnaire_drafts_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_drafts')),
    )
    with op.batch_alter_table('questionnaire_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_drafts_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaire_drafts_uploaded_by_id'), ['uploaded_by_id'], unique=False)
    with op.batch_alter_table('questionnaire_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retired_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_questionnaire_versions_retired_by_id_users'), 'users', ['retired_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('questionnaire_versions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_questionnaire_versions_retired_by_id_users'), type_='foreignkey')
        batch_op.drop_column('retired_by_id')
        batch_op.drop_column('retired_at')
    with op.batch_alter_table('questionnaire_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_drafts_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_questionnaire_drafts_code'))
    op.drop_table('questionnaire_drafts')
