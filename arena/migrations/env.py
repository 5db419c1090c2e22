"""Alembic environment: runs Arena's migrations against the URL the caller configured."""

from __future__ import annotations

from alembic import context

import arena.models  # noqa: F401  (registers every table on the metadata)
from arena.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run migrations online against ``sqlalchemy.url`` (or a connection passed in attributes)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
