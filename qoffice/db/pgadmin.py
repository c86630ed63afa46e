"""The owner's work on a server database: schema (Alembic), roles and grants, upgrade.

`qoffice db init` / `qoffice db upgrade` (cli/commands/db.py) call these; each runs in one
transaction (PostgreSQL's DDL is transactional), so a failure leaves the database as it was.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qoffice.db import pg
from qoffice.errors import DatabaseError, UsageError
from qoffice.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _engine(url: URL | str):
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    if isinstance(url, str):
        url = pg.with_stored_password(pg.sa_url(url))
    return create_engine(url, connect_args=pg.connect_args(), poolclass=NullPool, hide_parameters=True), url


def upgrade_schema(conn, target: str = "head") -> None:
    """Alembic's upgrade on an open connection inside the caller's transaction."""
    from alembic import command

    from qoffice.db.migrate import alembic_config

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, target)


def create_schema(url: URL | str) -> None:
    """The schema at head, through Alembic's migrations, in one transaction (tests' template, db init)."""
    engine, url = _engine(url)
    try:
        with engine.begin() as conn:
            upgrade_schema(conn)
            install_change_triggers(conn)
    finally:
        engine.dispose()


def install_change_triggers(conn) -> None:
    """A statement trigger on every table that announces the table's name on the change channel
    (LISTEN/NOTIFY): open lists of the other clerks refresh within seconds. Notifications are sent at
    commit only, once per table and transaction; a rolled-back change announces nothing. Server-only
    objects, outside Alembic's schema (a SQLite file has no other clerks); made again by db upgrade."""
    from sqlalchemy import text

    conn.execute(text(
        "CREATE OR REPLACE FUNCTION qoffice_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{pg.CHANGE_CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"))
    names = [r[0] for r in conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
    for name in names:
        q = _quote(conn, name)
        conn.execute(text(f"DROP TRIGGER IF EXISTS qoffice_change ON {q}"))
        conn.execute(text(f"CREATE TRIGGER qoffice_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {q} "
                          "FOR EACH STATEMENT EXECUTE FUNCTION qoffice_notify_change()"))


def check_role_name(name: str) -> str:
    if not ROLE_NAME.match(name or ""):
        raise UsageError(_("“{name}” cannot be a database user name: use lower-case letters, digits and _ "
                           "(starting with a letter), at most 63.").format(name=name))
    return name


def _quote(conn, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def grant_statements(conn) -> list[str]:
    """The grants of the two group roles on every table and sequence of the schema (run again after an
    upgrade, which may add tables)."""
    clerk, viewer = _quote(conn, pg.CLERK_ROLE), _quote(conn, pg.VIEWER_ROLE)
    return [
        f"GRANT USAGE ON SCHEMA public TO {clerk}, {viewer}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {viewer}",
        f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {viewer}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {clerk}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {clerk}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {clerk}",
    ]


def init_database(url_text: str, clerks: Sequence[str], viewers: Sequence[str],
                  passwords: dict[str, str], *, schema_revision: str = "head") -> dict:
    """Schema, group roles, login roles and grants on an EMPTY database, in one transaction
    (`schema_revision`: an older schema, for the tests of an older server)."""
    from sqlalchemy import text

    for name in (*clerks, *viewers):
        check_role_name(name)
    engine, url = _engine(url_text)
    where = pg.describe(url)
    try:
        with engine.begin() as conn:
            revision, ours = pg.read_revision(conn)
            if revision is not None or not ours:
                raise DatabaseError(_("The database {where} is not empty; “db init” only sets up an empty "
                                      "database. Nothing was changed.").format(where=where))
            upgrade_schema(conn, schema_revision)
            install_change_triggers(conn)
            existing = {r[0] for r in conn.execute(text("SELECT rolname FROM pg_roles"))}
            for group in (pg.CLERK_ROLE, pg.VIEWER_ROLE):
                if group not in existing:
                    conn.execute(text(f"CREATE ROLE {_quote(conn, group)} NOLOGIN"))
            for st in grant_statements(conn):
                conn.execute(text(st))
            made = []
            for names, group in ((clerks, pg.CLERK_ROLE), (viewers, pg.VIEWER_ROLE)):
                for name in names:
                    q = _quote(conn, name)
                    if name not in existing:
                        conn.execute(text(f"CREATE ROLE {q} LOGIN"))
                    pw = passwords.get(name)
                    if pw is not None:
                        # CREATE/ALTER ROLE takes no parameters: the statement carries the SCRAM
                        # verifier computed here, never the password (a server with log_statement=all
                        # logs the statement).
                        conn.exec_driver_sql(f"ALTER ROLE {q} PASSWORD {_literal(_scram_verifier(conn, pw, name))}")
                    conn.execute(text(f"GRANT {_quote(conn, group)} TO {q}"))
                    made.append(name)
    except DatabaseError:
        raise
    except Exception as exc:
        pg.raise_known(exc, where)
        raise
    finally:
        engine.dispose()
    return {"database": where, "clerks": list(clerks), "viewers": list(viewers)}


def _scram_verifier(conn, password: str, role: str) -> str:
    """The SCRAM-SHA-256 verifier of `password` (RFC 5802/7677, salted, 4096 iterations, SASLprep),
    computed on this PC by libpq's PQencryptPasswordConn, as psql's \\password does."""
    if "\x00" in password:
        raise UsageError(_("A password cannot contain a NUL character."))
    pgconn = conn.connection.dbapi_connection.pgconn
    return pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode("ascii")


def _literal(value: str) -> str:
    if "\x00" in value:
        raise UsageError(_("A password cannot contain a NUL character."))
    return "'" + value.replace("'", "''") + "'"


def upgrade_database(url_text: str) -> tuple[str, str]:
    """Upgrade the server's schema to head in one transaction (the owner); (from, to) revisions."""
    from qoffice.db.schema import KNOWN_REVISIONS, SCHEMA_HEAD

    engine, url = _engine(url_text)
    where = pg.describe(url)
    try:
        with engine.begin() as conn:
            revision, ours = pg.read_revision(conn)
            if revision is None or not ours or revision == pg.NO_VERSION:
                raise DatabaseError(_("The database {where} is not a qoffice database that can be upgraded "
                                      "(run “db init” on an empty one). Nothing was changed.").format(where=where))
            if revision not in KNOWN_REVISIONS:
                raise DatabaseError(_("The database {where} was set up by a newer version of qoffice (schema {rev}). "
                                      "Please install the newer version; nothing was changed.").format(
                    where=where, rev=revision))
            if pg.role_of(conn) != "owner":
                raise DatabaseError(_("Only the owner of the database {where} can upgrade it; nothing was "
                                      "changed.").format(where=where))
            if revision != SCHEMA_HEAD:
                upgrade_schema(conn)
                install_change_triggers(conn)
                from sqlalchemy import text

                roles = {r[0] for r in conn.execute(text("SELECT rolname FROM pg_roles"))}
                if {pg.CLERK_ROLE, pg.VIEWER_ROLE} <= roles:
                    for st in grant_statements(conn):
                        conn.execute(text(st))
    except DatabaseError:
        raise
    except Exception as exc:
        pg.raise_known(exc, where)
        raise
    finally:
        engine.dispose()
    return revision, SCHEMA_HEAD
