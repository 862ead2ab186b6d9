"""Fixtures that speak the domain: a temporary database with the sample jurisdiction, and drafts built by hand so
ticket tests do not depend on the trained models."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.intake import Draft
from bot.jurisdiction import Jurisdiction, load_jurisdiction
from classifier.facts import empty_facts

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def jurisdiction() -> Jurisdiction:
    return load_jurisdiction(ROOT / "bot" / "jurisdiction.yml")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Storage tests run on SQLite and, when TEST_POSTGRES_URL is set (.ci/run sets it), on PostgreSQL too."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'test.db'}"
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL not set (.ci/run starts a PostgreSQL server and sets it)")
    return url


@pytest.fixture
def settings_env(tmp_path, monkeypatch, database_url):
    """Points every setting at a fresh temporary place and forgets cached settings and engines."""
    from bot import db, settings

    monkeypatch.setenv("PETITION_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("RASA_TIMEOUT", "2")
    settings.get_settings.cache_clear()
    db.engine_for.cache_clear()
    yield settings.get_settings()
    settings.get_settings.cache_clear()
    db.engine_for.cache_clear()


@pytest.fixture
def engine(settings_env, jurisdiction):
    from bot.db import get_engine, init_db
    from bot.models import Base

    e = get_engine()
    if e.dialect.name == "postgresql":  # a shared server: start every test from empty tables
        Base.metadata.drop_all(e)
        with e.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    init_db(e, jurisdiction)
    yield e
    e.dispose()


@pytest.fixture
def session(engine):
    from bot.db import sessionmaker_for

    s = sessionmaker_for(engine)()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def make_draft():
    """make_draft("labour", township="gasa", flags=["collective"]) -> a Draft as the analysis would give it."""

    def make(
        category: str = "labour",
        township: str | None = None,
        village: str | None = None,
        flags: list[str] | None = None,
        facts: dict | None = None,
        confidence: float = 0.9,
        text: str = "包工头欠我们三个月工资，一共三万六千元",
        **fields,
    ) -> Draft:
        return Draft(
            text=text,
            category=category,
            township=township,
            village=village,
            facts={**empty_facts(), **(facts or {})},
            flags=tuple(flags or ()),
            confidence=confidence,
            top=((category, confidence),),
            needs_review=confidence < 0.5,
            **fields,
        )

    return make


@pytest.fixture(scope="session")
def trained_models():
    """The real models (category, matter, gate, urgency), trained once if missing, as `make run` does: for the
    few tests that judge what the models decide together with our rules. The e2e stack reuses them."""
    from bot import training
    from bot.settings import load_settings

    settings = load_settings()
    training.train_missing(settings.model_dir, settings.real_data_dir)
    return settings.model_dir


@pytest.fixture
def empty_engine(database_url, settings_env):
    """An engine on a database with no tables at all (PostgreSQL: the shared test database, emptied)."""
    from bot.db import make_engine

    engine = make_engine(database_url)
    _drop_everything(engine)
    yield engine
    _drop_everything(engine)
    engine.dispose()


def _drop_everything(engine) -> None:
    from sqlalchemy import text

    from bot.models import Base

    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
