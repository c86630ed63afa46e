"""Layering rules: Qt only under qoffice/ui/; `qoffice --help` imports nothing heavy."""
import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "qoffice"


def test_qt_is_imported_only_under_ui():
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] == "ui":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("PySide6", "shiboken6") for n in names):
                offenders.append(str(rel))
    assert offenders == []


def test_help_imports_no_qt_openpyxl_or_orm():
    code = ("import sys, runpy; sys.argv=['qoffice','--help']\n"
            "from qoffice.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "bad=[m for m in ('PySide6','openpyxl','sqlalchemy.orm','alembic','pypinyin') if m in sys.modules]\n"
            "print('BAD', bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "BAD []" in out, out
