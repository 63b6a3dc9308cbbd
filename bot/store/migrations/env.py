"""Alembic environment: runs the migrations on the connection (or URL) the caller gives."""

from alembic import context
from sqlalchemy import create_engine

from bot.store.models import Base

config = context.config


def run(connection) -> None:
    url = str(connection.engine.url)
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


if "connection" in config.attributes:  # bot.store.db.migrate()
    run(config.attributes["connection"])
else:  # the alembic command line
    with create_engine(config.get_main_option("sqlalchemy.url"), future=True).connect() as connection:
        run(connection)
