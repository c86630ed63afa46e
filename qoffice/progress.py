"""The progress callback every long piece of work takes, shared by services/ and excel/.

`progress(done, total, message)` -> None; it may raise qoffice.errors.Cancelled to stop (the GUI's
cancel button does that), and nothing is written then. It lives below both layers so excel/ never
has to import services/ (the layer above it) to report progress.
"""
from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None] | None


def report(progress: Progress, done: int, total: int, message: str = "") -> None:
    if progress is not None:
        progress(done, total, message)
