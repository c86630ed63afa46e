"""Use cases callable from the GUI, the CLI and tests alike. No Qt here.

Long work takes a `progress` callback: progress(done, total, message) -> None; it may raise
qoffice.errors.Cancelled to stop (the GUI's cancel button does that), and nothing is written then.
"""
from __future__ import annotations

from typing import Callable, Optional

Progress = Optional[Callable[[int, int, str], None]]


def report(progress: Progress, done: int, total: int, message: str = "") -> None:
    if progress is not None:
        progress(done, total, message)
