"""data versions: one number changed by every write of indicator sums

Caches of tables computed from `indicator_sums` (`cml.services.table_cache`) are
keyed by this number: every write of sums replaces it in the same transaction.

Revision ID: 902454660f96
Revises: 3c9e51d0a7f4
Create Date: 2026-11-23 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '902454660f96'
down_revision = '3c9e51d0a7f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_versions',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_data_versions_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_versions'))
    )
    op.execute("INSERT INTO data_versions (id, version) VALUES (1, 1)")


def downgrade():
    op.drop_table('data_versions')
