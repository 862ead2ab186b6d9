"""Schema migrations (Alembic): the migrations build exactly the models' schema, on SQLite and PostgreSQL, and a
database of the time before migrations is upgraded with its data converted."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot import migrate
from bot.models import Base


def head() -> str:
    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def test_the_migrations_build_the_schema_of_the_models(empty_engine):
    """`alembic upgrade head` from nothing; autogenerate then finds no difference."""
    with empty_engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "head")
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == head()


def test_a_new_database_gets_the_schema_at_once_and_is_stamped_at_head(empty_engine):
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() == head()
        assert compare_metadata(context, Base.metadata) == []
    migrate.upgrade(empty_engine)  # again: nothing to do, no error


def test_a_database_from_before_migrations_is_upgraded_with_its_data(empty_engine):
    """Tables as create_all made them (revision 0001, no alembic_version): places stored by name become codes and
    the audit actor string becomes columns."""
    with empty_engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), migrate.INITIAL)
        conn.execute(text("DROP TABLE alembic_version"))  # as it was: no record of any revision
        conn.execute(text("INSERT INTO departments (code, name, level) VALUES ('gasa.government', 'x', 'township')"))
        conn.execute(
            text(
                "INSERT INTO tickets (id, number, channel, text, category, confidence, needs_review, facts, flags, "
                "township, village, department_code, status, escalated, legal_redirect, received_at, accept_by, "
                "answer_by, extended) VALUES "
                "(1, 'XP20261101-00001', 'tg', 't', 'land', 0.9, false, '{}', '[]', '戛洒镇', '南恩村', "
                "'gasa.government', 'registered', false, false, '2026-11-01 10:00', '2026-11-16', '2027-01-15', false),"
                "(2, 'XP20261101-00002', 'tg', 't', 'land', 0.9, false, '{}', '[]', '戛洒镇', '李家村', "
                "'gasa.government', 'registered', false, false, '2026-11-01 10:00', '2026-11-16', '2027-01-15', false)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO ticket_events (id, ticket_id, at, actor, action, to_status) VALUES "
                "(1, 1, '2026-11-01 10:00', 'citizen:citizen', 'filed', 'registered'),"
                "(2, 1, '2026-11-02 10:00', 'department:gasa.government/clerk', 'accepted', 'accepted')"
            )
        )
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        places = conn.execute(text("SELECT township, village, address FROM tickets ORDER BY id")).all()
        actors = conn.execute(
            text("SELECT actor_role, actor_name, actor_department FROM ticket_events ORDER BY id")
        ).all()
        assert MigrationContext.configure(conn).get_current_revision() == head()
    assert [tuple(p) for p in places] == [("gasa", "gasa.nanen", None), ("gasa", None, "戛洒镇李家村")]
    assert [tuple(a) for a in actors] == [("citizen", "citizen", None), ("department", "clerk", "gasa.government")]
