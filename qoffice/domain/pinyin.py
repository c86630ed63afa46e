"""Pinyin initials of a name (拼音首字母), for search: 南通中远海运 → ntzyhy.

Looked up per character in a table shipped in resources/ (made by tools/gen_pinyin_table.py);
pypinyin is imported lazily only for characters the table lacks, since importing it and calling
it per name costs far more than a dict lookup when 100,000 names are filed.
"""
from __future__ import annotations

import unicodedata

_table: dict[str, str] | None = None
_translation: _Translation | None = None


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


def initial_of(ch: str) -> str:
    """The initial of one (NFKC-normalised) character: ASCII letters and digits lower-cased, a
    Chinese character's pinyin initial, "" for anything else."""
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    letter = _load().get(ch)
    if letter is None and "\u3400" <= ch <= "\U0002ffff" and unicodedata.category(ch) == "Lo":
        letter = _fallback(ch)
    return letter or ""


class _Translation(dict):
    """code point -> initial (None drops the character), for str.translate: filled on first sight
    of each character, so a name costs one translate call in C instead of a Python loop."""

    def __missing__(self, cp: int) -> str | None:
        letter = initial_of(chr(cp)) or None
        self[cp] = letter
        return letter


def _translation_table() -> _Translation:
    global _translation
    if _translation is None:
        trans = _Translation()
        for ch, letter in _load().items():
            trans[ord(ch)] = letter
        _translation = trans
    return _translation


def initials(name: str | None) -> str:
    """Lower-case initials; ASCII letters and digits kept, everything else dropped."""
    if not name:
        return ""
    return unicodedata.normalize("NFKC", name).translate(_translation_table())
