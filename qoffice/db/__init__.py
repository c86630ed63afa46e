"""Persistence: SQLAlchemy models, opening/upgrading the SQLite file, the lock, backups."""
