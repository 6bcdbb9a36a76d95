"""facilities standing for their region: where responses that belong to a region or an event are kept

A questionnaire whose responses belong to a region (incidents) or to an event (trainings)
stores them at its region's stand-in facility, "(no facility)", made on demand, so every
response keeps a facility and the facts and sums keep their grouping.

Revision ID: a3c9e1f05b17
Revises: 5e1a7c2b9d40
Create Date: 2026-12-02 06:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c9e1f05b17'
down_revision = '5e1a7c2b9d40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stands_for_region', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.drop_column('stands_for_region')
