"""Indexes for the reads that grow with the number of tickets: a department's queue, the overdue scan, the operator's
review queue, weekly counts and repeats.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_tickets_department_newest": ["department_code", "id"],
    "ix_tickets_status_answer_by": ["status", "answer_by"],
    "ix_tickets_review": ["needs_review", "status"],
    "ix_tickets_received_at": ["received_at"],
    "ix_tickets_repeat_of": ["repeat_of_id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "tickets", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="tickets")
