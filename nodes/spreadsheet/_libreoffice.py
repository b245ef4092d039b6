"""Recalculating a workbook with LibreOffice headless (when it is installed).

LibreOffice recomputes formulas while converting, but keeps stale cached values unless the
profile says "always recalculate on load" (`OOXMLRecalcMode=0`, `ODFRecalcMode=0`). Each
call therefore uses a private, throw-away profile holding exactly those settings, so the
user's own LibreOffice settings are neither needed nor touched, and a running LibreOffice
window does not capture the conversion.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from nodes._shared.offload import Stop

__all__ = ["RECALC_PROFILE", "LibreOfficeMissing", "convert", "find_soffice", "write_profile"]

RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""
"""registrymodifications.xcu of a profile that recalculates every formula when a file loads."""

_TIMEOUT_S = 120.0


class LibreOfficeMissing(RuntimeError):
    """LibreOffice (soffice) is not installed or not on the PATH."""


def find_soffice() -> str | None:
    """The soffice program, or None when LibreOffice is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice",
                      "/Applications/LibreOffice.app/Contents/MacOS/soffice",
                      r"C:\Program Files\LibreOffice\program\soffice.exe"):
        if os.path.exists(candidate):
            return candidate
    return None


def write_profile(folder: Path) -> Path:
    """Create a LibreOffice profile in `folder` that recalculates on load; its URL-ready path."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(RECALC_PROFILE, encoding="utf-8")
    return folder


def convert(sources: list[Path], out_dir: Path, target: str, stop: Stop | None = None,
            timeout: float = _TIMEOUT_S) -> list[Path]:
    """Open each file in LibreOffice (recalculating every formula) and save it as `target`
    ("xlsx", or a filter spec such as "csv:Text - txt - csv (StarCalc):44,34,76,1") into
    `out_dir`, all in one soffice call. Returns the written files (one per source, in order;
    a CSV export of all sheets writes `<stem>-<sheet>.csv` files, found with a glob)."""
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeMissing("LibreOffice is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="loomwork-lo-") as profile:
        write_profile(Path(profile))
        command = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--nolockcheck", "--nodefault", "--convert-to", target, "--outdir", str(out_dir),
                   *(str(s) for s in sources)]
        env = dict(os.environ, HOME=profile)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                   start_new_session=True)
        try:
            waited = 0.0
            while True:
                try:
                    _out, err = process.communicate(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    waited += 0.5
                    if (stop is not None and stop.is_set()) or waited >= timeout:
                        process.kill()
                        process.communicate()
                        if stop is not None:
                            stop.check()
                        raise RuntimeError(f"LibreOffice did not finish within {timeout:.0f} s") from None
        finally:
            if process.poll() is None:
                process.kill()
    extension = target.split(":", 1)[0]
    written = []
    for source in sources:
        result = out_dir / f"{source.stem}.{extension}"
        if not result.exists() and extension != "csv":
            reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"LibreOffice could not convert {source.name}: {reason[0]}")
        written.append(result)
    return written
