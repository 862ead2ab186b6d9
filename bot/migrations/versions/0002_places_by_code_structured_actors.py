"""Places by code and structured audit actors.

tickets: `township` / `village` hold codes of bot/jurisdiction.yml (gasa / gasa.nanen) instead of display names; the
place in the citizen's words goes to the new `address`. ticket_events: `actor` ("department:county.hrss/clerk") is
split into actor_role, actor_name and actor_department.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

tickets = sa.table(
    "tickets",
    sa.column("id", sa.Integer),
    sa.column("township", sa.String),
    sa.column("village", sa.String),
    sa.column("address", sa.String),
)
events = sa.table(
    "ticket_events",
    sa.column("id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("actor_role", sa.String),
    sa.column("actor_name", sa.String),
    sa.column("actor_department", sa.String),
)


def split_actor(label: str) -> tuple[str, str, str | None]:
    """ "department:county.hrss/clerk" -> ("department", "clerk", "county.hrss"); "citizen:citizen" -> (.., None)."""
    role, _, rest = (label or "system:system").partition(":")
    department, slash, name = rest.partition("/")
    return (role, name, department) if slash else (role, rest or role, None)


def upgrade() -> None:
    from bot.jurisdiction import load_jurisdiction  # the file in effect names the places stored by name until now

    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("address", sa.String(length=200), nullable=True))
    with op.batch_alter_table("ticket_events") as batch:
        batch.add_column(sa.Column("actor_role", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("actor_name", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("actor_department", sa.String(length=64), nullable=True))

    conn = op.get_bind()
    rows = conn.execute(sa.select(tickets.c.id, tickets.c.township, tickets.c.village)).all()
    if rows:
        j = load_jurisdiction()
        for ticket_id, township, village in rows:
            town = j.township_code(township)
            v = j.village(village, town) if village else None
            town = town or (v.township if v else None)
            known = j.place_name(town, v.code if v else None)
            written = (township or "") + (village or "")
            conn.execute(
                tickets.update()
                .where(tickets.c.id == ticket_id)
                .values(
                    township=town,
                    village=v.code if v else None,
                    address=written if written and written != known else None,
                )
            )
    for event_id, actor in conn.execute(sa.select(events.c.id, events.c.actor)).all():
        role, name, department = split_actor(actor)
        conn.execute(
            events.update()
            .where(events.c.id == event_id)
            .values(actor_role=role[:16], actor_name=name[:64], actor_department=department)
        )

    with op.batch_alter_table("ticket_events") as batch:
        batch.alter_column("actor_role", existing_type=sa.String(length=16), nullable=False)
        batch.alter_column("actor_name", existing_type=sa.String(length=64), nullable=False)
        batch.drop_column("actor")


def downgrade() -> None:
    from bot.jurisdiction import load_jurisdiction

    with op.batch_alter_table("ticket_events") as batch:
        batch.add_column(sa.Column("actor", sa.String(length=128), nullable=True))
    conn = op.get_bind()
    for event_id, role, name, department in conn.execute(
        sa.select(events.c.id, events.c.actor_role, events.c.actor_name, events.c.actor_department)
    ).all():
        label = f"{role}:{department + '/' if department else ''}{name}"
        conn.execute(events.update().where(events.c.id == event_id).values(actor=label[:128]))
    with op.batch_alter_table("ticket_events") as batch:
        batch.alter_column("actor", existing_type=sa.String(length=128), nullable=False)
        batch.drop_column("actor_department")
        batch.drop_column("actor_name")
        batch.drop_column("actor_role")

    rows = conn.execute(sa.select(tickets.c.id, tickets.c.township, tickets.c.village, tickets.c.address)).all()
    if rows:
        j = load_jurisdiction()
        for ticket_id, township, village, address in rows:
            conn.execute(
                tickets.update()
                .where(tickets.c.id == ticket_id)
                .values(township=j.township_name(township) or address, village=j.village_name(village))
            )
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("address")
