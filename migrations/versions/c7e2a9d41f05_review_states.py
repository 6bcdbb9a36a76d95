"""review states of responses

Adds `responses.review_state` (received, approved, has_issues, rejected; every stored
response starts as received), `review_comment` (what a lead wrote with "has issues" or
"rejected"), `reviewed_by_id` and `reviewed_at`. Which states count in the indicators is
the questionnaire's `counted_states` (its JSON), so no column for that.

Revision ID: c7e2a9d41f05
Revises: c7d41e9a2f60
Create Date: 2026-12-02 08:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e2a9d41f05'
down_revision = 'c7d41e9a2f60'  # chained after issue17-corrections' migration, merged here
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_state', sa.String(length=16), nullable=False, server_default='received'))
        batch_op.add_column(sa.Column('review_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(op.f('fk_responses_reviewed_by_id_users'), 'users', ['reviewed_by_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_responses_review_state'), "review_state IN ('received', 'approved', 'has_issues', 'rejected')")
        batch_op.create_index('ix_responses_region_review_state', ['region_id', 'review_state'], unique=False)


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_region_review_state')
        batch_op.drop_constraint(op.f('ck_responses_review_state'), type_='check')
        batch_op.drop_constraint(op.f('fk_responses_reviewed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('review_comment')
        batch_op.drop_column('review_state')
