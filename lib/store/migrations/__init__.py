"""Alembic's migrations of the app database (run by `lib.store.engine.migrate`)."""
