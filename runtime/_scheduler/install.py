"""Registering `loomwork service run` to start at login, per operating system.

- Linux: a systemd *user* unit in `~/.config/systemd/user/loomwork.service`, enabled with
  `systemctl --user enable --now` when a user manager is reachable; otherwise the unit is
  written and the exact commands to run are printed.
- macOS: a launchd agent, `~/Library/LaunchAgents/dev.loomwork.scheduler.plist`,
  loaded with `launchctl bootstrap gui/<uid>`.
- Windows: a Task Scheduler task (`Loomwork\\Scheduler`, at logon, for this user)
  created by `schtasks /Create /XML` from a generated task definition.

Each generator is a pure function of its inputs, so its content is tested on every OS.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["ServicePlan", "launchd_plist", "schtasks_xml", "service_command", "service_plan",
           "systemd_unit"]

UNIT_NAME = "loomwork.service"
LAUNCHD_LABEL = "dev.loomwork.scheduler"
TASK_NAME = "Loomwork\\Scheduler"


def service_command(home: str | None = None, python: str | None = None) -> list[str]:
    """The command line that runs the service (this Python, this Loomwork)."""
    exe = python or sys.executable
    if os.name == "nt" and python is None:  # no console window at logon
        candidate = Path(exe).with_name("pythonw.exe")
        exe = str(candidate) if candidate.exists() else exe
    command = [exe, "-m", "runtime.cli.main", "service", "run"]
    return command + (["--home", home] if home else [])


def _systemd_quote(arg: str) -> str:
    if arg and all(c.isalnum() or c in "/._-+=:@," for c in arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%") + '"'


def systemd_unit(command: list[str]) -> str:
    """A systemd user unit that restarts the service if it crashes."""
    return (
        "[Unit]\n"
        "Description=Loomwork scheduler (runs scheduled flows)\n"
        "After=network-online.target\n\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={' '.join(_systemd_quote(a) for a in command)}\n"
        "Restart=on-failure\n"
        "RestartSec=10\n"
        "KillSignal=SIGTERM\n"
        "TimeoutStopSec=30\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def launchd_plist(command: list[str], log_dir: Path) -> bytes:
    """A launchd agent that starts at login and is restarted if it exits abnormally."""
    return plistlib.dumps({
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": command,
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ProcessType": "Background",
        "StandardOutPath": str(log_dir / "service.log"),
        "StandardErrorPath": str(log_dir / "service.log"),
    })


def schtasks_xml(command: list[str], user: str) -> str:
    """A Task Scheduler definition: at this user's logon, one instance, no time limit."""
    args = " ".join(f'"{a}"' if " " in a else a for a in command[1:])
    return (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">\n'
        "  <RegistrationInfo>\n"
        "    <Description>Loomwork scheduler (runs scheduled flows)</Description>\n"
        "  </RegistrationInfo>\n"
        "  <Triggers>\n"
        f"    <LogonTrigger>\n      <Enabled>true</Enabled>\n      <UserId>{escape(user)}</UserId>\n"
        "    </LogonTrigger>\n"
        "  </Triggers>\n"
        "  <Principals>\n"
        f'    <Principal id="Author">\n      <UserId>{escape(user)}</UserId>\n'
        "      <LogonType>InteractiveToken</LogonType>\n      <RunLevel>LeastPrivilege</RunLevel>\n"
        "    </Principal>\n"
        "  </Principals>\n"
        "  <Settings>\n"
        "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\n"
        "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\n"
        "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\n"
        "    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>\n"
        "    <RestartOnFailure>\n      <Interval>PT1M</Interval>\n      <Count>3</Count>\n"
        "    </RestartOnFailure>\n"
        "    <StartWhenAvailable>true</StartWhenAvailable>\n"
        "  </Settings>\n"
        '  <Actions Context="Author">\n'
        f"    <Exec>\n      <Command>{escape(command[0])}</Command>\n"
        f"      <Arguments>{escape(args)}</Arguments>\n    </Exec>\n"
        "  </Actions>\n"
        "</Task>\n"
    )


@dataclass(slots=True)
class ServicePlan:
    """What installing means here: the file to write and the commands around it."""

    system: str
    path: Path
    content: bytes
    enable: list[list[str]] = field(default_factory=list)
    disable: list[list[str]] = field(default_factory=list)
    status: list[str] = field(default_factory=list)

    def available(self) -> tuple[bool, str]:
        """Whether the enable commands can work here, and why not."""
        tool = self.enable[0][0] if self.enable else ""
        if not tool or shutil.which(tool) is None:
            return False, f"'{tool}' is not installed"
        if self.system == "linux":
            probe = subprocess.run(["systemctl", "--user", "show-environment"], capture_output=True,
                                   text=True, timeout=15)
            if probe.returncode != 0:
                reason = (probe.stderr.strip().splitlines() or ["no user session"])[0]
                return False, f"no systemd user session is reachable ({reason})"
        return True, ""


def service_plan(system: str | None = None, *, home: str | None = None, python: str | None = None,
                 user_home: Path | None = None, data_home: Path | None = None) -> ServicePlan:
    """The plan for `system` ("linux", "darwin", "win32"; default this one)."""
    system = system or ("linux" if sys.platform.startswith("linux") else sys.platform)
    command = service_command(home, python)
    user_home = user_home or Path.home()
    if system == "darwin":
        path = user_home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
        logs = user_home / "Library" / "Logs" / "Loomwork"
        domain = f"gui/{os.getuid() if hasattr(os, 'getuid') else 501}"
        return ServicePlan(system, path, launchd_plist(command, logs),
                           enable=[["launchctl", "bootstrap", domain, str(path)]],
                           disable=[["launchctl", "bootout", f"{domain}/{LAUNCHD_LABEL}"]],
                           status=["launchctl", "print", f"{domain}/{LAUNCHD_LABEL}"])
    if system == "win32":
        user = os.environ.get("USERDOMAIN", "") + "\\" + os.environ.get("USERNAME", "user")
        path = (data_home or user_home) / "loomwork-task.xml"
        text = schtasks_xml(command, user.lstrip("\\"))
        return ServicePlan(system, path, b"\xff\xfe" + text.encode("utf-16-le"),
                           enable=[["schtasks", "/Create", "/TN", TASK_NAME, "/XML", str(path), "/F"],
                                   ["schtasks", "/Run", "/TN", TASK_NAME]],
                           disable=[["schtasks", "/End", "/TN", TASK_NAME],
                                    ["schtasks", "/Delete", "/TN", TASK_NAME, "/F"]],
                           status=["schtasks", "/Query", "/TN", TASK_NAME])
    config = Path(os.environ.get("XDG_CONFIG_HOME") or user_home / ".config")
    path = config / "systemd" / "user" / UNIT_NAME
    return ServicePlan("linux", path, systemd_unit(command).encode(),
                       enable=[["systemctl", "--user", "daemon-reload"],
                               ["systemctl", "--user", "enable", "--now", UNIT_NAME]],
                       disable=[["systemctl", "--user", "disable", "--now", UNIT_NAME],
                                ["systemctl", "--user", "daemon-reload"]],
                       status=["systemctl", "--user", "is-active", UNIT_NAME])
