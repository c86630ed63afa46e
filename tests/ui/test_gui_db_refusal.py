"""Issue 13 leftover: a --db the GUI path refuses (an address qoffice cannot use) exits 2 with its
line on stderr, and — as the windowed Windows build has no stderr — in a message box too."""
from __future__ import annotations

import json
import sys

import pytest


@pytest.fixture
def smoke(tmp_path, monkeypatch):
    report = tmp_path / "report.json"
    monkeypatch.setenv("QOFFICE_EXIT_AFTER_SHOW", "1")
    monkeypatch.setenv("QOFFICE_SMOKE_REPORT", str(report))
    return report


@pytest.mark.parametrize("stderr_there", [True, False])
def test_a_refused_db_on_the_gui_path_is_shown_in_a_box(smoke, tmp_path, monkeypatch, capsys, stderr_there):
    from qoffice.main import gui_main

    monkeypatch.chdir(tmp_path)
    if not stderr_there:
        monkeypatch.setattr(sys, "stderr", None)  # pythonw / the windowed build
    assert gui_main(["--db", "ftp://server/q.db"]) == 2
    data = json.loads(smoke.read_text(encoding="utf-8"))
    assert data["exit"] == 2 and "ftp://server/q.db" in data["prompt"], data
    assert "Traceback" not in data["prompt"] and "\n" not in data["prompt"].strip()
    assert not (tmp_path / "ftp:").exists()
    if stderr_there:
        assert "ftp://server/q.db" in capsys.readouterr().err
