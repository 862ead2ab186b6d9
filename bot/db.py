"""Engine and sessions. SQLite by default (WAL, so the web app, the bot and the action server can share it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot import migrate
from bot.jurisdiction import Jurisdiction
from bot.models import Department
from bot.settings import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return engine_for(get_settings().database_url)


def sessionmaker_for(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on any error."""
    session = sessionmaker_for(engine or get_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def init_db(engine: Engine, jurisdiction: Jurisdiction) -> None:
    """Brings the schema up to date (bot.migrate) and the departments table in line with the jurisdiction file."""
    migrate.upgrade(engine)
    with session_scope(engine) as s:
        for d in jurisdiction.departments.values():
            row = s.get(Department, d.code)
            if row is None:
                s.add(Department(code=d.code, name=d.name, level=d.level, township_code=d.township))
            else:
                row.name, row.level, row.township_code = d.name, d.level, d.township
