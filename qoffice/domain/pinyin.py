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


# ---- full pinyin: the sort key of a name ------------------------------------------------------
# A name sorts in pinyin order, as WPS and Excel sort Chinese text (东 dong, 丰 feng, 华 hua, 凯 kai,
# 中 zhong), not by code point (东, 中, 丰, 凯, 华). The key spells every character: a Chinese
# character as its syllable and tone number (中 → zhong1), so that 安 an1 < 昂 ang2 and, within a
# syllable, tones 1–5 in order; ASCII letters lower-cased, digits as they are; anything else
# (spaces, punctuation) dropped. The database stores the key (enterprise.name_pinyin) and lists
# order by it; ties (the same reading) fall back to the record's id.

_syllables: dict[str, str] | None = None
_key_translation: _KeyTranslation | None = None


def _load_syllables() -> dict[str, str]:
    global _syllables
    if _syllables is None:
        from qoffice.paths import resources_dir

        table: dict[str, str] = {}
        path = resources_dir() / "pinyin" / "pinyin.txt"
        for line in path.read_text(encoding="utf-8").splitlines():
            syllable, _, chars = line.partition("\t")
            for ch in chars:
                table[ch] = syllable
        _syllables = table
    return _syllables


def _syllable_fallback(ch: str) -> str:
    """pypinyin, imported only for a character the shipped table lacks (extension B and later)."""
    try:
        from pypinyin import Style, pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        return ""
    py = pinyin(ch, style=Style.TONE3, heteronym=False, neutral_tone_with_five=True, errors=lambda _x: None)
    reading = py[0][0] if py and py[0] and py[0][0] else ""
    return reading.lower() if reading[:-1].isascii() and reading[:-1].isalpha() else ""


def syllable_of(ch: str) -> str:
    """One (NFKC-normalised) character's part of the sort key."""
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    syllable = _load_syllables().get(ch)
    if syllable is None and "\u3400" <= ch <= "\U0002ffff" and unicodedata.category(ch) == "Lo":
        syllable = _syllable_fallback(ch)
    return syllable or ""


class _KeyTranslation(dict):
    """code point -> its part of the key (None drops it), filled on first sight, for str.translate."""

    def __missing__(self, cp: int) -> str | None:
        part = syllable_of(chr(cp)) or None
        self[cp] = part
        return part


def _key_table() -> _KeyTranslation:
    global _key_translation
    if _key_translation is None:
        trans = _KeyTranslation()
        for ch, syllable in _load_syllables().items():
            trans[ord(ch)] = syllable
        _key_translation = trans
    return _key_translation


def sort_key(name: str | None) -> str:
    """The pinyin sort key of a name: 南通中远 → nan2tong1zhong1yuan3 (see above)."""
    if not name:
        return ""
    return unicodedata.normalize("NFKC", name).translate(_key_table())
