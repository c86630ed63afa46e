"""Parse one cell of a clerk's spreadsheet into a typed value, or say in Chinese why not.

Each parser takes the raw cell (str, float, int, bool, date or datetime, as the readers give them)
and returns the value, raising CellProblem with a translated message. Empty cells are None before
any parser runs: an import never erases, so "empty" is decided once, in `is_empty`.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from qoffice.domain.money import MAX_YUAN, round_half_up, to_decimal, too_large
from qoffice.i18n import _

EXCEL_TEXT_LIMIT = 32767
LIST_SEPARATORS = re.compile(r"[、;；,，\r\n]+")
# Full-width ASCII (Ｆ１２３…) and the ideographic space; Chinese punctuation is left as written.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Invisible format characters, removed outright: zero-width (U+200B–200D, U+2060–2064, BOM) and the
# bidi controls (U+200E/200F marks, U+202A–202E embeddings and overrides, U+2066–2069 isolates) — a
# U+202E in a name shows "南通甲公司" for text stored in another order.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029{_INVISIBLE}]")  # multiline: removed
_CONTROL_KEEP_NOTHING = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")  # one line: a space

# Anything clean_text would change: control/format characters, full-width forms, edge or double spaces.
_NEEDS_WORK = re.compile(f"[\x00-\x1f\x7f\u2028\u2029{_INVISIBLE}\uff01-\uff5e\u3000]|^\\s|\\s$|\\s\\s")
NEEDS_WORK = _NEEDS_WORK  # for readers of many cells that inline clean_text's fast path
# The same test over many cells joined by NUL (so no cell may hold one itself): a cell's edges are
# next to a NUL or at an end of the whole string. A hit may be a false alarm, never a miss.
_ANY_NEEDS_WORK = re.compile(f"[\x01-\x1f\x7f\u2028\u2029{_INVISIBLE}\uff01-\uff5e\u3000]"
                             "|\\s(?:\\s|\x00|$)|(?:^|\x00)\\s")
# First a cheaper test (one character class, a quarter of the time): no such character and no white
# space at all, so no cell can have an edge or double space either.
_ANY_SUSPECT = re.compile(f"[\x01-\x1f\x7f\u2028\u2029{_INVISIBLE}\uff01-\uff5e\u3000\\s]")


def all_clean(texts: list[str]) -> bool:
    """Whether clean_text returns every non-empty one of `texts` (all str) as it is — one regex pass
    over all of them instead of a call per cell (a big roster's text columns are clean throughout)."""
    if not texts:
        return True
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:
        return False  # a cell holds a NUL itself
    if len(joined) > EXCEL_TEXT_LIMIT and max(map(len, texts)) > EXCEL_TEXT_LIMIT:
        return False
    return _ANY_SUSPECT.search(joined) is None or _ANY_NEEDS_WORK.search(joined) is None


YES_WORDS = {"是", "y", "yes", "true", "√", "✓", "✔", "1", "有", "对"}
NO_WORDS = {"否", "n", "no", "false", "×", "✗", "✘", "x", "0", "无", "没有", "不是"}


class CellProblem(ValueError):
    """A cell that cannot be taken; `message` is translated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_empty(value) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, str):
        return not value.strip() and not value.replace("\u3000", "").strip()
    return False


def halfwidth(text: str) -> str:
    return text.translate(_FULLWIDTH)


def number_text(value) -> str:
    """A number cell as text: 13800000000.0 → "13800000000" (phones, codes typed as numbers)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:  # 1e300 stays "1e+300", not 301 digits
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def clean_text(value, *, multiline: bool = False) -> str | None:
    """Stray spaces, full-width letters/digits and control characters out; Excel's length limit."""
    if type(value) is str and value and not multiline and len(value) <= EXCEL_TEXT_LIMIT \
            and not _NEEDS_WORK.search(value):
        return value  # the common case: already clean (100,000-row rosters pass here)
    if is_empty(value):
        return None
    text = halfwidth(number_text(value))
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = _CONTROL.sub("", text).replace("\t", " ")
        text = "\n".join(line.strip() for line in text.split("\n")).strip()
    else:
        text = " ".join(_CONTROL_KEEP_NOTHING.sub(" ", _INVISIBLE_RE.sub("", text)).split())
    if len(text) > EXCEL_TEXT_LIMIT:
        raise CellProblem(_("The text is longer than Excel's limit of {limit} characters.").format(
            limit=EXCEL_TEXT_LIMIT))
    return text or None


def split_list(value) -> list[str]:
    """List cells (参加企业, 参会人): split on 、 ; , and line breaks first, then clean each part.

    Empty slots are kept (as None) so that parallel lists (names, posts, phones) stay aligned.
    """
    if is_empty(value):
        return []
    text = number_text(value)
    parts = re.split(r"[、;；,，\n]|\r\n?", text)
    return [clean_text(p) for p in parts]


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = clean_text(value)
    key = (text or "").lower()
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    raise CellProblem(_("“{value}” is not a yes/no answer; write 是 or 否.").format(value=text))


MAX_WHOLE_NUMBER = 10**9  # counts (batches, people): far beyond any real one, inside SQLite's integers


def parse_int(value, *, minimum: int | None = 0) -> int:
    if isinstance(value, bool):
        raise CellProblem(_("“{value}” is not a whole number.").format(value=value))
    if isinstance(value, (int, float)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = (clean_text(value) or "").replace(",", "").rstrip("个批次人家项")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellProblem(_("“{value}” is not a whole number.").format(value=clean_text(value))) from None
    if too_large(number, MAX_WHOLE_NUMBER):
        raise CellProblem(_("“{value}” is implausibly large; check the digits.").format(value=number_text(value)))
    if number != number.to_integral_value():
        raise CellProblem(_("“{value}” is not a whole number.").format(value=number_text(value)))
    result = int(number)
    if minimum is not None and result < minimum:
        raise CellProblem(_("The number cannot be below {minimum}.").format(minimum=minimum))
    return result


# "2019.0": a float column exported as text — a zero fraction is the whole number (issue 13).
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?(?:\s*年(?:度)?)?$")


def parse_year(value) -> int:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1900 <= value <= 2100:
            return int(value)
    text = clean_text(value) or ""
    m = _YEAR.match(text)
    if m and 1900 <= int(m.group(1)) <= 2100:
        return int(m.group(1))
    raise CellProblem(_("“{value}” is not a year; write it like 2023.").format(value=text or number_text(value)))


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_text(value) or ""
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{1,2}-\d{1,2} \d", text) else text
    m = _DATE.match(text) or _DATE_COMPACT.match(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    raise CellProblem(_("“{value}” is not a date; write it like 2023-4-23.").format(value=text))


MONEY_UNITS = {"万元": Decimal(10000), "万": Decimal(10000), "元": Decimal(1)}
_AMOUNT = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*(万元|万|元)?$")


def parse_money(value, *, scale: Decimal = Decimal(10000)) -> tuple[int, bool]:
    """An amount → (integer yuan, rounded?). `scale` is the yuan per bare number (the header's unit);
    a unit written in the cell overrides it."""
    if isinstance(value, bool):
        raise CellProblem(_("“{value}” is not an amount.").format(value=value))
    if isinstance(value, (int, float)):
        amount = to_decimal(value) * scale
    else:
        text = (clean_text(value) or "").replace(",", "").replace("¥", "").replace("￥", "").replace(" ", "")
        m = _AMOUNT.match(text)
        if not m:
            raise CellProblem(_("“{value}” is not an amount; write a number in 万元, or add 元.").format(
                value=clean_text(value)))
        unit = m.group(2)
        amount = Decimal(m.group(1)) * (MONEY_UNITS[unit] if unit else scale)
    if too_large(amount):
        raise CellProblem(_("The amount “{value}” is implausibly large (more than {limit} 万元); check the unit and "
                            "the digits.").format(value=number_text(value), limit=f"{MAX_YUAN // 10000:,}"))
    if amount < 0:
        raise CellProblem(_("An amount cannot be negative."))
    yuan = round_half_up(amount)
    return int(yuan), yuan != amount


_RATE = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*(%)?$")


MAX_PERCENT = 10**6  # a rate is checked against its own range later; this only keeps it a plain number


def parse_rate(value, *, percent_cell: bool = False) -> Decimal:
    """A percentage: 1.25, "1.25%" or a percent-formatted cell holding 0.0125 all mean 1.25 %."""
    if isinstance(value, bool):
        raise CellProblem(_("“{value}” is not a percentage.").format(value=value))
    if isinstance(value, (int, float)):
        number = to_decimal(value)
        number = (number * 100).normalize() if percent_cell else number
    else:
        text = (clean_text(value) or "").replace(" ", "").replace("％", "%")
        m = _RATE.match(text)
        if not m:
            raise CellProblem(_("“{value}” is not a percentage; write it like 1.25 or 1.25%.").format(value=text))
        number = Decimal(m.group(1))
    if too_large(number, MAX_PERCENT):
        raise CellProblem(_("“{value}” is implausibly large for a percentage; check the digits.").format(
            value=number_text(value)))
    return number


def choose(value, vocabulary: tuple[str, ...]) -> str:
    """A closed-vocabulary word, after white space and full-width clean-up."""
    text = clean_text(value)
    if text in vocabulary:
        return text
    squeezed = (text or "").replace(" ", "")
    for word in vocabulary:
        if squeezed.lower() == word.lower():
            return word
    raise CellProblem(_("“{value}” is not one of: {choices}.").format(value=text, choices="、".join(vocabulary)))
