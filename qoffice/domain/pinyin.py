"""Pinyin initials of a name (拼音首字母), for search: 南通中远海运 → ntzyhy.

Looked up per character in a table shipped in resources/ (made by tools/gen_pinyin_table.py);
pypinyin is imported lazily only for characters the table lacks, since importing it and calling
it per name costs far more than a dict lookup when 100,000 names are filed.
"""
from __future__ import annotations

import unicodedata

_table: dict[str, str] | None = None


def _load() -> dict[str, str]:
    global _table
    if _table is None:
        from qoffice.paths import resources_dir

        table: dict[str, str] = {}
        path = resources_dir() / "pinyin" / "initials.txt"
        for line in path.read_text(encoding="utf-8").splitlines():
            letter, _, chars = line.partition("\t")
            for ch in chars:
                table[ch] = letter
        _table = table
    return _table


def _fallback(ch: str) -> str:
    try:
        from pypinyin import Style, pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        return ""
    py = pinyin(ch, style=Style.FIRST_LETTER, errors="ignore")
    return py[0][0][:1].lower() if py and py[0] and py[0][0] else ""


def initials(name: str | None) -> str:
    """Lower-case initials; ASCII letters and digits kept, everything else dropped."""
    if not name:
        return ""
    table = _load()
    out = []
    for ch in unicodedata.normalize("NFKC", name):
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
            continue
        letter = table.get(ch)
        if letter is None and "\u3400" <= ch <= "\U0002ffff" and unicodedata.category(ch) == "Lo":
            letter = _fallback(ch)
        if letter:
            out.append(letter)
    return "".join(out)
