"""Database connections and schema migrations (Alembic), for SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import database_url
from bot.store.private import private_file, private_folder, private_sqlite_companions

MIGRATIONS = Path(__file__).parent / "migrations"


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything here is stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; callers tell the learner to try again later."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Transactions are begun by _sqlite_begin, not by the driver (which would begin them DEFERRED).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Several processes (action server, web service, reviewer CLI) share the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Writers take the lock when their transaction begins and wait for it (busy_timeout): a
    deferred transaction that reads, then writes, fails at once with "database is locked" when
    another process wrote in between, and a learner would see that."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL, None for an in-memory database or another kind of database."""
    if not url.startswith("sqlite:///"):
        return None
    name = url.removeprefix("sqlite:///").split("?", 1)[0]
    return None if name in ("", ":memory:") else Path(name)


def _private_sqlite(path: Path):
    """The database file and its -wal and -shm owner-only, whatever the umask (they hold personal
    data): the file is made 0600 before SQLite opens it, and SQLite gives its companions its mode."""

    def on_connect(_dbapi_connection, _record) -> None:
        private_sqlite_companions(path)

    return on_connect


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        engine = create_engine(url, future=True, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        if (path := sqlite_file(url)) is not None:
            private_file(private_folder(path.parent) / path.name)
            event.listen(engine, "connect", _private_sqlite(path))  # after the pragmas: WAL mode made them
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # A small pool: the action server and web service each keep a few connections.
    # hide_parameters: error messages (and so logs) never carry emails or names.
    return create_engine(url, future=True, hide_parameters=True, pool_size=5, max_overflow=5, pool_pre_ping=True)


def engine() -> Engine:
    return engine_for(database_url())


def session(url: str | None = None) -> Session:
    return sessionmaker(engine_for(url or database_url()), future=True, expire_on_commit=False)()


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str | None = None) -> None:
    """Bring the schema up to date (run by `make run`, the tests and the servers)."""
    from alembic import command

    url = url or database_url()
    config = alembic_config(url)
    with engine_for(url).begin() as connection:
        config.attributes["connection"] = connection  # same engine, so SQLite's folder and pragmas apply
        command.upgrade(config, "head")
