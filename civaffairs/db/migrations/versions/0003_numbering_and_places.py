"""one numbering service for every numbered form (the document-number register becomes its
"document" kind, every number carried over), and the shared place tree (towns and sub-districts,
villages and communities)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 00:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from civaffairs.db.base import UTCDateTime

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('deleted_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('deleted_by', sa.String(length=64), nullable=True),
    ]


def upgrade() -> None:
    op.create_table('issued_number',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner_register', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('owner_label', sa.String(length=200), nullable=False),
    sa.Column('given_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('given_by', sa.String(length=64), nullable=False),
    sa.Column('cancelled_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=64), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_number')),
    sa.UniqueConstraint('kind', 'prefix', 'year', 'serial', name='uq_issued_number_kind_prefix_year_serial')
    )
    with op.batch_alter_table('issued_number', schema=None) as batch_op:
        batch_op.create_index('ix_issued_number_owner', ['owner_register', 'owner_id'], unique=False)

    op.create_table('number_sequence',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'prefix', 'year', name=op.f('pk_number_sequence'))
    )

    # Every document number given out so far, with its notice's title, becomes a "document" number.
    op.execute(
        "INSERT INTO issued_number (id, kind, prefix, year, serial, number, status, owner_register, owner_id,"
        " owner_label, given_at, given_by, cancelled_at, cancelled_by, cancel_reason)"
        " SELECT d.id, 'document', d.prefix, d.year, d.serial, d.number, d.status, 'notices.notice', d.notice_id,"
        " COALESCE(n.title, ''), d.given_at, d.given_by, d.cancelled_at, d.cancelled_by, d.cancel_reason"
        " FROM document_number d LEFT JOIN notice n ON n.id = d.notice_id")
    op.execute(
        "INSERT INTO number_sequence (kind, prefix, year, last_serial)"
        " SELECT 'document', prefix, year, last_serial FROM document_number_sequence")
    with op.batch_alter_table('document_number', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_number_notice_id'))
    op.drop_table('document_number')
    op.drop_table('document_number_sequence')

    op.create_table('place_town',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    *_record_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_town'))
    )
    with op.batch_alter_table('place_town', schema=None) as batch_op:
        batch_op.create_index('ix_place_town_name_id', ['name', 'id'], unique=False)
        batch_op.create_index('uq_place_town_name', ['name'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('place_community',
    sa.Column('town_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    *_record_columns(),
    sa.ForeignKeyConstraint(['town_id'], ['place_town.id'], name=op.f('fk_place_community_town_id_place_town')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_community'))
    )
    with op.batch_alter_table('place_community', schema=None) as batch_op:
        batch_op.create_index('ix_place_community_name', ['name', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_place_community_town_id'), ['town_id'], unique=False)
        batch_op.create_index('uq_place_community_town_name', ['town_id', 'name'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('place_community', schema=None) as batch_op:
        batch_op.drop_index('uq_place_community_town_name', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_place_community_town_id'))
        batch_op.drop_index('ix_place_community_name')
    op.drop_table('place_community')
    with op.batch_alter_table('place_town', schema=None) as batch_op:
        batch_op.drop_index('uq_place_town_name', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_place_town_name_id')
    op.drop_table('place_town')

    op.create_table('document_number_sequence',
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'year', name=op.f('pk_document_number_sequence'))
    )
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
    op.execute(
        "INSERT INTO document_number (id, prefix, year, serial, number, status, notice_id, given_at, given_by,"
        " cancelled_at, cancelled_by, cancel_reason)"
        " SELECT id, prefix, year, serial, number, status, owner_id, given_at, given_by, cancelled_at,"
        " cancelled_by, cancel_reason FROM issued_number WHERE kind = 'document'")
    op.execute(
        "INSERT INTO document_number_sequence (prefix, year, last_serial)"
        " SELECT prefix, year, last_serial FROM number_sequence WHERE kind = 'document'")
    op.drop_table('number_sequence')
    with op.batch_alter_table('issued_number', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_number_owner')
    op.drop_table('issued_number')
