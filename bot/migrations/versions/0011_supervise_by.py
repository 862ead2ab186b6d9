"""挂牌督办: a supervisor's own deadline on a ticket.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("supervise_by", sa.Date(), nullable=True))
    where = sa.text("supervise_by IS NOT NULL")
    op.create_index("ix_tickets_supervised", "tickets", ["supervise_by"], postgresql_where=where, sqlite_where=where)


def downgrade() -> None:
    op.drop_index("ix_tickets_supervised", table_name="tickets")
    op.drop_column("tickets", "supervise_by")
