"""Is a --db value a server's address or a file? Kept apart from db/pg.py so that telling the two
apart imports nothing heavy: the window's start and every CLI command ask it before anything else."""
from __future__ import annotations

import re
from typing import Any

SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_url(value: Any) -> bool:
    """Any `scheme://` value is a URL (a server's address), never a file name."""
    return isinstance(value, str) and bool(SCHEME.match(value.strip()))


def is_server_url(value: Any) -> bool:
    m = SCHEME.match(value.strip()) if isinstance(value, str) else None
    return bool(m) and m.group(1).lower() in SERVER_SCHEMES
