"""Pick element: the picker program under a virtual screen (Xvfb), driven over JSON lines,
with "the user's click" made through Chrome DevTools on a real element of a served page."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.nodes.browser.conftest import chromium_processes
from tests.nodes.browser.site import Site

ROOT = Path(__file__).resolve().parents[3]

if not shutil.which("Xvfb") and not os.environ.get("CI"):
    pytest.skip("Xvfb is not installed (apt install xvfb xauth)", allow_module_level=True)


def _free_display() -> int:
    for number in range(90, 400):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    number = _free_display()
    server = subprocess.Popen(["Xvfb", f":{number}", "-nolisten", "tcp", "-screen", "0", "1280x900x24"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"Xvfb :{number} did not start")
        time.sleep(0.05)
    yield f":{number}"
    server.terminate()
    server.wait(10)


class PickerProcess:
    """`python -m nodes.browser.picker --cdp-port N`, one JSON line at a time."""

    def __init__(self, display: str | None, cdp_port: int | None = None):
        env = dict(os.environ)
        env.pop("WAYLAND_DISPLAY", None)
        if display is None:
            env.pop("DISPLAY", None)
        else:
            env["DISPLAY"] = display
        self.cdp_port = cdp_port
        args = ["--cdp-port", str(cdp_port)] if cdp_port else []
        self.proc = subprocess.Popen([sys.executable, "-m", "nodes.browser.picker", *args], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def send(self, **command: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def read(self, timeout: float = 30) -> dict[str, Any]:
        try:
            return json.loads(self.lines.get(timeout=timeout))
        except queue.Empty:
            raise AssertionError("the picker did not answer in time") from None

    def ask(self, expect: str, **command: Any) -> dict[str, Any]:
        self.send(**command)
        answer = self.read()
        assert answer["type"] == expect, answer
        return answer

    def stop(self) -> None:
        try:
            self.proc.wait(20)  # after quit: it closes its browser and removes its profile
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def _no_chromium_left(before: set[int]) -> set[int]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = chromium_processes() - before
        if not left:
            return left
        time.sleep(0.1)
    return chromium_processes() - before


@pytest.fixture(scope="module")
def picker(display: str) -> Iterator[PickerProcess]:
    started = PickerProcess(display, _free_port())
    assert started.read(60)["type"] == "ready"
    yield started
    started.send(op="quit")
    started.stop()


def _user_clicks(picker: PickerProcess, find: Any) -> dict[str, Any]:
    """Click the element `find(page)` locates, as the user would (a real mouse click), and
    return the picker's answer and the page's address afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{picker.cdp_port}")
        page = browser.contexts[0].pages[-1]
        box = find(page).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        answer = picker.read()
        answer["page_url"] = page.url
    return answer


def test_pick_a_button_writes_role_and_name(picker: PickerProcess, site: Site) -> None:
    opened = picker.ask("opened", op="open", url=site.url("/login"))
    assert opened["url"] == site.url("/login")
    picker.ask("picking", op="pick")
    picked = _user_clicks(picker, lambda page: page.locator("button"))
    assert picked["type"] == "picked", picked
    assert {k: picked["locator"][k] for k in ("by", "value", "name", "nth", "frame")} == \
        {"by": "role", "value": "button", "name": "Sign in", "nth": 0, "frame": ""}
    assert picked["matches"] == 1
    assert picked["description"] == "button 'Sign in'"
    kinds = [c["locator"]["by"] for c in picked["candidates"]]
    assert kinds[0] == "role" and "css" in kinds
    assert all(c["matches"] == 1 for c in picked["candidates"])
    assert picked["page_url"] == site.url("/login")  # the click never reached the page: no sign-in


