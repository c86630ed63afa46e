"""Alembic environment: batch mode for SQLite, models' metadata for autogenerate.

qoffice runs upgrades through qoffice.db.migrate.run_upgrade_in_place, which passes a connection
already inside one BEGIN IMMEDIATE transaction (so the schema and the alembic_version row change
together). Run standalone (the `alembic` command, autogenerate), the same single transaction is
made here. Foreign keys stay off (SQLite's default per connection): batch mode copies and drops
tables; migrate.upgrade runs foreign_key_check afterwards.
"""
from alembic import context
from sqlalchemy import engine_from_config, event, pool

from qoffice.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # no implicit COMMIT of DDL by pysqlite

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
