"""The run's browser: launched by the first browser step of a run, shared by the steps
after it, and closed when the run ends — completed, failed or cancelled — so no browser
process is ever left behind.

One browser per run (one more only when a step asks to show the browser while the first
was launched hidden), one browser context per "Open browser" step (its own cookies and
downloads), and the pages (tabs, popups) of each context numbered in the order they
opened. Steps pass `SessionRef` values along their edges; this module turns them back
into Playwright pages.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nodes.browser._find import BrowserChoice, find_browser
from runtime.api import NodeContext, NodeError, SessionRef, Table

__all__ = ["LAUNCH_ARGS", "BrowserSession", "ContextOptions", "browser_session", "page_of"]

RESOURCE = "browser"
CLOSE_EACH_S = 5.0

LAUNCH_ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--no-default-browser-check"]


def launch_args() -> list[str]:
    args = list(LAUNCH_ARGS)
    if sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    return args


@dataclass(frozen=True, slots=True)
class ContextOptions:
    """What an "Open browser" step asks of its browser context."""

    headless: bool = True
    browser_path: str = ""
    profile_dir: Path | None = None
    viewport: tuple[int, int] = (1280, 800)
    locale: str = ""
    user_agent: str = ""
    dialogs: str = "dismiss"
    downloads: Path | None = None


@dataclass
class _Context:
    context: Any
    pages: list[Any] = field(default_factory=list)
    dialogs: str = "dismiss"
    dialog_log: list[str] = field(default_factory=list)
    launched: bool = False
    """True when opening this context launched a browser."""


class BrowserSession:
    """The browsers and contexts of one run."""

    def __init__(self, run_id: str, playwright: Any):
        self.run_id = run_id
        self.playwright = playwright
        self.browsers: dict[bool, Any] = {}
        self.choice: BrowserChoice | None = None
        self.contexts: dict[str, _Context] = {}
        self.launches = 0
        self._launching = asyncio.Lock()

    # ----- opening ---------------------------------------------------------------------------

    def _choose(self, configured: str) -> BrowserChoice:
        managed = None
        try:
            managed = self.playwright.chromium.executable_path
        except Exception:  # no Playwright-managed browser: fine
            managed = None
        return find_browser(configured, managed)

    def _launch_kwargs(self, choice: BrowserChoice, headless: bool) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"headless": headless, "args": launch_args()}
        if choice.channel:
            kwargs["channel"] = choice.channel
        else:
            kwargs["executable_path"] = choice.executable
        return kwargs

    async def _browser(self, options: ContextOptions) -> tuple[Any, bool]:
        """The browser for these options, and whether this call launched it."""
        async with self._launching:  # two "Open browser" steps at once still launch one browser
            launches = self.launches
            browser = await self._launch(options)
            return browser, self.launches > launches

    async def _launch(self, options: ContextOptions) -> Any:
        browser = self.browsers.get(options.headless)
        if browser is None:
            reuse = self.choice is not None and not options.browser_path
            choice = self.choice if reuse and self.choice else self._choose(options.browser_path)
            browser = await self.playwright.chromium.launch(**self._launch_kwargs(choice, options.headless))
            self.choice = choice
            self.browsers[options.headless] = browser
            self.launches += 1
        return browser

    async def open_context(self, session_id: str, options: ContextOptions) -> _Context:
        """A new context for the "Open browser" step `session_id` (an old one is closed first)."""
        old = self.contexts.pop(session_id, None)
        if old is not None:
            await old.context.close()
        settings: dict[str, Any] = {"accept_downloads": True,
                                    "viewport": {"width": options.viewport[0], "height": options.viewport[1]}}
        if options.locale:
            settings["locale"] = options.locale
        if options.user_agent:
            settings["user_agent"] = options.user_agent
        if options.profile_dir is not None:
            choice = self._choose(options.browser_path)
            options.profile_dir.mkdir(parents=True, exist_ok=True)
            context = await self.playwright.chromium.launch_persistent_context(
                str(options.profile_dir), **self._launch_kwargs(choice, options.headless), **settings)
            self.choice = self.choice or choice
            self.launches += 1
            launched = True
        else:
            browser, launched = await self._browser(options)
            context = await browser.new_context(**settings)
        state = _Context(context, list(context.pages), options.dialogs, launched=launched)
        context.on("page", lambda page: state.pages.append(page))
        context.on("dialog", lambda dialog: self._on_dialog(state, dialog))
        if not state.pages:
            await context.new_page()  # recorded by the "page" handler
        self.contexts[session_id] = state
        return state

    async def release(self, session_id: str, outputs: Mapping[str, Any]) -> bool:
        """Close the context of `session_id` when the flow that opened it ends — unless what the
        flow returns still refers to one of its pages: then True (ask again when the calling
        flow ends). Keeps a for-each over many items from piling up browser contexts. A context
        that fails to close stays listed, so the run's end closes it."""
        if session_id not in self.contexts:
            return False
        if _refers_to(outputs, session_id):
            return True
        async with asyncio.timeout(CLOSE_EACH_S):
            await self.contexts[session_id].context.close()
        self.contexts.pop(session_id, None)
        return False

    @staticmethod
    async def _on_dialog(state: _Context, dialog: Any) -> None:
        state.dialog_log.append(f"{dialog.type}: {dialog.message}")
        if state.dialogs == "handled":  # an "Answer a dialog" step is answering it
            return
        if state.dialogs == "accept":
            await dialog.accept()
        else:
            await dialog.dismiss()

    # ----- pages -----------------------------------------------------------------------------

    def context_of(self, ref: SessionRef) -> _Context:
        state = self.contexts.get(ref.session)
        if state is None:
            raise NodeError("this browser page is closed (its 'Open browser' step opened a new one, or "
                            "the session ended); connect this step to the current page")
        return state

    def page(self, ref: SessionRef) -> Any:
        state = self.context_of(ref)
        if not 0 <= ref.page < len(state.pages):
            raise NodeError(f"the browser has no tab number {ref.page + 1}")
        page = state.pages[ref.page]
        if page.is_closed():
            raise NodeError(f"browser tab {ref.page + 1} was closed")
        return page

    def ref(self, session_id: str, page: Any, *, title: str = "") -> SessionRef:
        state = self.contexts.get(session_id)
        index = next((i for i, p in enumerate(state.pages) if p is page), None) if state else None
        if index is None:
            raise NodeError("this browser page is no longer open in its session")
        return SessionRef(run_id=self.run_id, session=session_id, page=index, url=page.url, title=title)

    # ----- closing ---------------------------------------------------------------------------

    async def close(self) -> None:
        """Close every context and browser (each with its own time limit), then — always —
        Playwright's driver, which ends any browser process still left."""
        errors: list[str] = []
        try:
            closing = [*(s.context for s in self.contexts.values()), *self.browsers.values()]
            self.contexts.clear()
            self.browsers.clear()
            for item in closing:
                try:
                    async with asyncio.timeout(CLOSE_EACH_S):
                        await item.close()
                except Exception as exc:  # a hung or crashed browser: the driver's stop ends it
                    errors.append(str(exc) or type(exc).__name__)
        finally:
            await self.playwright.stop()
        if errors:
            raise RuntimeError("; ".join(errors))


