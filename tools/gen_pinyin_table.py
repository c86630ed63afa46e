"""Generate the per-character pinyin tables qoffice reads at run time (resources/pinyin/):

- initials.txt: the pinyin initial of every CJK unified ideograph (search by 拼音首字母);
- pinyin.txt: the full pinyin with its tone number (zhong1) of every CJK unified ideograph and of
  extension A, for sorting names in pinyin order as WPS and Excel do (qoffice.domain.pinyin.sort_key).

One line per initial letter / per syllable: the key, a tab, then every character whose most common
reading it is. A polyphone takes pypinyin's first (most common) reading, except the few in
NAME_READINGS, whose reading in enterprise names is another (长江, 厦门). Run once when pypinyin is
upgraded; at run time qoffice only reads these files (a dict lookup per character) and imports
pypinyin solely for a character the tables lack.

    .venv/bin/python tools/gen_pinyin_table.py
"""
from pathlib import Path

from pypinyin import Style, pinyin

OUT = Path(__file__).resolve().parent.parent / "resources" / "pinyin"
# Characters whose reading in names differs from pypinyin's most common single reading.
NAME_READINGS = {"长": "chang2", "厦": "xia4"}


def initials_table() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for cp in range(0x4E00, 0x9FA6):
        ch = chr(cp)
        py = pinyin(ch, style=Style.FIRST_LETTER, heteronym=False, errors="ignore")
        if py and py[0] and py[0][0] and py[0][0][0].isalpha():
            out.setdefault(py[0][0][0].lower(), []).append(ch)
    return out


def full_table() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for first, last in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF)):
        for cp in range(first, last + 1):
            ch = chr(cp)
            reading = NAME_READINGS.get(ch)
            if reading is None:
                py = pinyin(ch, style=Style.TONE3, heteronym=False, neutral_tone_with_five=True,
                            errors=lambda _x: None)
                reading = py[0][0] if py and py[0] and py[0][0] else None
            if reading and reading[:-1].isascii() and reading[:-1].isalpha() and reading[-1] in "12345":
                out.setdefault(reading.lower(), []).append(ch)
    return out


def write(name: str, table: dict[str, list[str]]) -> None:
    path = OUT / name
    path.write_text("".join(f"{k}\t{''.join(v)}\n" for k, v in sorted(table.items())), encoding="utf-8")
    print(path, sum(len(v) for v in table.values()))


if __name__ == "__main__":
    write("initials.txt", initials_table())
    write("pinyin.txt", full_table())
