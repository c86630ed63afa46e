"""No write session in qoffice/ui (issue 14, "Operations"): every write is a service function run
through qoffice.ui.operations.run_op, so a `.session()` call in a ui module is a write (or a read)
done on the GUI thread beside the one path. Every module is converted: none may open one again,
whatever the object it is called on (a db, self.ctx.db, a Database under another name)."""
from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "qoffice" / "ui"


def _sessions(source: str) -> list[int]:
    """The lines of every call `<…>.session(…)` (a database's write session, whatever its name)."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "session"]


def _found() -> dict[str, list[int]]:
    found = {}
    for path in sorted(UI.rglob("*.py")):
        lines = _sessions(path.read_text(encoding="utf-8"))
        if lines:
            found[str(path.relative_to(UI))] = lines
    return found


def test_no_session_is_opened_in_the_ui():
    assert _found() == {}, ".session() in qoffice/ui: make it a service operation run through run_op"


def test_the_finder_sees_every_spelling():
    source = ("with self.ctx.db.session() as s: pass\n"
              "with self.db.session() as s: pass\n"
              "with db.session() as s: pass\n"
              "with database.session() as s: pass\n"
              "with other.read_session() as s: pass\n"
              "session()\n")
    assert _sessions(source) == [1, 2, 3, 4]
