"""notices and document numbers: notices, the register of document numbers, and one
sequence row per (prefix, year) that issuing locks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 12:55:58.185034
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_number_sequence',
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'year', name=op.f('pk_document_number_sequence'))
    )
    op.create_table('notice',
    sa.Column('working_group', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('template_key', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('addressee', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('signatory', sa.String(length=100), nullable=False),
    sa.Column('copy_to', sa.String(length=500), nullable=False),
    sa.Column('printing_office', sa.String(length=100), nullable=False),
    sa.Column('document_date', sa.Date(), nullable=True),
    sa.Column('prefix', sa.String(length=20), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('serial', sa.Integer(), nullable=True),
    sa.Column('document_number', sa.String(length=40), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_by', sa.String(length=64), nullable=True),
    sa.Column('corrects_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['corrects_id'], ['notice.id'], name=op.f('fk_notice_corrects_id_notice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
    sa.UniqueConstraint('document_number', name=op.f('uq_notice_document_number'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_corrects_id'), ['corrects_id'], unique=False)
        batch_op.create_index('ix_notice_document_date', ['document_date', 'id'], unique=False)
        batch_op.create_index('ix_notice_group_date', ['working_group', 'document_date', 'id'], unique=False)
        batch_op.create_index('ix_notice_prefix_year_serial', ['prefix', 'year', 'serial'], unique=False)

    op.create_table('document_number',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notice_id', sa.Uuid(), nullable=True),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('given_by', sa.String(length=64), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=64), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_document_number_notice_id_notice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_number')),
    sa.UniqueConstraint('prefix', 'year', 'serial', name='uq_document_number_prefix_year_serial')
    )
    with op.batch_alter_table('document_number', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_number_notice_id'), ['notice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('document_number', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_number_notice_id'))

    op.drop_table('document_number')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_prefix_year_serial')
        batch_op.drop_index('ix_notice_group_date')
        batch_op.drop_index('ix_notice_document_date')
        batch_op.drop_index(batch_op.f('ix_notice_corrects_id'))

    op.drop_table('notice')
    op.drop_table('document_number_sequence')
