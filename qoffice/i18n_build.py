"""Build the gettext catalogs: compile every .po part to .mo; `--extract` lists untranslated msgids.

Run by the bootstrap (make), by build.spec and by setup.py (which compiles the copy that goes
into a wheel). `--extract` scans qoffice/ with Babel and prints
every `_()` string that no zh_CN part translates — a test runs the same check.
"""
from __future__ import annotations

import sys
from pathlib import Path


def compile_all(locale_root: Path) -> int:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    count = 0
    for po in sorted(locale_root.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
        count += 1
    return count


def source_messages(package_root: Path) -> dict[str, list[str]]:
    """msgid -> places, for every _()/N_()/ngettext() call in the package."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, list[str]] = {}
    method_map = [("**.py", "python")]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
        str(package_root), method_map=method_map, keywords=keywords
    ):
        msgs = message if isinstance(message, tuple) else (message,)
        for m in msgs:
            if m:
                found.setdefault(m, []).append(f"{filename}:{lineno}")
    return found


def translated_messages(locale_root: Path, language: str) -> set[str]:
    from babel.messages.pofile import read_po

    out: set[str] = set()
    for po in sorted((locale_root / language / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for msg in read_po(fh):
                if msg.id and msg.string and not msg.fuzzy:
                    out.add(msg.id if isinstance(msg.id, str) else msg.id[0])
                    if not isinstance(msg.id, str):
                        out.update(msg.id)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    here = Path(__file__).resolve().parent
    locale_root = here.parent / "resources" / "locale"
    compile_all(locale_root)
    if "--extract" in argv:
        have = translated_messages(locale_root, "zh_CN")
        missing = {m: p for m, p in source_messages(here).items() if m not in have}
        for m, places in sorted(missing.items()):
            print(f"{places[0]}: {m!r}")
        print(f"{len(missing)} untranslated")
        return 1 if missing else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
