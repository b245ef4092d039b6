"""Pick element: a visible browser in which the user clicks the element a step should act on.

Run as `python -m nodes.browser.picker [--cdp-port N]` by the studio's locator editor. It
speaks JSON lines: commands on stdin, answers on stdout (no Qt here).

- `{"op": "open", "url": …}` opens the page (a local file path becomes a file:// URL)
  → `{"type": "opened", "url": …, "title": …}`
- `{"op": "pick"}` highlights the element under the mouse; the user's click (which the page
  never sees) → `{"type": "picked", "locator": {…}, "matches": 1, "candidates": […],
  "description": …}`, or `{"type": "cancelled"}` on Escape
- `{"op": "count", "locator": {…}}` → `{"type": "count", "matches": N, "nth": k}`: how many
  elements the locator (without its match number) finds on the current page
- `{"op": "quit"}`; errors → `{"type": "error", "message": …}`

The browser is closed on quit, at the end of stdin and on SIGTERM. `--cdp-port` starts
Chromium with remote debugging on 127.0.0.1, so a test can click as the user would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nodes.browser._find import find_browser
from nodes.browser._locator import ROLES, Locator, describe, resolve
from nodes.browser._pick_script import MARK, OVERLAY_JS
from nodes.browser._session import launch_args
from runtime.api import NodeError

__all__ = ["PRIORITY", "PickerError", "main", "page_address"]

PRIORITY = ("role", "label", "placeholder", "test_id", "text", "alt_text", "title", "css")
"""The most robust kind of locator first (a role without a name counts just before CSS)."""
NO_SCREEN = ("Pick element needs a screen: it opens a visible browser window, and this session has "
             "no display (DISPLAY / WAYLAND_DISPLAY is not set). Run the studio on a desktop, or start "
             "a virtual screen (Xvfb) and set DISPLAY.")

class PickerError(Exception):
    """A problem to report to the studio in plain words."""


def page_address(value: str) -> str:
    """A URL to open: local page files become file:// URLs, bare host names get https://."""
    text = value.strip()
    if not text:
        raise PickerError("no web address to open")
    if "://" in text or text.startswith(("about:", "data:")):
        return text
    path = Path(text).expanduser()
    local = path.exists() or text.startswith(("./", "../", "/", "~", ".\\", "..\\")) \
        or (len(text) > 2 and text[1] == ":" and text[2] in "\\/") or text.lower().endswith((".html", ".htm"))
    if not local:
        return "https://" + text
    if not path.is_file():
        raise PickerError(f"the page file {path} does not exist")
    return path.resolve().as_uri()


def _first_line(exc: BaseException) -> str:
    """The gist of an error: its first line, without Playwright's "Locator.count: " prefix."""
    text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
    head, sep, rest = text.partition(": ")
    return rest if sep and "." in head and " " not in head else text


