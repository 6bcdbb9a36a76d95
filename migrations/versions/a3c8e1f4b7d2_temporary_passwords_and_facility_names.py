"""temporary passwords and facility names per language

Adds `users.must_change_password` (a password an administrator set or generated must be
changed at the next sign-in) and `facilities.names` (the facility's name by interface
language; `facilities.name` stays the English one and the fallback).

Revision ID: a3c8e1f4b7d2
Revises: a3c9e1f05b17
Create Date: 2026-12-02 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c8e1f4b7d2'
down_revision = 'a3c9e1f05b17'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('names', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.drop_column('names')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
