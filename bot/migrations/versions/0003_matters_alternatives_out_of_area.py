"""Matters of the catalogue, the department alternatives at filing, and the place of an out-of-area matter.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("matter", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("alternatives", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )  # existing rows: none
        batch_op.add_column(sa.Column("out_of_area", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_tickets_matter"), ["matter"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_matter"))
        batch_op.drop_column("out_of_area")
        batch_op.drop_column("alternatives")
        batch_op.drop_column("matter")
