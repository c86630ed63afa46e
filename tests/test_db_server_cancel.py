"""Cancelling a superseded background count on the server (the clerk typed on) must not make the
keystroke wait: psycopg's cancel opens a new connection to the server (milliseconds, more on a slow
network), so it is sent from another thread."""
from __future__ import annotations

import threading
import time


def test_interrupt_returns_at_once_and_the_cancel_is_still_sent(pg_url):
    from qoffice.db.database import open_database

    db = open_database(pg_url, "existing")
    try:
        reader = db.connect_reader()
        sent = threading.Event()

        def slow_cancel():  # a server far away: the cancel request takes half a second
            time.sleep(0.5)
            sent.set()

        reader._conn.cancel_safe = slow_cancel
        start = time.perf_counter()
        reader.interrupt()
        assert time.perf_counter() - start < 0.1
        assert sent.wait(5)
        reader.close()
    finally:
        db.close()


def test_an_interrupt_really_stops_a_running_statement(pg_url):
    from qoffice.db.database import open_database
    from qoffice.errors import KnownError

    db = open_database(pg_url, "existing")
    try:
        reader = db.connect_reader()
        threading.Timer(0.3, reader.interrupt).start()
        start = time.perf_counter()
        try:
            reader.execute("SELECT pg_sleep(5)")
        except (KnownError, Exception):
            pass
        assert time.perf_counter() - start < 3
        reader.close()
    finally:
        db.close()
