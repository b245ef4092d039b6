"""Finding a browser to drive: the user's choice first, then what the machine has.

Order: the path configured on the "Open browser" step → `LOOMWORK_BROWSER` → an installed
Google Chrome or Microsoft Edge (Playwright channels) → a system Chromium (Debian's
`/usr/lib/chromium/chromium`, `chromium-browser`, snap, the usual Windows and macOS
places) → a browser downloaded by `playwright install`. When none is found the error
lists every place that was tried and how to fix it.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from runtime.api import NodeError

__all__ = ["BrowserChoice", "find_browser"]

ENV_VAR = "LOOMWORK_BROWSER"


@dataclass(frozen=True, slots=True)
class BrowserChoice:
    """How to launch: a Playwright channel ("chrome", "msedge") or an executable path."""

    label: str
    executable: str | None = None
    channel: str | None = None


def _program_dirs() -> list[Path]:
    names = ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")
    return [Path(os.environ[n]) for n in names if os.environ.get(n)]


def _channel_paths() -> list[tuple[str, str, Path]]:
    """(channel, label, where its executable lives) for Chrome and Edge on this system."""
    if sys.platform == "win32":
        out = []
        for base in _program_dirs():
            out.append(("chrome", "Google Chrome", base / "Google/Chrome/Application/chrome.exe"))
            out.append(("msedge", "Microsoft Edge", base / "Microsoft/Edge/Application/msedge.exe"))
        return out
    if sys.platform == "darwin":
        return [("chrome", "Google Chrome",
                 Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")),
                ("msedge", "Microsoft Edge",
                 Path("/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"))]
    return [("chrome", "Google Chrome", Path("/opt/google/chrome/chrome")),
            ("msedge", "Microsoft Edge", Path("/opt/microsoft/msedge/msedge"))]


def _chromium_paths() -> list[Path]:
    if sys.platform == "win32":
        return [base / "Chromium/Application/chrome.exe" for base in _program_dirs()]
    if sys.platform == "darwin":
        return [Path("/Applications/Chromium.app/Contents/MacOS/Chromium")]
    found = [Path("/usr/lib/chromium/chromium"),  # Debian: the real binary behind the wrapper script
             Path("/usr/lib/chromium-browser/chromium-browser")]
    for name in ("chromium", "chromium-browser"):
        on_path = shutil.which(name)
        if on_path:
            found.append(Path(on_path))
    found.append(Path("/snap/bin/chromium"))
    return found


def _usable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_browser(configured: str = "", managed: str | None = None) -> BrowserChoice:
    """The browser to launch, or a NodeError that lists what was tried.

    `managed` is the executable of a Playwright-downloaded Chromium, when known.
    """
    tried: list[str] = []
    if configured:
        path = Path(configured).expanduser()
        if _usable(path):
            return BrowserChoice(f"{path.name} (configured)", executable=str(path))
        raise NodeError(f"the browser configured on this step, {path}, does not exist or cannot be run; "
                        "fix the path or clear it to use the browser installed on this computer")
    from_env = os.environ.get(ENV_VAR, "")
    if from_env:
        path = Path(from_env).expanduser()
        if _usable(path):
            return BrowserChoice(f"{path.name} ({ENV_VAR})", executable=str(path))
        tried.append(f"{ENV_VAR}={from_env} (not an executable file)")
    for channel, label, path in _channel_paths():
        if _usable(path):
            return BrowserChoice(label, channel=channel)
        tried.append(f"{label} at {path}")
    for path in _chromium_paths():
        if _usable(path):
            return BrowserChoice(f"Chromium ({path})", executable=str(path))
        tried.append(f"Chromium at {path}")
    if managed and _usable(Path(managed)):
        return BrowserChoice("Chromium installed by Playwright", executable=managed)
    tried.append("a Chromium downloaded by `playwright install`")
    listed = "\n  - ".join(dict.fromkeys(tried))
    raise NodeError("no web browser was found. Looked for:\n  - " + listed + "\nInstall Google Chrome, "
                    "Microsoft Edge or Chromium (on Debian/Ubuntu: apt install chromium), or set "
                    f"{ENV_VAR} to the browser's executable, or give its path on the 'Open browser' step.")