def test_pick_a_password_field_and_an_element_inside_a_frame(picker: PickerProcess, site: Site) -> None:
    picker.ask("opened", op="open", url=site.url("/login"))
    picker.ask("picking", op="pick")
    picked = _user_clicks(picker, lambda page: page.locator("#p"))
    assert picked["locator"]["name"] == "Password" or picked["locator"] == {
        "by": "label", "value": "Password", "name": "", "exact": False, "nth": 0, "frame": ""}
    assert any(c["locator"]["by"] == "label" and c["locator"]["value"] == "Password"
               for c in picked["candidates"])

    picker.ask("opened", op="open", url=site.url("/frame"))
    picker.ask("picking", op="pick")
    picked = _user_clicks(picker, lambda page: page.frame_locator("#booking").get_by_role("button"))
    assert {k: picked["locator"][k] for k in ("by", "value", "name", "frame")} == \
        {"by": "role", "value": "button", "name": "Save", "frame": "#booking"}
    assert picked["description"] == "button 'Save' inside frame '#booking'"


def test_count_says_how_many_elements_a_locator_finds(picker: PickerProcess, site: Site) -> None:
    picker.ask("opened", op="open", url=site.url("/dialog"))
    assert picker.ask("count", op="count", locator={"by": "role", "value": "button"})["matches"] == 2
    answer = picker.ask("count", op="count", locator={"by": "role", "value": "button", "name": "Delete"})
    assert answer["matches"] == 1
    answer = picker.ask("count", op="count", locator={"by": "role", "value": "button", "nth": 2})
    assert (answer["matches"], answer["nth"]) == (2, 2)
    assert picker.ask("count", op="count", locator={"by": "text", "value": "Nowhere"})["matches"] == 0
    bad = picker.ask("error", op="count", locator={"by": "role", "value": "knob"})
    assert "'knob' is not a role" in bad["message"]


def test_escape_cancels_a_pick(picker: PickerProcess, site: Site) -> None:
    from playwright.sync_api import sync_playwright

    picker.ask("opened", op="open", url=site.url("/dialog"))
    picker.ask("picking", op="pick")
    with sync_playwright() as pw:
        page = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{picker.cdp_port}").contexts[0].pages[-1]
        page.keyboard.press("Escape")
        assert picker.read()["type"] == "cancelled"


@pytest.mark.parametrize("how", ["quit", "eof", "sigterm"])
def test_the_browser_is_closed_on_quit_eof_and_sigterm(display: str, site: Site, how: str) -> None:
    before = chromium_processes()
    started = PickerProcess(display)
    try:
        assert started.read(60)["type"] == "ready"
        started.ask("opened", op="open", url=site.url("/login"))
        assert chromium_processes() - before, "the picker's browser should be running"
        if how == "quit":
            started.send(op="quit")
        elif how == "eof":
            assert started.proc.stdin is not None
            started.proc.stdin.close()
        else:
            started.proc.send_signal(signal.SIGTERM)
        assert started.proc.wait(20) == 0
    finally:
        started.stop()
    assert _no_chromium_left(before) == set()


def test_without_a_screen_the_picker_says_so() -> None:
    started = PickerProcess(None)
    try:
        answer = started.read(30)
        assert answer["type"] == "error"
        assert answer["message"].startswith("Pick element needs a screen")
        assert started.proc.wait(20) == 2
    finally:
        started.stop()


def test_show_the_browser_runs_it_in_a_window(display: str, make_runner, site: Site, tmp_path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """'Show the browser' opens a real window on the screen (here the virtual one)."""
    from runtime.api import RunStatus
    from tests.nodes.browser.conftest import chain

    monkeypatch.setenv("DISPLAY", display)
    lines: list[str] = []
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/records"), "show_browser": True}),
                 ("n_read0000", "browser.extract_text", {"target": {"by": "role", "value": "heading"}}))
    result = make_runner().run_sync(flow, flow_path=tmp_path / "f.loom", keep_outputs=True,
                                    on_event=lambda e: lines.append(getattr(e, "message", "")))
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.node_outputs["n_read0000"]["text"] == "Catalogue"
    assert any(line.endswith("(shown)") for line in lines)
    assert not any("runs hidden" in line for line in lines)
