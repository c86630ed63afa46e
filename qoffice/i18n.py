"""One translation system for every layer: gettext catalogs, English source strings, zh_CN default.

Catalogs live in resources/locale/<lang>/LC_MESSAGES/ as several .po parts (one per area, so that
areas can grow their strings without touching each other's files), each compiled to a .mo of the
same name. All parts of a language are chained into one translations object. A checkout whose .mo
files are not built yet compiles the .po parts in memory (needs Babel), so tests and `python -m`
work straight from git. An installed wheel and the frozen build carry the compiled .mo parts only
(qoffice.paths.locale_dir() finds them).
"""
from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language: str | None = None
# Each language's catalogs are read once a run: the window's start sets the language twice (the
# command line's messages, then the GUI's) and a language switch may come back to one.
_loaded: dict[str, _gettext.NullTranslations] = {}


def _load_part(mo: Path | None, po: Path | None) -> _gettext.NullTranslations | None:
    if mo is not None and mo.exists() and (po is None or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if po is not None and po.exists():
        import io

        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as fh:
            catalog = read_po(fh)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return _gettext.GNUTranslations(buf)
    return None


def load_translations(language: str) -> _gettext.NullTranslations:
    from qoffice.paths import locale_dir

    if language == "en":
        return _gettext.NullTranslations()
    folder = locale_dir() / language / "LC_MESSAGES"
    stems = sorted({p.stem for p in folder.glob("*.po")} | {p.stem for p in folder.glob("*.mo")})
    parts = []
    for stem in stems:
        po = folder / f"{stem}.po"
        part = _load_part(folder / f"{stem}.mo", po if po.exists() else None)
        if part is not None:
            parts.append(part)
    if not parts:
        return _gettext.NullTranslations()
    # One catalog, not a chain of fallbacks: every `_()` is one lookup instead of a walk through
    # up to one catalog per part (the window's start makes hundreds). The first part defining a
    # message wins, as in the chain; the parts of one language share its plural rule.
    merged = parts[0]
    catalog = merged._catalog  # GNUTranslations' own table (the one documented way is a chain)
    for part in parts[1:]:
        for key, text in part._catalog.items():
            catalog.setdefault(key, text)
    return merged


def set_language(language: str | None) -> str:
    """Switch every later `_()` call to `language` (None: $QOFFICE_LANG or the default)."""
    global _translations, _language
    language = language or os.environ.get("QOFFICE_LANG") or DEFAULT_LANGUAGE
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    translations = _loaded.get(language)
    if translations is None:
        translations = _loaded[language] = load_translations(language)
    _translations = translations
    _language = language
    return language


def current_language() -> str:
    if _language is None:
        set_language(None)
    return _language  # type: ignore[return-value]


def _(message: str) -> str:
    if _language is None:
        set_language(None)
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _language is None:
        set_language(None)
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message
