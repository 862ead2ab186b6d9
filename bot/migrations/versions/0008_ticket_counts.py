"""Ticket counts kept by triggers for the supervisor's statistics (bot/aggregates.py), filled from the tickets there;
partial indexes for the open tickets by answer date, the repeat-flagged tickets, the operator's queue and the urgent
tickets waiting; the index on status alone dropped.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from bot import aggregates
from bot.models import PARTIAL_INDEXES

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_counts",
        sa.Column("category", sa.String(32), primary_key=True),
        sa.Column("department_code", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("township", sa.String(64), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_table(
        "ticket_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    conn = op.get_bind()
    aggregates.install(conn)
    aggregates.refill(conn)
    op.drop_index("ix_tickets_status", table_name="tickets")  # (status, answer_by) serves a status alone
    # as this revision wrote them (a later change to bot/models.py needs its own revision)
    for name, (column, where) in PARTIAL_INDEXES.items():
        op.create_index(name, "tickets", [column], postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def downgrade() -> None:
    for name in PARTIAL_INDEXES:
        op.drop_index(name, table_name="tickets")
    op.create_index("ix_tickets_status", "tickets", ["status"])
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS ticket_counts_insert_delete ON tickets")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS ticket_counts_update ON tickets")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS ticket_counts_apply()")
    else:
        for name in ("insert", "delete", "update"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS ticket_counts_{name}")
    op.drop_table("ticket_days")
    op.drop_table("ticket_counts")
