"""`qoffice settings set/show`: round trip, JSON, the spec's database table, exit codes."""
import json
import subprocess
import sys

from qoffice.cli.main import main


def run_json(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_settings_set_creates_missing_db_and_show_round_trips(qoffice_home, capsys):
    db = qoffice_home / "qoffice.db"
    assert not db.exists()
    assert main(["settings", "set", "county", "  如东县 "]) == 0
    assert db.exists()
    assert main(["settings", "set", "office", "如东县质量工作领导小组办公室"]) == 0
    assert main(["settings", "set", "target.3", "12.50"]) == 0
    capsys.readouterr()
    code, data = run_json(capsys, "settings", "show", "--json")
    assert code == 0
    assert data["settings"]["county"] == "如东县"
    assert data["settings"]["office"] == "如东县质量工作领导小组办公室"
    assert data["settings"]["target.3"] == "12.5"
    assert data["settings"]["operator"] is None


def test_settings_show_text_lists_every_key(qoffice_home, capsys):
    main(["settings", "set", "phone", "0513-87654321"])
    capsys.readouterr()
    assert main(["settings", "show"]) == 0
    out = capsys.readouterr().out
    assert "0513-87654321" in out
    assert "联系电话" in out
    assert "target.17" in out


def test_empty_value_clears_a_setting(qoffice_home, capsys):
    main(["settings", "set", "operator", "张三"])
    main(["settings", "set", "operator", ""])
    capsys.readouterr()
    _code, data = run_json(capsys, "settings", "show", "--json")
    assert data["settings"]["operator"] is None


def test_settings_show_on_missing_db_exits_2_without_creating_it(qoffice_home, capsys):
    code, data = run_json(capsys, "settings", "show", "--json")
    assert code == 2
    assert set(data) == {"error"} and "不存在" in data["error"]
    assert not (qoffice_home / "qoffice.db").exists()


def test_unknown_key_is_a_usage_error_and_creates_nothing(qoffice_home, capsys):
    code, data = run_json(capsys, "settings", "set", "colour", "red", "--json")
    assert code == 2
    assert "colour" in data["error"]
    assert not (qoffice_home / "qoffice.db").exists()


def test_bad_target_value_refused_with_one_line(qoffice_home, capsys):
    assert main(["settings", "set", "target.1", "abc"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "abc" in err


def test_db_option_chooses_the_file(tmp_path, qoffice_home, capsys):
    other = tmp_path / "elsewhere" / "x.db"
    assert main(["--db", str(other), "settings", "set", "county", "启东市"]) == 0
    assert other.exists()
    assert not (qoffice_home / "qoffice.db").exists()


def test_subprocess_exit_codes_and_json(qoffice_home):
    def run(*argv):
        return subprocess.run([sys.executable, "-m", "qoffice", *argv], capture_output=True, text=True,
                              encoding="utf-8")

    missing = run("settings", "show", "--json")
    assert missing.returncode == 2 and "error" in json.loads(missing.stdout)
    assert "Traceback" not in missing.stderr
    assert run("settings", "set", "county", "海安市").returncode == 0
    shown = run("settings", "show", "--json")
    assert shown.returncode == 0
    assert json.loads(shown.stdout)["settings"]["county"] == "海安市"
    usage = run("settings", "--json")
    assert usage.returncode == 2 and "error" in json.loads(usage.stdout)
