"""Use cases callable from the GUI, the CLI and tests alike. No Qt here.

Long work takes a `progress` callback (qoffice.progress.Progress): progress(done, total, message)
-> None; it may raise qoffice.errors.Cancelled to stop (the GUI's cancel button does that), and
nothing is written then.
"""
from __future__ import annotations

from qoffice.progress import Progress, report

__all__ = ["Progress", "report"]
