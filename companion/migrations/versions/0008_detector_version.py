"""the detector version each work's warnings were made by

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:50:00

Works stored before this revision get "" (made by a detector older than any version):
the job queue re-detects them, keeping member flags.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('work', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('detector_version', sa.String(length=40), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('work', schema=None) as batch_op:
        batch_op.drop_column('detector_version')
