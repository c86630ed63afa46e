"""`qoffice --help` lists the commands and stays light; usage errors are exit 2 in one line."""
import json
import subprocess
import sys

import pytest

from qoffice.cli.main import main

HEAVY = ("PySide6", "openpyxl", "sqlalchemy.orm", "alembic", "pypinyin")


def test_help_prints_the_commands_and_imports_nothing_heavy():
    code = ("import sys\nfrom qoffice.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit as e:\n    print('EXIT', e.code)\n"
            f"print('HEAVY', [m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8",
                         check=True).stdout
    assert "EXIT 0" in out and "HEAVY []" in out
    for command in ("settings", "demo-data", "check"):
        assert command in out


@pytest.mark.parametrize("command", ["settings", "demo-data", "check"])
def test_command_help_is_light_too(command):
    code = ("import sys\nfrom qoffice.cli.main import main\n"
            f"try:\n    main([{command!r}, '--help'])\nexcept SystemExit as e:\n    print('EXIT', e.code)\n"
            f"print('HEAVY', [m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8",
                         check=True).stdout
    assert "EXIT 0" in out and "HEAVY []" in out


def test_qoffice_help_via_python_m():
    proc = subprocess.run([sys.executable, "-m", "qoffice", "--help"], capture_output=True, text=True,
                          encoding="utf-8")
    assert proc.returncode == 0 and "demo-data" in proc.stdout


def test_usage_error_is_exit_2_one_line(capsys):
    assert main(["demo-data", "--enterprises", "many"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_usage_error_with_json_prints_one_object(capsys):
    assert main(["check", "--json", "--bogus"]) == 2
    assert set(json.loads(capsys.readouterr().out)) == {"error"}
