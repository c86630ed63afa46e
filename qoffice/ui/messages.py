"""The one way to show a message or ask a question, so every dialog text goes through one place.

Tests and the `QOFFICE_EXIT_AFTER_SHOW` smoke mode replace the responder (set_responder) so no
modal box ever blocks: a responder gets (kind, title, text, details) and returns the answer
(True/False for questions, None for notices). Without a responder a real QMessageBox is shown.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Optional

from PySide6.QtWidgets import QMessageBox, QWidget

from qoffice.errors import KnownError
from qoffice.i18n import _

log = logging.getLogger("qoffice.ui")

Responder = Callable[[str, str, str, Optional[str]], Optional[bool]]
_responder: Responder | None = None
# Every message shown, newest last (kind, title, text): what the smoke mode logs, what tests read.
shown: list[tuple[str, str, str]] = []


def set_responder(responder: Responder | None) -> Responder | None:
    """Answer every later message with `responder` instead of a dialog; returns the previous one."""
    global _responder
    previous, _responder = _responder, responder
    return previous


def _dispatch(kind: str, parent: QWidget | None, title: str, text: str, details: str | None = None,
              default: bool | None = None) -> bool | None:
    shown.append((kind, title, text))
    log.info("message %s: %s", kind, text)
    if _responder is not None:
        answer = _responder(kind, title, text, details)
        return default if answer is None else answer
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setText(text)
    if details:
        box.setDetailedText(details)
    if kind in ("question", "retry"):
        box.setIcon(QMessageBox.Question if kind == "question" else QMessageBox.Warning)
        yes = box.addButton(_("Yes") if kind == "question" else _("Retry"), QMessageBox.YesRole)
        no = box.addButton(_("No") if kind == "question" else _("Quit"), QMessageBox.NoRole)
        box.setDefaultButton(no if default is False else yes)
        box.setEscapeButton(no)
        box.exec()
        return box.clickedButton() is yes
    box.setIcon({"error": QMessageBox.Critical, "warning": QMessageBox.Warning}.get(kind, QMessageBox.Information))
    box.addButton(_("OK"), QMessageBox.AcceptRole)
    box.exec()
    return None


def error(parent: QWidget | None, text: str, details: str | None = None) -> None:
    _dispatch("error", parent, _("qoffice"), text, details)


def warning(parent: QWidget | None, text: str) -> None:
    _dispatch("warning", parent, _("qoffice"), text)


def info(parent: QWidget | None, text: str) -> None:
    _dispatch("info", parent, _("qoffice"), text)


def ask(parent: QWidget | None, text: str, *, default: bool = False) -> bool:
    """A yes/no question; `default` is what Enter (and an automatic responder with no opinion) picks."""
    return bool(_dispatch("question", parent, _("qoffice"), text, default=default))


def retry(parent: QWidget | None, text: str) -> bool:
    """`text` (what failed) with 重试 and 退出: True when the person chose 重试."""
    return bool(_dispatch("retry", parent, _("qoffice"), text, default=False))


def known_error(parent: QWidget | None, exc: KnownError) -> None:
    """A KnownError (already translated) as a message box — used by every screen and the worker."""
    log.info("known error %s: %s", type(exc).__name__, exc.message)
    error(parent, exc.message)
