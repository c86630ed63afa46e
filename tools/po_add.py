"""Append translations to a .po part: `po_add.py PART.po` reads "english<TAB>chinese" lines on stdin.

Existing msgids are left as they are (edit the .po by hand to change one). Used so that areas can
add their strings without hand-escaping quotes.
"""
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

path = Path(sys.argv[1])
if path.exists():
    with path.open("rb") as fh:
        catalog = read_po(fh)
else:
    catalog = Catalog(locale="zh_CN")
added = 0
for line in sys.stdin.read().splitlines():
    if not line.strip():
        continue
    en, _, zh = line.partition("\t")
    if en and zh and en not in catalog:
        catalog.add(en, zh)
        added += 1
path.parent.mkdir(parents=True, exist_ok=True)
with path.open("wb") as fh:
    write_po(fh, catalog, width=0, omit_header=False)
print(f"{path}: {added} added, {len(catalog)} in all")
