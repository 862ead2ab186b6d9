"""Schema migrations with Alembic (bot/migrations/). `upgrade(engine)` brings any database to the models' schema;
`init_db` calls it at every start, and `petition migrate` on demand.

New revisions: change bot/models.py, then
    .venv/bin/alembic -c bot/migrations/alembic.ini revision --autogenerate -m "what changed"
and review the file (data migrations are written by hand). tests/bot/test_migrations.py fails when the models and the
migrations disagree.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect

from bot.models import Base

MIGRATIONS = Path(__file__).with_name("migrations")
# The schema as it was before migrations existed (create_all); such a database is stamped with it, then upgraded.
INITIAL = "0001"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine) -> None:
    """An empty database gets the current schema at once (create_all, then stamped head, as Alembic's cookbook
    advises); a database made before migrations existed (tables, no alembic_version) is stamped at the initial
    revision; then every pending revision runs."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # SQLite migrations copy tables that others refer to: no foreign-key checks meanwhile
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                _upgrade(conn)
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def _upgrade(conn: Connection) -> None:
    tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
    cfg = alembic_config(conn)
    if not tables:
        Base.metadata.create_all(conn)
        command.stamp(cfg, "head")
        return
    if not _current_revision(conn):
        command.stamp(cfg, INITIAL)
    command.upgrade(cfg, "head")


def _current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()
