"""Ticket counts kept by the database itself, for the supervisor's statistics at a million tickets: one row per
(category, department, status, township) with its number of tickets, and one per Beijing day of arrival.

Triggers on `tickets` keep them exact whatever writes the tickets (the application, a bulk import, `petition purge`,
a clerk's SQL): +1 on insert, -1 on delete, -1/+1 when one of those four columns changes. The statistics then sum a
few thousand rows instead of counting a million (bench/scale.py). A township of NULL is counted under ''.

Installed with the tables (bot.models, on create_all) and by migration 0008 on an existing database, which also
fills them from the tickets already there. A later migration that copies `tickets` (SQLite batch mode) drops its
triggers: it must call install() again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

_KEY = "category, department_code, status, township"
_MATCH_OLD = (
    "category = OLD.category AND department_code = OLD.department_code AND status = OLD.status "
    "AND township = COALESCE(OLD.township, '')"
)
_NEW = "NEW.category, NEW.department_code, NEW.status, COALESCE(NEW.township, ''), 1"
_CHANGED = (
    "OLD.category IS DISTINCT FROM NEW.category OR OLD.department_code IS DISTINCT FROM NEW.department_code "
    "OR OLD.status IS DISTINCT FROM NEW.status OR OLD.township IS DISTINCT FROM NEW.township"
)

SQLITE = [
    "DROP TRIGGER IF EXISTS ticket_counts_insert",
    "DROP TRIGGER IF EXISTS ticket_counts_delete",
    "DROP TRIGGER IF EXISTS ticket_counts_update",
    f"""CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN
        INSERT INTO ticket_counts ({_KEY}, n) VALUES ({_NEW})
            ON CONFLICT ({_KEY}) DO UPDATE SET n = n + 1;
        INSERT INTO ticket_days (day, n) VALUES (date(NEW.received_at, '+8 hours'), 1)
            ON CONFLICT (day) DO UPDATE SET n = n + 1;
    END""",
    f"""CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN
        UPDATE ticket_counts SET n = n - 1 WHERE {_MATCH_OLD};
        UPDATE ticket_days SET n = n - 1 WHERE day = date(OLD.received_at, '+8 hours');
    END""",
    f"""CREATE TRIGGER ticket_counts_update AFTER UPDATE OF {_KEY} ON tickets
        WHEN {_CHANGED.replace("IS DISTINCT FROM", "IS NOT")} BEGIN
        UPDATE ticket_counts SET n = n - 1 WHERE {_MATCH_OLD};
        INSERT INTO ticket_counts ({_KEY}, n) VALUES ({_NEW})
            ON CONFLICT ({_KEY}) DO UPDATE SET n = n + 1;
    END""",
]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION ticket_counts_apply() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE ticket_counts SET n = n - 1 WHERE {_MATCH_OLD};
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO ticket_counts ({_KEY}, n) VALUES ({_NEW})
                ON CONFLICT ({_KEY}) DO UPDATE SET n = ticket_counts.n + 1;
        END IF;
        IF TG_OP = 'INSERT' THEN
            INSERT INTO ticket_days (day, n) VALUES (CAST(NEW.received_at + interval '8 hours' AS date), 1)
                ON CONFLICT (day) DO UPDATE SET n = ticket_days.n + 1;
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE ticket_days SET n = n - 1 WHERE day = CAST(OLD.received_at + interval '8 hours' AS date);
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS ticket_counts_insert_delete ON tickets",
    "DROP TRIGGER IF EXISTS ticket_counts_update ON tickets",
    """CREATE TRIGGER ticket_counts_insert_delete AFTER INSERT OR DELETE ON tickets
        FOR EACH ROW EXECUTE FUNCTION ticket_counts_apply()""",
    f"""CREATE TRIGGER ticket_counts_update AFTER UPDATE OF {_KEY} ON tickets
        FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION ticket_counts_apply()""",
]


def install(conn: Connection) -> None:
    """Creates (or re-creates) the triggers on `tickets` for this connection's database."""
    for statement in POSTGRESQL if conn.dialect.name == "postgresql" else SQLITE:
        conn.exec_driver_sql(statement)


def refill(conn: Connection) -> None:
    """Counts the tickets already there into both tables (after install, for a database that had tickets)."""
    day = (
        "CAST(received_at + interval '8 hours' AS date)"
        if conn.dialect.name == "postgresql"
        else "date(received_at, '+8 hours')"
    )
    conn.exec_driver_sql("DELETE FROM ticket_counts")
    conn.exec_driver_sql("DELETE FROM ticket_days")
    conn.exec_driver_sql(
        f"INSERT INTO ticket_counts ({_KEY}, n) SELECT category, department_code, status, COALESCE(township, ''), "
        "COUNT(*) FROM tickets GROUP BY category, department_code, status, COALESCE(township, '')"
    )
    conn.exec_driver_sql(f"INSERT INTO ticket_days (day, n) SELECT {day}, COUNT(*) FROM tickets GROUP BY {day}")


@contextmanager
def bulk_load(conn: Connection) -> Iterator[None]:
    """For a bulk import: the triggers are off while the rows go in (a row-by-row count made a million-ticket load
    8x slower), then the counts are made once from the tickets."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE tickets DISABLE TRIGGER USER")
    else:
        for statement in SQLITE[:3]:  # the DROP TRIGGER statements
            conn.exec_driver_sql(statement)
    try:
        yield
    finally:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE tickets ENABLE TRIGGER USER")
        else:
            install(conn)
    refill(conn)