class Picker:
    """The browser and the commands it serves."""

    def __init__(self, cdp_port: int | None = None, browser_path: str = ""):
        self.cdp_port = cdp_port
        self.browser_path = browser_path
        self.playwright: Any = None
        self.context: Any = None
        self.profile = ""
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.picking = False
        self.hooked: set[int] = set()

    # ----- talking ---------------------------------------------------------------------

    @staticmethod
    def send(**message: Any) -> None:
        sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def _read_stdin(self, loop: asyncio.AbstractEventLoop) -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(self.queue.put_nowait, line)
        loop.call_soon_threadsafe(self.queue.put_nowait, None)

    # ----- the browser -----------------------------------------------------------------

    async def start(self) -> None:
        screen = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        if sys.platform.startswith("linux") and not screen:
            raise PickerError(NO_SCREEN)
        choice = find_browser(self.browser_path)  # NodeError: its message lists what was tried
        from playwright.async_api import async_playwright

        self.playwright = await async_playwright().start()
        args = launch_args()
        if self.cdp_port:
            args += [f"--remote-debugging-port={self.cdp_port}", "--remote-debugging-address=127.0.0.1"]
        kwargs: dict[str, Any] = {"headless": False, "args": args, "no_viewport": True}
        if choice.channel:
            kwargs["channel"] = choice.channel
        else:
            kwargs["executable_path"] = choice.executable
        self.profile = tempfile.mkdtemp(prefix="loomwork-picker-")
        self.context = await self.playwright.chromium.launch_persistent_context(self.profile, **kwargs)
        await self.context.expose_binding("__loomworkPicked", self._on_picked)
        self.context.on("close", lambda _ctx: self.queue.put_nowait(None))
        if not self.context.pages:
            await self.context.new_page()

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        try:
            if self.context is not None:
                await self.context.close()
        except Exception:  # already gone with its window
            pass
        finally:
            self.context = None
            if self.playwright is not None:
                await self.playwright.stop()
                self.playwright = None
            if self.profile:
                shutil.rmtree(self.profile, ignore_errors=True)

    @property
    def page(self) -> Any:
        pages = [p for p in self.context.pages if not p.is_closed()]
        if not pages:
            raise PickerError("the browser window was closed")
        return pages[-1]

    # ----- commands --------------------------------------------------------------------

    async def serve(self) -> None:
        while True:
            line = await self.queue.get()
            if line is None:
                return
            if not line.strip():
                continue
            try:
                command = json.loads(line)
                op = command.get("op") if isinstance(command, dict) else None
            except ValueError:
                self.send(type="error", message=f"not a JSON command: {line.strip()[:80]}")
                continue
            if op == "quit":
                return
            try:
                await self.handle(op, command)
            except PickerError as exc:
                self.send(type="error", op=op, message=str(exc))
            except Exception as exc:
                self.send(type="error", op=op, message=_first_line(exc))

    async def handle(self, op: Any, command: dict[str, Any]) -> None:
        if op == "open":
            page = self.page
            await page.goto(page_address(str(command.get("url", ""))), wait_until="domcontentloaded",
                            timeout=float(command.get("timeout_s", 30)) * 1000)
            await page.bring_to_front()
            self.send(type="opened", url=page.url, title=await page.title())
        elif op == "pick":
            self.picking = True
            page = self.page
            if id(page) not in self.hooked:  # a page that navigates while picking gets the overlay again
                self.hooked.add(id(page))
                page.on("domcontentloaded", lambda _p: self._spawn(self._arm(page)))
            await page.bring_to_front()
            await self._arm(page)
            self.send(type="picking", url=page.url)
        elif op == "count":
            try:
                loc = Locator.model_validate(command.get("locator") or {})
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first.get("loc", ())) or "locator"
                message = str(first.get("msg", "")).removeprefix("Value error, ")
                raise PickerError(f"the locator is not valid: {where}: {message}") from None
            nth = loc.nth
            count = 0 if loc.empty else await resolve(self.page, loc.model_copy(update={"nth": 0})).count()
            self.send(type="count", matches=count, nth=nth)
        else:
            raise PickerError(f"unknown command {op!r}; use open, pick, count or quit")

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _arm(self, page: Any) -> None:
        if not self.picking:
            return
        for frame in page.frames:
            try:
                await frame.evaluate(OVERLAY_JS, list(ROLES))
            except Exception:  # a frame that went away, or one we may not script
                continue

    async def _disarm(self, page: Any) -> None:
        for frame in page.frames:
            try:
                await frame.evaluate("() => window.__loomworkPick && window.__loomworkPick.disarm()")
            except Exception:
                continue

    # ----- the user's click ------------------------------------------------------------

    async def _on_picked(self, source: dict[str, Any], payload: dict[str, Any]) -> None:
        self._spawn(self._picked(source, payload))

    async def _picked(self, source: dict[str, Any], payload: dict[str, Any]) -> None:
        page, frame = source.get("page"), source.get("frame")
        self.picking = False
        try:
            await self._disarm(page)
            if payload.get("cancelled"):
                self.send(type="cancelled")
                return
            inside = await self._frame_selector(page, frame)
            self.send(**await self.choose(page, payload.get("candidates") or [], inside))
            await frame.evaluate(f"() => document.querySelectorAll('[{MARK}]')"
                                 f".forEach((e) => e.removeAttribute('{MARK}'))")
        except PickerError as exc:
            self.send(type="error", op="pick", message=str(exc))
        except Exception as exc:
            self.send(type="error", op="pick", message=_first_line(exc))

    @staticmethod
    async def _frame_selector(page: Any, frame: Any) -> str:
        if frame is None or frame == page.main_frame:
            return ""
        if frame.parent_frame != page.main_frame:
            raise PickerError("that element is inside a frame within a frame; steps can reach elements "
                              "one frame deep only — pick an element of the page or of a top-level frame")
        element = await frame.frame_element()
        return str(await element.evaluate("(el) => window.__loomworkPick.cssPath(el)"))

    async def choose(self, page: Any, raw: list[dict[str, Any]], frame: str) -> dict[str, Any]:
        """Verify each candidate on the page; the most robust one that finds exactly the clicked element."""
        checked: list[tuple[Locator, int, int]] = []
        for item in raw:
            try:
                loc = Locator.model_validate({**item, "frame": frame})
            except ValueError:
                continue
            index, count = await self._hits(page, loc)
            if count > 1 and loc.by in ("role", "label", "placeholder", "text", "alt_text", "title"):
                exact = loc.model_copy(update={"exact": True})
                exact_index, exact_count = await self._hits(page, exact)
                if exact_index >= 0 and exact_count >= 1:
                    loc, index, count = exact, exact_index, exact_count
            checked.append((loc, index, count))
        checked.sort(key=lambda c: _rank(c[0]))
        candidates = [{"locator": loc.model_dump(mode="json"), "matches": count}
                      for loc, _i, count in checked]
        best = next((loc for loc, index, count in checked if count == 1 and index == 0), None)
        if best is None:  # only ambiguous ones: the clicked one by its match number
            best = next((loc.model_copy(update={"nth": index + 1})
                         for loc, index, _c in checked if index >= 0), None)
        if best is None:
            raise PickerError("no locator found the element that was clicked; try again, or write a CSS "
                              "selector by hand")
        return {"type": "picked", "locator": best.model_dump(mode="json"), "matches": 1,
                "candidates": candidates, "description": describe(best)}

    @staticmethod
    async def _hits(page: Any, loc: Locator) -> tuple[int, int]:
        """(position of the clicked element among the matches or -1, number of matches)."""
        try:
            found = await resolve(page, loc).evaluate_all(
                f"(els) => [els.findIndex((e) => e.hasAttribute('{MARK}')), els.length]")
        except Exception:  # a selector Playwright refuses
            return -1, 0
        return int(found[0]), int(found[1])


