"""Linked reports of one event and the early warning (矛盾纠纷预警).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("matter", sa.String(64), nullable=True),
        sa.Column("township", sa.String(64), nullable=True),
        sa.Column("village", sa.String(64), nullable=True),
        sa.Column("organization", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("ticket_count", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("warned_at", sa.DateTime(), nullable=True, index=True),
        sa.Column("warning_reasons", sa.JSON(), nullable=False),
    )
    # a plain ADD COLUMN, not a batch: SQLite would copy the table and lose the counts' triggers (bot/aggregates.py).
    # SQLite takes a REFERENCES clause in ADD COLUMN, which alembic does not emit for it: written out there
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE tickets ADD COLUMN incident_id INTEGER REFERENCES incidents (id)")
    else:
        op.add_column("tickets", sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=True))
    op.create_index("ix_tickets_incident_id", "tickets", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_tickets_incident_id", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("incident_id")
    op.drop_table("incidents")
