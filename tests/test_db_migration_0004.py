"""Revision 0004: every editable record gets a version (1 for the rows there are), enterprises and
partners the pinyin sort key of their name, filled for existing rows, and the live list's covering
index starts with that key."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from qoffice.db import migrate
from qoffice.domain.pinyin import sort_key

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "db"
VERSIONED = ("enterprise", "year_figures", "partner", "project", "award", "forum", "meeting", "signup")


def test_upgrade_from_0003_backfills_versions_and_pinyin_keys(tmp_path):
    p = tmp_path / "q.db"
    shutil.copyfile(FIXTURES / "0003.db", p)
    con = sqlite3.connect(p)
    con.execute("INSERT INTO partner (name, name_initials, type, created_at) VALUES ('东华大学', 'dhdx', '高校', "
                "'2024-01-01 00:00:00')")
    con.commit()
    con.close()
    migrate.upgrade(p)
    con = sqlite3.connect(p)
    try:
        for table in VERSIONED:
            versions = [r[0] for r in con.execute(f'SELECT version FROM "{table}"')]
            assert versions and set(versions) == {1}, table
        for table in ("enterprise", "partner"):
            rows = con.execute(f'SELECT name, name_pinyin FROM "{table}"').fetchall()
            assert rows and all(key == sort_key(name) and key for name, key in rows), rows
        index = con.execute("SELECT sql FROM sqlite_master WHERE name='ix_enterprise_live_search'").fetchone()[0]
        assert "name_pinyin" in index.split("(", 1)[1].split(",")[0]
        plan = " ".join(r[3] for r in con.execute(
            "EXPLAIN QUERY PLAN SELECT id, name FROM enterprise WHERE deleted_at IS NULL "
            "ORDER BY name_pinyin, id LIMIT 200"))
        assert "ix_enterprise_live_search" in plan and "TEMP B-TREE" not in plan, plan
    finally:
        con.close()


def test_sort_key_orders_names_by_pinyin_not_code_point():
    names = ["中天科技", "东方机械", "凯盛化工", "丰华纺织", "华强电子"]
    assert sorted(names) == ["东方机械", "中天科技", "丰华纺织", "凯盛化工", "华强电子"]  # code point order
    assert sorted(names, key=sort_key) == ["东方机械", "丰华纺织", "华强电子", "凯盛化工", "中天科技"]
