"""The GUI's colours and small text styles, defined once (every screen uses these names).

The words carry the meaning; a colour only repeats it (no colour as the only signal)."""
from __future__ import annotations

from PySide6.QtGui import QColor

ERROR = "#b00020"  # a problem the clerk must fix
WARNING = "#8a5a00"  # worth a look, not blocking
REQUIRED = "#d00000"  # the * of a mandatory field
WARNING_BACKGROUND = "#fff3cd"
ERROR_BACKGROUND = "#fde7ea"
THIS_YEAR = "#2f6db5"  # charts: the year in focus
LAST_YEAR = "#b9c3cf"  # charts: the year before
TABLE_HEADING = "#e8e8e8"  # printed tables' heading cells
QUIET_TEXT = "#777777"  # "(empty)": not a value
LAST_YEAR_TEXT = "#56606b"  # last year's numbers: quieter than this year's, still easy to read
NOTE_STYLE = "background: #fff3cd; color: #5c4400; padding: 6px;"  # a note about the file chosen
ERROR_BANNER_STYLE = "#banner { background: #fde7ea; border: 1px solid #e8a0aa; }"
# A notice strip: (background, text colour) by kind.
NOTICE_COLOURS = {"warning": ("#fff4ce", "#8a5a00"), "info": ("#e8f1fb", "#1d4f91")}

ERROR_STYLE = f"color: {ERROR};"
WARNING_STYLE = f"color: {WARNING};"

BADGE_STYLES = {
    "ok": "background:#e3f4e6; color:#1b5e20; border:1px solid #7cb984;",
    "warn": "background:#fff4d6; color:#7a4d00; border:1px solid #e0b44c;",
    "bad": "background:#fde4e4; color:#8e1b1b; border:1px solid #e08a8a;",
    "plain": "background:palette(alternate-base); color:palette(text); border:1px solid palette(mid);",
}


def color(name: str) -> QColor:
    """One of the colours above as a QColor (item models' foreground/background roles)."""
    return QColor(name)


def required(text: str) -> str:
    """A form label with the red * of a mandatory field (rich text)."""
    return f'{text} <span style="color:{REQUIRED};">*</span>'
