"""warnings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 23:09:48.885528

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('warning_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('min_severity', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_warning_preference_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_preference')),
    sa.UniqueConstraint('user_id', 'label', name=op.f('uq_warning_preference_user_id_label'))
    )
    op.create_table('content_warning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('chapter', sa.Integer(), nullable=True),
    sa.Column('paragraph_start', sa.Integer(), nullable=True),
    sa.Column('paragraph_end', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=True),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('flagged_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], name=op.f('fk_content_warning_circle_id_circle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_content_warning_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['flagged_by_id'], ['user_account.id'], name=op.f('fk_content_warning_flagged_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['work_id'], ['work.id'], name=op.f('fk_content_warning_work_id_work'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_warning'))
    )
    with op.batch_alter_table('content_warning', schema=None) as batch_op:
        batch_op.create_index('ix_content_warning_work_chapter', ['work_id', 'chapter'], unique=False)



def downgrade():
    with op.batch_alter_table('content_warning', schema=None) as batch_op:
        batch_op.drop_index('ix_content_warning_work_chapter')

    op.drop_table('content_warning')
    op.drop_table('warning_preference')