def _refers_to(value: Any, session_id: str, depth: int = 0) -> bool:
    """Whether `value` (a flow's outputs) holds a page of the browser session `session_id`."""
    if isinstance(value, SessionRef):
        return value.session == session_id
    if depth > 6:
        return False
    if isinstance(value, Mapping):
        return any(_refers_to(v, session_id, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_refers_to(v, session_id, depth + 1) for v in value)
    if isinstance(value, Table):
        return any(_refers_to(row, session_id, depth + 1) for row in value.rows)
    return False


async def browser_session(ctx: NodeContext) -> BrowserSession:
    """The run's browser session, started by the first step that needs it."""

    async def start() -> BrowserSession:
        try:
            from playwright.async_api import async_playwright
        except ImportError:
            raise NodeError("browser steps need the 'playwright' package; reinstall Loomwork") from None
        playwright = await async_playwright().start()
        return BrowserSession(ctx.run_id, playwright)

    async def stop(session: BrowserSession) -> None:
        await session.close()

    return await ctx.resources.get(RESOURCE, start, stop)


def page_of(ctx: NodeContext, ref: SessionRef | None) -> tuple[BrowserSession, Any]:
    """The live page a step was handed, or a clear error when there is none."""
    if ref is None:
        raise NodeError("no browser page: connect this step's Page input to an 'Open browser' step "
                        "(or to the step before it)")
    if ref.run_id != ctx.run_id:
        raise NodeError(f"this page belongs to an earlier run ({ref.run_id}); a browser lives only as long "
                        "as its run — run the flow from its 'Open browser' step")
    session = ctx.resources.peek(RESOURCE)
    if session is None:
        raise NodeError("the browser of this run is not open; run the flow from its 'Open browser' step")
    return session, session.page(ref)
