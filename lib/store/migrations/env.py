"""Alembic's environment: migrate the connection `lib.store.engine.migrate` hands over (no
alembic.ini, no URL of its own), with the tables of `lib.store.schema` as the target."""

from __future__ import annotations

from alembic import context

from lib.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
