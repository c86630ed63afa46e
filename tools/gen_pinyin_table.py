"""Generate resources/pinyin/initials.txt: the pinyin initial of every CJK unified ideograph.

One line per initial letter: the letter, a tab, then every character whose most common reading
starts with it. Run once when pypinyin is upgraded; the table is what qoffice reads at run time,
so that computing initials for 100,000 names is a dict lookup per character.
"""
from pathlib import Path

from pypinyin import Style, pinyin

out: dict[str, list[str]] = {}
for cp in range(0x4E00, 0x9FA6):
    ch = chr(cp)
    py = pinyin(ch, style=Style.FIRST_LETTER, heteronym=False, errors="ignore")
    if py and py[0] and py[0][0] and py[0][0][0].isalpha():
        out.setdefault(py[0][0][0].lower(), []).append(ch)
path = Path(__file__).resolve().parent.parent / "resources" / "pinyin" / "initials.txt"
path.write_text("".join(f"{k}\t{''.join(v)}\n" for k, v in sorted(out.items())), encoding="utf-8")
print(path, sum(len(v) for v in out.values()))
