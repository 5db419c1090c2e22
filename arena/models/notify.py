"""Change notifications on PostgreSQL: statement triggers that announce commits touching leaderboard pages.

Readers that cache board pages (``arena.boards.cache``) listen on ``BOARDS_CHANNEL``; PostgreSQL delivers a
notification when a transaction that changed one of ``BOARD_TABLES`` commits (several in one transaction
collapse into one). The same statements are applied by ``create_all`` (tests, benchmarks) and by migration 0002.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from arena.db import Base

BOARDS_CHANNEL = "arena_boards"
BOARD_TABLES = ("challenge", "track", "phase", "team", "leaderboard_entry")

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION arena_notify_boards() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{BOARDS_CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""


def create_trigger(table: str) -> str:
    """Return the statement that makes ``table`` notify board readers of every committed change."""
    return (
        f"CREATE TRIGGER arena_notify_boards AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION arena_notify_boards()"
    )


event.listen(Base.metadata, "after_create", DDL(CREATE_FUNCTION).execute_if(dialect="postgresql"))  # type: ignore[no-untyped-call]
for _table in BOARD_TABLES:
    ddl = DDL(create_trigger(_table))  # type: ignore[no-untyped-call]
    event.listen(Base.metadata, "after_create", ddl.execute_if(dialect="postgresql"))
