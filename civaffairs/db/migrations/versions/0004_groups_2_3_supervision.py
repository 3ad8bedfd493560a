"""service institutions (group 2), community prevention (group 3) and the supervision teams

DEVELOPMENT PLACEHOLDER: creates whatever tables of the models are missing, so that several
people can add models at once.  Replaced by the real, generated migration before it lands.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 00:25:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_EXISTING_AT_0003 = {"alembic_version", "audit_entry", "user_account", "office_setting", "bureau_staff_member",
                     "bureau_health_check_in", "bureau_visitor", "bureau_disinfection_log", "notice",
                     "issued_number", "number_sequence", "place_town", "place_community"}


def upgrade() -> None:
    import civaffairs.schema

    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    tables = [t for t in civaffairs.schema.metadata.sorted_tables if t.name not in existing]
    civaffairs.schema.metadata.create_all(bind, tables=tables)


def downgrade() -> None:
    import civaffairs.schema

    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    tables = [t for t in civaffairs.schema.metadata.sorted_tables
              if t.name in existing and t.name not in _EXISTING_AT_0003]
    civaffairs.schema.metadata.drop_all(bind, tables=tables)
