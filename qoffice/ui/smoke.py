"""The unattended smoke mode: QOFFICE_EXIT_AFTER_SHOW=1 and QOFFICE_SMOKE_REPORT=FILE.

With QOFFICE_EXIT_AFTER_SHOW the app quits with 0 once the main window shows the first page of
its list; any modal prompt that would appear instead (newer database, lock, first-run dialog,
crash) is logged and the app exits non-zero. Frozen builds have no stdout, so the result also
goes to the report file as JSON.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("qoffice.ui")

EXIT_PROMPT = 3  # a prompt would have blocked an unattended start


def exit_after_show() -> bool:
    return os.environ.get("QOFFICE_EXIT_AFTER_SHOW", "") not in ("", "0")


def write_report(**data) -> None:
    target = os.environ.get("QOFFICE_SMOKE_REPORT")
    if not target:
        return
    import json  # the smoke report only: not on the window's start path

    try:
        Path(target).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError as exc:
        log.warning("cannot write smoke report %s: %s", target, exc)
