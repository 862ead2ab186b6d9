"""Close the loop: satisfaction (回访), 复查/复核, 不予受理, the 办结报告, and the times the KPIs read.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TICKET_COLUMNS = (
    sa.Column("measures", sa.Text(), nullable=True),
    sa.Column("decline_ground", sa.String(32), nullable=True),
    sa.Column("accepted_at", sa.DateTime(), nullable=True),
    sa.Column("answered_at", sa.DateTime(), nullable=True),
    sa.Column("rating_asked_at", sa.DateTime(), nullable=True),
    sa.Column("rating", sa.String(24), nullable=True),
    sa.Column("rating_comment", sa.Text(), nullable=True),
    sa.Column("rated_at", sa.DateTime(), nullable=True),
    sa.Column("rated_by", sa.String(16), nullable=True),
    sa.Column("review_level", sa.Integer(), nullable=False, server_default="0"),
)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        for column in TICKET_COLUMNS:
            batch.add_column(column)
    op.add_column("notifications", sa.Column("buttons", sa.JSON(), nullable=True))
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False, index=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("body_code", sa.String(64), sa.ForeignKey("departments.code"), nullable=False, index=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decide_by", sa.Date(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
    )
    # the times of acceptance and answer, from the audit trail (the first acceptance, the last answer)
    op.execute(
        "UPDATE tickets SET accepted_at = (SELECT MIN(e.at) FROM ticket_events e "
        "WHERE e.ticket_id = tickets.id AND e.action = 'accepted')"
    )
    op.execute(
        "UPDATE tickets SET answered_at = (SELECT MAX(e.at) FROM ticket_events e "
        "WHERE e.ticket_id = tickets.id AND e.action = 'resolved') WHERE status = 'resolved'"
    )


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_column("notifications", "buttons")
    with op.batch_alter_table("tickets") as batch:
        for column in reversed(TICKET_COLUMNS):
            batch.drop_column(column.name)
