"""`loomwork schedules …` and `service install|uninstall|status`, and the generated service files."""

from __future__ import annotations

import configparser
import json
import plistlib
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from runtime._scheduler.install import service_plan
from tests.runtime.test_cli import ROOT, loomwork


def _flow(tmp_path: Path) -> Path:
    path = tmp_path / "orders.loom"
    shutil.copy(ROOT / "assets" / "examples" / "open_orders_report.loom", path)
    return path


def test_schedules_commands(home: Path, tmp_path: Path) -> None:
    flow = _flow(tmp_path)
    none = loomwork("schedules", "enable", str(flow), home=home)
    assert none.returncode == 2 and "has no triggers" in none.stderr
    bad = loomwork("schedules", "add", str(flow), "--cron", "every day", home=home)
    assert bad.returncode == 2 and "weekdays at 8:00" in bad.stderr and "Traceback" not in bad.stderr
    zone = loomwork("schedules", "add", str(flow), "--cron", "@daily", "--tz", "Nowhere/City", home=home)
    assert zone.returncode == 2 and "unknown time zone" in zone.stderr
    added = loomwork("schedules", "add", str(flow), "--cron", "0 8 * * 1-5", "--tz", "America/New_York",
                     "--missed", "run_all", "--overlap", "queue", "--jitter", "30", "-i", "limit=5",
                     home=home)
    assert added.returncode == 0, added.stderr
    tid = added.stdout.split()[2]
    trig = json.loads(flow.read_text())["triggers"][tid]
    assert trig["cron"] == "0 8 * * 1-5" and trig["inputs"] == {"limit": 5} and trig["jitter_s"] == 30
    assert loomwork("fmt", "--check", str(flow), home=home).returncode == 0
    listed = json.loads(loomwork("schedules", "list", str(flow), "--json", home=home).stdout)
    assert [(s["trigger_id"], s["state"]) for s in listed] == [(tid, "disabled")]
    assert loomwork("schedules", "enable", str(flow), home=home).returncode == 0
    listed = json.loads(loomwork("schedules", "list", "--json", home=home).stdout)
    assert listed[0]["state"] == "enabled" and len(listed[0]["next_fires"]) == 5
    assert loomwork("schedules", "pause", str(flow), tid, home=home).returncode == 0
    assert json.loads(loomwork("schedules", "list", "--json", home=home).stdout)[0]["state"] == "paused"
    assert loomwork("schedules", "resume", str(flow), home=home).returncode == 0
    nxt = json.loads(loomwork("schedules", "next", str(flow), "--json", "--count", "3", home=home).stdout)
    assert len(nxt[tid]) == 3
    flow.write_text(flow.read_text().replace('"jitter_s": 30', '"jitter_s": 31'))  # a git pull
    text = loomwork("schedules", "list", home=home).stdout
    assert "needs re-enabling" in text
    run = loomwork("schedules", "run", str(flow), tid, home=home)
    assert run.returncode == 0 and "service is not running" in run.stdout
    assert loomwork("schedules", "disable", str(flow), home=home).returncode == 0
    assert "[disabled]" in loomwork("schedules", "list", home=home).stdout
    assert loomwork("schedules", "remove", str(flow), tid, home=home).returncode == 0
    assert json.loads(flow.read_text())["triggers"] == {}


def test_generated_service_files_for_each_os(tmp_path: Path) -> None:
    linux = service_plan("linux", home="/data/lw home", python="/opt/py/bin/python3", user_home=tmp_path)
    unit = configparser.ConfigParser(interpolation=None)
    unit.read_string(linux.content.decode())
    assert unit["Service"]["ExecStart"] == (
        '/opt/py/bin/python3 -m runtime.cli.main service run --home "/data/lw home"')
    assert unit["Service"]["Restart"] == "on-failure" and unit["Install"]["WantedBy"] == "default.target"
    assert linux.path == tmp_path / ".config" / "systemd" / "user" / "loomwork.service"
    assert ["systemctl", "--user", "enable", "--now", "loomwork.service"] in linux.enable

    mac = service_plan("darwin", python="/usr/local/bin/python3", user_home=tmp_path)
    plist = plistlib.loads(mac.content)
    assert plist["Label"] == "dev.loomwork.scheduler" and plist["RunAtLoad"] is True
    assert plist["ProgramArguments"] == ["/usr/local/bin/python3", "-m", "runtime.cli.main", "service", "run"]
    assert plist["KeepAlive"] == {"SuccessfulExit": False}
    assert mac.path == tmp_path / "Library" / "LaunchAgents" / "dev.loomwork.scheduler.plist"
    assert mac.enable[0][:2] == ["launchctl", "bootstrap"]

    win = service_plan("win32", python=r"C:\Program Files\Loomwork\pythonw.exe", user_home=tmp_path,
                       data_home=tmp_path)
    assert win.content.startswith(b"\xff\xfe")  # UTF-16 with a byte-order mark, as schtasks wants
    root = ET.fromstring(win.content[2:].decode("utf-16-le").split("\n", 1)[1])
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    assert root.find("t:Triggers/t:LogonTrigger/t:Enabled", ns).text == "true"
    assert root.find("t:Actions/t:Exec/t:Command", ns).text == r"C:\Program Files\Loomwork\pythonw.exe"
    assert root.find("t:Actions/t:Exec/t:Arguments", ns).text == "-m runtime.cli.main service run"
    assert root.find("t:Settings/t:MultipleInstancesPolicy", ns).text == "IgnoreNew"
    assert root.find("t:Settings/t:ExecutionTimeLimit", ns).text == "PT0S"
    assert win.enable[0][:3] == ["schtasks", "/Create", "/TN"] and "/XML" in win.enable[0]


def _systemd_user_session() -> bool:
    if shutil.which("systemctl") is None:
        return False
    probe = subprocess.run(["systemctl", "--user", "show-environment"], capture_output=True, timeout=15)
    return probe.returncode == 0


def test_service_install_writes_the_unit_and_says_what_to_run(home: Path, tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    if _systemd_user_session():  # a real user manager: the unit must be registered for real
        env = {}
    out = loomwork("service", "install", home=home, env=env)
    assert out.returncode == 0, out.stderr
    unit = Path(out.stdout.split()[1])
    assert unit.name == "loomwork.service" and unit.exists()
    assert f"--home {home}" in unit.read_text()
    if _systemd_user_session():
        assert "registered" in out.stdout
        enabled = subprocess.run(["systemctl", "--user", "is-enabled", "loomwork.service"],
                                 capture_output=True, text=True)
        assert enabled.stdout.strip() == "enabled"
    else:
        assert "systemctl --user enable --now loomwork.service" in out.stdout
    status = json.loads(loomwork("service", "status", "--json", home=home, env=env).stdout)
    assert status["installed"] is True and status["running"] is False
    assert loomwork("service", "uninstall", home=home, env=env).returncode == 0
    assert not unit.exists()


@pytest.mark.skipif(not _systemd_user_session(), reason="no systemd user session on this machine "
                    "(`systemctl --user show-environment` fails); the unit's content is tested above")
def test_systemd_user_unit_starts_the_service(home: Path) -> None:
    out = loomwork("service", "install", home=home)
    try:
        active = subprocess.run(["systemctl", "--user", "is-active", "loomwork.service"],
                                capture_output=True, text=True)
        assert active.stdout.strip() in ("active", "activating")
    finally:
        loomwork("service", "uninstall", home=home)
    assert out.returncode == 0
