"""Alembic environment: the project's models and database (bot.migrate runs it; see README, "Database")."""

from alembic import context

from bot.db import engine_for
from bot.models import Base
from bot.settings import get_settings

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # the alembic command line: the database of the settings
        with engine_for(get_settings().database_url).connect() as connection:
            _migrate(connection)
            connection.commit()
    else:
        _migrate(connection)


def _migrate(connection) -> None:
    # SQLite cannot ALTER most things: batch mode copies the table instead
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
