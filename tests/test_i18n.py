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
