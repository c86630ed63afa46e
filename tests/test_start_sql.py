"""The window's first page is read before SQLAlchemy is imported, with SQL that is generated from the
list's one definition (tools/gen_start_sql.py), never copied by hand: the written file must be what
the generator writes today."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_start_sql", ROOT / "tools" / "gen_start_sql.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_start_sql_file_is_what_the_generator_writes():
    gen = _generator()
    assert gen.TARGET.read_text(encoding="utf-8") == gen.render(), "stale: run make start-sql"


def test_the_check_mode_fails_on_a_stale_file(tmp_path, monkeypatch, capsys):
    gen = _generator()
    stale = tmp_path / "start_sql.py"
    stale.write_text(gen.render().replace("deleted_at IS NULL", "deleted_at IS NOT NULL"), encoding="utf-8")
    monkeypatch.setattr(gen, "TARGET", stale)
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    assert gen.main(["--check"]) == 1 and "make start-sql" in capsys.readouterr().err
    stale.write_text(gen.render(), encoding="utf-8")
    assert gen.main(["--check"]) == 0


def test_the_enterprise_list_starts_with_the_generated_sql_and_holds_no_sql_of_its_own():
    from qoffice.ui import enterprises, start_sql

    assert enterprises.ENTERPRISES.start.count is start_sql.COUNT["enterprises"]
    assert enterprises.ENTERPRISES.start.page is start_sql.PAGE["enterprises"]
    source = (ROOT / "qoffice" / "ui" / "enterprises.py").read_text(encoding="utf-8")
    assert "SELECT " not in source and "FROM enterprise" not in source