def _rank(loc: Locator) -> int:
    if loc.by == "role" and not loc.name:
        return len(PRIORITY) - 1
    return PRIORITY.index(loc.by) if loc.by in PRIORITY else len(PRIORITY)


async def run(cdp_port: int | None, browser_path: str) -> int:
    picker = Picker(cdp_port, browser_path)
    loop = asyncio.get_running_loop()
    for name in ("SIGTERM", "SIGINT", "SIGHUP"):
        if hasattr(signal, name) and sys.platform != "win32":
            loop.add_signal_handler(getattr(signal, name), picker.queue.put_nowait, None)
    threading.Thread(target=picker._read_stdin, args=(loop,), daemon=True).start()
    try:
        await picker.start()
    except Exception as exc:
        known = isinstance(exc, (PickerError, NodeError))
        picker.send(type="error", op="start", message=str(exc) if known else _first_line(exc))
        await picker.close()
        return 2
    picker.send(type="ready")
    try:
        await picker.serve()
    finally:
        await picker.close()
    picker.send(type="closed")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nodes.browser.picker",
                                     description="Pick element: a visible browser for the studio")
    parser.add_argument("--cdp-port", type=int, default=None,
                        help="start the browser with remote debugging on 127.0.0.1:PORT (for tests)")
    parser.add_argument("--browser", default="", help="the browser program (default: found automatically)")
    args = parser.parse_args(argv)
    return asyncio.run(run(args.cdp_port, args.browser))


if __name__ == "__main__":
    sys.exit(main())
