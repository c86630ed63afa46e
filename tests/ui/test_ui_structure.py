"""The shape of qoffice/ui that keeps it one way through (issue 14): no import cycle, not even
through imports inside functions; QSettings keys declared once (qoffice.ui.state); colours
defined once (qoffice.ui.style); every write run as an operation (no hand-written refresh)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "qoffice" / "ui"


def _modules() -> dict[str, Path]:
    return {p.stem: p for p in sorted(UI.glob("*.py")) if p.stem != "__init__"}


def _ui_imports(path: Path, names: set[str]) -> set[str]:
    """Every qoffice.ui module `path` imports, at module level, in a function or for type checking."""
    deps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "qoffice.ui":
                deps |= {a.name for a in node.names if a.name in names}
            elif node.module.startswith("qoffice.ui."):
                deps.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            deps |= {a.name.split(".")[2] for a in node.names if a.name.startswith("qoffice.ui.")}
    return deps


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph[v]:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_ui_modules_import_each_other_without_a_cycle():
    modules = _modules()
    graph = {name: _ui_imports(path, set(modules)) & set(modules) - {name} for name, path in modules.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_qsettings_keys_are_declared_once_in_state():
    literal_key = re.compile(r"""\.(?:value|setValue)\(\s*f?["'][\w{}]+/""")
    offenders = [f"{name}.py" for name, path in _modules().items()
                 if name != "state" and literal_key.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_a_colour_is_defined_once():
    """The colours of messages and badges live in style.py; a colour another module also spells is a copy."""
    colour = re.compile(r"#[0-9a-fA-F]{6}\b")
    style = set(colour.findall((UI / "style.py").read_text(encoding="utf-8")))
    seen: dict[str, set[str]] = {}
    for name, path in _modules().items():
        if name != "style":
            for c in set(colour.findall(path.read_text(encoding="utf-8"))):
                seen.setdefault(c.lower(), set()).add(name)
    copies = {c: sorted(m) for c, m in seen.items() if len(m) > 1 or c in {s.lower() for s in style}}
    assert copies == {}
