"""Exactly once: each incoming message may carry the channel's key (Telegram update_id, the web chat's client
message id), unique per sender, and keeps the replies it got, so a retried request is answered again, not redone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_key", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("replies", sa.JSON(), nullable=True))
        batch_op.create_index("ix_messages_sender_key", ["sender_id", "client_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_sender_key")
        batch_op.drop_column("replies")
        batch_op.drop_column("client_key")
