"""The server password in the operating system's credential store (keyring), never in a file.

Windows: Credential Manager; Linux: the Secret Service. Where none exists (a headless server, root
without a session) nothing is stored and libpq's own PGPASSWORD / PGPASSFILE apply.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

SERVICE = "qoffice-postgresql"


def describe(url: URL) -> str:
    """user@host:port/database, for the status bar and the check report; never the password."""
    host = url.host or url.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    port = url.port or url.query.get("port") or 5432
    if isinstance(port, tuple):
        port = port[0]
    user = f"{url.username}@" if url.username else ""
    return f"postgresql://{user}{host}:{port}/{url.database}"


def account(url: URL) -> str:
    """The store's account name of a server login: user@host:port/database (no password)."""
    return describe(url).removeprefix("postgresql://")


def get_password(url: URL) -> str | None:
    try:
        import keyring

        return keyring.get_password(SERVICE, account(url))
    except Exception:  # no backend (keyring.errors.NoKeyringError), a locked store: libpq's ways apply
        return None


def store_password(url: URL, password: str) -> bool:
    """Keep `password` for `url`; False when there is no credential store to keep it in."""
    try:
        import keyring

        keyring.set_password(SERVICE, account(url), password)
        return True
    except Exception:
        return False


def forget_password(url: URL) -> None:
    try:
        import keyring

        keyring.delete_password(SERVICE, account(url))
    except Exception:
        pass


def has_store() -> bool:
    try:
        import keyring
        from keyring.backends import fail

        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except Exception:
        return False
