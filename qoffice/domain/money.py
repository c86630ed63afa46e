"""Money and scaled numbers: integer yuan everywhere, 万元 on screens and in files.

SQLite keeps NUMERIC as a float, so money is stored as integer yuan and loss rates as integers
scaled by 10^4; conversion rounds half-up once, from exact Decimals (never float, never round()).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

YUAN_PER_WAN = Decimal(10000)
RATE_SCALE = Decimal(10000)  # loss rate kept to 4 decimals
# The largest amount taken (10^15 yuan = 1000 万亿元, far beyond any enterprise's figures): it keeps
# every amount inside SQLite's 64-bit integers and Decimal's 28 digits, so a mistyped 25-digit
# cell or an Excel float like 1e300 is a clear row error instead of an overflow.
MAX_YUAN = 10**15


def too_large(amount: Decimal, limit: int = MAX_YUAN) -> bool:
    """Whether |amount| reaches `limit` (also true for infinities and NaN)."""
    return not amount.is_finite() or abs(amount) >= limit


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # repr() gives the shortest string that round-trips: 0.1 -> "0.1", not 0.1000000000000000055…
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def wan_to_yuan(wan) -> tuple[int, bool]:
    """万元 → integer yuan, half-up. Returns (yuan, was_rounded)."""
    exact = to_decimal(wan) * YUAN_PER_WAN
    yuan = round_half_up(exact)
    return int(yuan), yuan != exact


def yuan_to_decimal(yuan) -> Decimal:
    """Any yuan amount → Decimal yuan (exact)."""
    return to_decimal(yuan)


def yuan_to_wan(yuan: int | None) -> Decimal | None:
    """Integer yuan → exact 万元 (up to 4 decimals)."""
    if yuan is None:
        return None
    return Decimal(int(yuan)) / YUAN_PER_WAN


def format_wan(yuan: int | None, places: int = 2) -> str:
    """For display: 万元 with at least `places` decimals, more when needed to stay exact."""
    if yuan is None:
        return ""
    wan = yuan_to_wan(yuan)
    text = f"{wan:.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    frac = frac.ljust(places, "0")
    return f"{whole}.{frac}" if frac else whole


def rate_to_scaled(rate) -> tuple[int, bool]:
    """A percentage (1.25 means 1.25 %) → integer scaled by 10^4, half-up. (scaled, was_rounded)."""
    exact = to_decimal(rate) * RATE_SCALE
    scaled = round_half_up(exact)
    return int(scaled), scaled != exact


def scaled_to_rate(scaled: int | None) -> Decimal | None:
    if scaled is None:
        return None
    return Decimal(int(scaled)) / RATE_SCALE
