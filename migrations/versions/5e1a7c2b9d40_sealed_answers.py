"""sealed answers: sensitive answers encrypted at rest, keyed fingerprints

Adds `sealed_answers` to responses and drafts, then seals the sensitive answers already
stored in plain (free text and questions marked sensitive) under the instance's answer key
(`instance/answer_key` or CML_ANSWER_KEY), and replaces every response's unkeyed SHA-256
fingerprint with an HMAC under the row's own key. The downgrade opens them again.

Revision ID: 5e1a7c2b9d40
Revises: 5d1c0a7e9b42
Create Date: 2026-12-02 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a7c2b9d40'
down_revision = '5d1c0a7e9b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_answers', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_answers', sa.LargeBinary(), nullable=True))
    from cml.services import answer_keys, sealing

    answer_keys.seal_legacy(op.get_bind(), sealing.keyring)


def downgrade():
    from cml.services import answer_keys, sealing

    answer_keys.unseal_all(op.get_bind(), sealing.keyring)
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('sealed_answers')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('sealed_answers')
