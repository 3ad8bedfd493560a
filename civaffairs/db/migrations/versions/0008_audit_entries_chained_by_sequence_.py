"""audit entries chained by sequence number and hash

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:49:28.749173
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from civaffairs.audit.chain import content_hash
from civaffairs.db.base import UTCDateTime


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


PAGE = 10_000

entries = sa.table(
    "audit_entry",
    sa.column("id", sa.Uuid()), sa.column("at", UTCDateTime()), sa.column("actor", sa.String()),
    sa.column("action", sa.String()), sa.column("register", sa.String()), sa.column("record_id", sa.Uuid()),
    sa.column("record_version", sa.Integer()), sa.column("record_label", sa.String()),
    sa.column("changes", sa.JSON()), sa.column("seq", sa.BigInteger()), sa.column("hash", sa.String()),
)


def _chain_existing_entries() -> None:
    """The entries written before the chain existed, chained in (at, id) order, a page at a time
    (1,000,000 entries in bounded memory; keyset paging, so each page is an index range)."""
    conn = op.get_bind()
    content = [entries.c[n] for n in ("id", "at", "actor", "action", "register", "record_id", "record_version",
                                      "record_label", "changes")]
    order = sa.tuple_(entries.c.at, entries.c.id)
    update = (entries.update().where(entries.c.id == sa.bindparam("b_id"))
              .values(seq=sa.bindparam("b_seq"), hash=sa.bindparam("b_hash")))
    previous, seq, last = "", 0, None
    while True:
        page = sa.select(*content).order_by(entries.c.at, entries.c.id).limit(PAGE)
        if last is not None:  # `at >=` too, so that PostgreSQL ranges over the index on `at`
            at, id_ = sa.literal(last[0], UTCDateTime()), sa.literal(last[1], sa.Uuid())
            page = page.where(entries.c.at >= at, order > sa.tuple_(at, id_))
        rows = conn.execute(page).mappings().all()
        if not rows:
            return
        changed = []
        for row in rows:
            seq += 1
            previous = content_hash(previous, row)
            changed.append({"b_id": row["id"], "b_seq": seq, "b_hash": previous})
        conn.execute(update, changed)
        last = (rows[-1]["at"], rows[-1]["id"])


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    _chain_existing_entries()
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entry_seq'), ['seq'])


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entry_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('seq')
