"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from arena.db import Base, make_engine
from arena.schema import has_schema, upgrade
from arena.settings import Settings
from tests.conftest import reset_database


def test_upgrade_matches_the_models(settings: Settings, tmp_path: Path) -> None:
    url = settings.database_url
    engine = make_engine(url)
    on_postgres = engine.dialect.name == "postgresql"
    if on_postgres:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        url = f"sqlite:///{tmp_path}/migrated.sqlite"
        engine.dispose()
        engine = make_engine(url)
    assert not has_schema(url)
    upgrade(url)
    assert has_schema(url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert differences == []
    upgrade(url)  # running it again is a no-op
    if on_postgres:
        reset_database(url)
