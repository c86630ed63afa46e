"""One translation system: every _() string has a zh_CN translation; switching language works."""
from pathlib import Path

from qoffice import i18n
from qoffice.i18n_build import source_messages, translated_messages

ROOT = Path(__file__).resolve().parent.parent


def test_every_source_string_is_translated_to_zh_cn():
    have = translated_messages(ROOT / "resources" / "locale", "zh_CN")
    missing = {m: p[0] for m, p in source_messages(ROOT / "qoffice").items() if m not in have}
    assert missing == {}


def test_placeholders_survive_translation():
    import re

    from babel.messages.pofile import read_po

    bad = []
    for po in (ROOT / "resources/locale/zh_CN/LC_MESSAGES").glob("*.po"):
        with po.open("rb") as fh:
            for msg in read_po(fh):
                if msg.id and msg.string and isinstance(msg.id, str):
                    if set(re.findall(r"\{\w*\}", msg.id)) != set(re.findall(r"\{\w*\}", msg.string)):
                        bad.append((po.name, msg.id))
    assert bad == []


def test_service_error_follows_language():
    from qoffice.domain import uscc

    i18n.set_language("en")
    assert uscc.problem("").startswith("The credit code")
    i18n.set_language("zh_CN")
    assert "信用代码" in uscc.problem("")


def test_a_source_string_has_one_translation_across_catalog_parts():
    """gettext msgids are global: two parts translating the same English differently would make
    one screen show the other's words (e.g. "Status" as 经营状态 on the forum list)."""
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in sorted((ROOT / "resources/locale/zh_CN/LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for msg in read_po(fh):
                if msg.id and msg.string and isinstance(msg.id, str):
                    if msg.id in seen and seen[msg.id][1] != msg.string:
                        clashes.append((msg.id, seen[msg.id], (po.name, msg.string)))
                    seen.setdefault(msg.id, (po.name, msg.string))
    assert clashes == []
